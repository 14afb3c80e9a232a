"""What the client saw of each request, and the latencies read off it (pure Python, unit-tested).

A request's trace is the time it was sent and, for each streamed chunk that carried output tokens, the
time it arrived and how many tokens it carried (the server's running ``usage.completion_tokens``, so a
chunk that bundles several tokens counts them all). Times are seconds on one monotonic clock
(``time.perf_counter``), the clock the energy readings use too.

Inter-token latency: the gap before a chunk is spread evenly over the tokens it carries (a chunk of 3
tokens 30 ms after the previous one gives three ITLs of 10 ms); the first chunk's tokens have no gap
(ML.ENERGY's client puts the whole gap on the first token of a chunk and zeros on the others: the mean is
the same, the median of a bundling server lower). TTFT: first chunk − sent. TPOT: (last chunk − first
chunk) ÷ (output tokens − 1), ML.ENERGY's and vLLM's definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmark.record import percentile as ordered_percentile

MS_PER_S = 1000.0


@dataclass(frozen=True)
class Chunk:
    at_s: float
    tokens: int


@dataclass(frozen=True)
class RequestTrace:
    index: int  # the prompt's row in the task's dataset
    sent_s: float
    chunks: tuple[Chunk, ...] = ()
    finished_s: float | None = None
    output_tokens: int | None = None  # the server's final usage
    prompt_tokens: int | None = None
    error: str | None = None

    @property
    def first_token_s(self) -> float | None:
        return self.chunks[0].at_s if self.chunks else None

    @property
    def ttft_s(self) -> float | None:
        return None if not self.chunks else self.chunks[0].at_s - self.sent_s

    @property
    def counted_tokens(self) -> int:
        return sum(c.tokens for c in self.chunks)

    @property
    def tpot_s(self) -> float | None:
        tokens = self.output_tokens if self.output_tokens is not None else self.counted_tokens
        if len(self.chunks) < 1 or tokens < 2:
            return None
        return (self.chunks[-1].at_s - self.chunks[0].at_s) / (tokens - 1)

    def itls_s(self) -> list[float]:
        """One latency per output token after the first chunk's: each chunk's gap spread over its tokens."""
        gaps: list[float] = []
        for previous, chunk in zip(self.chunks, self.chunks[1:], strict=False):
            if chunk.tokens > 0:
                gaps.extend([(chunk.at_s - previous.at_s) / chunk.tokens] * chunk.tokens)
        return gaps

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index, "sent_s": self.sent_s, "finished_s": self.finished_s,
            "output_tokens": self.output_tokens, "prompt_tokens": self.prompt_tokens, "error": self.error,
            "chunks": [[c.at_s, c.tokens] for c in self.chunks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestTrace:
        return cls(
            index=int(data["index"]), sent_s=float(data["sent_s"]),
            chunks=tuple(Chunk(float(at), int(n)) for at, n in data.get("chunks", [])),
            finished_s=None if data.get("finished_s") is None else float(data["finished_s"]),
            output_tokens=data.get("output_tokens"), prompt_tokens=data.get("prompt_tokens"), error=data.get("error"),
        )


def percentile(values: Sequence[float], q: float) -> float | None:
    """The record's linear percentile (numpy's default) of unsorted values; None for no values."""
    return ordered_percentile(sorted(values), q) if values else None


def ms(value: float | None) -> float | None:
    return None if value is None else value * MS_PER_S


@dataclass(frozen=True)
class LatencySummary:
    ttft_s: list[float] = field(default_factory=list)
    tpot_s: list[float] = field(default_factory=list)
    itl_s: list[float] = field(default_factory=list)

    def figures_ms(self) -> dict[str, float | None]:
        return {
            "ttft_median_ms": ms(percentile(self.ttft_s, 50)),
            "ttft_p90_ms": ms(percentile(self.ttft_s, 90)),
            "tpot_median_ms": ms(percentile(self.tpot_s, 50)),
            "itl_median_ms": ms(percentile(self.itl_s, 50)),
            "itl_p90_ms": ms(percentile(self.itl_s, 90)),
            "itl_p99_ms": ms(percentile(self.itl_s, 99)),
        }


def summarize(traces: Iterable[RequestTrace]) -> LatencySummary:
    summary = LatencySummary()
    for trace in traces:
        if trace.ttft_s is not None:
            summary.ttft_s.append(trace.ttft_s)
        if trace.tpot_s is not None:
            summary.tpot_s.append(trace.tpot_s)
        summary.itl_s.extend(trace.itls_s())
    return summary


class TokenMismatch(RuntimeError):
    """The server generated another number of tokens than the run asked for."""


def check_output_tokens(traces: Sequence[RequestTrace], asked: int | None, cap: int | None) -> None:
    """Every request answered, its usage equal to the tokens the stream carried, and to ``asked`` where
    the run forces a length (``cap``: the most a natural-length run may have)."""
    for trace in traces:
        if trace.error:
            raise TokenMismatch(f"request {trace.index} failed: {trace.error}")
        if trace.output_tokens is None:
            raise TokenMismatch(f"request {trace.index}: the server sent no usage (stream_options.include_usage)")
        if trace.output_tokens != trace.counted_tokens:
            raise TokenMismatch(f"request {trace.index}: usage says {trace.output_tokens} output tokens, "
                                f"the stream carried {trace.counted_tokens}")
        if asked is not None and trace.output_tokens != asked:
            raise TokenMismatch(f"request {trace.index}: {trace.output_tokens} output tokens, the run asked for "
                                f"exactly {asked}")
        if cap is not None and trace.output_tokens > cap:
            raise TokenMismatch(f"request {trace.index}: {trace.output_tokens} output tokens, over the cap of {cap}")
