"""Which record files count, and which run of several is kept: the rules the loader and a release share.

Each file under ``records/<task>/<org--name>/<run_id>.json`` is parsed with the shared
``ResultRecord`` schema; a file is dropped, under its reason, when it is not JSON, breaks the schema,
has a missing, non-finite or negative GPU energy, names a task the registry does not know, or breaks
one of ``plausibility``'s rules (oversized, an unknown schema version). Of several runs of one
``run_key`` (model, task, hardware, configuration, reasoning effort) a measured (or published) run wins
over a self-reported one whatever the dates, then the latest (``created_at``, then ``run_id``) wins, and
the others count as duplicates. Raw report folders (``<run_id>.reports/``) sit
one level deeper and are never read.

A zero energy is kept: it is a real record (a CPU-only run measures no GPU energy) and the rating
flags it instead of giving it stars.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from benchmark.board import plausibility
from benchmark.configuration import not_comparable_reason, record_configuration
from benchmark.record import SELF_REPORTED, ResultRecord, record_provenance
from benchmark.tasks import TASKS

# What to fetch from a Hub store. fnmatch's "*" crosses "/", so this also matches JSON files in
# report folders; the readers walk only records/<task>/<model>/<run>.json.
RECORD_PATTERNS = ["records/*.json"]
# the raw optimum-benchmark reports beside each record: a board never reads them
REPORT_PATTERNS = ["records/*.reports/*"]
RECORD_GLOB = "records/*/*/*.json"

DROP_MALFORMED_JSON = "malformed JSON"
DROP_SCHEMA = "schema violation"
DROP_DATE = "date out of range"
DROP_OUT_OF_RANGE = "number out of range"
DROP_BAD_ENERGY = "missing, NaN or negative energy"
DROP_UNKNOWN_TASK = "unknown task"
DROP_UNREADABLE = "unreadable file"
DROP_DUPLICATE = "older duplicate run"
DROP_REASONS = (
    DROP_MALFORMED_JSON, DROP_SCHEMA, DROP_DATE, DROP_OUT_OF_RANGE, DROP_BAD_ENERGY, DROP_UNKNOWN_TASK,
    DROP_UNREADABLE, DROP_DUPLICATE, *plausibility.DROP_REASONS,
)
_ENERGY_FIELD = "gpu_wh_per_1k_queries"
_DATE_FIELDS = ("created_at",)
# pydantic's error types of a date that is there but not a usable one (ours: ``value_error``)
_DATE_ERRORS = frozenset({"value_error", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"})
# pydantic's error types of a number outside its bounds
_RANGE_ERRORS = frozenset(
    {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number", "int_parsing_size"}
)


def validation_drop_reason(exc: ValidationError, energy_field: str | None = _ENERGY_FIELD,
                           date_fields: tuple[str, ...] = _DATE_FIELDS) -> str:
    """Why a file that pydantic refused is dropped: one of ``DROP_REASONS``, most specific first."""
    errors = exc.errors(include_url=False, include_input=False)
    if any(error["type"] in ("json_invalid", "recursion_loop") for error in errors):
        return DROP_MALFORMED_JSON
    if energy_field and any(error["loc"][:1] == (energy_field,) for error in errors):
        return DROP_BAD_ENERGY
    if any(error["type"] in _DATE_ERRORS and set(error["loc"]) & set(date_fields) for error in errors):
        return DROP_DATE
    if errors and all(error["type"] in _RANGE_ERRORS for error in errors):
        return DROP_OUT_OF_RANGE
    return DROP_SCHEMA


def parse_record(data: bytes) -> ResultRecord | str:
    """The record in ``data``, or the reason (one of ``DROP_REASONS``) it must be dropped. Never
    raises: whatever a file holds, it is that file's reason, not the reader's crash."""
    if reason := plausibility.file_drop_reason(data):
        return reason
    try:
        record = ResultRecord.model_validate_json(data)
    except ValidationError as exc:
        return validation_drop_reason(exc)
    except (ValueError, TypeError, ArithmeticError, RecursionError):  # a validator pydantic did not wrap
        return DROP_SCHEMA
    if record.gpu_wh_per_1k_queries < 0:
        return DROP_BAD_ENERGY
    if record.task not in TASKS:
        return DROP_UNKNOWN_TASK
    return plausibility.record_drop_reason(record) or record


def read_bounded(
    path: Path, max_bytes: int = plausibility.MAX_RECORD_BYTES, oversized: str = plausibility.DROP_OVERSIZED
) -> bytes | str:
    """The bytes of a store file, or why it is dropped unread (``oversized``, or unreadable): its size
    is checked before reading, and the read stops one byte past the limit should it grow meanwhile."""
    try:
        if path.stat().st_size > max_bytes:
            return oversized
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return DROP_UNREADABLE
    return oversized if len(data) > max_bytes else data


def read_record_file(path: Path) -> ResultRecord | str:
    """``parse_record`` of a file, its size checked first."""
    data = read_bounded(path)
    return data if isinstance(data, str) else parse_record(data)


def reasoning_effort(record: ResultRecord) -> str:
    """The run's reasoning effort level ("low", "medium", "high"), "" for a model that takes none."""
    return record.settings.reasoning_effort or ""


def run_key(record: ResultRecord) -> tuple[str, str, str, str, str]:
    """What makes two records runs of the same thing: model, task, hardware, configuration and
    reasoning effort (each effort level is measured and rated as its own row, as AI Energy Score does)."""
    spec = TASKS[record.task]
    key = record_configuration(record, spec).key
    # a run that is not comparable (a few samples, another dataset) never replaces one that is
    if not_comparable_reason(record, spec) is not None:
        key += " (not comparable)"
    if record.reproduces:  # a reproduction verifies its entry, never replaces it
        key += f" (reproduces {record.reproduces})"
    return (record.model_id, record.task, record.hardware.label, key, reasoning_effort(record))


def _standing(record: ResultRecord) -> int:
    """How much a run's provenance weighs when two runs of one ``run_key`` compete: a self-reported
    upload (its dates are the submitter's to write) never replaces a run we measured or a published one."""
    return 0 if record_provenance(record) == SELF_REPORTED else 1


def is_later(record: ResultRecord, than: ResultRecord) -> bool:
    """Whether ``record`` replaces ``than``: measured and published runs win over self-reported ones
    whatever the dates, then the latest (``created_at``, then ``run_id``) wins."""
    return (_standing(record), record.created_at, record.run_id) > (_standing(than), than.created_at, than.run_id)


def split_reproductions(records: list[ResultRecord]) -> tuple[list[ResultRecord], list[ResultRecord]]:
    """The board's entries, and the reproductions (records that ``reproduces`` another run): those verify
    an entry and are never a row of their own."""
    return [r for r in records if not r.reproduces], [r for r in records if r.reproduces]


def latest_runs(records: list[ResultRecord]) -> tuple[list[ResultRecord], int]:
    """The latest run per ``run_key``, and how many older runs were dropped."""
    latest: dict[tuple[str, ...], ResultRecord] = {}
    for record in records:
        key = run_key(record)
        kept = latest.get(key)
        if kept is None or is_later(record, kept):
            latest[key] = record
    return list(latest.values()), len(records) - len(latest)


def record_files(folder: Path) -> list[str]:
    """``records/<task>/<model>/<run>.json`` paths under ``folder`` (no stat per file: a store
    holds 100,000 of them and a release already holds most)."""
    found: list[str] = []
    top = folder / "records"
    if not top.is_dir():
        return found
    for task in os.listdir(top):  # plain names: no Path or DirEntry object per file
        for model in _names(top / task):
            prefix = f"records/{task}/{model}/"
            found += [prefix + name for name in _names(top / task / model) if name.endswith(".json") and name[0] != "."]
    return found


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except NotADirectoryError:
        return []
