"""Checks made before any energy is spent: the model loads for the task, the dataset has the
task's columns and enough rows. Each raises ``PreflightError`` with one line naming the problem.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimum_benchmark.backends.transformers_utils import get_transformers_auto_model_class_for_task
from transformers import AutoConfig

from benchmark.tasks import TaskSpec


class PreflightError(ValueError):
    pass


def is_local(path_or_id: str) -> bool:
    return Path(path_or_id).expanduser().exists()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def check_model(model: str, spec: TaskSpec, revision: str | None = None) -> str:
    """The model's type (``bert``, ``StableDiffusionPipeline``...) if it can load for ``spec``."""
    if spec.library == "diffusers":
        return _check_pipeline(model, spec, revision)
    try:
        config = AutoConfig.from_pretrained(model, revision=revision)
    except Exception as exc:  # noqa: BLE001 - any failure to read the config means "cannot load"
        raise PreflightError(f"model {model!r} cannot be loaded: {_first_line(exc)}") from exc
    model_type = getattr(config, "model_type", None)
    try:
        auto_class = get_transformers_auto_model_class_for_task(spec.ob_task, model_type)
    except ValueError as exc:
        raise PreflightError(
            f"model {model!r} ({model_type}) cannot be loaded for task {spec.key}: {_first_line(exc)}"
        ) from exc
    if type(config) not in auto_class._model_mapping:
        raise PreflightError(
            f"model {model!r} ({model_type}) cannot be loaded for task {spec.key}: "
            f"{auto_class.__name__} does not support {type(config).__name__}"
        )
    return model_type or type(config).__name__


def _check_pipeline(model: str, spec: TaskSpec, revision: str | None) -> str:
    if is_local(model):
        index = Path(model) / "model_index.json"
        if not index.is_file():
            raise PreflightError(
                f"model {model!r} cannot be loaded for task {spec.key}: no model_index.json (not a diffusers pipeline)"
            )
        config = json.loads(index.read_text())
    else:
        from diffusers import DiffusionPipeline

        try:
            config = DiffusionPipeline.load_config(model, revision=revision)
        except Exception as exc:  # noqa: BLE001
            raise PreflightError(f"model {model!r} cannot be loaded for task {spec.key}: {_first_line(exc)}") from exc
    return str(config.get("_class_name", "DiffusionPipeline"))


def _usable(value: Any) -> bool:
    # optimum-benchmark drops empty inputs when the batch size is 1
    return value is not None and value != ""


def check_dataset(dataset: str, split: str, spec: TaskSpec, num_samples: int) -> int:
    """Number of usable rows; raises if a column is missing or fewer than ``num_samples`` rows."""
    from datasets import load_dataset

    try:
        data = load_dataset(dataset, split=split)
    except Exception as exc:  # noqa: BLE001
        raise PreflightError(f"dataset {dataset!r} (split {split!r}) cannot be loaded: {_first_line(exc)}") from exc
    missing = [c for c in spec.dataset_columns if c not in data.column_names]
    if missing:
        raise PreflightError(
            f"dataset {dataset!r} lacks the column(s) {', '.join(missing)} that task {spec.key} reads "
            f"(it has: {', '.join(data.column_names) or 'none'})"
        )
    columns = list(spec.dataset_columns)
    # Arrow format: count empty inputs without decoding a single image or recording.
    head = data.select(range(min(len(data), num_samples * 2))).select_columns(columns)
    table = head.with_format("arrow")[:]
    values = [table.column(c).to_pylist() for c in columns]
    usable = sum(1 for row in zip(*values, strict=True) if all(_usable(v) for v in row))
    if usable < num_samples:
        raise PreflightError(
            f"dataset {dataset!r} has {usable} usable rows, fewer than the {num_samples} samples asked for"
        )
    return usable
