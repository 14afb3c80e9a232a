"""What the app shows: the validated records and one rated table of them, per loaded version.

``LeaderboardData`` is immutable: a reload builds a new one (with a higher ``version``) and the
app swaps it in, so a request always sees one consistent version. Tabs added later (submissions,
model pages, compare) read ``records`` for the full detail (phases, repeats, software) and
``frame`` for the rated table; ``cached`` memoises derived views per version.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from benchmark.board.configurations import on_reference_board
from benchmark.board.frame import frame_from_records
from benchmark.board.rating import rating_flags, star_ratings
from benchmark.board.verification import Verification, verifications
from benchmark.quality.record import QualityRecord
from benchmark.record import ResultRecord
from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.results.loader import LoadResult
from leaderboard.results.quality import best_quality, with_quality
from leaderboard.results.releases import (
    LATEST,
    LIVE,
    SINCE,
    Release,
    cohort_labels,
    rated_together,
    since_frame,
    sort_rows,
    view_of,
)
from leaderboard.results.verification import with_verification

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "data"
# among which rows a row's stars were computed, by the board shown (a release keeps each row's cohort)
RATED_TOGETHER = "every row of this board (task, hardware, size class)"
RATED_LIVE = "every run now (task, hardware, size class)"
RATED_PROVISIONAL = "the {release} release's bins (provisional)"


def rated_among(rows: pd.DataFrame, name: str, latest: str = "") -> pd.Series:
    """For each row of the board ``name``, among which models its stars were computed (``latest``: the latest
    release's name, whose bins the runs since are rated against)."""
    if name == LATEST:
        return pd.Series(RATED_TOGETHER, index=rows.index, dtype=object)
    if name == LIVE:
        return pd.Series(RATED_LIVE, index=rows.index, dtype=object)
    if name == SINCE:
        return pd.Series(RATED_PROVISIONAL.format(release=latest), index=rows.index, dtype=object)
    return cohort_labels(rows, name).astype(object)

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class LeaderboardData:
    """One loaded version of the results: records, the rated frame, and what was dropped."""

    records: tuple[ResultRecord, ...]
    frame: pd.DataFrame
    source: str
    dropped: Counter[str]
    version: int = 0
    notice: str | None = None
    releases: tuple[Release, ...] = ()  # oldest first; ``frame`` is the latest one's board if any
    # each dropped file, store-relative, with its reason ("records/t/m/r.json: malformed JSON")
    problems: tuple[str, ...] = ()
    # every quality figure kept (declared benchmark or not), never released: joined onto boards live
    quality: tuple[QualityRecord, ...] = ()
    # records reproducing an entry: they verify it (``verification``), never rows of their own
    reproductions: tuple[ResultRecord, ...] = ()
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_load(
        cls, result: LoadResult, version: int = 0, notice: str | None = None, releases: tuple[Release, ...] = ()
    ) -> LeaderboardData:
        """``result`` holds the records read as JSON: with ``releases``, only those published since."""
        frame = frame_from_records(result.records, result.reproductions)
        frame["release"] = LIVE
        if releases:  # the default board: the latest release's rows, rated together (each keeps its cohort)
            frame = rated_together(view_of(releases, releases[-1].name))
        return cls(
            records=result.records,
            frame=frame,
            source=result.source,
            dropped=Counter(result.dropped),
            problems=tuple(result.problems),
            quality=tuple(result.quality),
            reproductions=tuple(result.reproductions),
            version=version,
            notice=notice,
            releases=tuple(releases),
        )

    # Releases (see ``leaderboard.results.releases``): "latest" is ``frame``; "live" re-rates
    # every row (released and since) with the rule now; a release name shows that frozen board.

    @property
    def n_results(self) -> int:
        """Rows shown (the latest board) plus, with releases, the runs published since."""
        return len(self.frame) + (len(self.records) if self.releases else 0)

    @property
    def release_names(self) -> list[str]:
        return [release.name for release in self.releases]

    def release_name(self, release: str | None) -> str:
        """``release`` resolved: a name, ``live``, or the latest (``latest``/empty) — which is
        ``live`` when the store has no release."""
        from leaderboard.results.releases import check_release

        return check_release(release, self.release_names)

    def since(self) -> pd.DataFrame:
        """Runs no release holds, with provisional stars against the latest release's edges."""

        def compute() -> pd.DataFrame:
            rows = frame_from_records(self.records, self.reproductions)
            if not self.releases:
                return rows.assign(release=LIVE)
            return since_frame(rows, self.releases[-1])

        return self.cached("since", compute)

    def board(self, release: str | None = LATEST) -> pd.DataFrame:
        """``latest``: the default board (``frame``, rated together); a release name: that board as
        published (its frozen stars, each row's cohort in ``release``); ``since``; ``live``."""
        name = self.release_name(release)
        if name == SINCE:
            return self.since()
        if not self.releases or name == LATEST:
            return self.frame
        if name == LIVE:
            return self.cached(("board", LIVE), self._live_board)
        return self.cached(("board", name), lambda: view_of(self.releases, name))

    def _live_board(self) -> pd.DataFrame:
        since = frame_from_records(self.records, self.reproductions)
        rows = pd.concat([self.frame, since], ignore_index=True)
        rows["stars"] = star_ratings(rows)
        rows["rating_flag"] = rating_flags(rows)
        rows["release"] = LIVE
        return sort_rows(rows)

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def with_notice(self, notice: str | None) -> LeaderboardData:
        """The same data (same version, same caches) with another notice."""
        return replace(self, notice=notice, _cache=self._cache, _cache_lock=self._cache_lock)

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per version and key (views derived from this data)."""
        with self._cache_lock:
            if key in self._cache:
                return self._cache[key]
        value = compute()
        with self._cache_lock:
            return self._cache.setdefault(key, value)

    def task_frame(self, task: str, release: str | None = LATEST, configuration: str = "reference") -> pd.DataFrame:
        """The board rows of one task, in leaderboard order (rated first, least energy first), with
        their quality figure and whether they are on the energy–quality frontier (``QUALITY_COLUMNS``).

        ``release``: a release name, ``latest``, ``live`` or ``since``. ``configuration``: the reference
        board (the default; what releases hold and rate), a configuration key, or ``"all"``. Releases
        hold reference runs only, so other configurations always come from the live rows (unrated).
        """
        name = self.release_name(release)
        return self.cached(
            ("task_frame", task, name, configuration), lambda: self._task_board(task, name, configuration)
        )

    def best_quality(self) -> pd.DataFrame:
        """Each (model, task, effort)'s comparable figure on its task's declared benchmark."""
        return self.cached("best_quality", lambda: best_quality(self.quality))

    def verifications(self) -> dict[tuple, Verification]:
        """Every entry a reproduction on its GPU model verified (or disputed), by (model, task, run id)."""

        def compute() -> dict[tuple, Verification]:
            frames = [release.board for release in self.releases] + [self.since() if self.releases else self.frame]
            return verifications(pd.concat(frames, ignore_index=True), self.reproductions)

        return self.cached("verifications", compute)

    def _task_board(self, task: str, name: str, configuration: str) -> pd.DataFrame:
        declared = TASKS[task].quality
        rows = self._energy_board(task, name, configuration).copy()
        rows["rated_among"] = rated_among(rows, name, self.release_names[-1] if self.releases else "")
        rows = with_verification(rows, self.verifications())
        return with_quality(rows, self.best_quality(), declared.higher_is_better if declared else True)

    def _energy_board(self, task: str, name: str, configuration: str) -> pd.DataFrame:
        board = self.board(name)
        board = board[(board["task"] == task).to_numpy(dtype=bool)]
        reference = board[on_reference_board(board)]
        if configuration == "reference":
            return reference
        live = self.board(LIVE) if self.releases else self.frame
        live = live[((live["task"] == task) & live["comparable"]).to_numpy(dtype=bool)]
        if configuration == "all":
            others = live[~on_reference_board(live)]
            return sort_rows(pd.concat([reference, others], ignore_index=True)) if len(others) else reference
        return live[(live["configuration_key"] == configuration).to_numpy(dtype=bool)]

    def cohorts(self, task: str, release: str | None) -> list[str]:
        """The releases whose models the rated rows of ``task`` on release ``release`` (as published) were rated
        among, oldest first: more than one when a release kept an earlier release's rows and stars."""
        name = self.release_name(release)
        if name in (LATEST, LIVE, SINCE):
            return []
        rows = self.board(name)
        rated = rows[(rows["task"] == task).to_numpy() & rows["stars"].notna().to_numpy()]
        return sorted(set(rated["release"].astype(str)))

    def tasks_with_rows(self) -> list[str]:
        present = set(self.frame["task"])
        return [task for task in TASK_KEYS if task in present]

    def record(self, model_id: str, task: str, hardware: str | None = None) -> ResultRecord | None:
        """The kept record of ``model_id`` on ``task`` (on ``hardware`` if given)."""
        for record in self.records:
            if record.model_id == model_id and record.task == task:
                if hardware is None or record.hardware.label == hardware:
                    return record
        return None
