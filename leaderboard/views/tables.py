"""The leaderboard tables: which rows a view shows, and how they look on screen, in CSV and in the API.

Filtering happens on the raw rated frame (``LeaderboardData.frame``); the on-screen table is a
formatted copy computed once per task and version and indexed like the raw rows, so a filter is a
boolean mask and a column choice a selection — no per-request formatting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.display.formats import format_ratio, model_markdown, round_significant, source_markdown, stars_text
from leaderboard.results.data import LeaderboardData
from leaderboard.views.summary import summarize

UNKNOWN_SIZE = "unknown"


@dataclass(frozen=True)
class Column:
    """A column of a task table: header, Gradio datatype, the raw field it shows, screen width."""

    header: str
    datatype: str
    field: str
    width_px: int


TASK_COLUMNS: tuple[Column, ...] = (
    Column("Model", "markdown", "model_id", 280),
    Column("Stars", "str", "stars", 100),
    Column("GPU Wh / 1,000 queries", "number", "gpu_wh_per_1k_queries", 120),
    Column("± Wh", "number", "gpu_wh_per_1k_queries_std", 80),
    Column("Params (B)", "number", "params", 90),
    Column("Size class", "str", "size_class", 80),
    Column("Hardware", "str", "hardware", 180),
    Column("Date", "str", "created_at", 110),
    Column("Source", "markdown", "source", 300),
)
COLUMN_BY_HEADER = {column.header: column for column in TASK_COLUMNS}
ALL_HEADERS = [column.header for column in TASK_COLUMNS]
ALWAYS_SHOWN = ("Model",)
ENERGY_HEADER = "GPU Wh / 1,000 queries"


def display_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The on-screen version of rated rows: links, ★, rounded numbers; same index as ``rows``."""
    return pd.DataFrame(
        {
            "Model": [model_markdown(m) for m in rows["model_id"]],
            "Stars": [stars_text(s, f) for s, f in zip(rows["stars"], rows["rating_flag"], strict=True)],
            "GPU Wh / 1,000 queries": round_significant(rows["gpu_wh_per_1k_queries"]),
            "± Wh": round_significant(rows["gpu_wh_per_1k_queries_std"]),
            "Params (B)": round_significant(rows["params"] / 1e9),
            "Size class": rows["size_class"].fillna(UNKNOWN_SIZE).astype(str),
            "Hardware": rows["hardware"].astype(str),
            "Date": rows["created_at"].dt.strftime("%Y-%m-%d"),
            "Source": [source_markdown(s) for s in rows["source"]],
        },
        index=rows.index,
    )


def task_display(data: LeaderboardData, task: str) -> pd.DataFrame:
    """All rows of ``task`` formatted for the screen (once per data version)."""
    return data.cached(("display", task), lambda: display_frame(data.task_frame(task)))


def filter_mask(
    rows: pd.DataFrame, query: str = "", hardware: list[str] | None = None, sizes: list[str] | None = None
) -> pd.Series:
    """Rows whose model id contains every ``;``-separated term of ``query`` (any case), on one of
    ``hardware`` and of one of ``sizes`` ("A", "B", "C", "unknown"). Empty filters keep all."""
    mask = pd.Series(True, index=rows.index)
    terms = [term.strip().lower() for term in (query or "").split(";") if term.strip()]
    if terms:
        ids = rows["model_id"].str.lower()
        mask &= pd.concat([ids.str.contains(term, regex=False) for term in terms], axis=1).any(axis=1)
    if hardware:
        mask &= rows["hardware"].isin(hardware)
    if sizes:
        mask &= rows["size_class"].fillna(UNKNOWN_SIZE).isin(sizes)
    return mask


def chosen_headers(columns: list[str] | None) -> list[str]:
    """The chosen columns in table order; the model column is always shown."""
    chosen = set(columns or ALL_HEADERS) | set(ALWAYS_SHOWN)
    return [header for header in ALL_HEADERS if header in chosen]


@dataclass(frozen=True)
class TaskView:
    """What a task tab shows for one set of filters: raw rows and their on-screen table."""

    task: str
    rows: pd.DataFrame
    table: pd.DataFrame
    headers: list[str]

    @property
    def datatypes(self) -> list[str]:
        return [COLUMN_BY_HEADER[header].datatype for header in self.headers]

    @property
    def column_widths(self) -> list[str]:
        return [f"{COLUMN_BY_HEADER[header].width_px}px" for header in self.headers]


def task_view(
    data: LeaderboardData,
    task: str,
    query: str = "",
    hardware: list[str] | None = None,
    sizes: list[str] | None = None,
    columns: list[str] | None = None,
) -> TaskView:
    rows = data.task_frame(task)
    mask = filter_mask(rows, query, hardware, sizes)
    headers = chosen_headers(columns)
    table = task_display(data, task).loc[mask.to_numpy(), headers]
    return TaskView(task, rows[mask.to_numpy()], table, headers)


def csv_frame(view: TaskView) -> pd.DataFrame:
    """The shown table for download: same rows and columns, plain values at full precision."""
    plain = {
        "Model": view.rows["model_id"],
        "Stars": view.rows["stars"],
        "GPU Wh / 1,000 queries": view.rows["gpu_wh_per_1k_queries"],
        "± Wh": view.rows["gpu_wh_per_1k_queries_std"],
        "Params (B)": view.rows["params"] / 1e9,
        "Size class": view.rows["size_class"],
        "Hardware": view.rows["hardware"],
        "Date": view.rows["created_at"].dt.strftime("%Y-%m-%d"),
        "Source": view.rows["source"],
    }
    frame = pd.DataFrame({header: plain[header] for header in view.headers})
    if "Stars" in frame:
        frame.insert(frame.columns.get_loc("Stars") + 1, "Unrated because", view.rows["rating_flag"])
    return frame


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: NaN/NA → None, numpy → Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


API_FIELDS = (
    "model_id",
    "stars",
    "rating_flag",
    "gpu_wh_per_1k_queries",
    "gpu_wh_per_1k_queries_std",
    "params",
    "size_class",
    "hardware",
    "created_at",
    "source",
    "run_id",
)


def api_rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for API clients, in leaderboard order: plain JSON values, ISO dates, stars as ints."""
    out = rows[list(API_FIELDS)].copy()
    out["created_at"] = out["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["params"] = out["params"].astype("Int64")
    records = out.astype(object).to_dict(orient="records")
    return [{key: _plain(value) for key, value in record.items()} for record in records]


OVERVIEW_HEADERS = [
    "Task",
    "Hardware",
    "Models",
    "Measured",
    "Mean GPU Wh / 1k",
    "Median",
    "Std",
    "Most efficient",
    "Least efficient",
    "Spread (max / min)",
]
OVERVIEW_DATATYPES = ["str", "str", "number", "number", "number", "number", "number", "markdown", "markdown", "str"]


def overview_rows(data: LeaderboardData) -> list[dict[str, Any]]:
    """One summary per task and hardware (tasks without results get one empty row)."""
    out: list[dict[str, Any]] = []
    for task in TASK_KEYS:
        rows = data.task_frame(task)
        groups = list(rows.groupby("hardware", sort=True)) if len(rows) else [("", rows)]
        for hardware, group in groups:
            summary = summarize(group)
            out.append({"task": task, "task_name": TASKS[task].display_name, "hardware": hardware, **summary.as_dict()})
    return out


def overview_frame(data: LeaderboardData) -> pd.DataFrame:
    """The overview table for the screen."""

    def link(model_id: str | None) -> str:
        return model_markdown(model_id) if model_id else "–"

    def number(value: float | None) -> float | None:
        return None if value is None else float(f"{value:.4g}")

    rows = overview_rows(data)
    return pd.DataFrame(
        [
            [
                row["task_name"],
                row["hardware"] or "no results yet",
                row["n_models"],
                row["n_measured"],
                number(row["mean_wh"]),
                number(row["median_wh"]),
                number(row["std_wh"]),
                link(row["most_efficient"]),
                link(row["least_efficient"]),
                format_ratio(row["spread_ratio"]) if row["n_measured"] > 1 else "–",
            ]
            for row in rows
        ],
        columns=OVERVIEW_HEADERS,
    )
