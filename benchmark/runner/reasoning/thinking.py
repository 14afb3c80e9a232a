"""Before a reasoning run: the model's chat template, its thinking switch and the run's options.

Each check raises ``ReasoningRefused`` (a ``UserInputError``) with one line naming the problem, before
any energy is spent or any record written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.run_spec import CAP_FLAG, EFFORT_FLAG, ReasoningRefused
from benchmark.tasks import THINKING_SWITCHES, ThinkingSwitch, thinking_switch

# where a saved tokenizer keeps its chat template (transformers 5 writes the .jinja file)
TEMPLATE_FILES = ("chat_template.jinja", "chat_template.json", "tokenizer_config.json")


@dataclass(frozen=True)
class ThinkingPlan:
    """How a run turns thinking on: what the preprocessing passes to the chat template."""

    family: str
    template_kwargs: dict[str, Any] = field(default_factory=dict)
    system_prompt: str | None = None
    effort: str | None = None


def chat_template(model_dir: str) -> str | None:
    """The chat template saved with a local model (every named template joined), or None."""
    folder = Path(model_dir)
    for name in TEMPLATE_FILES:
        path = folder / name
        if not path.is_file():
            continue
        if path.suffix == ".jinja":
            return path.read_text()
        template = json.loads(path.read_text()).get("chat_template")
        if isinstance(template, list):  # named templates: [{"name": ..., "template": ...}]
            template = "\n".join(str(item.get("template", "")) for item in template)
        if template:
            return str(template)
    return None


def plan(model_dir: str, model_id: str, effort: str | None) -> ThinkingPlan:
    """The thinking switch of the model's template, with the effort level applied."""
    template = chat_template(model_dir)
    if not template:
        raise ReasoningRefused(f"model {model_id!r} has no chat template: the reasoning task needs one")
    switch = thinking_switch(template)
    if switch is None:
        known = ", ".join(repr(s.marker) for s in THINKING_SWITCHES)
        raise ReasoningRefused(
            f"model {model_id!r}'s chat template has no thinking switch this benchmark knows (it looks for {known})"
        )
    return _with_effort(switch, model_id, effort)


def _with_effort(switch: ThinkingSwitch, model_id: str, effort: str | None) -> ThinkingPlan:
    kwargs = dict(switch.template_kwargs)
    if not switch.efforts:
        if effort is not None:
            raise ReasoningRefused(
                f"{EFFORT_FLAG} {effort}: model {model_id!r} takes no effort level (its template: {switch.family})"
            )
        return ThinkingPlan(switch.family, kwargs, switch.system_prompt)
    effort = effort or switch.default_effort
    if effort not in switch.efforts:
        raise ReasoningRefused(f"{EFFORT_FLAG}: {model_id!r} takes one of {', '.join(switch.efforts)}, not {effort!r}")
    if switch.effort_kwarg:
        kwargs[switch.effort_kwarg] = effort
    return ThinkingPlan(switch.family, kwargs, switch.system_prompt, effort)


def check_room(max_position_embeddings: int | None, cap: int, model_id: str) -> None:
    """The cap must leave room for a prompt in the model's context."""
    if max_position_embeddings is not None and cap >= max_position_embeddings:
        raise ReasoningRefused(
            f"{CAP_FLAG} {cap} leaves no room for a prompt in {model_id!r}'s context of "
            f"{max_position_embeddings} positions"
        )
