"""Quality beside energy on a board: each row's figure on its task's declared benchmark, and the
energy–quality frontier.

A board row (model, task, reasoning effort) gets one figure: of the comparable quality records on the
task's declared benchmark and metric, ours first (``measured``), then ``self-reported``, then
``published``; the latest of those. Its columns are ``QUALITY_COLUMNS``. Quality never moves a star:
it is joined onto rows already rated, and releases never hold it (a release freezes stars, and a
quality figure can arrive later).

The **frontier** of a board: on each hardware, the rows that no other row beats on both energy (GPU Wh
per 1,000 queries, lower is better) and quality (in the benchmark's direction) — beaten means at least
as good on both and strictly better on one, so ties count as not beaten. A row without a quality
figure, or without a usable energy (≤ 0, implausible), is never on it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from benchmark.quality.record import PROVENANCES, QualityRecord

QUALITY_COLUMNS = (
    "quality",
    "quality_metric",
    "quality_benchmark",
    "quality_source",
    "quality_provenance",
    "quality_higher_is_better",
    "on_frontier",
)
KEYS = ["model_id", "task", "reasoning_effort"]
_PROVENANCE_ORDER = {name: i for i, name in enumerate(PROVENANCES)}  # measured first
_UNDATED = datetime(1970, 1, 1, tzinfo=UTC)  # a figure whose source gives no date: after dated ones


def best_quality(records: tuple[QualityRecord, ...] | list[QualityRecord]) -> pd.DataFrame:
    """One row per (model, task, reasoning effort): its comparable figure on the declared benchmark."""
    rows = [
        (r.model_id, r.task, r.reasoning_effort, float(r.value), r.metric, r.benchmark, r.source, r.provenance,
         r.higher_is_better, _PROVENANCE_ORDER[r.provenance], r.created_at or _UNDATED, r.quality_id)
        for r in records
        if r.comparable
    ]
    columns = [*KEYS, "quality", "quality_metric", "quality_benchmark", "quality_source", "quality_provenance",
               "quality_higher_is_better", "_order", "_at", "_id"]
    table = pd.DataFrame.from_records(rows, columns=columns)
    if table.empty:
        return table.drop(columns=["_order", "_at", "_id"])
    table = table.sort_values(["_order", "_at", "_id"], ascending=[True, False, True], kind="stable")
    return table.drop_duplicates(KEYS).drop(columns=["_order", "_at", "_id"]).reset_index(drop=True)


def frontier_mask(
    energy: np.ndarray, quality: np.ndarray, higher_is_better: bool = True, positive_cost: bool = True
) -> np.ndarray:
    """Which points no other point beats on both (energy lower, quality better; ties do not beat): the
    one frontier rule of the app (the energy–latency trade-off uses it too, latency as the quality,
    lower is better).

    A non-finite coordinate (or, with ``positive_cost``, an energy ≤ 0): never on it and beating
    nobody. O(n log n): sort by energy; a point is on the frontier when its quality is the best at its
    energy and strictly better than the best at any lower energy.
    """
    energy = np.asarray(energy, dtype=float)
    quality = np.asarray(quality, dtype=float)
    oriented = quality if higher_is_better else -quality
    usable = np.isfinite(energy) & np.isfinite(oriented)
    if positive_cost:
        usable &= energy > 0
    on = np.zeros(len(energy), dtype=bool)
    if not usable.any():
        return on
    index = np.flatnonzero(usable)
    e, q = energy[index], oriented[index]
    levels, level_of = np.unique(e, return_inverse=True)  # energies ascending
    best_at_level = np.full(len(levels), -np.inf)
    np.maximum.at(best_at_level, level_of, q)
    best_below = np.concatenate([[-np.inf], np.maximum.accumulate(best_at_level)[:-1]])
    on[index] = (q == best_at_level[level_of]) & (q > best_below[level_of])
    return on


def with_quality(rows: pd.DataFrame, best: pd.DataFrame, higher_is_better: bool = True) -> pd.DataFrame:
    """``rows`` (one task's board) with ``QUALITY_COLUMNS``: the figure of each row and whether it is on
    its hardware's frontier (``higher_is_better``: the task's benchmark's direction). Same index and
    order as ``rows``."""
    out = rows.copy()
    if best.empty or out.empty:
        for column in QUALITY_COLUMNS:
            out[column] = np.nan if column == "quality" else (False if column == "on_frontier" else None)
        out["quality"] = out["quality"].astype(float)
        return out
    keyed = out[KEYS].astype({"reasoning_effort": str}).merge(best, how="left", on=KEYS)
    for column in QUALITY_COLUMNS[:-1]:
        values = keyed[column].to_numpy()
        out[column] = values.astype(float) if column == "quality" else pd.Series(values, index=out.index, dtype=object)
    out["quality_metric"] = out["quality_metric"].where(out["quality_metric"].notna(), None)
    on = np.zeros(len(out), dtype=bool)
    energy = out["gpu_wh_per_1k_queries"].to_numpy(dtype=float)
    if "energy_implausible" in out:
        energy = np.where(out["energy_implausible"].to_numpy(dtype=bool), np.nan, energy)
    quality = out["quality"].to_numpy(dtype=float)
    for _, positions in pd.Series(np.arange(len(out))).groupby(out["hardware"].to_numpy(), sort=False):
        where = positions.to_numpy()
        on[where] = frontier_mask(energy[where], quality[where], higher_is_better)
    out["on_frontier"] = on
    return out
