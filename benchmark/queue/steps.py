"""What a queued request's steps are: the energy run and the quality step, each a function the worker
calls (``RunFn``, ``QualityFn``; the defaults here, ``benchmark_and_publish`` and ``quality_and_publish``),
with what they are run under (``WorkerConfig``, ``RunContext``), and how a record already published for a
request is found (``published_run``), so a request is measured once. The runner and the quality runner are
imported only when a step runs: they pull in torch.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmark.hub_client import HubError, redact
from benchmark.queue import operations as queue
from benchmark.queue.machine_share import RunningBenchmark, mark_shared
from benchmark.queue.request_record import RequestRecord
from benchmark.record import RequestRef, model_slug, utc_now
from benchmark.runs.files import RECORD_FILE
from benchmark.store import Store, results_store

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 300


class HeartbeatTimer:
    """When a heartbeat beats: every ``interval_s`` of real time until cancelled. Tests hand the
    worker one they drive by hand (``tests.support.queue_helpers.ManualTimer``) instead of racing
    real seconds against a lease."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def wait(self, interval_s: float) -> bool:
        """Block until the next beat is due; True once cancelled."""
        return self._cancelled.wait(interval_s)

    def cancel(self) -> None:
        self._cancelled.set()


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:4]}"


@dataclass
class WorkerConfig:
    """How a worker runs. ``lease_seconds`` is how long a silent worker keeps its request."""

    device: str = "cuda"
    lease_seconds: float = 600.0
    max_attempts: int = queue.DEFAULT_MAX_ATTEMPTS
    poll_seconds: float = 30.0
    repeats: int = 3
    output_dir: Path = Path("runs")
    worker_id: str = field(default_factory=default_worker_id)
    # <datasets_dir>/<task key>: a local copy of the task's test set, for machines without network
    datasets_dir: Path | None = None
    num_samples: int | None = None
    # What "now" is for leases and history, and when heartbeats beat (injected by tests)
    clock: Callable[[], datetime] = utc_now
    heartbeat_timer: Callable[[], HeartbeatTimer] = HeartbeatTimer
    # NVML (physical) indices of the GPU this worker measures; a dispatcher pins one per worker.
    gpu_ids: tuple[int, ...] = (0,)
    # where runs are published (default RESULTS_REPO / RESULTS_DIR): looked in before a run
    results: Store | None = None
    # the quality step: evaluate the first N examples only (smoke tests: not comparable)
    quality_limit: int | None = None

    def quality_dataset_for(self, task: str) -> str | None:
        """A local copy of the task's quality benchmark (``<datasets_dir>/quality/<task>``), if there is one."""
        if self.datasets_dir is None:
            return None
        folder = self.datasets_dir / "quality" / task
        return str(folder) if folder.exists() else None

    def results_store(self) -> Store:
        if self.results is None:
            self.results = results_store()
        return self.results

    def dataset_for(self, task: str) -> str | None:
        if self.datasets_dir is None:
            return None
        folder = self.datasets_dir / task
        return str(folder) if folder.exists() else None


@dataclass
class RunContext:
    """What a run function gets besides the request. ``lease_lost`` is set if another worker may
    have taken the request over: a run function should not publish after that."""

    config: WorkerConfig
    lease_lost: threading.Event


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    result_path: str | None = None


class RunFailedError(RuntimeError):
    """A run failed with a message fit for the submitter (one line, no token, no traceback)."""


RunFn = Callable[[RequestRecord, RunContext], RunOutcome]
# the quality step: the request, the context and the energy run it goes with (None: quality alone)
QualityFn = Callable[[RequestRecord, RunContext, str | None], RunOutcome]


def request_ref(request: RequestRecord) -> RequestRef:
    """What a record made for ``request`` (as claimed: its round and attempt) says of it."""
    return RequestRef(request_id=request.request_id, round=request.round, attempt=request.attempts)


def queued_run_id(request: RequestRecord) -> str:
    """The run id of a claimed request's run: the request's id, round and attempt (one path segment)."""
    return f"{request.request_id}-r{request.round}a{request.attempts}"


QUALITY_SUFFIX = "-quality"


def queued_quality_id(request: RequestRecord) -> str:
    """The quality id of a claimed request's quality step."""
    return queued_run_id(request) + QUALITY_SUFFIX


def published_run(results: Store, request: RequestRecord, quality: bool = False) -> RunOutcome | None:
    """A record already published for ``request`` in its current round (by an attempt whose worker
    died before writing the outcome), or None; ``quality``: its quality record. Only the files named
    like one of its runs are read."""
    top = "quality" if quality else "records"
    folder = f"{top}/{request.task}/{model_slug(request.model_id)}/"
    prefix = f"{folder}{request.request_id}-r{request.round}a"
    for path in results.list(folder):
        if not (path.startswith(prefix) and path.endswith(".json") and path.count("/") == 3):
            continue
        if path.endswith(f"{QUALITY_SUFFIX}.json") != quality:
            continue
        record = _read_record(results, path, quality)
        ref = record.request if record is not None else None
        if ref is not None and (ref.request_id, ref.round) == (request.request_id, request.round):
            return RunOutcome(run_id=record.quality_id if quality else record.run_id, result_path=path)
    return None


def _read_record(store: Store, path: str, quality: bool = False) -> Any:
    from benchmark.board.records import parse_record
    from benchmark.quality.record import parse_quality

    try:
        outcome = (parse_quality if quality else parse_record)(store.read(path))
    except (OSError, HubError):
        return None
    return None if isinstance(outcome, str) else outcome


def benchmark_and_publish(request: RequestRecord, context: RunContext) -> RunOutcome:
    """The default run: ``run_benchmark`` on the request's pinned revision, then ``publish_run``."""
    from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark
    from benchmark.runs.publish import publish_run
    from benchmark.store import results_store

    config = context.config
    spec = RunSpec(
        model=request.model_id,
        task=request.task,
        revision=request.revision,
        dtype=request.dtype,
        **(request.configuration or {}),
        reasoning_effort=request.reasoning_effort,
        device=config.device,
        device_ids=config.gpu_ids,
        repeats=config.repeats,
        num_samples=config.num_samples,
        dataset=config.dataset_for(request.task),
        output_dir=config.output_dir,
        hub_id_only=True,
        run_id=queued_run_id(request),
        request=request_ref(request),
        reproduces=request.reproduces,
    )
    try:
        with RunningBenchmark() as share:
            result = run_benchmark(spec)
    except BenchmarkError as exc:
        if exc.run_dir:
            log.warning("run of %s failed; details in %s", request.request_id, exc.run_dir)
        raise RunFailedError(str(exc)) from exc
    if context.lease_lost.is_set():
        raise queue.LeaseLostError(f"lease on {request.request_id} lost during the run; result not published")
    record = mark_shared(result.record, share.max_others)
    if record is not result.record:
        # the run folder keeps what was published
        (result.run_dir / RECORD_FILE).write_text(record.to_json())
    return RunOutcome(run_id=record.run_id, result_path=publish_run(result.run_dir, results_store()))


def quality_and_publish(request: RequestRecord, context: RunContext, run_id: str | None) -> RunOutcome:
    """The default quality step: ``python -m benchmark quality`` in its own process on the request's
    pinned revision (a local copy of the benchmark's data from ``datasets_dir/quality/<task>`` where the
    worker has one), then its record published beside the energy record."""
    import json
    import subprocess
    import sys

    from benchmark.runs.publish import load_quality_run, publish_quality

    config = context.config
    quality_id = queued_quality_id(request)
    ref = {**request_ref(request).model_dump(), "run_id": run_id, "quality_id": quality_id}
    command = [sys.executable, "-m", "benchmark", "quality", "--model", request.model_id, "--revision",
               request.revision, "--task", request.task, "--device", config.device, "--output",
               str(config.output_dir), "--for-request", json.dumps(ref)]
    if request.reasoning_effort:
        command += ["--reasoning-effort", request.reasoning_effort]
    dataset = config.quality_dataset_for(request.task)
    if dataset:
        command += ["--dataset", dataset]
    if config.quality_limit:
        command += ["--limit", str(config.quality_limit)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
        raise RunFailedError(lines[-1].removeprefix("error: ") if lines else f"it exited {done.returncode}")
    if context.lease_lost.is_set():
        raise queue.LeaseLostError(f"lease on {request.request_id} lost during the quality step; not published")
    record = load_quality_run(config.output_dir / quality_id)
    return RunOutcome(run_id=quality_id, result_path=publish_quality(record, config.results_store()).path)


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """The first non-empty line, token scrubbed, cut to ``limit`` characters."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    line = redact(line)
    return line if len(line) <= limit else line[: limit - 1] + "…"
