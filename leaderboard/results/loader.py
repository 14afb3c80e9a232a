"""Read result records from a results store: validate, skip what is bad, keep the latest run.

Bad data never reaches the views. Each file under ``records/<task>/<org--name>/<run_id>.json`` is
parsed with the shared ``ResultRecord`` schema; a file is dropped, and counted under its reason,
when it is not JSON, breaks the schema, has a missing, non-finite or negative GPU energy, or names
a task the registry does not know. Of several runs of one model on one task and one hardware,
the latest (``created_at``, then ``run_id``) of one configuration wins and the others count as duplicates. Raw report
folders (``<run_id>.reports/``) sit one level deeper and are never read.

A zero energy is kept: it is a real record (a CPU-only run measures no GPU energy) and the rating
flags it instead of giving it stars.

Hostile files (oversized, an unknown schema version) are ``plausibility``'s rules.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from benchmark.configuration import not_comparable_reason, record_configuration
from benchmark.record import ResultRecord
from benchmark.store import Store
from benchmark.tasks import TASKS
from leaderboard.results import plausibility

log = logging.getLogger(__name__)

# What to fetch from a Hub store. fnmatch's "*" crosses "/", so this also matches JSON files in
# report folders; the walk below reads only records/<task>/<model>/<run>.json.
RECORD_PATTERNS = ["records/*.json"]
# the raw optimum-benchmark reports beside each record: the leaderboard never reads them
REPORT_PATTERNS = ["records/*.reports/*"]
RECORD_GLOB = "records/*/*/*.json"

DROP_MALFORMED_JSON = "malformed JSON"
DROP_SCHEMA = "schema violation"
DROP_BAD_ENERGY = "missing, NaN or negative energy"
DROP_UNKNOWN_TASK = "unknown task"
DROP_DUPLICATE = "older duplicate run"
DROP_REASONS = (
    DROP_MALFORMED_JSON, DROP_SCHEMA, DROP_BAD_ENERGY, DROP_UNKNOWN_TASK, DROP_DUPLICATE, *plausibility.DROP_REASONS
)
_ENERGY_FIELD = "gpu_wh_per_1k_queries"


@dataclass(frozen=True)
class LoadResult:
    """The records kept from one store, and how many files were dropped for which reason."""

    records: tuple[ResultRecord, ...]
    source: str
    dropped: Counter[str] = field(default_factory=Counter)
    problems: tuple[str, ...] = ()
    fingerprint: str = ""  # digest of every record file read: equal means nothing changed

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())


def parse_record(data: bytes) -> ResultRecord | str:
    """The record in ``data``, or the reason (one of ``DROP_REASONS``) it must be dropped."""
    if reason := plausibility.file_drop_reason(data):
        return reason
    try:
        record = ResultRecord.model_validate_json(data)
    except ValidationError as exc:
        errors = exc.errors()
        if any(error["type"] == "json_invalid" for error in errors):
            return DROP_MALFORMED_JSON
        if any(error["loc"][:1] == (_ENERGY_FIELD,) for error in errors):
            return DROP_BAD_ENERGY
        return DROP_SCHEMA
    if record.gpu_wh_per_1k_queries < 0:
        return DROP_BAD_ENERGY
    if record.task not in TASKS:
        return DROP_UNKNOWN_TASK
    return plausibility.record_drop_reason(record) or record


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
    return (record.model_id, record.task, record.hardware.label, key, reasoning_effort(record))


def latest_runs(records: list[ResultRecord]) -> tuple[list[ResultRecord], int]:
    """The latest run per ``run_key``, and how many older runs were dropped."""
    latest: dict[tuple[str, ...], ResultRecord] = {}
    for record in records:
        key = run_key(record)
        kept = latest.get(key)
        if kept is None or (record.created_at, record.run_id) > (kept.created_at, kept.run_id):
            latest[key] = record
    return list(latest.values()), len(records) - len(latest)


def read_folder(folder: Path, source: str | None = None, paths: Iterable[str] | None = None) -> LoadResult:
    """Every record under ``folder/records`` (a local store, or a downloaded Hub snapshot), or only
    the record files ``paths`` (relative to ``folder``: those no release holds)."""
    parsed: list[ResultRecord] = []
    dropped: Counter[str] = Counter()
    problems: list[str] = []
    digest = hashlib.blake2b(digest_size=16)
    files = sorted(folder.glob(RECORD_GLOB)) if paths is None else [folder / p for p in sorted(paths)]
    for path in files:
        if path.name.startswith(".") or not path.is_file():
            continue  # half-written temp files of an atomic write
        relative = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        digest.update(relative.encode() + b"\0" + data + b"\0")
        outcome = parse_record(data)
        if isinstance(outcome, str):
            dropped[outcome] += 1
            problems.append(f"{relative}: {outcome}")
        else:
            parsed.append(outcome)
    records, duplicates = latest_runs(parsed)
    if duplicates:
        dropped[DROP_DUPLICATE] += duplicates
    result = LoadResult(tuple(records), source or str(folder), dropped, tuple(problems), digest.hexdigest())
    _log_result(result)
    return result


def load_store(store: Store) -> LoadResult:
    """Every valid record of ``store``; errors reaching the store (Hub, disk) propagate."""
    folder = Path(store.local_folder(RECORD_PATTERNS, ignore=REPORT_PATTERNS))
    if not folder.is_dir():  # a mistyped RESULTS_DIR is an error to show, not an empty leaderboard
        raise FileNotFoundError(f"no results folder at {folder}")
    return read_folder(folder, source=store.name)


def _log_result(result: LoadResult) -> None:
    log.info("loaded %d records from %s", len(result.records), result.source)
    if result.dropped_total:
        counts = ", ".join(f"{n} {reason}" for reason, n in sorted(result.dropped.items()))
        log.warning("dropped %d files from %s: %s", result.dropped_total, result.source, counts)
        for problem in result.problems:
            log.debug("dropped %s", problem)
