"""ML.ENERGY v3's steady state, computed from the request traces (pure Python, unit-tested).

With N requests sent at once to a server that runs at most B of them (``--max-num-seqs B``), the steady
state starts when B requests have had their first token (the server has ramped up) and ends when
N − B − 1 requests have finished (the queue is about to drain; the −1 ends it a little early). Reference:
``mlenergy/benchmark/llm/benchmark.py`` (``RequestTracker``, ml-energy/benchmark v3). If the end comes first
(N ≤ 2B + 1 can do that) the window is empty, as there: an unstable run.

* output tokens in the window: those of chunks that arrived after its start, up to and including its end;
* energy per output token: the window's energy (NVML counter readings at its two ends, summed over the
  server's GPUs) ÷ those tokens;
* occupancy: mean running requests in the window ÷ B — from the server's Prometheus gauge
  ``vllm:num_requests_running`` sampled in the window (ML.ENERGY's source), else from the traces (requests
  past their first token and not finished, time-weighted);
* stable: a window of at least ``min_window_s`` (20 s, ML.ENERGY's data pipeline) and occupancy ≥ 0.85; an
  occupancy over 1.05 (more running requests than the server runs) means the client fell behind the streams,
  and is unstable too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchmark.engine.record import MAX_OCCUPANCY, MIN_OCCUPANCY, MIN_WINDOW_S
from benchmark.engine.traces import RequestTrace

J_PER_WH = 3600.0


@dataclass(frozen=True)
class Window:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return max(self.end_s - self.start_s, 0.0)


class NoSteadyState(RuntimeError):
    """No request finished: the run has no window at all."""


def steady_window(traces: Sequence[RequestTrace], max_num_seqs: int) -> Window:
    """The steady-state window on the traces' clock."""
    finished = sorted(t.finished_s for t in traces if t.finished_s is not None)
    if not finished:
        raise NoSteadyState("no request finished")
    end_after = max(len(traces) - max_num_seqs - 1, 1)
    end_s = finished[min(end_after, len(finished)) - 1]
    firsts = sorted(t.first_token_s for t in traces if t.first_token_s is not None)
    start_s = firsts[max_num_seqs - 1] if len(firsts) >= max_num_seqs else end_s
    return Window(min(start_s, end_s), end_s)


def tokens_in(traces: Sequence[RequestTrace], window: Window) -> int:
    """Output tokens of the chunks that arrived after the window's start, up to and including its end."""
    return sum(c.tokens for t in traces for c in t.chunks if window.start_s < c.at_s <= window.end_s)


def client_occupancy(traces: Sequence[RequestTrace], window: Window, max_num_seqs: int) -> float:
    """Time-weighted mean of the requests past their first token and not finished, over the window, ÷ B."""
    if window.duration_s <= 0:
        return 0.0
    busy_s = 0.0
    for trace in traces:
        first, done = trace.first_token_s, trace.finished_s
        if first is None:
            continue
        done = window.end_s if done is None else done
        busy_s += max(0.0, min(done, window.end_s) - max(first, window.start_s))
    return busy_s / window.duration_s / max_num_seqs


def prometheus_occupancy(samples: Sequence[tuple[float, float]], window: Window, max_num_seqs: int) -> float | None:
    """Mean of the ``vllm:num_requests_running`` samples taken in the window ÷ B (None: none in it)."""
    inside = [running for at_s, running in samples if window.start_s <= at_s <= window.end_s]
    if not inside:
        return None
    return sum(inside) / len(inside) / max_num_seqs


def energy_per_token_j(energy_j: float | None, tokens: int) -> float | None:
    return None if energy_j is None or tokens <= 0 else energy_j / tokens


def wh_per_1k_queries(j_per_token: float, output_tokens_per_query: float) -> float:
    """Wh per 1,000 queries from J per output token and the mean output tokens of a query."""
    return j_per_token * output_tokens_per_query * 1000 / J_PER_WH


def unstable_because(
    duration_s: float, occupancy: float, tokens: int, min_window_s: float = MIN_WINDOW_S
) -> str | None:
    """Why a steady state cannot be trusted (None: it can)."""
    if tokens <= 0:
        return "no output token was generated in the steady-state window"
    if duration_s < min_window_s:
        return (f"steady-state window of {duration_s:.1f} s, under the minimum of {min_window_s:g} s "
                "(send more requests)")
    if occupancy > MAX_OCCUPANCY:
        return (f"mean occupancy {occupancy:.0%} of the batch: more requests than the server runs, so the client read "
                "the streams late (a busy machine) and its timestamps are not the server's")
    if occupancy < MIN_OCCUPANCY:
        return (f"mean occupancy {occupancy:.0%} of the batch, under {MIN_OCCUPANCY:.0%}: the server was not kept "
                "full (send more requests or lower --max-num-seqs)")
    return None
