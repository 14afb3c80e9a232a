"""Read releases (frozen boards) and the records published since, and rate those provisionally.

A release is read as one table: ``releases/<name>/board.parquet`` through pyarrow (one file, one
call, no per-row validation: the rows were validated when the release was cut). pyarrow rather
than ``datasets``: ``datasets`` would copy the file into its Arrow cache and build a dataset
object around it before handing back the same Arrow table, which costs start-up time for nothing
here; pyarrow is already what ``datasets`` reads parquet with.

Only the records that no release holds are read as JSON (``load_board``). The board a release
shows is that release's rows plus, for every model, task and hardware it does not hold, the row of
the latest earlier release that does: AI Energy Score's December 2025 text-generation board rated
its new models among themselves and kept showing the February models with their February stars.
Each row says its ``release``.

Runs published since the latest release get *provisional* stars: the rating rule applied with that
release's frozen edges (its lowest and highest energy per rating group), clipped to 1–5, so a new
model is rated without moving anyone else's stars until the next release.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.board.rating import CLASSED_TASKS, rating_flags, star_ratings, stars_between
from benchmark.board.records import REPORT_PATTERNS, record_files
from benchmark.errors import UserInputError
from benchmark.hub_client import HubError
from benchmark.quality.record import QUALITY_PREFIX
from benchmark.release import (
    BOARD_COLUMNS,
    GROUP_KEYS,
    REFERENCE_CONFIGURATION,
    board_path,
    release_json_path,
    release_names,
)
from benchmark.store import LocalStore, Store
from leaderboard.results.loader import LoadResult, read_folder, with_quality_of

log = logging.getLogger(__name__)

LATEST = "latest"
LIVE = "live"
SINCE = "since"  # the runs no release holds, with provisional stars
FLAG_NO_FROZEN_GROUP = "no group in the latest release to rate it against"
# A row of a board is one model on one task, hardware, configuration and reasoning effort ("" for none).
IDENTITY = ("model_id", "task", "hardware", "configuration_key", "reasoning_effort")


@dataclass(frozen=True, eq=False)
class Release:
    """One frozen board: its ``release.json`` and its rows (``BOARD_COLUMNS`` + ``release``)."""

    name: str
    meta: dict[str, Any]
    board: pd.DataFrame

    @property
    def date(self) -> str:
        return str(self.meta.get("date", ""))


_BOARD_DEFAULTS = {
    "configuration_key": "reference",
    "comparable": True,
    "not_comparable_because": None,
    "zero_shot": False,
    "total_wh_per_1k_queries": float("nan"),
    "energy_implausible": False,
    "reasoning_effort": "",
    "output_tokens_per_query": float("nan"),
    "gpu_wh_per_1k_output_tokens": float("nan"),
    "output_all_at_cap": False,
    "latency_s_per_query": float("nan"),
    "in_bands": None,  # a board cut before uploads could be verified: its provenance says (rating.joins_bands)
    # a release holds reference runs: none was served by an engine
    "serving_protocol": "",
    "max_num_seqs": float("nan"),
    "j_per_output_token": float("nan"),
    "itl_median_ms": float("nan"),
    "ttft_median_ms": float("nan"),
    "unstable": False,
}


def parse_board(data: bytes, name: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    frame = pq.read_table(io.BytesIO(data)).to_pandas()
    # Columns a board written before they existed lacks: a board holds comparable reference runs.
    for column, default in _BOARD_DEFAULTS.items():
        if column not in frame:
            frame[column] = default
    if "provenance" not in frame:  # a board cut before uploads: the runner's rows measured, the rest published
        frame["provenance"] = np.where(frame["source"] == "runner", "measured", "published")
    frame["stars"] = frame["stars"].astype("Int64")
    frame["reasoning_effort"] = frame["reasoning_effort"].fillna("").astype(str)
    for column in ("size_class", "rating_flag", "not_comparable_because"):  # as the JSON reader's: object, None
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["release"] = name
    return frame


def _check_meta(meta: Any) -> dict[str, Any]:
    """A ``release.json`` whose parts the app reads have the shapes it reads (else ``ValueError``)."""
    if not isinstance(meta, dict):
        raise ValueError("release.json is not an object")
    left_out, groups = meta.get("left_out", []), meta.get("groups", [])
    if not isinstance(left_out, list) or not all(isinstance(item, dict) for item in left_out):
        raise ValueError("release.json: left_out is not a list of {path, reason}")
    if not all(isinstance(item.get("path"), str) for item in left_out):
        raise ValueError("release.json: left_out is not a list of {path, reason}")
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise ValueError("release.json: groups is not a list of objects")
    return meta


_REQUIRED_BOARD_COLUMNS = tuple(c for c in BOARD_COLUMNS if c not in _BOARD_DEFAULTS)


def read_release(store: Store, name: str) -> Release:
    meta = _check_meta(json.loads(store.read(release_json_path(name))))
    board = parse_board(store.read(board_path(name)), name)
    missing = [column for column in _REQUIRED_BOARD_COLUMNS if column not in board]
    if missing:
        raise ValueError(f"board.parquet of {name} lacks {', '.join(missing)}")
    return Release(name, meta, board)


DROP_RELEASE = "unreadable release"


def read_releases_reporting(store: Store, paths: list[str] | None = None) -> tuple[tuple[Release, ...], list[str]]:
    """Every readable complete release of ``store``, oldest first, and the problems of those that are not
    (``releases/<name>: unreadable release``): a broken board file drops its release, never the store.
    A store that cannot be listed or read at all still raises (the app then shows its fallback)."""
    listed = paths if paths is not None else store.list("releases/")
    releases, problems = [], []
    for name in release_names(listed):
        try:
            releases.append(read_release(store, name))
        except (OSError, HubError):
            raise
        except Exception:  # noqa: BLE001 - whatever a hostile board.parquet or release.json holds
            log.warning("release %s cannot be read: skipped", name, exc_info=True)
            problems.append(f"releases/{name}: {DROP_RELEASE}")
    return tuple(releases), problems


def read_releases(store: Store, paths: list[str] | None = None) -> tuple[Release, ...]:
    """Every readable complete release of ``store``, oldest first."""
    return read_releases_reporting(store, paths)[0]


def released_paths(releases: tuple[Release, ...]) -> set[str]:
    """Record paths a release already holds or left out (never read again as JSON)."""
    held: set[str] = set()
    for release in releases:
        held.update(release.board["record_path"])
        held.update(item["path"] for item in release.meta.get("left_out", ()))
    return held


def _since_files(store: Store, held: set[str]) -> tuple[Path, list[str]]:
    """A local folder holding the records no release holds and every quality record (one download on
    the Hub), and the records' paths."""
    if isinstance(store, LocalStore):
        return store.root, [p for p in record_files(store.root) if p not in held]
    listed = store.list("")
    since = [p for p in listed if _is_record_path(p) and p not in held]
    quality = [p for p in listed if p.startswith(f"{QUALITY_PREFIX}/") and p.endswith(".json")]
    return store.local_folder([*since, *quality] or ["records/.none"], ignore=REPORT_PATTERNS), since


def _is_record_path(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 4 and parts[0] == "records" and parts[3].endswith(".json")


def load_board(store: Store) -> tuple[tuple[Release, ...], LoadResult]:
    """The releases of ``store`` and the records published since (the only ones read as JSON)."""
    releases, release_problems = read_releases_reporting(store)
    held = released_paths(releases)
    if isinstance(store, LocalStore) and not store.root.is_dir():  # a mistyped RESULTS_DIR: an error to show
        raise FileNotFoundError(f"no results folder at {store.root}")
    folder, since = _since_files(store, held)
    result = read_folder(folder, source=store.public_name, paths=since)
    digest = hashlib.blake2b(result.fingerprint.encode(), digest_size=16)
    for release in releases:
        digest.update(release.name.encode() + b"\0")
    dropped = result.dropped + Counter({DROP_RELEASE: len(release_problems)} if release_problems else {})
    problems = (*release_problems, *result.problems)
    loaded = LoadResult(result.records, result.source, dropped, problems, digest.hexdigest(),
                        reproductions=result.reproductions)
    return releases, with_quality_of(loaded, folder)


def view_of(releases: tuple[Release, ...], name: str) -> pd.DataFrame:
    """The board ``name`` shows: its rows, and the latest earlier release's row for every model,
    task, hardware, configuration and reasoning effort it does not hold; sorted like the live frame."""
    names = [r.name for r in releases]
    upto = releases[: names.index(name) + 1]
    frames: list[pd.DataFrame] = []
    shown: pd.MultiIndex | None = None
    for release in reversed(upto):  # newest first; a release's own rows are all kept (repeated runs too)
        board = release.board
        keys = pd.MultiIndex.from_frame(board[list(IDENTITY)].astype(object))
        frames.append(board if shown is None else board[~keys.isin(shown)])
        shown = keys if shown is None else shown.append(keys)
    return sort_rows(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy())


def rated_together(board: pd.DataFrame) -> pd.DataFrame:
    """``board``'s rows with their stars computed again all together, per task, hardware and size class: the
    default board, where a row never has fewer stars than a row of its group with more energy. Each row
    keeps ``release``, the board it came from (the cohort it was published with)."""
    rows = board.copy()
    rows["stars"] = star_ratings(rows)
    rows["rating_flag"] = rating_flags(rows)
    return sort_rows(rows)


def cohort_labels(board: pd.DataFrame, name: str) -> pd.Series:
    """Among which models each row of release ``name``'s board was rated, as a visitor reads it."""
    return board["release"].map(lambda cohort: COHORT_LABEL.format(release=cohort)).where(
        board["release"].notna(), "")


COHORT_LABEL = "the {release} models"


def sort_rows(frame: pd.DataFrame) -> pd.DataFrame:
    from benchmark.tasks import TASK_KEYS

    task_order = pd.Categorical(frame["task"], categories=TASK_KEYS).codes
    return (
        frame.assign(_task=task_order, _unrated=frame["stars"].isna())
        .sort_values(["_task", "_unrated", "gpu_wh_per_1k_queries", "model_id"], kind="stable")
        .drop(columns=["_task", "_unrated"])
        .reset_index(drop=True)
    )


def _group_frame(frame: pd.DataFrame) -> pd.DataFrame:
    keys = frame.reindex(columns=list(GROUP_KEYS)).copy()
    keys["size_class"] = keys["size_class"].where(frame["task"].isin(CLASSED_TASKS), None)
    keys["configuration_key"] = keys["configuration_key"].fillna(REFERENCE_CONFIGURATION)
    return keys.astype(object).where(keys.notna(), "")


def provisional_stars(frame: pd.DataFrame, release: Release) -> tuple[pd.Series, pd.Series]:
    """Stars of ``frame``'s rows against ``release``'s frozen edges (clipped to 1–5), and the flag
    of rows without stars (their live flag, or no matching group in the release)."""
    live_flags = rating_flags(frame)
    ratable = star_ratings(frame).notna().to_numpy()  # the rule's own test of what can be rated
    edges = pd.DataFrame(release.meta.get("groups", []), columns=[*GROUP_KEYS, "low_wh", "high_wh", "count"])
    edges = pd.concat([_group_frame(edges), edges[["low_wh", "high_wh"]]], axis=1)
    keyed = _group_frame(frame).merge(edges, how="left", on=list(GROUP_KEYS))
    low, high = keyed["low_wh"].to_numpy(dtype=float), keyed["high_wh"].to_numpy(dtype=float)
    energy = frame["gpu_wh_per_1k_queries"].to_numpy(dtype=float)
    has_group = np.isfinite(low)
    stars = stars_between(energy, low, high, ratable & has_group)
    flags = live_flags.where(~(ratable & ~has_group), FLAG_NO_FROZEN_GROUP)
    return pd.Series(stars, index=frame.index, name="stars"), flags


def since_frame(live_rows: pd.DataFrame, latest: Release) -> pd.DataFrame:
    """The runs published since ``latest`` with provisional stars; ``release`` says so."""
    frame = live_rows.copy()
    if "configuration_key" not in frame:
        frame["configuration_key"] = REFERENCE_CONFIGURATION
    frame["stars"], frame["rating_flag"] = provisional_stars(frame, latest)
    frame["release"] = provisional_label(latest.name)
    return sort_rows(frame)


def provisional_label(name: str) -> str:
    return f"provisional (since {name})"


def board_columns() -> tuple[str, ...]:
    return (*BOARD_COLUMNS, "release")


class UnknownReleaseError(UserInputError):
    pass


def check_release(release: str | None, names: list[str]) -> str:
    """A release name (that board as published), ``live``, ``since``, or ``latest`` for ``latest``/empty: the
    default board, the latest release's rows rated together (``live`` without releases)."""
    wanted = (release or LATEST).strip()
    if wanted == LATEST:
        return LATEST if names else LIVE
    if wanted in (LIVE, SINCE) or wanted in names:
        return wanted
    known = ", ".join([LATEST, LIVE, SINCE, *names])
    raise UnknownReleaseError(f"unknown release {wanted!r}: choose one of {known}")
