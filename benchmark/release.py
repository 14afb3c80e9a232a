"""Releases: frozen boards. ``cut_release`` rates the reference runs it includes and writes them once.

A release ``NAME`` is two files in the results store, written in one compare-and-swap commit and
never changed afterwards:

- ``releases/<NAME>/board.parquet``: one row per rated entry (``BOARD_COLUMNS``: model, task,
  hardware, configuration key, energy and spread, params, size class, stars, the record's run id,
  path and source, ...);
- ``releases/<NAME>/release.json``: the name, the date, the patterns it included, for every rating
  group its lowest and highest energy (the frozen bin edges: later runs get provisional stars
  against them) and counts, and every record left out with its path and reason.

Cutting reads records and never edits or deletes one. A name that exists is refused; two
maintainers cutting the same name at once race on the store's head and exactly one wins.

The stars are the one rating rule (``benchmark.board.rating``, which the leaderboard shows too),
applied to the included cohort only; the frame is ``benchmark.board.frame``'s, the one the app
builds, and the records are read with the loader's rules (``benchmark.board.records``), so a release
and the live board cannot disagree on a value. pandas and pyarrow are imported inside the functions
that build the board: the rest of this module (names and paths of releases) stays cheap to import.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatch
from typing import Any

from benchmark.board.records import (
    DROP_DUPLICATE,
    RECORD_PATTERNS,
    REPORT_PATTERNS,
    is_later,
    read_record_file,
    record_files,
    run_key,
)
from benchmark.errors import UserInputError
from benchmark.store import StaleStoreError, Store

RELEASES_PREFIX = "releases"
BOARD_FILE = "board.parquet"
RELEASE_FILE = "release.json"
REFERENCE_CONFIGURATION = "reference"
DEFAULT_INCLUDE = ("records/*",)
# The rated frame's columns a board keeps, plus where each row came from.
BOARD_COLUMNS = (
    "model_id",
    "task",
    "hardware",
    "configuration_key",
    "comparable",
    "not_comparable_because",
    "zero_shot",
    "gpu_wh_per_1k_queries",
    "gpu_wh_per_1k_queries_std",
    "total_wh_per_1k_queries",
    "params",
    "size_class",
    "stars",
    "rating_flag",
    "energy_implausible",
    "reasoning_effort",
    "output_tokens_per_query",
    "gpu_wh_per_1k_output_tokens",
    "output_all_at_cap",
    "latency_s_per_query",
    "provenance",
    "in_bands",
    "device",
    "created_at",
    "n_repeats",
    "run_id",
    "record_path",
    "source",
)
GROUP_KEYS = ("task", "size_class", "hardware", "configuration_key")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
RESERVED_NAMES = ("latest", "live", "since")  # what the app's release choice also accepts
_MAX_ATTEMPTS = 5
LEFT_OUT_REPRODUCTION = "a reproduction, not an entry: it verifies run"


class ReleaseError(UserInputError):
    """A release cannot be cut as asked (bad name, a name that exists, nothing to include)."""


class ReleaseExistsError(ReleaseError):
    pass


@dataclass(frozen=True)
class ReleaseCut:
    name: str
    n_entries: int
    n_left_out: int
    meta: dict[str, Any]


def check_name(name: str) -> str:
    if name in RESERVED_NAMES:
        raise ReleaseError(f"invalid release name {name!r}: {', '.join(RESERVED_NAMES)} are reserved")
    if not _NAME.match(name or ""):
        raise ReleaseError(f"invalid release name {name!r}: use letters, digits, '.', '_' or '-' (e.g. 2026-06)")
    return name


def board_path(name: str) -> str:
    return f"{RELEASES_PREFIX}/{check_name(name)}/{BOARD_FILE}"


def release_json_path(name: str) -> str:
    return f"{RELEASES_PREFIX}/{check_name(name)}/{RELEASE_FILE}"


def release_names(paths: list[str]) -> list[str]:
    """Names of the complete releases among store ``paths``, oldest first (names sort by date)."""
    found: dict[str, set[str]] = {}
    for path in paths:
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == RELEASES_PREFIX:
            found.setdefault(parts[1], set()).add(parts[2])
    return sorted(name for name, files in found.items() if {BOARD_FILE, RELEASE_FILE} <= files)


def _included(path: str, include: tuple[str, ...]) -> bool:
    return any(fnmatch(path, pattern) for pattern in include)


def _read_included(
    store: Store, include: tuple[str, ...]
) -> tuple[list[Any], list[str], list[dict[str, str]], list[Any]]:
    """Parsed records, their paths, what was left out (path and reason), and the reproductions (they verify
    entries: a verified upload sets its group's bins)."""
    folder = store.local_folder(RECORD_PATTERNS, ignore=REPORT_PATTERNS)
    records, paths, left_out, reproductions = [], [], [], []
    for relative in sorted(record_files(folder)):
        if not _included(relative, include):
            continue
        outcome = read_record_file(folder / relative)
        if isinstance(outcome, str):
            left_out.append({"path": relative, "reason": outcome})
        elif outcome.reproduces:
            left_out.append({"path": relative, "reason": f"{LEFT_OUT_REPRODUCTION} {outcome.reproduces}"})
            reproductions.append(outcome)
        else:
            records.append(outcome)
            paths.append(relative)
    return records, paths, left_out, reproductions


def _latest_only(records: list[Any], paths: list[str], left_out: list[dict[str, str]]) -> tuple[list, list]:
    best: dict[tuple, int] = {}
    for i, record in enumerate(records):
        key = (*run_key(record), getattr(record, "configuration_key", None))
        j = best.get(key)
        if j is None or is_later(record, records[j]):
            best[key] = i
    keep = sorted(best.values())
    for i in sorted(set(range(len(records))) - set(keep)):
        left_out.append({"path": paths[i], "reason": DROP_DUPLICATE})
    return [records[i] for i in keep], [paths[i] for i in keep]


def rate_cohort(records: list[Any], paths: list[str], reproductions: list[Any] | tuple = ()) -> Any:
    """The board of ``records``: reference runs only, rated among themselves (a pandas frame)."""
    from benchmark.board.frame import frame_from_records
    from benchmark.board.rating import rating_flags, star_ratings

    frame = frame_from_records(records, reproductions)
    by_key = {(r.model_id, r.task, r.run_id): p for r, p in zip(records, paths, strict=True)}
    frame["record_path"] = [by_key[k] for k in zip(frame["model_id"], frame["task"], frame["run_id"], strict=True)]
    if "configuration_key" not in frame:
        frame["configuration_key"] = REFERENCE_CONFIGURATION
    reference = frame["configuration_key"].fillna(REFERENCE_CONFIGURATION) == REFERENCE_CONFIGURATION
    if "comparable" in frame:
        reference &= frame["comparable"].fillna(False).astype(bool)
    frame = frame[reference.to_numpy()].reset_index(drop=True)
    frame["stars"] = star_ratings(frame)  # rated among the reference cohort only
    frame["rating_flag"] = rating_flags(frame)
    return frame[list(BOARD_COLUMNS)]


def frozen_edges(board: Any) -> list[dict[str, Any]]:
    """Per rating group of the rated rows: its lowest and highest energy and how many rows."""
    from benchmark.board.rating import CLASSED_TASKS, joins_bands

    rated = board[board["stars"].notna().to_numpy() & joins_bands(board)].copy()
    rated["size_class"] = rated["size_class"].where(rated["task"].isin(CLASSED_TASKS), None)
    groups = []
    for key, rows in rated.groupby(list(GROUP_KEYS), dropna=False, sort=True):
        energy = rows["gpu_wh_per_1k_queries"]
        entry = {k: (None if v != v else v) for k, v in zip(GROUP_KEYS, key, strict=True)}  # NaN → None
        groups.append({**entry, "low_wh": float(energy.min()), "high_wh": float(energy.max()), "count": len(rows)})
    return groups


def board_parquet(board: Any) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(board, preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _release_meta(name: str, date: str, include: tuple[str, ...], board: Any, left_out: list) -> dict[str, Any]:
    return {
        "name": name,
        "date": date,
        "include": list(include),
        "n_entries": len(board),
        "n_rated": int(board["stars"].notna().sum()),
        "tasks": sorted(set(board["task"])),
        "groups": frozen_edges(board),
        "left_out": sorted(left_out, key=lambda item: item["path"]),
    }


def cut_release(
    store: Store,
    name: str,
    include: list[str] | tuple[str, ...] | None = None,
    date: str | None = None,
    latest_only: bool = True,
) -> ReleaseCut:
    """Rate the included records' reference runs and write ``releases/<name>/`` once.

    ``include``: fnmatch patterns over record paths (``records/text_generation/*``; default every
    record). ``latest_only``: of several runs of one model, task, hardware and configuration keep the
    latest (the others are listed as left out); a published board with repeated runs keeps them all.
    ``date`` (YYYY-MM-DD) defaults to today (UTC).
    """
    check_name(name)
    patterns = tuple(include or DEFAULT_INCLUDE)
    day = date or datetime.now(UTC).strftime("%Y-%m-%d")
    for _ in range(_MAX_ATTEMPTS):
        head = store.head()
        if store.list(f"{RELEASES_PREFIX}/{name}/"):
            raise ReleaseExistsError(f"release {name!r} already exists in {store.name}: a release is never changed")
        records, paths, left_out, reproductions = _read_included(store, patterns)
        if latest_only:
            records, paths = _latest_only(records, paths, left_out)
        if not records:
            raise ReleaseError(f"no valid record matches --include {' '.join(patterns)} in {store.name}")
        board = rate_cohort(records, paths, reproductions)
        meta = _release_meta(name, day, patterns, board, left_out)
        files = {
            board_path(name): board_parquet(board),
            release_json_path(name): (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode(),
        }
        try:
            store.commit(files, parent=head, message=f"Release {name}: {len(board)} entries", create=list(files))
        except StaleStoreError:
            continue  # someone wrote meanwhile: re-read (and refuse if it was this release)
        except FileExistsError:
            raise ReleaseExistsError(f"release {name!r} already exists in {store.name}: a release is never "
                                     "changed") from None
        return ReleaseCut(name, len(board), len(left_out), meta)
    raise ReleaseError(f"the store {store.name} kept moving; release {name!r} was not cut, try again")
