"""The queue as four tables (pending, running, completed, failed), for the Queue tab."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from benchmark.queue.checks import format_params
from benchmark.queue.operations import by_status, read_requests
from benchmark.queue.request_record import RequestRecord, RequestStatus
from benchmark.record import utc_now
from benchmark.store import Store
from benchmark.tasks import TASKS

COLUMNS: dict[RequestStatus, tuple[str, ...]] = {
    RequestStatus.PENDING: (
        "Model",
        "Task",
        "Revision",
        "Params",
        "Submitter",
        "Queued (UTC)",
        "Attempts",
        "Last error",
    ),
    RequestStatus.RUNNING: ("Model", "Task", "Revision", "Worker", "Started (UTC)", "Lease", "Attempt"),
    RequestStatus.COMPLETED: ("Model", "Task", "Revision", "Run id", "Finished (UTC)"),
    RequestStatus.FAILED: ("Model", "Task", "Revision", "Attempts", "Error", "Finished (UTC)"),
}


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


def _row(record: RequestRecord, now: datetime) -> dict[str, object]:
    common = {
        "Model": record.model_id,
        "Task": TASKS[record.task].display_name if record.task in TASKS else record.task,
        "Revision": record.revision[:7],
    }
    status = record.status
    if status is RequestStatus.PENDING:
        extra = {
            "Params": format_params(record.params) if record.params else "",
            "Submitter": record.submitter,
            "Queued (UTC)": _when(record.queued_at or record.submitted_at),
            "Attempts": record.attempts,
            "Last error": record.error or "",
        }
    elif status is RequestStatus.RUNNING:
        lease = (
            "expired: back to the queue at the next claim"
            if record.lease_expired(now)
            else (f"until {_when(record.lease_expires_at)}")
        )
        extra = {
            "Worker": record.worker_id or "",
            "Started (UTC)": _when(record.started_at),
            "Lease": lease,
            "Attempt": record.attempts,
        }
    elif status is RequestStatus.COMPLETED:
        extra = {"Run id": record.run_id or "", "Finished (UTC)": _when(record.finished_at)}
    else:
        extra = {"Attempts": record.attempts, "Error": record.error or "", "Finished (UTC)": _when(record.finished_at)}
    return {**common, **extra}


def queue_tables(store: Store, now: datetime | None = None) -> dict[RequestStatus, pd.DataFrame]:
    """One table per status, oldest first (most recent first for finished ones)."""
    now = now or utc_now()
    grouped = by_status(read_requests(store).values())
    tables = {}
    for status, records in grouped.items():
        if status in (RequestStatus.COMPLETED, RequestStatus.FAILED):
            records = sorted(records, key=lambda r: r.finished_at or r.submitted_at, reverse=True)
        tables[status] = pd.DataFrame([_row(r, now) for r in records], columns=list(COLUMNS[status]))
    return tables
