"""Uploads waiting for a maintainer, in the results store, and what approving or rejecting one does.

An accepted upload (it passed every check of ``evidence``) is kept as ``uploads/<upload_id>/upload.json``
(who, when, what they stated, the figure, the status) beside ``uploads/<upload_id>/files/...`` (the run
folder's record, raw reports and codecarbon files, token-redacted), all new files in one write; boards
never read ``uploads/``. A maintainer approves it — one compare-and-swap commit then marks it approved and
publishes its record as ``provenance: self-reported`` with the attestation, beside its raw reports, like
any record — or rejects it with a reason. Who may approve is checked by the caller (the Admin handler, the
CLI) with ``require_maintainer``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from benchmark.errors import UserInputError
from benchmark.hub_client import redact
from benchmark.record import SELF_REPORTED, Attestation, ResultRecord, record_path, reports_dir, utc_now
from benchmark.store import StaleStoreError, Store
from benchmark.uploads.evidence import CODECARBON_SUFFIX, CheckedRun
from benchmark.validation import ModelId, NonNegativeFloat, Segment, ShortText, Text, UtcDatetime

UPLOADS_PREFIX = "uploads"
UPLOAD_FILE = "upload.json"
# what a submitter states with an upload (recorded with their user name and the time)
ATTESTATIONS = (
    "The data may be published.",
    "It was produced by this benchmark, unmodified.",
    "The model is the one named, and is the one served.",
)
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
_COMMIT_TRIES = 5
UPLOAD_ID = re.compile(r"u[0-9]{8}T[0-9]{6}-[0-9a-f]{8}")


class UploadRefused(UserInputError):
    pass


class Upload(BaseModel):
    upload_id: Segment
    status: Literal["pending", "approved", "rejected"] = PENDING
    submitter: ShortText
    submitted_at: UtcDatetime
    attestation: Attestation
    model_id: ModelId
    task: ShortText
    hardware: ShortText
    gpu_wh_per_1k_queries: NonNegativeFloat
    total_wh_per_1k_queries: NonNegativeFloat | None = None
    not_comparable_because: ShortText | None = None
    files: list[ShortText] = Field(max_length=500)
    reviewed_by: ShortText | None = None
    reviewed_at: UtcDatetime | None = None
    reason: Text | None = None
    record_path: ShortText | None = None

    @property
    def path(self) -> str:
        return f"{UPLOADS_PREFIX}/{self.upload_id}/{UPLOAD_FILE}"

    def to_bytes(self) -> bytes:
        return (self.model_dump_json(indent=2) + "\n").encode()


def check_statements(statements: list[str] | tuple[str, ...]) -> list[str]:
    """Every statement of ``ATTESTATIONS`` must be made (``UploadRefused`` naming the first missing)."""
    missing = [s for s in ATTESTATIONS if s not in statements]
    if missing:
        raise UploadRefused(f"an upload needs every statement; missing: {missing[0]!r}")
    return list(ATTESTATIONS)


def uploads(store: Store) -> list[Upload]:
    """Every upload of the store (unreadable files skipped), newest first."""
    found = []
    for path in store.list(f"{UPLOADS_PREFIX}/"):
        if path.count("/") == 2 and path.endswith(f"/{UPLOAD_FILE}"):
            try:
                found.append(Upload.model_validate_json(store.read(path)))
            except (ValueError, OSError):
                continue
    return sorted(found, key=lambda u: u.submitted_at, reverse=True)


def check_daily_limit(store: Store, submitter: str, now: datetime, per_day: int) -> None:
    recent = [u for u in uploads(store) if u.submitter == submitter and u.submitted_at > now - timedelta(days=1)]
    if len(recent) >= per_day:
        raise UploadRefused(f"{submitter} has uploaded {len(recent)} run(s) in the last 24 hours, "
                            f"the most allowed ({per_day}); try again tomorrow")


def _evidence_files(folder: Path, checked: CheckedRun) -> dict[str, bytes]:
    """The files an upload keeps: the record, each repeat's raw report and codecarbon files."""
    files = {"record.json": (folder / "record.json").read_bytes()}
    for repeat in checked.record.repeats:
        report = Path(repeat.report_file)
        files[report.as_posix()] = (folder / report).read_bytes()
        for tracked in sorted((folder / report.parent).glob(f"*{CODECARBON_SUFFIX}")):
            files[(report.parent / tracked.name).as_posix()] = tracked.read_bytes()
    return {name: redact(data.decode("utf-8", errors="replace")).encode() for name, data in files.items()}


def receive(
    store: Store, folder: Path, checked: CheckedRun, submitter: str, statements: list[str], now: datetime | None = None,
    per_day: int | None = None,
) -> Upload:
    """Keep a checked upload for review: new files only (the store's other files are untouched), written
    against the head the daily limit was counted on, so two uploads at once cannot both slip past it."""
    now = now or utc_now()
    attestation = Attestation(by=submitter, at=now, statements=check_statements(statements))
    upload_id = f"u{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    files = _evidence_files(folder, checked)
    record = checked.record
    if store.exists(record_path(record)):
        raise UploadRefused(f"run {record.run_id} is already published: an upload never replaces a record "
                            "(run the benchmark again for a new run id)")
    upload = Upload(
        upload_id=upload_id, submitter=submitter, submitted_at=now, attestation=attestation,
        model_id=record.model_id, task=record.task, hardware=record.hardware.label,
        gpu_wh_per_1k_queries=record.gpu_wh_per_1k_queries, total_wh_per_1k_queries=record.total_wh_per_1k_queries,
        not_comparable_because=checked.not_comparable_because, files=sorted(files),
    )
    base = f"{UPLOADS_PREFIX}/{upload_id}/files"
    stored: dict[str, bytes | None] = {f"{base}/{name}": data for name, data in files.items()}
    stored[upload.path] = upload.to_bytes()
    for _ in range(_COMMIT_TRIES):
        head = store.head()
        if per_day is not None:
            check_daily_limit(store, submitter, now, per_day)
        try:
            store.commit(stored, head, f"Upload {upload_id} by {submitter} for review")
            return upload
        except StaleStoreError:
            continue
    raise UploadRefused("the results store kept moving: nothing was uploaded, try again")


def _get(store: Store, upload_id: str) -> Upload:
    if not UPLOAD_ID.fullmatch(upload_id or ""):
        raise UploadRefused(f"no upload {upload_id!r}")
    try:
        return Upload.model_validate_json(store.read(f"{UPLOADS_PREFIX}/{upload_id}/{UPLOAD_FILE}"))
    except FileNotFoundError:
        raise UploadRefused(f"no upload {upload_id!r}") from None


def _pending(store: Store, upload_id: str) -> Upload:
    upload = _get(store, upload_id)
    if upload.status != PENDING:
        raise UploadRefused(f"upload {upload_id} was already {upload.status} by {upload.reviewed_by}")
    return upload


def approve(store: Store, upload_id: str, maintainer: str, now: datetime | None = None) -> Upload:
    """Publish a pending upload's record as self-reported (with its raw reports) and mark it approved, in
    one compare-and-swap commit whose record and reports are create-only: a path already in the store (a
    measured record with the same run id, the same upload approved before) refuses the whole commit, so
    approving never replaces a byte of what is there."""
    for _ in range(_COMMIT_TRIES):
        head = store.head()
        upload = _pending(store, upload_id)
        base = f"{UPLOADS_PREFIX}/{upload_id}/files"
        record = ResultRecord.model_validate_json(store.read(f"{base}/record.json"))
        record = record.model_copy(update={"provenance": SELF_REPORTED, "attestation": upload.attestation,
                                           "source": f"self-reported by {upload.submitter} (upload {upload_id})"})
        changes: dict[str, bytes | None] = {}
        repeats = []
        for repeat in record.repeats:
            name = f"repeat-{repeat.index}.json"
            changes[f"{reports_dir(record)}/{name}"] = store.read(f"{base}/{repeat.report_file}")
            repeats.append(repeat.model_copy(update={"report_file": f"{Path(reports_dir(record)).name}/{name}"}))
        record = record.model_copy(update={"repeats": repeats})
        path = record_path(record)
        changes[path] = (record.to_json() + "\n").encode()
        published = sorted(changes)
        done = upload.model_copy(update={"status": APPROVED, "reviewed_by": maintainer, "reviewed_at": now or utc_now(),
                                         "record_path": path})
        changes[upload.path] = done.to_bytes()
        try:
            store.commit(changes, head, f"Approve upload {upload_id} ({maintainer})", create=published)
            return done
        except FileExistsError as exc:
            raise UploadRefused(f"upload {upload_id} cannot be approved: {exc.args[0] if exc.args else path} is "
                                "already published (run ids are never reused): nothing was changed") from None
        except StaleStoreError:
            continue
    raise UploadRefused(f"the store kept moving: upload {upload_id} was not approved, try again")


def reject(store: Store, upload_id: str, maintainer: str, reason: str, now: datetime | None = None) -> Upload:
    """Mark a pending upload rejected, with the maintainer's reason (nothing is published)."""
    if not (reason or "").strip():
        raise UploadRefused("a rejection needs a reason for the submitter")
    for _ in range(_COMMIT_TRIES):
        head = store.head()
        upload = _pending(store, upload_id)
        done = upload.model_copy(update={"status": REJECTED, "reviewed_by": maintainer,
                                         "reviewed_at": now or utc_now(), "reason": reason.strip()})
        try:
            store.commit({upload.path: done.to_bytes()}, head, f"Reject upload {upload_id} ({maintainer})")
            return done
        except StaleStoreError:
            continue
    raise UploadRefused(f"the store kept moving: upload {upload_id} was not rejected, try again")


def describe(upload: Upload, text: Callable[[str], str] = str) -> str:
    """One line for a review list; ``text`` renders each value the uploader controls (the app escapes them
    as Markdown; the ids, the task and the figures are validated and shown as they are)."""
    comparable = f" (not comparable: {text(upload.not_comparable_because)})" if upload.not_comparable_because else ""
    return (f"{upload.upload_id}: {text(upload.model_id)} on {upload.task}, {upload.gpu_wh_per_1k_queries:.4g} GPU "
            f"Wh / 1,000 queries on {text(upload.hardware)}{comparable}, by {text(upload.submitter)} — "
            f"{upload.status}")


def as_json(upload: Upload) -> dict:
    return json.loads(upload.model_dump_json())
