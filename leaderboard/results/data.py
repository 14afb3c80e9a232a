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

import numpy as np
import pandas as pd

from benchmark.record import ResultRecord
from benchmark.tasks import TASK_KEYS
from leaderboard.results.loader import LoadResult
from leaderboard.results.plausibility import implausible_energy_reason
from leaderboard.results.rating import rating_flags, size_classes, star_ratings

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "data"

FRAME_COLUMNS = (
    "model_id",
    "task",
    "gpu_wh_per_1k_queries",
    "gpu_wh_per_1k_queries_std",
    "params",
    "size_class",
    "hardware",
    "device",
    "created_at",
    "source",
    "run_id",
    "n_repeats",
    "energy_implausible",
    "stars",
    "rating_flag",
)

T = TypeVar("T")


def frame_from_records(records: tuple[ResultRecord, ...] | list[ResultRecord]) -> pd.DataFrame:
    """One row per record with its stars, sorted per task: rated first, least energy first.

    The spread over repeats is the records' standard deviation where there were at least two
    repeats, and missing otherwise (a single or a published figure has no known spread).
    """
    rows = [
        (
            r.model_id,
            r.task,
            r.gpu_wh_per_1k_queries,
            r.gpu_wh_per_1k_queries_std if len(r.repeats) > 1 else np.nan,
            float(r.params) if r.params is not None else np.nan,
            r.hardware.label,
            r.hardware.device,
            r.created_at,
            r.source,
            r.run_id,
            len(r.repeats),
            implausible_energy_reason(r) is not None,
        )
        for r in records
    ]
    names = [c for c in FRAME_COLUMNS if c not in ("size_class", "stars", "rating_flag")]
    frame = pd.DataFrame.from_records(rows, columns=names)
    frame = frame.astype(
        {"gpu_wh_per_1k_queries": float, "gpu_wh_per_1k_queries_std": float, "params": float, "n_repeats": int,
         "energy_implausible": bool}
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["size_class"] = size_classes(frame["params"])
    frame["stars"] = star_ratings(frame)
    frame["rating_flag"] = rating_flags(frame)
    task_order = pd.Categorical(frame["task"], categories=TASK_KEYS).codes
    frame = (
        frame.assign(_task=task_order, _unrated=frame["stars"].isna())
        .sort_values(["_task", "_unrated", "gpu_wh_per_1k_queries", "model_id"], kind="stable")
        .drop(columns=["_task", "_unrated"])
        .reset_index(drop=True)
    )
    return frame[list(FRAME_COLUMNS)]


@dataclass(frozen=True, eq=False)
class LeaderboardData:
    """One loaded version of the results: records, the rated frame, and what was dropped."""

    records: tuple[ResultRecord, ...]
    frame: pd.DataFrame
    source: str
    dropped: Counter[str]
    version: int = 0
    notice: str | None = None
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_load(cls, result: LoadResult, version: int = 0, notice: str | None = None) -> LeaderboardData:
        return cls(
            records=result.records,
            frame=frame_from_records(result.records),
            source=result.source,
            dropped=Counter(result.dropped),
            version=version,
            notice=notice,
        )

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

    def task_frame(self, task: str) -> pd.DataFrame:
        """The rows of one task, in leaderboard order (rated first, least energy first)."""
        return self.cached(("task_frame", task), lambda: self.frame[self.frame["task"] == task])

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
