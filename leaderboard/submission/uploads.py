"""Runs measured elsewhere, on the Space: the "Submit a run" answer, a maintainer's review, reproductions.

Each function takes the signed-in user name (``None`` when nobody is signed in) and returns the one
Markdown answer the tab shows; who may act is checked here, on the server, on every call. The work is
``benchmark.uploads``' (the same code as ``python -m benchmark submit-run``, ``review`` and
``reproduce``): these only add the login, the store check and the wording.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from benchmark.errors import UserInputError
from benchmark.hub_client import HubError, redact
from benchmark.queue.checks import require_maintainer
from benchmark.queue.operations import QueueBusyError
from benchmark.store import LocalStore, Store, StorePathError
from benchmark.uploads.archive import opened
from benchmark.uploads.evidence import check_run
from benchmark.uploads.reproduce import DISPUTED, enqueue_reproduction, find_record
from benchmark.uploads.review import PENDING, Upload, approve, describe, receive, reject, uploads
from leaderboard.display import strings
from leaderboard.display.formats import escape_markdown
from leaderboard.display.strings import error_message
from leaderboard.results.data import SNAPSHOT_DIR, LeaderboardData

log = logging.getLogger(__name__)
REVIEWS = "Reviews"


class ResultsReadOnly(UserInputError):
    """The app shows the bundled snapshot: there is no results store to write an upload to."""


def writable(results: Store | None, snapshot_dir: Path = SNAPSHOT_DIR) -> Store:
    """The results store uploads go to; ``ResultsReadOnly`` when the app reads the bundled data."""
    bundled = isinstance(results, LocalStore) and results.root.resolve() == Path(snapshot_dir).resolve()
    if results is None or bundled:
        raise ResultsReadOnly(strings.RESULTS_READ_ONLY)
    return results


def shown(upload: Upload, reason: bool = False) -> str:
    """An upload's line as Markdown: every value its submitter controls (model id, hardware, notes, the
    reason a maintainer wrote) shown as text, never rendered as a link, an image or HTML."""
    why = f": {escape_markdown(upload.reason)}" if reason and upload.reason else ""
    return describe(upload, escape_markdown) + why


def _failed(exc: Exception, what: str) -> str:
    """A refusal says itself; a store failure is logged in full and shown as one public line."""
    if isinstance(exc, UserInputError):
        return error_message(exc)
    log.warning("%s failed: %s", what, redact(str(exc)))
    return error_message(strings.RESULTS_UNREACHABLE)


_STORE_FAILURES = (UserInputError, HubError, OSError, StorePathError, QueueBusyError)


def submit_run_message(
    results: Store | None, username: str | None, zip_path: str | None, statements: Sequence[str] | None,
    per_day: int, snapshot_dir: Path = SNAPSHOT_DIR,
) -> str:
    """Check an uploaded run folder (a zip) from its own evidence and keep it for review; one line."""
    try:
        if not username:
            raise UserInputError(strings.UPLOADS_NEED_LOGIN)
        store = writable(results, snapshot_dir)
        if not zip_path:
            raise UserInputError(strings.UPLOAD_NEEDS_FILE)
        with opened(Path(zip_path)) as folder:
            upload = receive(store, folder, check_run(folder), username, list(statements or ()), per_day=per_day)
    except _STORE_FAILURES as exc:
        return _failed(exc, "an upload")
    return (f"✅ Received {shown(upload)}. A maintainer will review it; once approved it is shown as "
            "self-reported.")


def my_uploads_message(results: Store | None, username: str | None, snapshot_dir: Path = SNAPSHOT_DIR) -> str:
    """The signed-in user's own uploads, with their status and, when rejected, the maintainer's reason."""
    try:
        if not username:
            raise UserInputError(strings.UPLOADS_NEED_LOGIN)
        mine = [u for u in uploads(writable(results, snapshot_dir)) if u.submitter == username]
    except _STORE_FAILURES as exc:
        return _failed(exc, "listing uploads")
    if not mine:
        return f"{username} has no upload."
    return "\n".join(f"- {shown(u, reason=True)}" for u in mine)


def review_list_message(results: Store | None, username: str | None, snapshot_dir: Path = SNAPSHOT_DIR) -> str:
    """For a maintainer: the uploads waiting for review, one line each."""
    try:
        require_maintainer(username, action=REVIEWS)
        pending = [u for u in uploads(writable(results, snapshot_dir)) if u.status == PENDING]
    except _STORE_FAILURES as exc:
        return _failed(exc, "listing uploads")
    return "\n".join(f"- {shown(u)}" for u in pending) if pending else strings.NO_UPLOADS


def approve_message(
    results: Store | None, username: str | None, upload_id: str, snapshot_dir: Path = SNAPSHOT_DIR
) -> str:
    """A maintainer approves an upload: its record is published as self-reported."""
    try:
        by = require_maintainer(username, action=REVIEWS)
        done = approve(writable(results, snapshot_dir), (upload_id or "").strip(), by)
    except _STORE_FAILURES as exc:
        return _failed(exc, "approving an upload")
    return f"✅ Approved {shown(done)}: published as {escape_markdown(done.record_path)}"


def reject_message(
    results: Store | None, username: str | None, upload_id: str, reason: str, snapshot_dir: Path = SNAPSHOT_DIR
) -> str:
    """A maintainer rejects an upload with a reason for the submitter; nothing is published."""
    try:
        by = require_maintainer(username, action=REVIEWS)
        done = reject(writable(results, snapshot_dir), (upload_id or "").strip(), by, reason)
    except _STORE_FAILURES as exc:
        return _failed(exc, "rejecting an upload")
    return f"✅ Rejected {shown(done, reason=True)}"


def reproduce_message(results: Store | None, requests: Store, username: str | None, run_id: str) -> str:
    """A maintainer queues a reproduction of any published entry, by its run id (the results store is
    read, never a path on the server)."""
    try:
        by = require_maintainer(username, action="Reproductions")
        if results is None:
            raise ResultsReadOnly(strings.RESULTS_READ_ONLY)
        record = find_record(results, run_id)
        request = enqueue_reproduction(requests, record, by)
    except _STORE_FAILURES as exc:
        return _failed(exc, "queueing a reproduction")
    model = escape_markdown(record.model_id)
    return (f"✅ Queued a reproduction of {record.run_id} ({model} on {record.task}, revision "
            f"{record.model_revision[:7]}): request {request.request_id}, asked by {by}")


def disputed_message(username: str | None, data: LeaderboardData) -> str:
    """For a maintainer: each entry whose reproductions on its GPU model all disagreed, with both figures."""
    try:
        require_maintainer(username, action=REVIEWS)
    except UserInputError as exc:
        return error_message(exc)
    lines = []
    for (model_id, task, run_id), found in sorted(data.verifications().items()):
        if found.status != DISPUTED:
            continue
        lines.append(f"- {escape_markdown(model_id)} on {task}, run {run_id}:")  # task and run id: validated
        lines += [f"  - reproduction {reproduction}: {agreed.sentence()}" for reproduction, agreed in found.checks]
    return "\n".join(lines) if lines else strings.NO_DISPUTED
