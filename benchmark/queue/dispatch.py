"""What every dispatch engine shares: the queue's counts while it drains, and the closing summary.

An engine (``ray_engine``, ``hf_jobs``) only places workers; the queue decides what runs, once.
So progress and the summary are read from the requests store, not from the engine: pending /
running / done / failed over the whole queue while it runs, and at the end one line per request
that a worker of this dispatch claimed (its workers' ids start with the dispatch's ``prefix``):
the worker that finished it, its wall time, and its run or its error.
"""

from __future__ import annotations

import logging
import sys
import uuid
from dataclasses import dataclass
from typing import TextIO

from benchmark.errors import UserInputError
from benchmark.queue import operations as queue
from benchmark.queue.request_record import RequestRecord, RequestStatus
from benchmark.store import Store

log = logging.getLogger(__name__)

ENGINES = ("ray", "hf-jobs")


class DispatchError(UserInputError):
    """A dispatch cannot start (engine missing, cluster unreachable, no GPU, no token): one line."""


def new_prefix() -> str:
    """The worker-id prefix of one dispatch: its requests are the ones its workers claimed."""
    return f"dispatch-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Counts:
    pending: int
    running: int
    done: int
    failed: int

    def line(self) -> str:
        return f"pending {self.pending} · running {self.running} · done {self.done} · failed {self.failed}"


def counts(store: Store) -> Counts:
    grouped = queue.by_status(queue.read_requests(store).values())
    return Counts(*(len(grouped[s]) for s in RequestStatus))


def claimed_by(record: RequestRecord, prefix: str) -> bool:
    return any(entry.action == "claimed" and (entry.by or "").startswith(prefix) for entry in record.history)


def last_worker(record: RequestRecord) -> str | None:
    for entry in reversed(record.history):
        if entry.action in ("completed", "failed", "claimed") and entry.by:
            return entry.by
    return record.worker_id


def summary_lines(store: Store, prefix: str) -> list[str]:
    """One line per request a worker of this dispatch claimed, oldest first."""
    lines = []
    mine = [r for r in queue.read_requests(store).values() if claimed_by(r, prefix)]
    for record in sorted(mine, key=lambda r: r.queue_position_key):
        wall = (
            f"{(record.finished_at - record.started_at).total_seconds():.1f} s"
            if record.finished_at and record.started_at else "-"
        )
        if record.status is RequestStatus.COMPLETED:
            outcome = f"run {record.run_id}" + (f" → {record.result_path}" if record.result_path else "")
        elif record.error:
            outcome = f"error: {record.error}"
        else:
            outcome = record.status.value.lower()
        lines.append(
            f"{record.request_id} {record.model_id} on {record.task}: {record.status.value} "
            f"by {last_worker(record)} in {wall}; {outcome}"
        )
    return lines


class ProgressPrinter:
    """Prints the queue's counts when they change (a line each, quiet when nothing moves)."""

    def __init__(self, store: Store, out: TextIO | None = None) -> None:
        self.store, self.out, self.last = store, out or sys.stdout, None

    def update(self) -> Counts | None:
        try:
            now = counts(self.store)
        except Exception as exc:  # noqa: BLE001 - a flaky read must not stop the dispatch
            log.warning("cannot read the queue: %s", str(exc).splitlines()[0] if str(exc) else exc)
            return None
        if now != self.last:
            print(now.line(), file=self.out, flush=True)
            self.last = now
        return now
