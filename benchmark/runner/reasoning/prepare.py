"""A reasoning run, resolved: the cap applied to the task, the model's thinking switch found."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from transformers import AutoConfig

from benchmark.runner.ob_config import ResolvedRun
from benchmark.runner.reasoning import thinking
from benchmark.tasks import TaskSpec


def with_cap(spec: TaskSpec, max_new_tokens: int | None) -> TaskSpec:
    """The task with the run's cap on new tokens (``None``: the registry's)."""
    if max_new_tokens is None or not spec.reasoning:
        return spec
    return replace(spec, generate_kwargs=MappingProxyType({**spec.generate_kwargs, "max_new_tokens": max_new_tokens}))


def cap_of(spec: TaskSpec) -> int:
    return int(spec.generate_kwargs["max_new_tokens"])


def prepare(run: ResolvedRun, effort: str | None) -> ResolvedRun:
    """``run`` with its thinking plan; ``ReasoningRefused`` if the model cannot reason here."""
    if not run.spec.reasoning:
        return run
    plan = thinking.plan(run.model, run.model_id, effort)
    config = AutoConfig.from_pretrained(run.model, revision=run.revision)
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    thinking.check_room(getattr(text_config, "max_position_embeddings", None), cap_of(run.spec), run.model_id)
    return replace(run, thinking=plan)
