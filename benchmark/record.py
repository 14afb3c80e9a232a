"""The result record: one typed schema shared by the runner (which writes it) and the leaderboard
(which reads it). Pure pydantic, no torch, so the Space reads records without the runner's stack.

Units are in the field names: ``*_kwh`` kilowatt-hours, ``*_wh_per_1k_queries`` watt-hours per
1,000 queries, ``*_wh_per_1k_output_tokens`` watt-hours per 1,000 generated tokens, ``*_s`` seconds,
``*_w`` watts, ``*_mib`` mebibytes.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from benchmark.configuration import RunConfiguration

SCHEMA_VERSION = 1
KWH_TO_WH = 1000.0
QUERIES_PER_SCORE = 1000
OUTPUT_TOKENS_PER_FIGURE = 1000
P95 = 95


class Hardware(BaseModel):
    """Where the run happened. ``label`` is what the leaderboard groups and rates by."""

    model_config = ConfigDict(extra="allow")

    device: Literal["cuda", "cpu"]
    gpu_name: str | None = None
    gpu_count: int = 0
    gpu_memory_mib: int | None = None
    gpu_power_limit_w: float | None = None
    driver_version: str | None = None
    cuda_version: str | None = None
    cpu_model: str | None = None
    cpu_count: int | None = None
    # True when a maintainer let the run measure a GPU other processes were using (--allow-shared-gpu)
    gpu_sharing_allowed: bool = False
    # Other benchmarks seen running on this machine during the run (each on its own GPU, placed by a
    # dispatcher). GPU energy is per device and unaffected; CPU and RAM energy are machine-wide in
    # codecarbon, so they (and the total) include a share of the others' (``total_energy_shared``).
    concurrent_benchmarks: int = Field(default=0, ge=0)

    @property
    def label(self) -> str:
        if self.device == "cuda" and self.gpu_name:
            return self.gpu_name if self.gpu_count <= 1 else f"{self.gpu_count}× {self.gpu_name}"
        return f"CPU: {self.cpu_model}" if self.cpu_model else "CPU"


class Software(BaseModel):
    model_config = ConfigDict(extra="allow")

    optimum_benchmark: str | None = None
    transformers: str | None = None
    torch: str | None = None
    codecarbon: str | None = None
    diffusers: str | None = None
    python: str | None = None


class Settings(BaseModel):
    """The control variables the run used (after any CPU fallback, see ``dtype_requested``)."""

    model_config = ConfigDict(extra="allow")

    dataset: str
    # the Hub id a local copy of the dataset stands for (``--dataset-id``), checked against the task's
    dataset_id: str | None = None
    dataset_split: str = "train"
    num_samples: int = Field(gt=0)
    batch_size: int = Field(default=1, gt=0)
    dtype: str
    dtype_requested: str | None = None
    # the fixed length of a generation task's answers (every query generates exactly this many tokens)
    new_tokens: int | None = None
    # reasoning: thinking on, natural length up to ``max_new_tokens``; the effort level for a model
    # whose template takes one (low / medium / high), each level its own row
    reasoning: bool | None = None
    reasoning_effort: str | None = None
    max_new_tokens: int | None = Field(default=None, gt=0)
    denoising_steps: int | None = None
    image_height_px: int | None = None
    image_width_px: int | None = None
    sampling_rate_hz: int | None = None
    reasoning: bool | None = None
    reasoning_effort: str | None = None
    max_new_tokens: int | None = None


class PhaseMeasurement(BaseModel):
    """Energy (kWh) and latency (s, whole phase) of one phase, as optimum-benchmark measured it."""

    cpu_kwh: float
    gpu_kwh: float
    ram_kwh: float
    latency_s: float | None = None
    throughput: float | None = None
    throughput_unit: str | None = None

    @property
    def total_kwh(self) -> float:
        return self.cpu_kwh + self.gpu_kwh + self.ram_kwh


class OutputTokens(BaseModel):
    """How much a model talked: the tokens it generated per query in the measured generation pass
    (end of sequence included), counted by the runner, not assumed. ``queries_at_cap`` answers
    reached the cap (``settings.max_new_tokens``) without stopping first, or exactly at it."""

    queries: int = Field(gt=0)
    total: int = Field(ge=0)
    per_query_mean: float
    per_query_median: float
    per_query_p95: float
    queries_at_cap: int = Field(default=0, ge=0)

    @property
    def all_at_cap(self) -> bool:
        """Every query hit the cap: the model may not stop by itself (the figures are lower bounds)."""
        return self.queries_at_cap == self.queries

    @classmethod
    def from_counts(cls, counts: list[int], cap: int) -> OutputTokens:
        if not counts:
            raise ValueError("no output-token counts")
        ordered = sorted(counts)
        return cls(
            queries=len(counts),
            total=sum(counts),
            per_query_mean=statistics.fmean(counts),
            per_query_median=statistics.median(counts),
            per_query_p95=percentile(ordered, P95),
            queries_at_cap=sum(1 for n in counts if n >= cap),
        )

    @classmethod
    def combine(cls, parts: list[OutputTokens]) -> OutputTokens:
        """Every query of several repeats: counts and mean exact; median and p95 the repeats' mean."""
        if not parts:
            raise ValueError("no output-token counts")
        queries = sum(p.queries for p in parts)
        total = sum(p.total for p in parts)
        return cls(
            queries=queries,
            total=total,
            per_query_mean=total / queries,
            per_query_median=statistics.fmean(p.per_query_median for p in parts),
            per_query_p95=statistics.fmean(p.per_query_p95 for p in parts),
            queries_at_cap=sum(p.queries_at_cap for p in parts),
        )


def percentile(ordered: list[float], q: float) -> float:
    """The ``q``-th percentile of sorted values, linearly interpolated between closest ranks."""
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


class Repeat(BaseModel):
    """One launch of the benchmark. ``report_file`` is the raw report, relative to the record.

    On a GPU, ``nvml_gpu_energy_kwh`` is NVML's counter delta over the whole launch and
    ``nvml_to_phases_ratio`` that delta over the GPU energy of every phase the report lists (≥ 1 but
    for the counter's granularity; see ``benchmark.crosscheck``). ``other_gpu_pids`` lists processes
    that shared a measured GPU when the run was allowed to (``hardware.gpu_sharing_allowed``). On a
    CPU run, ``excluded_gpu_kwh`` is GPU energy codecarbon saw on the machine's idle GPUs, which is
    not the model's and is left out of every figure.
    """

    index: int
    gpu_wh_per_1k_queries: float
    total_wh_per_1k_queries: float
    phases: dict[str, PhaseMeasurement]
    wall_time_s: float | None = None
    nvml_gpu_energy_kwh: float | None = None
    phases_gpu_energy_kwh: float | None = None
    nvml_to_phases_ratio: float | None = None
    idle_power_w: float | None = None
    other_gpu_pids: list[int] = Field(default_factory=list)
    # generation tasks: tokens generated (counted for reasoning; None when forced to a fixed length) and
    # the scored phases' energy per 1,000 of them
    output_tokens: OutputTokens | None = None
    gpu_wh_per_1k_output_tokens: float | None = None
    total_wh_per_1k_output_tokens: float | None = None
    excluded_gpu_kwh: float | None = None
    report_file: str | None = None
    # what optimum-benchmark's child loaded: dtype, attn_implementation, quantization_method, compiled
    loaded: dict[str, Any] | None = None
    output_tokens: OutputTokens | None = None


class ResultRecord(BaseModel):
    """One benchmark result: a model measured on a task, on some hardware, R times.

    ``gpu_wh_per_1k_queries`` is the score: GPU energy of ``preprocess`` plus the task's inference
    phases, scaled from ``settings.num_samples`` to 1,000 queries, mean over ``repeats``.
    Published figures imported from elsewhere have no ``repeats`` or ``phases``; ``source`` says
    where they come from.
    """

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    run_id: str
    model_id: str
    model_revision: str | None = None
    task: str
    created_at: datetime
    hardware: Hardware
    software: Software = Field(default_factory=Software)
    settings: Settings
    # how it was run: the overrides of the task's reference applied, and their key (None: written
    # before configurations existed, read from ``settings`` by ``configuration.record_configuration``)
    configuration: RunConfiguration | None = None
    phases: dict[str, PhaseMeasurement] = Field(default_factory=dict)
    gpu_wh_per_1k_queries: float
    gpu_wh_per_1k_queries_std: float = 0.0
    total_wh_per_1k_queries: float | None = None
    total_wh_per_1k_queries_std: float | None = None
    # True when other benchmarks shared the machine: CPU + RAM (so the total) are not this run's alone.
    total_energy_shared: bool = False
    latency_s_per_query: float | None = None
    # Generation tasks: GPU (and total) energy of the scored phases per 1,000 generated tokens, mean over
    # repeats. Fixed-length tasks generate ``settings.new_tokens`` per query (so ``output_tokens`` is
    # None); reasoning counts them: ``output_tokens`` pools every query of every repeat.
    output_tokens: OutputTokens | None = None
    gpu_wh_per_1k_output_tokens: float | None = None
    total_wh_per_1k_output_tokens: float | None = None
    repeats: list[Repeat] = Field(default_factory=list)
    params: int | None = None
    source: str = "runner"
    notes: str | None = None

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @field_validator("gpu_wh_per_1k_queries", "gpu_wh_per_1k_queries_std")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    def to_json(self) -> str:
        # a record without a configuration (a published figure, an older record) keeps its old layout
        # (the fields added for run configurations, output tokens and reasoning are left out while unset)
        exclude: dict[Any, Any] = {name: True for name in _LATER_RECORD_FIELDS if getattr(self, name) is None}
        settings = {name for name in _LATER_SETTINGS_FIELDS if getattr(self.settings, name) is None}
        if settings:
            exclude["settings"] = settings
        repeats = {
            i: {name for name in _LATER_REPEAT_FIELDS if getattr(repeat, name) is None}
            for i, repeat in enumerate(self.repeats)
        }
        if any(repeats.values()):
            exclude["repeats"] = {i: names for i, names in repeats.items() if names}
        return self.model_dump_json(indent=2, exclude=exclude or None)

    @classmethod
    def from_json(cls, text: str | bytes) -> ResultRecord:
        return cls.model_validate(json.loads(text))


# Fields added after the first layout: a record that does not set them is written without them.
_LATER_REPEAT_FIELDS = ("output_tokens", "gpu_wh_per_1k_output_tokens", "total_wh_per_1k_output_tokens")
_LATER_RECORD_FIELDS = ("configuration", *_LATER_REPEAT_FIELDS)
_LATER_SETTINGS_FIELDS = ("dataset_id", "reasoning", "reasoning_effort", "max_new_tokens")


def per_1k_output_tokens_wh(energy_kwh: float, output_tokens: int) -> float | None:
    """Scale an energy over ``output_tokens`` generated tokens to watt-hours per 1,000 (None for none)."""
    if output_tokens <= 0:
        return None
    return energy_kwh * KWH_TO_WH * OUTPUT_TOKENS_PER_FIGURE / output_tokens


def per_1k_queries_wh(energy_kwh: float, num_samples: int) -> float:
    """Scale an energy over ``num_samples`` queries to watt-hours per 1,000 queries."""
    return energy_kwh * KWH_TO_WH * QUERIES_PER_SCORE / num_samples


def mean_and_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    if not values:
        raise ValueError("no values")
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.fmean(values), std


def utc_now() -> datetime:
    return datetime.now(UTC)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def model_slug(model_id: str) -> str:
    """A file-system-safe folder name for a model id (``org/name`` → ``org--name``)."""
    return _UNSAFE.sub("-", model_id.strip("/").replace("/", "--")) or "model"


def record_path(record: ResultRecord) -> str:
    """Where a record lives in a results store: ``records/<task>/<org--name>/<run_id>.json``.

    Each record is its own file, so concurrent pushes never overwrite each other.
    """
    return f"records/{record.task}/{model_slug(record.model_id)}/{record.run_id}.json"


def reports_dir(record: ResultRecord) -> str:
    """Where the raw optimum-benchmark reports of a record's repeats live, beside the record."""
    return record_path(record)[: -len(".json")] + ".reports"
