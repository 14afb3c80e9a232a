"""The queue worker: claim the oldest pending request, run it, publish the result, record the outcome.

One request at a time. While the run goes on, a heartbeat thread renews the request's lease
every third of the lease; if the worker dies, the lease runs out and the next claim by any
worker sends the request back to PENDING. How a request is run is a function (``RunFn``), so
tests drive the real queue with a fake run; the default runs ``benchmark.runner`` and publishes
through ``benchmark.runs.publish`` (both imported only when a request runs: they pull in torch).

A request is measured once. A queued run's record names its request, round and attempt
(``record.request``) and its run id starts with the request's (``queued_run_id``), so before running a
claimed request the worker looks in the results store for a record of the same request and round
(``published_run``): a worker killed after publishing but before writing the outcome left one, and
the next worker adopts it instead of measuring again. The outcome write itself is retried until it
sticks or the lease is lost (the heartbeat keeps renewing meanwhile).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from benchmark.hub_client import HubError, redact
from benchmark.queue import operations as queue
from benchmark.queue.machine_share import RunningBenchmark, mark_shared
from benchmark.queue.operations import QueueBusyError
from benchmark.queue.request_record import RequestRecord
from benchmark.record import RequestRef, ResultRecord, model_slug, utc_now
from benchmark.runs.files import RECORD_FILE
from benchmark.store import Store, results_store

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 300
# Waits between tries of the outcome write (seconds): doubling from 1 to this cap, until it sticks or
# the lease is lost.
FINISH_BACKOFF_CAP_S = 30.0


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


def request_ref(request: RequestRecord) -> RequestRef:
    """What a record made for ``request`` (as claimed: its round and attempt) says of it."""
    return RequestRef(request_id=request.request_id, round=request.round, attempt=request.attempts)


def queued_run_id(request: RequestRecord) -> str:
    """The run id of a claimed request's run: the request's id, round and attempt (one path segment)."""
    return f"{request.request_id}-r{request.round}a{request.attempts}"


def published_run(results: Store, request: RequestRecord) -> RunOutcome | None:
    """A record already published for ``request`` in its current round (by an attempt whose worker
    died before writing the outcome), or None. Only the files named like one of its runs are read."""
    folder = f"records/{request.task}/{model_slug(request.model_id)}/"
    prefix = f"{folder}{request.request_id}-r{request.round}a"
    for path in results.list(folder):
        if not (path.startswith(prefix) and path.endswith(".json") and path.count("/") == 3):
            continue
        record = _read_record(results, path)
        ref = record.request if record is not None else None
        if ref is not None and (ref.request_id, ref.round) == (request.request_id, request.round):
            return RunOutcome(run_id=record.run_id, result_path=path)
    return None


def _read_record(store: Store, path: str) -> ResultRecord | None:
    from benchmark.board.records import parse_record

    try:
        outcome = parse_record(store.read(path))
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


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """The first non-empty line, token scrubbed, cut to ``limit`` characters."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    line = redact(line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


class _Heartbeat(threading.Thread):
    """Renews the lease of one claimed request until stopped; flags ``lost`` if it was taken over.
    ``expires_at`` is when the lease runs out as last renewed (a worker past it no longer holds it)."""

    def __init__(
        self, store: Store, claimed: RequestRecord, lease_seconds: float, lost: threading.Event,
        clock: Callable[[], datetime] = utc_now, timer: HeartbeatTimer | None = None,
    ) -> None:
        super().__init__(name=f"lease-{claimed.request_id}", daemon=True)
        self.store, self.claimed, self.lease_seconds, self.lost = store, claimed, lease_seconds, lost
        self.clock, self.timer = clock, timer or HeartbeatTimer()
        self.interval_s = max(lease_seconds / 3, 0.05)
        self.expires_at = claimed.lease_expires_at

    def run(self) -> None:
        while not self.timer.wait(self.interval_s):
            try:
                self.expires_at = queue.renew_lease(self.store, self.claimed, self.lease_seconds, now=self.clock())
            except queue.LeaseLostError as exc:
                log.warning("%s", exc)
                self.lost.set()
                return
            except Exception as exc:  # noqa: BLE001 - a flaky store must not kill the run; retry next beat
                log.warning("could not renew the lease on %s: %s", self.claimed.request_id, one_line(str(exc)))

    def lease_held(self) -> bool:
        return not self.lost.is_set() and (self.expires_at is None or self.clock() < self.expires_at)

    def stop(self) -> None:
        self.timer.cancel()
        if self.is_alive():
            self.join()


class Worker:
    """Processes requests from ``store`` with ``run_fn``."""

    def __init__(self, store: Store, run_fn: RunFn = benchmark_and_publish, config: WorkerConfig | None = None):
        self.store = store
        self.run_fn = run_fn
        self.config = config or WorkerConfig()

    def process_one(self) -> RequestRecord | None:
        """Claim and run one request. Returns it as last recorded (COMPLETED, FAILED or PENDING for
        a retry; as claimed if the lease was lost), or None when nothing was pending."""
        config = self.config
        claimed = queue.claim_next(
            self.store, config.worker_id, config.lease_seconds, config.max_attempts, now=config.clock()
        )
        if claimed is None:
            return None
        lost = threading.Event()
        heartbeat = _Heartbeat(
            self.store, claimed, config.lease_seconds, lost, clock=config.clock, timer=config.heartbeat_timer()
        )
        heartbeat.start()
        try:
            return self._process_claimed(claimed, heartbeat)
        finally:
            heartbeat.stop()

    def _process_claimed(self, claimed: RequestRecord, heartbeat: _Heartbeat) -> RequestRecord:
        config = self.config
        error: str | None = None
        adopted = self._published(claimed)
        outcome: RunOutcome | None = adopted
        if adopted is not None:
            log.info("%s was published by an earlier attempt (run %s): adopting it, not measuring again",
                     claimed.request_id, adopted.run_id)
        else:
            log.info(
                "running %s: %s on %s @ %s (attempt %d/%d)", claimed.request_id, claimed.model_id, claimed.task,
                claimed.revision[:12], claimed.attempts, config.max_attempts,
            )
            try:
                outcome = self.run_fn(claimed, RunContext(config=config, lease_lost=heartbeat.lost))
            except KeyboardInterrupt:
                heartbeat.stop()
                log.warning("stopped: giving %s back to the queue", claimed.request_id)
                try:
                    queue.release(self.store, claimed, "the worker was stopped")
                except (queue.LeaseLostError, HubError, QueueBusyError, OSError) as exc:
                    log.warning("could not give %s back (%s): its lease will run out", claimed.request_id,
                                one_line(str(exc)))
                raise
            except queue.LeaseLostError as exc:
                log.warning("%s", exc)
                return claimed
            except RunFailedError as exc:
                error = one_line(str(exc)) or "the run failed"
            except Exception as exc:  # noqa: BLE001 - any crash of a run is that request's failure, not the worker's
                log.error("run of %s crashed: %s", claimed.request_id, redact(traceback.format_exc()))
                error = one_line(f"worker error: {type(exc).__name__}: {exc}")
        try:
            return self._record_outcome(claimed, outcome, error, heartbeat, adopted=adopted is not None)
        except queue.LeaseLostError as exc:
            log.warning("%s; outcome dropped (the next worker adopts a published record)", exc)
            return claimed

    def _published(self, claimed: RequestRecord) -> RunOutcome | None:
        """A record of this request and round already in the results store (None if none, or if the
        store cannot be read: then the request is measured, as before)."""
        try:
            return published_run(self.config.results_store(), claimed)
        except (HubError, OSError) as exc:
            log.warning("could not look for an earlier run of %s (%s)", claimed.request_id, one_line(str(exc)))
            return None

    def _record_outcome(
        self, claimed: RequestRecord, outcome: RunOutcome | None, error: str | None, heartbeat: _Heartbeat,
        adopted: bool = False,
    ) -> RequestRecord:
        """Write COMPLETED or the failure, retrying a flaky store until it sticks or the lease is lost
        (the heartbeat still renews it): a result published but never recorded is adopted by the next
        worker, never measured again."""
        attempt = 0
        while True:
            try:
                if outcome is not None:
                    final = queue.complete(
                        self.store, claimed, outcome.run_id, outcome.result_path, now=self.config.clock(),
                        adopted=adopted,
                    )
                    log.info("completed %s: run %s", claimed.request_id, outcome.run_id)
                else:
                    final = queue.fail(
                        self.store, claimed, error or "the run failed", self.config.max_attempts,
                        now=self.config.clock(),
                    )
                    log.warning("%s %s: %s", final.status.value.lower(), claimed.request_id, error)
                return final
            except (HubError, QueueBusyError, OSError) as exc:
                if not heartbeat.lease_held():
                    raise queue.LeaseLostError(
                        f"the lease on {claimed.request_id} ran out while its outcome could not be written"
                    ) from exc
                log.warning("could not record the outcome of %s (%s); retrying", claimed.request_id,
                            one_line(str(exc)))
                time.sleep(min(2.0**attempt, FINISH_BACKOFF_CAP_S))
                attempt += 1

    def run(self, once: bool = False, drain: bool = False, stop: threading.Event | None = None) -> int:
        """Process requests: one (``once``), until none is pending (``drain``), or until ``stop``.
        Returns how many requests this worker took."""
        stop = stop or threading.Event()
        taken = 0
        while not stop.is_set():
            try:
                record = self.process_one()
            except (HubError, QueueBusyError, OSError) as exc:
                if once or drain:
                    raise
                # A long-lived worker outlasts a Hub outage: wait a poll and try again.
                log.warning("the requests store failed (%s); retrying in %.0f s", one_line(str(exc)),
                            self.config.poll_seconds)
                stop.wait(self.config.poll_seconds)
                continue
            if record is not None:
                taken += 1
            if once or (drain and record is None):
                break
            if record is None:
                stop.wait(self.config.poll_seconds)
        return taken


class RedactTokenFilter(logging.Filter):
    """Scrubs the HF token from log messages and tracebacks before any handler writes them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
