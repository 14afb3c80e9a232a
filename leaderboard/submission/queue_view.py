"""The queue as four tables (pending, running, completed, failed), for the Queue tab.

The tab is public: errors keep their cause but lose local paths, worker host names and tokens
(``public_error``), and workers are shown by a pseudonym. Maintainers read the full error in the
request record (``python -m benchmark`` on the requests store) and the run folder's ``error.log``.
"""

from __future__ import annotations

import hashlib
import re
import socket
from datetime import datetime

import pandas as pd

from benchmark.hub_client import redact
from benchmark.queue.checks import format_params
from benchmark.queue.operations import by_status, read_requests
from benchmark.queue.request_record import RequestRecord, RequestStatus
from benchmark.record import utc_now
from benchmark.store import Store
from benchmark.tasks import TASKS

# Every table starts with what is measured: the model, the task, its commit and the run configuration
# (with the effort level of a reasoning request that asks for one: "reference · effort high").
COMMON_COLUMNS = ("Model", "Task", "Configuration", "Steps", "Revision")
COLUMNS: dict[RequestStatus, tuple[str, ...]] = {
    RequestStatus.PENDING: (
        *COMMON_COLUMNS,
        "Params",
        "Submitter",
        "Queued (UTC)",
        "Attempts",
        "Last error",
    ),
    RequestStatus.RUNNING: (*COMMON_COLUMNS, "Worker", "Started (UTC)", "Lease", "Attempt"),
    RequestStatus.COMPLETED: (*COMMON_COLUMNS, "Run id", "Quality", "Finished (UTC)"),
    RequestStatus.FAILED: (*COMMON_COLUMNS, "Attempts", "Error", "Finished (UTC)"),
}


# An absolute or home-relative local path (not a URL, not an ``org/name`` id): /x/y, ~/x, C:\x
_LOCAL_PATH = re.compile(r"(?<![\w:/.~\\-])(?:~|[A-Za-z]:)?[/\\][^\s'\"`(),;]+")
# The default worker id is "<host>-<pid>-<4 hex>" (``benchmark.queue.worker.default_worker_id``).
_WORKER_ID = re.compile(r"^(?P<host>.+)-\d+-[0-9a-f]{4}$")
PATH_PLACEHOLDER = "<path>"
HOST_PLACEHOLDER = "<worker>"


def worker_hosts(record: RequestRecord) -> set[str]:
    """The worker ids and host names a request's error may name: its workers', and this machine's."""
    ids = {record.worker_id, *(entry.by for entry in record.history if entry.action == "claimed")}
    names = {name for name in ids if name}
    names |= {match["host"] for name in names if (match := _WORKER_ID.match(name))}
    return names | {socket.gethostname()}


def public_error(text: str, hosts: set[str] = frozenset()) -> str:
    """``text`` fit for a public page: token, local paths and the given host names replaced."""
    text = _LOCAL_PATH.sub(PATH_PLACEHOLDER, redact(text))
    for host in sorted(hosts, key=len, reverse=True):  # a worker id before the host name inside it
        if len(host) >= 3:
            text = re.sub(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", HOST_PLACEHOLDER, text)
    return text


def worker_pseudonym(worker_id: str | None) -> str:
    """A stable, host-free name for a worker on the public page."""
    return f"worker {hashlib.sha256(worker_id.encode()).hexdigest()[:6]}" if worker_id else ""


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


def _row(record: RequestRecord, now: datetime) -> dict[str, object]:
    common = {
        "Model": record.model_id,
        "Task": TASKS[record.task].display_name if record.task in TASKS else record.task,
        "Configuration": record.run_label,
        "Steps": record.steps_label,
        "Revision": record.revision[:7],
    }
    status = record.status
    if status is RequestStatus.PENDING:
        extra = {
            "Params": format_params(record.params) if record.params else "",
            "Submitter": record.submitter,
            "Queued (UTC)": _when(record.queued_at or record.submitted_at),
            "Attempts": record.attempts,
            "Last error": public_error(record.error or "", worker_hosts(record)),
        }
    elif status is RequestStatus.RUNNING:
        lease = (
            "expired: back to the queue at the next claim"
            if record.lease_expired(now)
            else (f"until {_when(record.lease_expires_at)}")
        )
        extra = {
            "Worker": worker_pseudonym(record.worker_id),
            "Started (UTC)": _when(record.started_at),
            "Lease": lease,
            "Attempt": record.attempts,
        }
    elif status is RequestStatus.COMPLETED:
        extra = {"Run id": record.run_id or "", "Quality": quality_cell(record),
                 "Finished (UTC)": _when(record.finished_at)}
    else:
        error = public_error(record.error or "", worker_hosts(record))
        extra = {"Attempts": record.attempts, "Error": error, "Finished (UTC)": _when(record.finished_at)}
    return {**common, **extra}


def quality_cell(record: RequestRecord) -> str:
    """The quality step of a completed request: its record, why it failed, or that none was asked."""
    if "quality" not in record.wanted_steps:
        return "not asked"
    if record.quality_error:
        return "failed: " + public_error(record.quality_error, worker_hosts(record))
    return record.quality_id or ""


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
