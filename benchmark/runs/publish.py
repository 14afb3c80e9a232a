"""Publish a run's record (and its raw optimum-benchmark reports) to a results store.

The record becomes ``records/<task>/<org--name>/<run_id>.json`` and each raw report
``records/<task>/<org--name>/<run_id>.reports/repeat-<i>.json``, all new files in one write, so
concurrent publishers never overwrite each other.

``push`` uploads only what the runner wrote, and only what it should: a run folder is something a
user hands over, possibly edited. So the record must validate (its ``run_id`` is one path segment);
each report it names must be a regular file inside the run folder — not a symlink, not a hard link
to a file elsewhere — of a bounded size, and must parse as an optimum-benchmark report of the task
(the phases the score is made of, with their energy); every file is token-redacted before it leaves.
Publishing is idempotent: a file already in the store with the same bytes is skipped (an interrupted
publish resumes), one with different bytes is refused, naming it.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmark.configuration import effective_task, record_configuration
from benchmark.errors import UserInputError
from benchmark.hub_client import redact
from benchmark.quality.record import QualityRecord, parse_quality, quality_path
from benchmark.record import ResultRecord, record_path, reports_dir
from benchmark.runs.files import QUALITY_FILE, RECORD_FILE
from benchmark.runs.scoring import ReportError, phases_from_report
from benchmark.store import Store
from benchmark.tasks import TASKS

MAX_RECORD_FILE_BYTES = 1_000_000
MAX_REPORT_BYTES = 10_000_000


class PublishError(UserInputError):
    pass


def _regular_file(path: Path, what: str, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a plain file of its own (no symlink, no second hard link)."""
    try:
        info = os.lstat(path)
    except OSError:
        raise PublishError(f"{what} {path.name!r} is missing") from None
    if stat.S_ISLNK(info.st_mode):
        raise PublishError(f"{what} {path.name!r} is a symbolic link: refused (push uploads the runner's own files)")
    if not stat.S_ISREG(info.st_mode):
        raise PublishError(f"{what} {path.name!r} is not a regular file: refused")
    if info.st_nlink > 1:
        raise PublishError(f"{what} {path.name!r} is a hard link to another file: refused")
    if info.st_size > max_bytes:
        raise PublishError(f"{what} {path.name!r} is over {max_bytes // 1_000_000} MB: refused")
    return path.read_bytes()


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "record"
    return f"{where}: {error['msg']}"


def load_run(path: Path) -> tuple[ResultRecord, Path]:
    """The record of a run folder (or of a ``record.json`` path) and its folder."""
    path = Path(path)
    record_file = path / RECORD_FILE if path.is_dir() else path
    if not record_file.exists() and not record_file.is_symlink():
        raise PublishError(f"{path} holds no {RECORD_FILE}: the run did not finish, nothing to publish")
    data = _regular_file(record_file, "record", MAX_RECORD_FILE_BYTES)
    try:
        record = ResultRecord.model_validate_json(data)
    except ValidationError as exc:
        raise PublishError(f"{record_file} is not a valid result record: {_first_error(exc)}") from None
    if record.task not in TASKS:
        raise PublishError(f"{record_file} names an unknown task {record.task!r}")
    return record, record_file.parent


def report_inside_run(run_dir: Path, report_file: str) -> Path:
    """``report_file`` (as written in ``record.json``) inside ``run_dir``; a path that leaves the run
    folder — ``..``, an absolute path, a symlinked folder on the way — is refused, since
    ``record.json`` is just a file anyone could have edited before ``push`` uploads what it names."""
    root = Path(run_dir).resolve()
    candidate = root / report_file
    if not candidate.parent.resolve().is_relative_to(root) or Path(report_file).is_absolute():
        raise PublishError(f"repeat report {report_file!r} lies outside the run folder {run_dir}: refused")
    if candidate.is_symlink() or not candidate.resolve().is_relative_to(root):
        raise PublishError(f"repeat report {report_file!r} is a symbolic link: refused")
    return candidate.parent.resolve() / candidate.name


def checked_report(path: Path, record: ResultRecord) -> tuple[dict[str, Any], bytes]:
    """A repeat's raw report: a regular file that parses as an optimum-benchmark report holding the
    phases of the record's task (as its configuration ran it), and its bytes token-redacted."""
    data = _regular_file(path, "repeat report", MAX_REPORT_BYTES)
    try:
        report = json.loads(data)
    except (ValueError, RecursionError):
        raise PublishError(f"repeat report {path.name!r} is not JSON: refused") from None
    if not isinstance(report, dict):
        raise PublishError(f"repeat report {path.name!r} is not an optimum-benchmark report: refused")
    spec = TASKS[record.task]
    try:
        phases_from_report(report, effective_task(spec, record_configuration(record, spec)))
    except (ReportError, KeyError, TypeError, ValueError) as exc:
        raise PublishError(
            f"repeat report {path.name!r} is not an optimum-benchmark report of {spec.key}: {exc}"
        ) from None
    return report, redact(data.decode("utf-8", errors="surrogateescape")).encode("utf-8", errors="surrogateescape")


def files_to_publish(record: ResultRecord, run_dir: Path | None) -> dict[str, bytes]:
    """What publishing ``record`` writes: its checked, redacted reports and the record itself."""
    files: dict[str, bytes] = {}
    reports = reports_dir(record)
    repeats = []
    for repeat in record.repeats:
        if run_dir is not None and repeat.report_file:
            report = report_inside_run(run_dir, repeat.report_file)
            if report.exists() or report.is_symlink():
                name = f"repeat-{repeat.index}.json"
                files[f"{reports}/{name}"] = checked_report(report, record)[1]
                # in the store the report sits beside the record, not in a repeat folder
                repeat = repeat.model_copy(update={"report_file": f"{Path(reports).name}/{name}"})
        repeats.append(repeat)
    stored = record.model_copy(update={"repeats": repeats})
    files[record_path(stored)] = redact(stored.to_json()).encode()
    return files


def add_once(store: Store, files: dict[str, bytes], message: str) -> list[str]:
    """Add ``files``; one already there with the same bytes is skipped (resuming an interrupted
    publish), one with other bytes refused naming it. The paths actually written."""
    folders = sorted({path.rsplit("/", 1)[0] + "/" for path in files})
    present = {path for folder in folders for path in store.list(folder)}
    new: dict[str, bytes] = {}
    for path, data in files.items():
        if path not in present:
            new[path] = data
        elif store.read(path) != data:
            raise PublishError(f"{path} is already in {store.public_name} with other content: refused")
    if new:
        store.add(new, message=message)
    return sorted(new)


@dataclass(frozen=True)
class Published:
    """Where the record is in the store, and which files this publish wrote (none: already there)."""

    path: str
    written: tuple[str, ...]


def publish(record: ResultRecord, run_dir: Path | None, store: Store) -> Published:
    """Add the record and its raw reports to ``store`` (what is already there, identical, is kept)."""
    files = files_to_publish(record, run_dir)
    written = add_once(store, files, message=f"Add {record.model_id} on {record.task} ({record.run_id})")
    return Published(record_path(record), tuple(written))


def publish_record(record: ResultRecord, run_dir: Path | None, store: Store) -> str:
    """``publish``, and the record's path in the store."""
    return publish(record, run_dir, store).path


def publish_quality(record: QualityRecord, store: Store) -> Published:
    """Add a quality record (``quality/<task>/<org--name>/<quality_id>.json``), as ``publish`` does a result."""
    path = quality_path(record)
    written = add_once(store, {path: redact(record.to_json()).encode()},
                       message=f"Add the quality of {record.model_id} on {record.task} ({record.quality_id})")
    return Published(path, tuple(written))


def load_quality_run(path: Path) -> QualityRecord:
    """The quality record of a quality run folder (or of its ``quality.json``)."""
    path = Path(path)
    record_file = path / QUALITY_FILE if path.is_dir() else path
    if not record_file.exists() and not record_file.is_symlink():
        raise PublishError(f"{path} holds no {QUALITY_FILE}: the quality run did not finish, nothing to publish")
    data = _regular_file(record_file, "quality record", MAX_RECORD_FILE_BYTES)
    outcome = parse_quality(data)
    if isinstance(outcome, str):
        raise PublishError(f"{record_file} is not a valid quality record: {outcome}")
    return outcome


def publish_run_folder(run_dir: Path, store: Store) -> Published:
    record, folder = load_run(run_dir)
    return publish(record, folder, store)


def publish_run(run_dir: Path, store: Store) -> str:
    return publish_run_folder(run_dir, store).path
