"""Publish a run's record (and its raw optimum-benchmark reports) to a results store.

The record becomes ``records/<task>/<org--name>/<run_id>.json`` and each raw report
``records/<task>/<org--name>/<run_id>.reports/repeat-<i>.json``, all new files in one write, so
concurrent publishers never overwrite each other.
"""

from __future__ import annotations

from pathlib import Path

from benchmark.errors import UserInputError
from benchmark.record import ResultRecord, record_path, reports_dir
from benchmark.run_files import RECORD_FILE
from benchmark.store import Store


class PublishError(UserInputError):
    pass


def load_run(path: Path) -> tuple[ResultRecord, Path]:
    """The record of a run folder (or of a ``record.json`` path) and its folder."""
    path = Path(path)
    record_file = path / RECORD_FILE if path.is_dir() else path
    if not record_file.is_file():
        raise PublishError(f"{path} holds no {RECORD_FILE}: the run did not finish, nothing to publish")
    try:
        record = ResultRecord.from_json(record_file.read_text())
    except ValueError as exc:
        raise PublishError(f"{record_file} is not a valid result record: {str(exc).splitlines()[0]}") from exc
    return record, record_file.parent


def report_inside_run(run_dir: Path, report_file: str) -> Path:
    """``report_file`` (as written in ``record.json``) resolved inside ``run_dir``; a path that leaves
    the run folder — ``..``, an absolute path or a symlink pointing out — is refused, since
    ``record.json`` is just a file anyone could have edited before ``push`` uploads what it names."""
    root = Path(run_dir).resolve()
    report = (root / report_file).resolve()
    if not report.is_relative_to(root):
        raise PublishError(f"repeat report {report_file!r} lies outside the run folder {run_dir}: refused")
    return report


def publish_record(record: ResultRecord, run_dir: Path | None, store: Store) -> str:
    """Add the record and its raw reports to ``store``; the record's path in the store."""
    files: dict[str, bytes] = {}
    reports = reports_dir(record)
    repeats = []
    for repeat in record.repeats:
        report = report_inside_run(run_dir, repeat.report_file) if run_dir is not None and repeat.report_file else None
        if report is not None and report.is_file():
            name = f"repeat-{repeat.index}.json"
            files[f"{reports}/{name}"] = report.read_bytes()
            # in the store the report sits beside the record, not in a repeat folder
            repeat = repeat.model_copy(update={"report_file": f"{Path(reports).name}/{name}"})
        repeats.append(repeat)
    stored = record.model_copy(update={"repeats": repeats})
    path = record_path(stored)
    files[path] = stored.to_json().encode()
    store.add(files, message=f"Add {record.model_id} on {record.task} ({record.run_id})")
    return path


def publish_run(run_dir: Path, store: Store) -> str:
    record, folder = load_run(run_dir)
    return publish_record(record, folder, store)
