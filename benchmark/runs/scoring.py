"""From optimum-benchmark's report (a plain dict) to phases and the per-1,000-queries score.

Light contract (pydantic only): the runner scores its runs with it, and ``push``, ``submit-run`` and
the Space check an uploaded run by scoring its raw reports again with the very same code.

The score's scope is AI Energy Score's: dataset preprocessing plus the task's inference phases
(``prefill`` + ``decode``, or ``forward``, or ``call``), not dataset or model loading.

Generation tasks also get that energy per 1,000 output tokens. A fixed-length task's queries each
generate exactly ``max_new_tokens`` (= ``min_new_tokens``) tokens, so its output is that length ×
the samples (the prompt and any forced decoder prompt are not counted); a reasoning run's output is
what its scenario counted per query (``OUTPUT_TOKENS_KEY`` in the report).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benchmark.record import (
    OutputTokens,
    PhaseMeasurement,
    Repeat,
    mean_and_std,
    per_1k_output_tokens_wh,
    per_1k_queries_wh,
)
from benchmark.runs.files import OUTPUT_TOKENS_KEY
from benchmark.tasks import TaskSpec

# optimum-benchmark's report target → the record's phase name
PREPROCESS_TARGET = "preprocess_dataset"
PREPROCESS_PHASE = "preprocess"


class ReportError(ValueError):
    pass


def scored_phases(spec: TaskSpec) -> tuple[str, ...]:
    return (PREPROCESS_PHASE, *spec.inference_phases)


def phase_from_report(target: Mapping[str, Any] | None, name: str) -> PhaseMeasurement:
    if not target or not target.get("energy"):
        raise ReportError(f"the report has no energy for phase {name!r}")
    energy = target["energy"]
    if energy.get("unit", "kWh") != "kWh":
        raise ReportError(f"unexpected energy unit {energy.get('unit')!r} for phase {name!r}")
    latency = target.get("latency") or {}
    throughput = target.get("throughput") or {}
    # a negative per-query value (a query whose own prefill outlasted its whole generate(): a stalled
    # machine, benchmark.runner.latency) means the phase's latency was not measurable
    measurable = latency.get("total") is not None and all(float(v) >= 0 for v in latency.get("values") or ())
    return PhaseMeasurement(
        cpu_kwh=float(energy["cpu"]),
        gpu_kwh=float(energy["gpu"]),
        ram_kwh=float(energy["ram"]),
        latency_s=float(latency["total"]) if measurable else None,
        throughput=float(throughput["value"]) if throughput.get("value") is not None else None,
        throughput_unit=throughput.get("unit"),
    )


def phases_from_report(report: Mapping[str, Any], spec: TaskSpec) -> dict[str, PhaseMeasurement]:
    """The scored phases of one optimum-benchmark report, keyed by the record's phase names."""
    phases = {PREPROCESS_PHASE: phase_from_report(report.get(PREPROCESS_TARGET), PREPROCESS_PHASE)}
    for name in spec.inference_phases:
        phases[name] = phase_from_report(report.get(name), name)
    return phases


def without_gpu(phases: dict[str, PhaseMeasurement]) -> tuple[dict[str, PhaseMeasurement], float]:
    """The phases with their GPU energy set to 0, and the GPU energy taken out (kWh).

    On a CPU run optimum-benchmark hands codecarbon no GPU ids, and codecarbon then tracks every GPU
    of the machine: what it reports is the idle GPUs' energy, not the model's.
    """
    excluded = sum(p.gpu_kwh for p in phases.values())
    return {name: p.model_copy(update={"gpu_kwh": 0.0}) for name, p in phases.items()}, excluded


def output_tokens(report: Mapping[str, Any], spec: TaskSpec, num_samples: int) -> tuple[int, OutputTokens | None]:
    """Tokens the scored generation produced, and their per-query statistics when they were counted.

    ``(0, None)`` for a task that generates nothing (``forward``, ``call``)."""
    if "decode" not in spec.inference_phases or "max_new_tokens" not in spec.generate_kwargs:
        return 0, None
    cap = int(spec.generate_kwargs["max_new_tokens"])
    counts = report.get(OUTPUT_TOKENS_KEY)
    if counts is None:
        if "min_new_tokens" not in spec.generate_kwargs:
            raise ReportError(f"the report of natural-length task {spec.key} has no {OUTPUT_TOKENS_KEY}")
        return cap * num_samples, None
    counts = [int(n) for n in counts]
    if len(counts) != num_samples:
        raise ReportError(f"the report counted {len(counts)} answers for {num_samples} samples")
    if any(n > cap or n < 1 for n in counts):
        raise ReportError(f"the report counted an answer outside 1..{cap} tokens: {counts}")
    counted = OutputTokens.from_counts(counts, cap)
    return counted.total, counted


def repeat_from_report(
    index: int, report: Mapping[str, Any], spec: TaskSpec, num_samples: int, device: str = "cuda", **extra: Any
) -> Repeat:
    phases = phases_from_report(report, spec)
    if device == "cpu":
        phases, extra["excluded_gpu_kwh"] = without_gpu(phases)
    gpu_kwh = sum(p.gpu_kwh for p in phases.values())
    total_kwh = sum(p.total_kwh for p in phases.values())
    tokens, counted = output_tokens(report, spec, num_samples)
    return Repeat(
        index=index,
        gpu_wh_per_1k_queries=per_1k_queries_wh(gpu_kwh, num_samples),
        total_wh_per_1k_queries=per_1k_queries_wh(total_kwh, num_samples),
        phases=phases,
        output_tokens=counted,
        gpu_wh_per_1k_output_tokens=per_1k_output_tokens_wh(gpu_kwh, tokens),
        total_wh_per_1k_output_tokens=per_1k_output_tokens_wh(total_kwh, tokens),
        **extra,
    )


def _mean_of(rows: list[PhaseMeasurement], field: str) -> float | None:
    values = [getattr(row, field) for row in rows]
    return None if any(v is None for v in values) else sum(values) / len(values)


def mean_phases(repeats: list[Repeat]) -> dict[str, PhaseMeasurement]:
    """Each phase's measurements averaged over the repeats."""
    names = list(repeats[0].phases)
    averaged = {}
    for name in names:
        rows = [r.phases[name] for r in repeats]
        averaged[name] = PhaseMeasurement(
            cpu_kwh=_mean_of(rows, "cpu_kwh"),
            gpu_kwh=_mean_of(rows, "gpu_kwh"),
            ram_kwh=_mean_of(rows, "ram_kwh"),
            latency_s=_mean_of(rows, "latency_s"),
            throughput=_mean_of(rows, "throughput"),
            throughput_unit=rows[0].throughput_unit,
        )
    return averaged


def summary(repeats: list[Repeat], spec: TaskSpec, num_samples: int) -> dict[str, Any]:
    """The record's headline fields: mean and spread over repeats, latency per query."""
    gpu_mean, gpu_std = mean_and_std([r.gpu_wh_per_1k_queries for r in repeats])
    total_mean, total_std = mean_and_std([r.total_wh_per_1k_queries for r in repeats])
    phases = mean_phases(repeats)
    latencies = [phases[name].latency_s for name in spec.inference_phases]
    latency_s_per_query = None if any(v is None for v in latencies) else sum(latencies) / num_samples
    return {
        **output_token_summary(repeats, spec),
        "phases": phases,
        "gpu_wh_per_1k_queries": gpu_mean,
        "gpu_wh_per_1k_queries_std": gpu_std,
        "total_wh_per_1k_queries": total_mean,
        "total_wh_per_1k_queries_std": total_std,
        "latency_s_per_query": latency_s_per_query,
    }


def _mean_or_none(values: list[float | None]) -> float | None:
    return None if not values or any(v is None for v in values) else sum(values) / len(values)


def all_at_cap_note(cap: int) -> str:
    return (
        f"every query hit the cap of {cap:,} new tokens: the model may not stop by itself, so its energy and "
        "output tokens are lower bounds of its natural length"
    )


def output_token_summary(repeats: list[Repeat], spec: TaskSpec) -> dict[str, Any]:
    """The record's per-output-token figures (means over repeats) and counted tokens (every query of
    every repeat, see ``OutputTokens.combine``), with a note when every query hit the cap."""
    fields: dict[str, Any] = {
        "gpu_wh_per_1k_output_tokens": _mean_or_none([r.gpu_wh_per_1k_output_tokens for r in repeats]),
        "total_wh_per_1k_output_tokens": _mean_or_none([r.total_wh_per_1k_output_tokens for r in repeats]),
    }
    if all(r.output_tokens is not None for r in repeats):
        cap = int(spec.generate_kwargs["max_new_tokens"])
        pooled = OutputTokens.combine([r.output_tokens for r in repeats])
        fields["output_tokens"] = pooled
        if pooled.all_at_cap:
            fields["notes"] = all_at_cap_note(cap)
    return fields
