"""The quality record: one quality figure of a model on a task, a record of its own.

Stored beside the result records, one file each (``quality/<task>/<org--name>/<quality_id>.json``),
through the same store interface, and read with the same hostile-input rules (``parse_quality``:
size first, every field validated, one bad file dropped under its reason). It never changes an
energy figure or a star.

``source`` says where the number was read (a published paper, card or file) or, when measured here,
the run that measured it; ``provenance`` says who stands behind it: ``published`` (another board or
paper), ``measured`` (our ``python -m benchmark quality``) or ``self-reported`` (an upload).
``settings`` are how it was obtained (thinking on and its effort level, library and version, task
version, few-shot count, template, dtype, batch size, limit). A figure on the task's declared
benchmark must use its declared metric and direction, and lie in the metric's range; a figure on
another benchmark is kept (the model page shows it under its own name) but never compared on a board.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from benchmark.board.records import (
    DROP_OUT_OF_RANGE,
    DROP_SCHEMA,
    DROP_UNKNOWN_TASK,
    read_bounded,
    validation_drop_reason,
)
from benchmark.quality.benchmarks import METRIC_RANGES
from benchmark.record import RequestRef, model_slug
from benchmark.tasks import TASKS
from benchmark.validation import (
    Count,
    FiniteFloat,
    ModelId,
    PositiveCount,
    Segment,
    ShortText,
    Text,
    UtcDatetime,
)

QUALITY_SCHEMA_VERSION = 1
QUALITY_PREFIX = "quality"
QUALITY_PATTERNS = [f"{QUALITY_PREFIX}/*.json"]
MAX_QUALITY_BYTES = 100_000
PROVENANCES = ("measured", "self-reported", "published")

DROP_QUALITY_OVERSIZED = f"file over {MAX_QUALITY_BYTES // 1000} kB"
DROP_METRIC_MISMATCH = "metric does not match its benchmark"
DROP_UNKNOWN_METRIC = "unknown metric"
DROP_QUALITY_SCHEMA_VERSION = "unknown schema version"


class QualitySettings(BaseModel):
    """How the figure was obtained (what a published source states, or what our run used)."""

    model_config = ConfigDict(extra="allow")

    reasoning: bool | None = None  # thinking on (reasoning task)
    reasoning_effort: Literal["low", "medium", "high"] | None = None
    library: ShortText | None = None
    library_version: ShortText | None = None
    task_version: ShortText | None = None
    num_fewshot: Count | None = None
    prompt_template: Text | None = None
    chat_template: bool | None = None
    dtype: ShortText | None = None
    batch_size: PositiveCount | None = None
    # evaluated on the first ``limit`` examples only: kept, never compared on a board
    limit: PositiveCount | None = None
    samples: Count | None = None


class QualityRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    schema_version: int = QUALITY_SCHEMA_VERSION
    quality_id: Segment
    model_id: ModelId
    model_revision: ShortText | None = None
    task: ShortText
    benchmark: ShortText
    metric: ShortText
    value: FiniteFloat
    higher_is_better: bool
    source: ShortText
    provenance: Literal["measured", "self-reported", "published"]
    # when the figure was measured (ours) or published; None where the source does not say
    created_at: UtcDatetime | None = None
    settings: QualitySettings = QualitySettings()
    # the energy run a measured figure was made beside (same pinned revision), if any
    run_id: Segment | None = None
    # the queued request a measured figure was made for (None: run by hand)
    request: RequestRef | None = None
    notes: Text | None = None

    @property
    def on_declared_benchmark(self) -> bool:
        """Whether this figure is on its task's declared benchmark and metric (what boards compare)."""
        declared = TASKS[self.task].quality if self.task in TASKS else None
        return declared is not None and (self.benchmark, self.metric) == (declared.key, declared.metric)

    @property
    def comparable(self) -> bool:
        """On the declared benchmark, over all of it (a ``--limit`` run is kept but not compared), with its
        reference settings (``off_reference_because``)."""
        return self.on_declared_benchmark and self.settings.limit is None and self.off_reference_because is None

    @property
    def off_reference_because(self) -> str | None:
        """The first setting the record states otherwise than its benchmark's reference definition, in words."""
        declared = TASKS[self.task].quality if self.task in TASKS else None
        for name, value in declared.reference_settings if declared else ():
            stated = getattr(self.settings, name, None)
            if stated is not None and stated != value:
                return f"{name.replace('_', ' ')} {stated!r}, not the reference's {value!r}"
        return None

    @property
    def reasoning_effort(self) -> str:
        return self.settings.reasoning_effort or ""

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=True)


def quality_path(record: QualityRecord) -> str:
    return f"{QUALITY_PREFIX}/{record.task}/{model_slug(record.model_id)}/{record.quality_id}.json"


def quality_drop_reason(record: QualityRecord) -> str | None:
    """Why a parsed quality record must be dropped anyway: an unknown task or metric, a metric or
    direction its task's declared benchmark is not reported in, or a value outside the metric's range."""
    if record.schema_version != QUALITY_SCHEMA_VERSION:
        return DROP_QUALITY_SCHEMA_VERSION
    spec = TASKS.get(record.task)
    if spec is None:
        return DROP_UNKNOWN_TASK
    if record.metric not in METRIC_RANGES:
        return DROP_UNKNOWN_METRIC
    declared = spec.quality
    if declared is not None and record.benchmark == declared.key:
        if record.metric not in (declared.metric, *declared.other_metrics):
            return DROP_METRIC_MISMATCH
        if record.higher_is_better != declared.higher_is_better:
            return DROP_METRIC_MISMATCH
    low, high = METRIC_RANGES[record.metric]
    if not low <= record.value <= high:
        return DROP_OUT_OF_RANGE
    return None


def parse_quality(data: bytes) -> QualityRecord | str:
    """The quality record in ``data``, or the reason it is dropped (never raises)."""
    if len(data) > MAX_QUALITY_BYTES:
        return DROP_QUALITY_OVERSIZED
    try:
        record = QualityRecord.model_validate_json(data)
    except ValidationError as exc:
        return validation_drop_reason(exc, energy_field=None)
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return DROP_SCHEMA
    return quality_drop_reason(record) or record


def read_quality_file(path: Path) -> QualityRecord | str:
    data = read_bounded(path, MAX_QUALITY_BYTES, DROP_QUALITY_OVERSIZED)
    return data if isinstance(data, str) else parse_quality(data)


def quality_files(folder: Path) -> list[str]:
    """``quality/<task>/<model>/<id>.json`` paths under ``folder`` (a store root or a snapshot)."""
    top = folder / QUALITY_PREFIX
    if not top.is_dir():
        return []
    found = []
    for task in sorted(os.listdir(top)):
        if not (top / task).is_dir():
            continue
        for model in sorted(os.listdir(top / task)):
            if (top / task / model).is_dir():
                found += [f"{QUALITY_PREFIX}/{task}/{model}/{name}" for name in sorted(os.listdir(top / task / model))
                          if name.endswith(".json") and not name.startswith(".")]
    return found
