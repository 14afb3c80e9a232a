"""The queue worker: claim the oldest pending request, run it, publish the result, record the outcome.

One request at a time. While the run goes on, a heartbeat thread renews the request's lease
every third of the lease; if the worker dies, the lease runs out and the next claim by any
worker sends the request back to PENDING. How a request is run is a function (``RunFn``), so
tests drive the real queue with a fake run; the default runs ``benchmark.runner`` and publishes
through ``benchmark.runs.publish`` (both imported only when a request runs: they pull in torch).

A request asks for energy, quality or both (``RequestRecord.wanted_steps``). The quality step runs
after the energy step, in a process of its own (``python -m benchmark quality``: it is never measured
as energy), on the same pinned revision; if it fails, the energy result stays published, the request is
COMPLETED and ``quality_error`` says what failed. How the quality step is run is a function too
(``QualityFn``); the default is ``quality_and_publish``.

A request is measured once. A queued run's record names its request, round and attempt
(``record.request``) and its run id starts with the request's (``queued_run_id``), so before running a
claimed request the worker looks in the results store for a record of the same request and round
(``published_run``): a worker killed after publishing but before writing the outcome left one, and
the next worker adopts it instead of measuring again. The outcome write itself is retried until it
sticks or the lease is lost (the heartbeat keeps renewing meanwhile).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime

from benchmark.hub_client import HubError, redact
from benchmark.queue import operations as queue
from benchmark.queue.operations import QueueBusyError
from benchmark.queue.request_record import ENERGY_STEP, QUALITY_STEP, RequestRecord
from benchmark.queue.steps import (
    HeartbeatTimer,
    QualityFn,
    RunContext,
    RunFailedError,
    RunFn,
    RunOutcome,
    WorkerConfig,
    benchmark_and_publish,
    one_line,
    published_run,
    quality_and_publish,
)
from benchmark.record import utc_now
from benchmark.store import Store

log = logging.getLogger(__name__)

# Waits between tries of the outcome write (seconds): doubling from 1 to this cap, until it sticks or
# the lease is lost.
FINISH_BACKOFF_CAP_S = 30.0


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

    def __init__(
        self, store: Store, run_fn: RunFn = benchmark_and_publish, config: WorkerConfig | None = None,
        quality_fn: QualityFn = quality_and_publish,
    ):
        self.store = store
        self.run_fn = run_fn
        self.quality_fn = quality_fn
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
        steps = claimed.wanted_steps
        adopted = self._published(claimed) if ENERGY_STEP in steps else None
        outcome: RunOutcome | None = adopted
        if ENERGY_STEP not in steps:
            pass
        elif adopted is not None:
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
        quality: RunOutcome | None = None
        quality_error: str | None = None
        if QUALITY_STEP in steps and error is None:
            quality, quality_error = self._quality_step(claimed, heartbeat, outcome.run_id if outcome else None)
            if ENERGY_STEP not in steps:  # quality alone: its failure is the attempt's
                outcome, error = quality, quality_error
                quality, quality_error = None, None
        try:
            return self._record_outcome(claimed, outcome, error, heartbeat, adopted=adopted is not None,
                                        quality=quality, quality_error=quality_error)
        except queue.LeaseLostError as exc:
            log.warning("%s; outcome dropped (the next worker adopts a published record)", exc)
            return claimed

    def _quality_step(
        self, claimed: RequestRecord, heartbeat: _Heartbeat, run_id: str | None
    ) -> tuple[RunOutcome | None, str | None]:
        """The quality step (adopted if an earlier attempt published it): its outcome, or why it failed."""
        try:
            adopted = published_run(self.config.results_store(), claimed, quality=True)
        except (HubError, OSError):
            adopted = None
        if adopted is not None:
            return adopted, None
        log.info("measuring the quality of %s on %s (%s)", claimed.model_id, claimed.task, claimed.request_id)
        try:
            return self.quality_fn(claimed, RunContext(config=self.config, lease_lost=heartbeat.lost), run_id), None
        except queue.LeaseLostError:
            raise
        except RunFailedError as exc:
            return None, one_line(f"quality step: {exc}")
        except Exception as exc:  # noqa: BLE001 - the quality step's crash is that step's failure
            log.error("quality step of %s crashed: %s", claimed.request_id, redact(traceback.format_exc()))
            return None, one_line(f"quality step: worker error: {type(exc).__name__}: {exc}")

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
        adopted: bool = False, quality: RunOutcome | None = None, quality_error: str | None = None,
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
                        adopted=adopted, quality=quality, quality_error=quality_error,
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
