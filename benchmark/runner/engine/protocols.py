"""The two ways an engine run sends the task's prompts and reads the energy.

* ``one_at_a_time`` — AI Energy Score v2's: one streaming request at a time, the next sent when the last
  has finished; one energy window over the measured requests (warm-up requests before it, not measured).
* ``steady_state`` — ML.ENERGY v3's: every request sent at once to a server started with
  ``--max-num-seqs B``; the energy window opens when B requests have had their first token and closes when
  N − B − 1 have finished (``benchmark.engine.steady``), as they happen; the server's running-requests gauge
  is sampled meanwhile for the window's occupancy.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from benchmark.engine.traces import RequestTrace
from benchmark.runner.engine.client import Endpoint, Generation, Hooks, new_client, stream_request
from benchmark.runner.engine.meter import Meter, WindowEnergy

METRICS_INTERVAL_S = 0.5  # ML.ENERGY samples Prometheus every second; twice as often here
RUNNING_GAUGE = "vllm:num_requests_running"


class RequestFailed(RuntimeError):
    """A request the server did not answer (it died, or refused the request): the run fails."""


@dataclass
class Measured:
    traces: list[RequestTrace]
    window: WindowEnergy
    sent_s: float  # when the first measured request was sent
    running_samples: list[tuple[float, float]] = field(default_factory=list)


def _check(trace: RequestTrace) -> RequestTrace:
    if trace.error:
        raise RequestFailed(f"request {trace.index} failed: {trace.error}")
    return trace


def one_at_a_time(
    endpoint: Endpoint, prompts: Sequence[str], generation: Generation, meter: Meter, warmup: Sequence[str] = ()
) -> Measured:
    async def main() -> Measured:
        async with new_client(1) as client:
            for index, prompt in enumerate(warmup):
                _check(await stream_request(client, endpoint, generation.payload(endpoint, prompt), -1 - index))
            meter.open()
            sent_s = time.perf_counter()
            try:
                traces = [
                    _check(await stream_request(client, endpoint, generation.payload(endpoint, prompt), index))
                    for index, prompt in enumerate(prompts)
                ]
            finally:
                window = meter.close()
        return Measured(traces, window, sent_s)

    return asyncio.run(main())


@dataclass
class _Tracker:
    """Opens the meter's window at the B-th first token and closes it at the (N − B − 1)-th finish."""

    meter: Meter
    max_num_seqs: int
    requests: int
    started: int = 0
    finished: int = 0
    window: WindowEnergy | None = None

    def first_token(self, _at_s: float) -> None:
        self.started += 1
        if self.started == self.max_num_seqs and self.window is None and self.finished < self._end_after:
            self.meter.open()

    def done(self, _at_s: float) -> None:
        self.finished += 1
        if self.finished == self._end_after and self.window is None:
            if self.started < self.max_num_seqs:  # the end came first: an empty window, as ML.ENERGY has it
                self.meter.open()
            self.window = self.meter.close()

    @property
    def _end_after(self) -> int:
        return max(self.requests - self.max_num_seqs - 1, 1)


def running_requests(metrics_text: str) -> float | None:
    """The server's running requests (summed over its engines) from its Prometheus text."""
    values = [float(line.rsplit(" ", 1)[1]) for line in metrics_text.splitlines()
              if line.startswith(RUNNING_GAUGE + "{") or line.startswith(RUNNING_GAUGE + " ")]
    return sum(values) if values else None


async def _sample_running(url: str, samples: list[tuple[float, float]], stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=5.0) as client:
        while not stop.is_set():
            with contextlib.suppress(httpx.HTTPError, ValueError, IndexError):
                running = running_requests((await client.get(f"{url}/metrics")).text)
                if running is not None:
                    samples.append((time.perf_counter(), running))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), METRICS_INTERVAL_S)


def steady_state(
    endpoint: Endpoint, prompts: Sequence[str], generation: Generation, meter: Meter, max_num_seqs: int
) -> Measured:
    tracker = _Tracker(meter, max_num_seqs, len(prompts))
    hooks = Hooks(on_first_token=tracker.first_token, on_finished=tracker.done)

    async def main() -> Measured:
        samples: list[tuple[float, float]] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(_sample_running(endpoint.url, samples, stop))
        try:
            async with new_client(len(prompts)) as client:
                sent_s = time.perf_counter()
                traces = await asyncio.gather(*(
                    stream_request(client, endpoint, generation.payload(endpoint, prompt), index, hooks)
                    for index, prompt in enumerate(prompts)
                ))
        finally:
            stop.set()
            await sampler
            if tracker.window is None and meter.is_open:
                tracker.window = meter.close()
        for trace in traces:
            _check(trace)
        if tracker.window is None:
            raise RequestFailed("no request finished: the steady state never began")
        return Measured(list(traces), tracker.window, sent_s, samples)

    return asyncio.run(main())
