"""Decode latency per query, from that query's own prefill and generate calls.

optimum-benchmark 0.6.0 computes each ``generate()`` call's decode latency as its latency minus the *mean*
prefill latency (``Latency.__sub__``) and asserts that none comes out negative: one prefill stalled by a busy
machine lifts that mean past a short ``generate()`` and ends the whole run (seen with 4 samples of a tiny T5
and 8 of a tiny Gemma 4). Its prefill and generate loops walk the same batches in the same order, so the
i-th generate call's own prefill is the i-th prefill call: here decode_i = generate_i − prefill_i, and
nothing is asserted. A query whose own prefill took longer than its whole ``generate()`` still gives a
negative value: the runner's scoring then reports that phase's latency as not measurable
(``benchmark.runs.scoring``) and says so in one line. Energy is never touched.
"""

from __future__ import annotations

from typing import Any


def per_query_difference(minuend: list[float], subtrahend: list[float]) -> list[float]:
    """Each value of ``minuend`` less its own counterpart in ``subtrahend`` (the same query), or less their
    mean where the two do not pair up one to one."""
    if len(minuend) == len(subtrahend):
        return [a - b for a, b in zip(minuend, subtrahend, strict=True)]
    mean = sum(subtrahend) / len(subtrahend) if subtrahend else 0.0
    return [a - mean for a in minuend]


def install() -> None:
    """Replace ``Latency.__sub__`` (in this process; the runner's compat module runs in the child too)."""
    from optimum_benchmark.trackers.latency import Latency

    if getattr(Latency.__sub__, "_per_query", False):
        return

    def subtract(self: Any, other: Any) -> Any:
        return Latency.from_values(values=per_query_difference(list(self.values), list(other.values)),
                                   unit=self.unit)

    subtract._per_query = True  # type: ignore[attr-defined]
    Latency.__sub__ = subtract  # type: ignore[method-assign]
