"""The leaderboard tables: which rows a view shows, and how they look on screen, in CSV and in the API.

Filtering happens on the raw rated frame (``LeaderboardData.frame``); the on-screen table is a
formatted copy computed once per task and version and indexed like the raw rows, so a filter is a
boolean mask and a column choice a selection — no per-request formatting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from benchmark.configuration import REFERENCE_KEY
from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.display.formats import format_ratio, format_significant, model_markdown
from leaderboard.display.strings import NO_RESULTS_YET, PROVENANCE_BADGES
from leaderboard.results.data import LeaderboardData
from leaderboard.results.rating import run_warnings
from leaderboard.views.columns import (
    API_FIELDS,
    CSV_CONFIGURATION,
    STARS_IN_CLASS,
    STARS_IN_TASK,
    UNKNOWN_SIZE,
    chosen_headers,
    column_by_header,
    task_columns,
)
from leaderboard.views.summary import summarize
from leaderboard.views.values import json_value


def display_frame(rows: pd.DataFrame, task: str | None = None) -> pd.DataFrame:
    """The on-screen version of rated rows (of ``task``'s columns; all without one): links, ★,
    rounded numbers; same index as ``rows``."""
    return pd.DataFrame({column.title(task): column.screen(rows) for column in task_columns(task)}, index=rows.index)


def task_display(
    data: LeaderboardData, task: str, release: str = "latest", configuration: str = REFERENCE_KEY
) -> pd.DataFrame:
    """All rows of ``task`` on ``release``'s board (of ``configuration``: the reference, a key or
    "all") formatted for the screen (once per data version)."""
    name = data.release_name(release)
    return data.cached(
        ("display", task, name, configuration),
        lambda: display_frame(data.task_frame(task, name, configuration), task),
    )


def quality_mask(rows: pd.DataFrame, task: str, min_quality: float | None) -> np.ndarray:
    """Rows whose quality is at least ``min_quality`` in the task's benchmark's direction (a WER of
    at most it); a row without a figure does not meet a limit. No limit (``None``) keeps every row."""
    if min_quality is None or (isinstance(min_quality, float) and math.isnan(min_quality)):
        return np.ones(len(rows), dtype=bool)
    quality = rows["quality"].to_numpy(dtype=float) if "quality" in rows else np.full(len(rows), np.nan)
    declared = TASKS[task].quality
    with np.errstate(invalid="ignore"):
        meets = quality >= min_quality if declared is None or declared.higher_is_better else quality <= min_quality
    return meets & np.isfinite(quality)


def filter_mask(
    rows: pd.DataFrame, query: str = "", hardware: list[str] | None = None, sizes: list[str] | None = None,
    min_quality: float | None = None, task: str | None = None,
) -> pd.Series:
    """Rows whose model id contains every ``;``-separated term of ``query`` (any case), on one of
    ``hardware``, of one of ``sizes`` ("A", "B", "C", "unknown") and of quality at least ``min_quality``
    (``quality_mask``; needs ``task``). Empty filters keep all."""
    mask = pd.Series(True, index=rows.index)
    if min_quality is not None and task is not None:
        mask &= quality_mask(rows, task, min_quality)
    terms = [term.strip().lower() for term in (query or "").split(";") if term.strip()]
    if terms:
        ids = rows["model_id"].str.lower()
        mask &= pd.concat([ids.str.contains(term, regex=False) for term in terms], axis=1).any(axis=1)
    if hardware:
        mask &= rows["hardware"].isin(hardware)
    if sizes:
        mask &= rows["size_class"].fillna(UNKNOWN_SIZE).isin(sizes)
    return mask


@dataclass(frozen=True)
class TaskView:
    """What a task tab shows for one set of filters: raw rows and their on-screen table."""

    task: str
    rows: pd.DataFrame
    table: pd.DataFrame
    headers: list[str]
    release: str = "latest"  # the board shown: a release name, "live" or "since"
    configuration: str = REFERENCE_KEY  # the reference runs (rated), or "all" run configurations
    # columns whose value every shown row shares (hardware, release): said once above the table
    common: tuple[tuple[str, str], ...] = ()
    csv_headers: tuple[str, ...] = ()  # what the CSV holds: every chosen column, the common ones too

    @property
    def datatypes(self) -> list[str]:
        columns = column_by_header(self.task)
        return [columns[header].datatype for header in self.headers]

    @property
    def column_widths(self) -> list[str]:
        columns = column_by_header(self.task)
        return [f"{columns[header].width_px}px" for header in self.headers]

    @property
    def styled(self) -> Any:
        """The table as the screen shows it: each number column at its own significant figures, thousands
        separated, never in scientific notation, right-aligned; the values underneath stay numbers, so a
        column still sorts by value."""
        columns = column_by_header(self.task)
        digits = {header: columns[header].digits for header in self.headers if columns[header].digits}
        return number_styler(self.table, digits)


def number_styler(table: pd.DataFrame, digits: dict[str, int]) -> Any:
    """``table`` as a pandas Styler whose ``digits`` columns show ``format_significant`` text, right-aligned."""
    shown = [header for header in digits if header in table]
    formats = {header: (lambda places: lambda v: format_significant(v, places, missing=""))(digits[header])
               for header in shown}
    return table.style.format(formats).set_properties(subset=shown, **{"text-align": "right"})


def _has_values(column: pd.Series) -> bool:
    """Whether any shown row has a value in this on-screen column (not NaN, not blank)."""
    if column.dtype.kind in "fc":
        return bool(column.notna().any())
    return bool(column.astype(str).str.strip().replace({"nan": "", "None": "", "<NA>": ""}).ne("").any())


def task_view(
    data: LeaderboardData,
    task: str,
    query: str = "",
    hardware: list[str] | None = None,
    sizes: list[str] | None = None,
    columns: list[str] | None = None,
    release: str = "latest",
    configuration: str = REFERENCE_KEY,
    min_quality: float | None = None,
) -> TaskView:
    name = data.release_name(release)
    rows = data.task_frame(task, name, configuration)
    mask = filter_mask(rows, query, hardware, sizes, min_quality, task).to_numpy()
    chosen = chosen_headers(columns, task)
    display = task_display(data, task, name, configuration).loc[mask]
    common = said_once(display, task)
    # a column no shown row has a value in says nothing: it comes back when the data has one
    headers = [header for header in chosen
               if header not in dict(common) and (header in KEPT_COLUMNS or _has_values(display[header]))]
    return TaskView(task, rows[mask], display[headers], headers, name, configuration, common, tuple(chosen))


def said_once(display: pd.DataFrame, task: str) -> tuple[tuple[str, str], ...]:
    """The ``said_once`` columns (hardware, release) whose on-screen value is the same on every shown
    row, with that value: a column repeating one value on every row says nothing a line cannot."""
    if display.empty:
        return ()
    common = []
    for header, column in column_by_header(task).items():
        if column.said_once and header in display and display[header].nunique(dropna=False) == 1:
            common.append((header, str(display[header].iloc[0])))
    return tuple(common)


def csv_frame(view: TaskView) -> pd.DataFrame:
    """The shown table for download: same rows and columns, plain values at full precision (and each
    shown column's companions after it, e.g. why a row is unrated, the quality figure's source)."""
    frame = pd.DataFrame(index=view.rows.index)
    columns = column_by_header(view.task)
    for header in view.csv_headers or view.headers:
        column = columns[header]
        frame[header] = column.plain_values(view.rows)
        for companion_header, companion_field in column.companions:
            frame[companion_header] = view.rows[companion_field]
    if view.configuration != REFERENCE_KEY:  # a board of other configurations says which each row is
        frame.insert(1, CSV_CONFIGURATION, view.rows["configuration_key"])
    # who stands behind each figure, and whether a reproduction verified it: always in a download
    for header, field in (("Provenance", "provenance"), ("Verification", "verification")):
        if field in view.rows and header not in frame:
            frame[header] = view.rows[field].fillna("").astype(str)
    return frame


def api_rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for API clients, in leaderboard order: plain JSON values, ISO dates, stars as ints."""
    out = rows[list(API_FIELDS)].copy()
    out["created_at"] = out["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["params"] = out["params"].astype("Int64")
    out["warning"] = run_warnings(rows)
    records = out.astype(object).to_dict(orient="records")
    return [{key: json_value(value) for key, value in record.items()} for record in records]


def frontier_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of a board on its energy–quality frontier, least energy first."""
    on = rows[rows["on_frontier"].to_numpy(dtype=bool)] if "on_frontier" in rows else rows.iloc[0:0]
    return on.sort_values(["gpu_wh_per_1k_queries", "model_id"], kind="stable")


# shown even where empty: the row's name, and its stars or why it is unrated
KEPT_COLUMNS = ("Model", "Stars", STARS_IN_TASK, STARS_IN_CLASS)

# The overview table's columns: (header, Gradio datatype), declared once.
OVERVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Task", "str"),
    ("Hardware", "str"),
    ("Models", "number"),
    ("Measured", "number"),
    ("With quality", "number"),
    ("Mean GPU Wh / 1k", "number"),
    ("Median", "number"),
    ("Std", "number"),
    ("Most efficient", "markdown"),
    ("Least efficient", "markdown"),
    ("Spread (max / min)", "str"),
)
OVERVIEW_HEADERS = [header for header, _ in OVERVIEW_COLUMNS]
# the overview's number columns and their significant figures on screen (counts are whole numbers)
OVERVIEW_DIGITS = {"Models": 1, "Measured": 1, "With quality": 1, "Mean GPU Wh / 1k": 4, "Median": 4, "Std": 4}
OVERVIEW_DATATYPES = [datatype for _, datatype in OVERVIEW_COLUMNS]


def overview_rows(data: LeaderboardData) -> list[dict[str, Any]]:
    """One summary per task and hardware (tasks without results get one empty row)."""
    out: list[dict[str, Any]] = []
    for task in TASK_KEYS:
        rows = data.task_frame(task)
        groups = list(rows.groupby("hardware", sort=True)) if len(rows) else [("", rows)]
        for hardware, group in groups:
            summary = summarize(group)
            n_quality = int(group["quality"].notna().sum()) if "quality" in group else 0
            out.append({"task": task, "task_name": TASKS[task].display_name, "hardware": hardware,
                        **summary.as_dict(), "n_with_quality": n_quality,
                        "quality_benchmark": TASKS[task].quality.key if TASKS[task].quality else None})
    return out


def overview_frame(data: LeaderboardData) -> pd.DataFrame:
    """The overview table for the screen."""

    def link(model_id: str | None, provenance: str | None = None) -> str:
        badge = PROVENANCE_BADGES.get(provenance or "")
        return (model_markdown(model_id) + (f" · {badge}" if badge else "")) if model_id else "–"

    def number(value: float | None) -> float | None:
        return None if value is None else float(f"{value:.4g}")

    rows = overview_rows(data)
    return pd.DataFrame(
        [
            [
                row["task_name"],
                row["hardware"] or NO_RESULTS_YET,
                row["n_models"],
                row["n_measured"],
                row["n_with_quality"],
                number(row["mean_wh"]),
                number(row["median_wh"]),
                number(row["std_wh"]),
                link(row["most_efficient"], row["most_efficient_provenance"]),
                link(row["least_efficient"], row["least_efficient_provenance"]),
                format_ratio(row["spread_ratio"]) if row["n_measured"] > 1 else "–",
            ]
            for row in rows
        ],
        columns=OVERVIEW_HEADERS,
    )
