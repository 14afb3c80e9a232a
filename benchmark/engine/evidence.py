"""The raw evidence of an engine run, and the figures computed from it (pure Python).

Each repeat's folder keeps ``engine_evidence.json``: every measured request's trace (sent, each chunk's
arrival and tokens, finished, the server's usage), the energy window's NVML readings at its two ends (per
GPU, mJ) with codecarbon's CPU and RAM energy, and at steady state the server's running-requests samples.
The run computes its record's figures from this file (``repeat_from_evidence``, ``steady_from_evidence``)
and ``submit-run`` computes them again from an uploaded copy (``recheck``): the same function, so the two
cannot disagree.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.engine import steady
from benchmark.engine.record import MIN_WINDOW_S, ONE_AT_A_TIME, STEADY_STATE, SteadyState
from benchmark.engine.traces import RequestTrace, summarize
from benchmark.record import OutputTokens, PhaseMeasurement, Repeat, per_1k_output_tokens_wh, per_1k_queries_wh

EVIDENCE_FILE = "engine_evidence.json"
J_PER_KWH = 3.6e6
MJ_TO_J = 1e-3
PHASE = {ONE_AT_A_TIME: "serve", STEADY_STATE: "steady_state"}  # the record's one phase per repeat


@dataclass(frozen=True)
class Reading:
    at_s: float
    gpu_mj: dict[int, float]


@dataclass(frozen=True)
class WindowEnergy:
    """An energy window: NVML readings at its two ends (per GPU; none on a CPU), CPU and RAM from codecarbon."""

    start: Reading
    end: Reading
    cpu_j: float | None = None
    ram_j: float | None = None

    @property
    def duration_s(self) -> float:
        return self.end.at_s - self.start.at_s

    @property
    def gpu_j(self) -> float | None:
        """Summed over the GPUs; None on a CPU (no GPU read)."""
        if not self.start.gpu_mj:
            return None
        return sum(self.end.gpu_mj[i] - self.start.gpu_mj[i] for i in self.start.gpu_mj) * MJ_TO_J

    @property
    def total_j(self) -> float | None:
        parts = [value for value in (self.gpu_j, self.cpu_j, self.ram_j) if value is not None]
        return sum(parts) if parts else None

    def to_json(self) -> dict[str, Any]:
        return {
            "start": {"at_s": self.start.at_s, "gpu_mj": {str(i): v for i, v in self.start.gpu_mj.items()}},
            "end": {"at_s": self.end.at_s, "gpu_mj": {str(i): v for i, v in self.end.gpu_mj.items()}},
            "cpu_j": self.cpu_j, "ram_j": self.ram_j,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WindowEnergy:
        def reading(part: dict[str, Any]) -> Reading:
            return Reading(float(part["at_s"]), {int(i): float(v) for i, v in part["gpu_mj"].items()})

        return cls(reading(data["start"]), reading(data["end"]), data.get("cpu_j"), data.get("ram_j"))


@dataclass(frozen=True)
class Evidence:
    protocol: str
    traces: list[RequestTrace]
    window: WindowEnergy
    sent_s: float
    max_num_seqs: int | None = None
    running_samples: list[tuple[float, float]] = field(default_factory=list)
    min_window_s: float = MIN_WINDOW_S

    def to_json(self) -> str:
        return json.dumps({
            "protocol": self.protocol, "max_num_seqs": self.max_num_seqs, "sent_s": self.sent_s,
            "min_window_s": self.min_window_s, "window": self.window.to_json(),
            "running_samples": [list(sample) for sample in self.running_samples],
            "traces": [trace.to_json() for trace in self.traces],
        })

    @classmethod
    def from_json(cls, text: str | bytes) -> Evidence:
        data = json.loads(text)
        return cls(
            protocol=data["protocol"], traces=[RequestTrace.from_json(t) for t in data["traces"]],
            window=WindowEnergy.from_json(data["window"]), sent_s=float(data["sent_s"]),
            max_num_seqs=data.get("max_num_seqs"),
            running_samples=[(float(at), float(n)) for at, n in data.get("running_samples", [])],
            min_window_s=float(data.get("min_window_s", MIN_WINDOW_S)),
        )

    def write(self, folder: Path) -> Path:
        path = folder / EVIDENCE_FILE
        path.write_text(self.to_json())
        return path


def steady_from_evidence(evidence: Evidence) -> SteadyState:
    """ML.ENERGY's steady-state figures of a steady-state run (``benchmark.engine.steady``)."""
    b = int(evidence.max_num_seqs or 0)
    traces = evidence.traces
    window = steady.steady_window(traces, b)
    tokens = steady.tokens_in(traces, window)
    occupancy = steady.prometheus_occupancy(evidence.running_samples, window, b)
    source = "prometheus"
    if occupancy is None:
        occupancy, source = steady.client_occupancy(traces, window, b), "client"
    gpu_j, total_j = evidence.window.gpu_j, evidence.window.total_j
    scored_j = gpu_j if gpu_j is not None else total_j  # a CPU has no GPU energy: its CPU and RAM energy
    inside = [t for t in traces if t.first_token_s is not None and window.start_s <= t.first_token_s <= window.end_s]
    latencies = summarize(inside or traces).figures_ms()
    reason = steady.unstable_because(window.duration_s, occupancy, tokens, evidence.min_window_s)
    return SteadyState(
        max_num_seqs=b, requests=len(traces), start_s=max(window.start_s - evidence.sent_s, 0.0),
        duration_s=window.duration_s, output_tokens=tokens, gpu_energy_j=gpu_j, total_energy_j=total_j,
        energy_per_output_token_j=steady.energy_per_token_j(scored_j, tokens), occupancy=occupancy,
        occupancy_source=source, itl_median_ms=latencies["itl_median_ms"], itl_p90_ms=latencies["itl_p90_ms"],
        itl_p99_ms=latencies["itl_p99_ms"], ttft_median_ms=latencies["ttft_median_ms"],
        tpot_median_ms=latencies["tpot_median_ms"], min_window_s=evidence.min_window_s, stable=reason is None,
        unstable_because=reason,
    )


def repeat_from_evidence(
    index: int, evidence: Evidence, cap: int, report_file: str | None = None, fixed_length: bool = False
) -> Repeat:
    """One repeat of an engine run: its energy per 1,000 queries and per 1,000 output tokens, from the
    window (one at a time: the window covers every measured query; steady state: J per output token in the
    window × the mean output tokens of a query, ML.ENERGY's energy per generation). A ``fixed_length`` task's
    queries all generate ``cap`` tokens (checked before): no counts are kept, as for the transformers run."""
    window = evidence.window
    gpu_kwh = (window.gpu_j or 0.0) / J_PER_KWH
    cpu_kwh, ram_kwh = (window.cpu_j or 0.0) / J_PER_KWH, (window.ram_j or 0.0) / J_PER_KWH
    counts = [int(t.output_tokens or 0) for t in evidence.traces]
    tokens = OutputTokens.from_counts(counts, cap)
    queries = len(counts)
    if evidence.protocol == STEADY_STATE:
        state = steady_from_evidence(evidence)
        window_tokens = max(state.output_tokens, 1)
        gpu_per_token_j = (window.gpu_j or 0.0) / window_tokens
        total_per_token_j = (window.total_j or 0.0) / window_tokens
        gpu_wh = steady.wh_per_1k_queries(gpu_per_token_j, tokens.per_query_mean)
        total_wh = steady.wh_per_1k_queries(total_per_token_j, tokens.per_query_mean)
        gpu_wh_tokens = gpu_per_token_j * 1000 / steady.J_PER_WH
        total_wh_tokens = total_per_token_j * 1000 / steady.J_PER_WH
    else:
        gpu_wh = per_1k_queries_wh(gpu_kwh, queries)
        total_wh = per_1k_queries_wh(gpu_kwh + cpu_kwh + ram_kwh, queries)
        gpu_wh_tokens = per_1k_output_tokens_wh(gpu_kwh, tokens.total)
        total_wh_tokens = per_1k_output_tokens_wh(gpu_kwh + cpu_kwh + ram_kwh, tokens.total)
    phase = PhaseMeasurement(cpu_kwh=cpu_kwh, gpu_kwh=gpu_kwh, ram_kwh=ram_kwh, latency_s=max(window.duration_s, 0.0))
    return Repeat(
        index=index, gpu_wh_per_1k_queries=gpu_wh, total_wh_per_1k_queries=total_wh,
        phases={PHASE[evidence.protocol]: phase}, wall_time_s=max(window.duration_s, 0.0),
        nvml_gpu_energy_kwh=gpu_kwh if window.gpu_j is not None else None, output_tokens=tokens,
        gpu_wh_per_1k_output_tokens=gpu_wh_tokens, total_wh_per_1k_output_tokens=total_wh_tokens,
        report_file=report_file,
    ).model_copy(update={"output_tokens": None} if fixed_length else {})


def latency_s_per_query(evidences: list[Evidence]) -> float | None:
    """One at a time: the mean time from sending a query to its last token (a query's latency as served)."""
    spans = [t.finished_s - t.sent_s for e in evidences for t in e.traces if t.finished_s is not None]
    return statistics.fmean(spans) if spans else None


def serving_figures(evidences: list[Evidence]) -> dict[str, float | None]:
    return summarize(t for e in evidences for t in e.traces).figures_ms()




class EvidenceMismatch(ValueError):
    """An engine run's record says something its evidence does not."""


def recheck(read: Any, record: Any) -> list[Evidence]:
    """Every repeat's figures computed again from its evidence (``read(file)`` gives a file's text) and compared
    with the record: energy per 1,000 queries, the output tokens asked for, the GPUs the energy covers and, at
    steady state, ML.ENERGY's figures. Raises ``EvidenceMismatch`` naming the first difference."""
    from benchmark.engine.traces import TokenMismatch, check_output_tokens

    engine = record.settings.engine
    fixed = not record.settings.reasoning
    cap = record.settings.new_tokens if fixed else record.settings.max_new_tokens
    evidences = []
    for repeat in record.repeats:
        evidence = Evidence.from_json(read(repeat.report_file))
        if evidence.protocol != engine.protocol or evidence.max_num_seqs != engine.max_num_seqs:
            raise EvidenceMismatch(f"repeat {repeat.index}: the evidence is a {evidence.protocol} run, the record "
                                   f"says {engine.protocol}")
        gpus = sorted(evidence.window.start.gpu_mj)
        if gpus != sorted(engine.gpus) or set(evidence.window.end.gpu_mj) != set(gpus):
            raise EvidenceMismatch(f"repeat {repeat.index}: the energy window read GPUs {gpus}, the record says "
                                   f"{sorted(engine.gpus)}")
        if len(evidence.traces) != record.settings.num_samples:
            raise EvidenceMismatch(f"repeat {repeat.index}: {len(evidence.traces)} requests, the record says "
                                   f"{record.settings.num_samples}")
        try:
            check_output_tokens(evidence.traces, cap if fixed else None, cap)
        except TokenMismatch as exc:
            raise EvidenceMismatch(f"repeat {repeat.index}: {exc}") from None
        again = repeat_from_evidence(repeat.index, evidence, int(cap or 0), repeat.report_file, fixed_length=fixed)
        for name in ("gpu_wh_per_1k_queries", "total_wh_per_1k_queries"):
            if not _close(getattr(again, name), getattr(repeat, name)):
                raise EvidenceMismatch(f"repeat {repeat.index}: {name} is {getattr(repeat, name):.6g} in the record "
                                       f"but {getattr(again, name):.6g} from its evidence")
        evidences.append(evidence)
    if engine.protocol == STEADY_STATE:
        state = steady_from_evidence(evidences[0])
        claimed = record.steady_state
        if claimed is None:
            raise EvidenceMismatch("a steady-state run without its steady_state figures")
        for name in ("energy_per_output_token_j", "output_tokens", "duration_s", "occupancy"):
            if not _close(getattr(state, name), getattr(claimed, name)):
                raise EvidenceMismatch(f"steady_state.{name} is {getattr(claimed, name)} in the record but "
                                       f"{getattr(state, name)} from the evidence")
        if state.stable != claimed.stable:
            raise EvidenceMismatch(f"the record says the steady state is {'stable' if claimed.stable else 'unstable'}"
                                   f", its evidence that it is not ({state.unstable_because or 'stable'})")
    return evidences


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
