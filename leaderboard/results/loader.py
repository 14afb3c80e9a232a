"""Read result records from a results store for the app: validate, skip what is bad, keep the latest run.

Bad data never reaches the views. What is bad (not JSON, a schema violation, a missing, non-finite
or negative GPU energy, an unknown task, ``plausibility``'s hostile files) and which of several runs
is kept (the latest per model, task, hardware, configuration and effort) are the rules of
``benchmark.board.records``, which the release cut applies too.
This module applies them to a store (or a downloaded snapshot) and counts what it dropped, per reason.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.board.records import (
    DROP_DUPLICATE,
    RECORD_GLOB,
    RECORD_PATTERNS,
    REPORT_PATTERNS,
    latest_runs,
    parse_record,
    read_bounded,
    split_reproductions,
)
from benchmark.quality.record import QUALITY_PATTERNS, QualityRecord, quality_files, read_quality_file
from benchmark.record import ResultRecord
from benchmark.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    """The records kept from one store, and how many files were dropped for which reason."""

    records: tuple[ResultRecord, ...]
    source: str
    dropped: Counter[str] = field(default_factory=Counter)
    problems: tuple[str, ...] = ()
    fingerprint: str = ""  # digest of every record file read: equal means nothing changed
    quality: tuple[QualityRecord, ...] = ()  # every quality record kept (they are never released)
    # records that reproduce an entry (``reproduces``): they verify it and are never rows of their own
    reproductions: tuple[ResultRecord, ...] = ()

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())


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
        data = read_bounded(path)  # the size first: a 10 GB file is never read
        if isinstance(data, str):
            outcome: ResultRecord | str = data
            digest.update(relative.encode() + b"\0" + data.encode() + b"\0")
        else:
            digest.update(relative.encode() + b"\0" + data + b"\0")
            outcome = parse_record(data)
        if isinstance(outcome, str):
            dropped[outcome] += 1
            problems.append(f"{relative}: {outcome}")
        else:
            parsed.append(outcome)
    entries, reproductions = split_reproductions(parsed)
    records, duplicates = latest_runs(entries)
    if duplicates:
        dropped[DROP_DUPLICATE] += duplicates
    result = LoadResult(tuple(records), source or str(folder), dropped, tuple(problems), digest.hexdigest(),
                        reproductions=tuple(reproductions))
    _log_result(result)
    return result


def read_quality(folder: Path, paths: Iterable[str] | None = None) -> tuple[list[QualityRecord], Counter[str],
                                                                            list[str], str]:
    """Every quality record under ``folder/quality`` (or the ``paths`` given): the kept ones, the drop
    counts and problems (the same rules and reasons as result records), and a digest of what was read."""
    kept: list[QualityRecord] = []
    dropped: Counter[str] = Counter()
    problems: list[str] = []
    digest = hashlib.blake2b(digest_size=16)
    for relative in sorted(quality_files(folder) if paths is None else paths):
        outcome = read_quality_file(folder / relative)
        digest.update(relative.encode() + b"\0")
        if isinstance(outcome, str):
            dropped[outcome] += 1
            problems.append(f"{relative}: {outcome}")
        else:
            digest.update(outcome.to_json().encode())
            kept.append(outcome)
    return kept, dropped, problems, digest.hexdigest()


def with_quality_of(result: LoadResult, folder: Path) -> LoadResult:
    """``result`` plus the quality records of ``folder`` (their drops and digest merged in)."""
    kept, dropped, problems, digest = read_quality(folder)
    fingerprint = hashlib.blake2b((result.fingerprint + digest).encode(), digest_size=16).hexdigest()
    return LoadResult(result.records, result.source, result.dropped + dropped, (*result.problems, *problems),
                      fingerprint, tuple(kept), result.reproductions)


def load_store(store: Store) -> LoadResult:
    """Every valid record of ``store``; errors reaching the store (Hub, disk) propagate."""
    folder = Path(store.local_folder([*RECORD_PATTERNS, *QUALITY_PATTERNS], ignore=REPORT_PATTERNS))
    if not folder.is_dir():  # a mistyped RESULTS_DIR is an error to show, not an empty leaderboard
        raise FileNotFoundError(f"no results folder at {folder}")
    return with_quality_of(read_folder(folder, source=store.public_name), folder)


def _log_result(result: LoadResult) -> None:
    # the app logs what it shows (releases included: leaderboard.results.live); this is the JSON read
    log.debug("read %d record files from %s", len(result.records), result.source)
    if result.dropped_total:
        counts = ", ".join(f"{n} {reason}" for reason, n in sorted(result.dropped.items()))
        log.warning("dropped %d files from %s: %s", result.dropped_total, result.source, counts)
        for problem in result.problems:
            log.debug("dropped %s", problem)
