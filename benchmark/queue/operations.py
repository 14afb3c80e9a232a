"""The requests queue: every change of a request is a compare-and-swap over the requests store.

Each operation reads the store at ``head()``, decides, and commits with ``parent=head``; if
anything else was written in between, the commit raises ``StaleStoreError`` and the operation
starts over from a fresh read. So a decision (this request is the oldest PENDING one, this user
has 4 requests today, this lease is still mine) is only ever written against the state it was
made on: two workers never claim the same request, and concurrent submissions never slip past the
duplicate and rate-limit checks. On the Hub this is a commit with ``parent_commit``; locally a
version counter under a file lock (``benchmark.store``).

Leases: a worker that claims a request holds it until ``lease_expires_at`` and renews it while it
runs. Any later operation that reads the queue (claims, ``reap_expired``) sends a RUNNING request
with an expired lease back to PENDING, or to FAILED once it used ``max_attempts`` attempts.
Wall clocks of workers are trusted to agree to well within a lease.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from benchmark.board.records import DROP_SCHEMA, read_bounded, validation_drop_reason
from benchmark.errors import UserInputError
from benchmark.queue.request_record import (
    MAX_REQUEST_BYTES,
    REQUESTS_PREFIX,
    HistoryEntry,
    RequestRecord,
    RequestStatus,
)
from benchmark.record import utc_now
from benchmark.store import StaleStoreError, Store

log = logging.getLogger(__name__)

T = TypeVar("T")
Changes = dict[str, RequestRecord]
Mutation = Callable[[dict[str, RequestRecord]], tuple[Changes, T]]

DEFAULT_MAX_ATTEMPTS = 3
RETRY_DEADLINE_S = 120.0
_BACKOFF_CAP_S = 0.5
ACTIVE_STATUSES = (RequestStatus.PENDING, RequestStatus.RUNNING)


DROP_OVERSIZED_REQUEST = f"file over {MAX_REQUEST_BYTES // 1000} kB"
REQUEST_DATE_FIELDS = ("submitted_at", "queued_at", "lease_expires_at", "started_at", "finished_at", "at")


class QueueBusyError(RuntimeError):
    """The store kept moving under us past the retry deadline."""


class LeaseLostError(RuntimeError):
    """The request is no longer this worker's (its lease expired and it was reaped or requeued)."""


class NothingToRequeueError(UserInputError):
    """A requeue matched no request that could be requeued; the message says why."""


@dataclass(frozen=True)
class QueueRead:
    """The requests of a store by path, and the files dropped (path → reason, one of ``DROP_REASONS``)."""

    requests: dict[str, RequestRecord]
    dropped: dict[str, str]


def parse_request(data: bytes) -> RequestRecord | str:
    """The request in ``data``, or why the file is dropped (never raises: one bad file is that file's
    problem, not the queue's)."""
    if len(data) > MAX_REQUEST_BYTES:
        return DROP_OVERSIZED_REQUEST
    try:
        return RequestRecord.model_validate_json(data)
    except ValidationError as exc:
        return validation_drop_reason(exc, energy_field=None, date_fields=REQUEST_DATE_FIELDS)
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return DROP_SCHEMA


def read_queue(store: Store) -> QueueRead:
    """Every request file of the store: the readable ones by path, and the others with their reason."""
    folder = Path(store.local_folder([f"{REQUESTS_PREFIX}*.json"]))
    records: dict[str, RequestRecord] = {}
    dropped: dict[str, str] = {}
    for file in sorted((folder / REQUESTS_PREFIX).glob("*.json")):
        path = f"{REQUESTS_PREFIX}{file.name}"
        data = read_bounded(file, MAX_REQUEST_BYTES, DROP_OVERSIZED_REQUEST)
        outcome = data if isinstance(data, str) else parse_request(data)
        if isinstance(outcome, str):
            dropped[path] = outcome
        else:
            records[path] = outcome
    for path, reason in dropped.items():
        log.warning("skipping request %s: %s", path, reason)
    return QueueRead(records, dropped)


def read_requests(store: Store) -> dict[str, RequestRecord]:
    """Every readable request in the store, by path. A bad file is logged and skipped (``read_queue``
    says which and why)."""
    return read_queue(store).requests


def update_requests(store: Store, mutate: Mutation[T], message: str, deadline_s: float = RETRY_DEADLINE_S) -> T:
    """Run ``mutate`` on a fresh read and commit its changes against that read, until one sticks.

    ``mutate`` gets the requests by path and returns ``(changes, result)``; it may raise to
    refuse, and then nothing is written. It must not keep state between calls: after a conflict
    it runs again on the new state.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        parent = store.head()
        changes, result = mutate(read_requests(store))
        if not changes:
            return result
        try:
            store.commit({path: record.to_bytes() for path, record in changes.items()}, parent, message)
            return result
        except StaleStoreError:
            attempt += 1
            if time.monotonic() - started > deadline_s:
                raise QueueBusyError(f"the requests store is busy ({attempt} conflicts); try again") from None
            # Jittered exponential backoff: the writers that collided spread out.
            time.sleep(random.uniform(0, min(_BACKOFF_CAP_S, 0.01 * 2 ** min(attempt, 8))))


def _event(now: datetime, action: str, by: str | None = None, detail: str | None = None) -> HistoryEntry:
    return HistoryEntry(at=now, action=action, by=by, detail=detail)


def _with(record: RequestRecord, entry: HistoryEntry, **fields: object) -> RequestRecord:
    return record.model_copy(update={**fields, "history": [*record.history, entry]})


_CLEAR_LEASE = {"worker_id": None, "lease_token": None, "lease_expires_at": None}


def _reap(records: dict[str, RequestRecord], now: datetime, max_attempts: int) -> Changes:
    changes: Changes = {}
    for path, record in records.items():
        if not record.lease_expired(now):
            continue
        detail = f"worker {record.worker_id} stopped renewing its lease (attempt {record.attempts}/{max_attempts})"
        if record.attempts >= max_attempts:
            error = f"the worker stopped responding on {record.attempts} attempts"
            changes[path] = _with(
                record, _event(now, "lease_expired", detail=detail),
                status=RequestStatus.FAILED, error=error, finished_at=now, **_CLEAR_LEASE,
            )
        else:
            changes[path] = _with(
                record, _event(now, "lease_expired", detail=detail), status=RequestStatus.PENDING, **_CLEAR_LEASE
            )
    return changes


def reap_expired(
    store: Store, max_attempts: int = DEFAULT_MAX_ATTEMPTS, now: datetime | None = None
) -> list[RequestRecord]:
    """Send RUNNING requests whose lease expired back to PENDING (or FAILED after ``max_attempts``)."""

    def mutate(records: dict[str, RequestRecord]) -> tuple[Changes, list[RequestRecord]]:
        changes = _reap(records, now or utc_now(), max_attempts)
        return changes, list(changes.values())

    return update_requests(store, mutate, "Requeue requests whose worker stopped")


def claim_next(
    store: Store,
    worker_id: str,
    lease_seconds: float,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> RequestRecord | None:
    """Atomically take the PENDING request queued longest ago (reaping expired leases first)."""

    def mutate(records: dict[str, RequestRecord]) -> tuple[Changes, RequestRecord | None]:
        moment = now or utc_now()
        changes = _reap(records, moment, max_attempts)
        current = {**records, **changes}
        pending = [(r.queue_position_key, path) for path, r in current.items() if r.status is RequestStatus.PENDING]
        if not pending:
            return changes, None
        path = min(pending)[1]
        record = current[path]
        attempt = record.attempts + 1
        claimed = _with(
            record,
            _event(moment, "claimed", worker_id, f"attempt {attempt}/{max_attempts}"),
            status=RequestStatus.RUNNING,
            attempts=attempt,
            worker_id=worker_id,
            lease_token=uuid.uuid4().hex,
            lease_expires_at=moment + timedelta(seconds=lease_seconds),
            started_at=moment,
            finished_at=None,
        )
        changes[path] = claimed
        return changes, claimed

    return update_requests(store, mutate, f"Worker {worker_id} claims a request")


def _owned(records: dict[str, RequestRecord], claimed: RequestRecord) -> RequestRecord:
    current = records.get(claimed.path)
    if (
        current is None
        or current.status is not RequestStatus.RUNNING
        or current.lease_token != claimed.lease_token
    ):
        state = "missing" if current is None else current.status.value
        raise LeaseLostError(f"request {claimed.request_id} is no longer held by this worker (now {state})")
    return current


def renew_lease(store: Store, claimed: RequestRecord, lease_seconds: float, now: datetime | None = None) -> datetime:
    """Push the lease of a request this worker holds forward; ``LeaseLostError`` if it is not held."""

    def mutate(records: dict[str, RequestRecord]) -> tuple[Changes, datetime]:
        current = _owned(records, claimed)
        expires = (now or utc_now()) + timedelta(seconds=lease_seconds)
        return {claimed.path: current.model_copy(update={"lease_expires_at": expires})}, expires

    return update_requests(store, mutate, f"Renew the lease on {claimed.request_id}")


def complete(
    store: Store, claimed: RequestRecord, run_id: str, result_path: str | None, now: datetime | None = None,
    adopted: bool = False, quality: Any = None, quality_error: str | None = None,
) -> RequestRecord:
    """Mark a held request COMPLETED with its run; ``adopted``: the run was published by an earlier
    attempt of the same round (whose worker died before saying so), not measured again. ``quality`` (a
    ``RunOutcome``): its quality step's record; ``quality_error``: why that step failed (the energy result
    stands)."""

    def mutate(records: dict[str, RequestRecord]) -> tuple[Changes, RequestRecord]:
        moment = now or utc_now()
        detail = f"adopted run {run_id}, published by an earlier attempt" if adopted else f"run {run_id}"
        if quality is not None:
            detail += f"; quality {quality.run_id}"
        if quality_error:
            detail += f"; {quality_error}"
        done = _with(
            _owned(records, claimed),
            _event(moment, "completed", claimed.worker_id, detail),
            status=RequestStatus.COMPLETED, run_id=run_id, result_path=result_path, error=None,
            quality_id=quality.run_id if quality else None, quality_path=quality.result_path if quality else None,
            quality_error=quality_error, finished_at=moment, **_CLEAR_LEASE,
        )
        return {claimed.path: done}, done

    return update_requests(store, mutate, f"Complete {claimed.request_id}")


def fail(
    store: Store, claimed: RequestRecord, error: str, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None, details: dict[str, object] | None = None,
) -> RequestRecord:
    """Record a failed attempt: back to PENDING while attempts remain, FAILED (final) after that.
    ``details`` sets more fields in the same write (a dead job's log tail)."""

    def mutate(records: dict[str, RequestRecord]) -> tuple[Changes, RequestRecord]:
        moment = now or utc_now()
        current = _owned(records, claimed)
        final = current.attempts >= max_attempts
        detail = f"attempt {current.attempts}/{max_attempts}: {error}"
        updated = _with(
            current,
            _event(moment, "failed", claimed.worker_id, detail),
            status=RequestStatus.FAILED if final else RequestStatus.PENDING,
            error=error, finished_at=moment if final else None, **_CLEAR_LEASE, **(details or {}),
        )
        return {claimed.path: updated}, updated

    return update_requests(store, mutate, f"Attempt on {claimed.request_id} failed")


def release(store: Store, claimed: RequestRecord, reason: str, now: datetime | None = None) -> RequestRecord:
    """Give a request back untried (the worker was stopped): PENDING, the attempt not counted."""

    def mutate(records: dict[str, RequestRecord]) -> tuple[Changes, RequestRecord]:
        current = _owned(records, claimed)
        updated = _with(
            current, _event(now or utc_now(), "released", claimed.worker_id, reason),
            status=RequestStatus.PENDING, attempts=max(current.attempts - 1, 0), **_CLEAR_LEASE,
        )
        return {claimed.path: updated}, updated

    return update_requests(store, mutate, f"Release {claimed.request_id}")


@dataclass(frozen=True)
class RequeueSelection:
    """What a maintainer asks to run again.

    ``model_id`` and ``task``: that model's latest request on that task, one per run configuration and
    effort level (a rerun keeps the request's configuration and effort). ``task`` alone: the same for
    every model on that task. ``failed_only``: every FAILED request (optionally narrowed by ``task``).
    ``configuration`` narrows any of them to one configuration key. PENDING and RUNNING requests are
    never touched: they will run anyway.
    """

    model_id: str | None = None
    task: str | None = None
    failed_only: bool = False
    configuration: str | None = None
    # what to run again: energy, quality or both (None: what each request asked for)
    steps: tuple[str, ...] | None = None

    def describe(self) -> str:
        at = f" at {self.configuration}" if self.configuration else ""
        if self.steps:
            at += f" ({' + '.join(self.steps)})"
        if self.failed_only:
            return "every failed request" + (f" of {self.task}" if self.task else "") + at
        if self.model_id:
            return f"{self.model_id} on {self.task}{at}"
        return f"every model on {self.task}{at}"

    def _keeps(self, record: RequestRecord) -> bool:
        return self.configuration is None or record.configuration_key == self.configuration

    def pick(self, records: dict[str, RequestRecord]) -> list[str]:
        if self.failed_only:
            return sorted(
                path for path, r in records.items()
                if r.status is RequestStatus.FAILED and (self.task is None or r.task == self.task) and self._keeps(r)
            )
        if not self.task:
            raise NothingToRequeueError("choose a task to requeue (and optionally a model)")
        latest: dict[tuple[str, str, str | None], tuple[tuple[datetime, str], str]] = {}
        for path, r in records.items():
            if r.task != self.task or (self.model_id and r.model_id != self.model_id) or not self._keeps(r):
                continue
            key, run = (r.submitted_at, r.request_id), (r.model_id, r.configuration_key, r.reasoning_effort)
            if run not in latest or key > latest[run][0]:
                latest[run] = (key, path)
        return sorted(path for _, path in latest.values())


def requeue(
    store: Store, selection: RequeueSelection, by: str, now: datetime | None = None
) -> list[RequestRecord]:
    """Put the selected finished requests back in the queue, at its end, recording who asked.

    Authorization is the caller's job (the admin handler and the CLI check the maintainer list).
    Raises ``NothingToRequeueError`` if nothing matched or everything matched is still queued.
    """

    def mutate(records: dict[str, RequestRecord]) -> tuple[Changes, list[RequestRecord]]:
        moment = now or utc_now()
        picked = selection.pick(records)
        if not picked:
            raise NothingToRequeueError(f"no request matches {selection.describe()}")
        changes: Changes = {}
        for path in picked:
            record = records[path]
            if record.status in ACTIVE_STATUSES:
                continue
            was = f"was {record.status.value}" + (f" (run {record.run_id})" if record.run_id else "")
            was += f", configuration {record.run_label}"
            steps = list(selection.steps) if selection.steps else record.steps
            changes[path] = _with(
                record, _event(moment, "requeued", by, f"{selection.describe()}; {was}"),
                status=RequestStatus.PENDING, attempts=0, round=record.round + 1, queued_at=moment, error=None,
                run_id=None, result_path=None, started_at=None, finished_at=None, steps=steps, quality_id=None,
                quality_path=None, quality_error=None, **_CLEAR_LEASE,
            )
        if not changes:
            raise NothingToRequeueError(f"everything matching {selection.describe()} is already pending or running")
        return changes, list(changes.values())

    return update_requests(store, mutate, f"Requeue {selection.describe()} (asked by {by})")


def by_status(records: Iterable[RequestRecord]) -> dict[RequestStatus, list[RequestRecord]]:
    grouped: dict[RequestStatus, list[RequestRecord]] = {status: [] for status in RequestStatus}
    for record in sorted(records, key=lambda r: r.queue_position_key):
        grouped[record.status].append(record)
    return grouped
