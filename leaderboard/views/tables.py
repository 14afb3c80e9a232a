"""The leaderboard tables: which rows a view shows, and how they look on screen, in CSV and in the API.

Filtering happens on the raw rated frame (``LeaderboardData.frame``); the on-screen table is a
formatted copy computed once per task and version and indexed like the raw rows, so a filter is a
boolean mask and a column choice a selection — no per-request formatting.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from benchmark.configuration import REFERENCE_KEY
from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.display.formats import (
    escape_markdown,
    format_ratio,
    model_markdown,
    round_significant,
    source_markdown,
    stars_text,
)
from leaderboard.display.strings import CONFIGURATION_BADGE, ZERO_SHOT_BADGE
from leaderboard.results.data import LeaderboardData
from leaderboard.results.rating import run_warnings
from leaderboard.views.summary import summarize
from leaderboard.views.what_helps import ZERO_SHOT_KEY

UNKNOWN_SIZE = "unknown"
# Tasks that generate text (their score includes a decode phase): they count output tokens.
GENERATION_TASKS: frozenset[str] = frozenset(key for key, spec in TASKS.items() if "decode" in spec.inference_phases)
# Tasks whose models may be run at a reasoning effort level, each level its own row.
EFFORT_TASKS: frozenset[str] = frozenset(key for key, spec in TASKS.items() if spec.reasoning)


def _date(rows: pd.DataFrame) -> pd.Series:
    return rows["created_at"].dt.strftime("%Y-%m-%d")


def _stars(rows: pd.DataFrame) -> list[str]:
    """★ (or why unrated), then any warning about the run (e.g. every query hit the token cap)."""
    warnings = run_warnings(rows)
    return [
        stars_text(s, f) + (f" ⚠ {w}" if w else "")
        for s, f, w in zip(rows["stars"], rows["rating_flag"], warnings, strict=True)
    ]


@dataclass(frozen=True)
class Column:
    """A column of a task table, declared once: every list of headers, datatypes, widths, CSV
    columns and API fields derives from ``TASK_COLUMNS``.

    ``field`` is the raw column it shows (an API field); ``screen`` its on-screen values (links, ★,
    rounded numbers), ``plain`` its CSV values at full precision (default: the raw field).
    ``companion`` is a (CSV header, raw field) pair that follows it in the CSV and the API.
    ``tasks``: the tasks whose tables have the column (``None``: every task).
    """

    header: str
    datatype: str
    field: str
    width_px: int
    screen: Callable[[pd.DataFrame], Any]
    plain: Callable[[pd.DataFrame], Any] | None = None
    companion: tuple[str, str] | None = None
    tasks: frozenset[str] | None = None

    def applies_to(self, task: str) -> bool:
        return self.tasks is None or task in self.tasks

    def plain_values(self, rows: pd.DataFrame) -> Any:
        return self.plain(rows) if self.plain is not None else rows[self.field]


def model_cells(rows: pd.DataFrame) -> list[str]:
    """The model's link, marked when the row was not run in the task's reference configuration:
    zero-shot prompting gets its badge, any other configuration its key (boards of every configuration)."""
    links = [model_markdown(m) for m in rows["model_id"]]
    if "configuration_key" not in rows:
        return links
    cells = []
    for link, key, zero_shot in zip(links, rows["configuration_key"], rows["zero_shot"], strict=True):
        badges = [ZERO_SHOT_BADGE] if zero_shot else []
        if key != REFERENCE_KEY and key != ZERO_SHOT_KEY:
            badges.append(CONFIGURATION_BADGE.format(key=escape_markdown(key)))
        cells.append(" · ".join([link, *badges]))
    return cells


TASK_COLUMNS: tuple[Column, ...] = (
    Column("Model", "markdown", "model_id", 280, model_cells),
    # each effort level of a model is its own row: the model id stays a clean link, the level is here
    Column("Effort", "str", "reasoning_effort", 80, lambda r: r["reasoning_effort"].astype(str), tasks=EFFORT_TASKS),
    Column("Stars", "str", "stars", 100, _stars, companion=("Unrated because", "rating_flag")),
    Column(
        "GPU Wh / 1,000 queries", "number", "gpu_wh_per_1k_queries", 120,
        lambda r: round_significant(r["gpu_wh_per_1k_queries"]),
    ),
    Column(
        "± Wh", "number", "gpu_wh_per_1k_queries_std", 80, lambda r: round_significant(r["gpu_wh_per_1k_queries_std"])
    ),
    Column(
        "Output tokens / query", "number", "output_tokens_per_query", 100,
        lambda r: round_significant(r["output_tokens_per_query"]),
        companion=("Every query at the cap", "output_all_at_cap"), tasks=GENERATION_TASKS,
    ),
    Column(
        "GPU Wh / 1,000 output tokens", "number", "gpu_wh_per_1k_output_tokens", 120,
        lambda r: round_significant(r["gpu_wh_per_1k_output_tokens"]), tasks=GENERATION_TASKS,
    ),
    Column(
        "Params (B)", "number", "params", 90,
        lambda r: round_significant(r["params"] / 1e9), lambda r: r["params"] / 1e9,
    ),
    Column("Size class", "str", "size_class", 80, lambda r: r["size_class"].fillna(UNKNOWN_SIZE).astype(str)),
    Column("Hardware", "str", "hardware", 180, lambda r: r["hardware"].astype(str)),
    Column("Date", "str", "created_at", 110, _date, _date),
    # The board each row's stars belong to: a release name, "live" or "provisional (since NAME)".
    Column("Release", "str", "release", 110, lambda r: r["release"].astype(str)),
    Column("Source", "markdown", "source", 300, lambda r: [source_markdown(s) for s in r["source"]]),
)
COLUMN_BY_HEADER = {column.header: column for column in TASK_COLUMNS}
ALL_HEADERS = [column.header for column in TASK_COLUMNS]
DATATYPES = [column.datatype for column in TASK_COLUMNS]
COLUMN_WIDTHS = [f"{column.width_px}px" for column in TASK_COLUMNS]
ALWAYS_SHOWN = ("Model",)
CSV_CONFIGURATION = "Configuration"  # the CSV's column after the model on a board of every configuration


def task_columns(task: str) -> tuple[Column, ...]:
    return tuple(column for column in TASK_COLUMNS if column.applies_to(task))


def task_headers(task: str) -> list[str]:
    """The headers of ``task``'s table, in table order."""
    return [column.header for column in task_columns(task)]


def task_datatypes(task: str) -> list[str]:
    return [column.datatype for column in task_columns(task)]


def task_widths(task: str) -> list[str]:
    return [f"{column.width_px}px" for column in task_columns(task)]


# API rows: every column's raw field, its companion after it, and the run that measured it.
API_FIELDS = tuple(
    name for column in TASK_COLUMNS for name in (column.field, *(column.companion[1:] if column.companion else ()))
) + ("run_id", "configuration_key", "zero_shot")


def display_frame(rows: pd.DataFrame, task: str | None = None) -> pd.DataFrame:
    """The on-screen version of rated rows (of ``task``'s columns; all without one): links, ★,
    rounded numbers; same index as ``rows``."""
    columns = task_columns(task) if task is not None else TASK_COLUMNS
    return pd.DataFrame({column.header: column.screen(rows) for column in columns}, index=rows.index)


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


def chosen_headers(columns: list[str] | None, task: str | None = None) -> list[str]:
    """The chosen columns of ``task``'s table (every column's without one) in table order; the model
    column is always shown."""
    headers = task_headers(task) if task is not None else ALL_HEADERS
    chosen = set(columns or headers) | set(ALWAYS_SHOWN)
    return [header for header in headers if header in chosen]


@dataclass(frozen=True)
class TaskView:
    """What a task tab shows for one set of filters: raw rows and their on-screen table."""

    task: str
    rows: pd.DataFrame
    table: pd.DataFrame
    headers: list[str]
    release: str = "latest"  # the board shown: a release name, "live" or "since"
    configuration: str = REFERENCE_KEY  # the reference runs (rated), or "all" run configurations

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
    release: str = "latest",
    configuration: str = REFERENCE_KEY,
) -> TaskView:
    name = data.release_name(release)
    rows = data.task_frame(task, name, configuration)
    mask = filter_mask(rows, query, hardware, sizes)
    headers = chosen_headers(columns, task)
    table = task_display(data, task, name, configuration).loc[mask.to_numpy(), headers]
    return TaskView(task, rows[mask.to_numpy()], table, headers, name, configuration)


def csv_frame(view: TaskView) -> pd.DataFrame:
    """The shown table for download: same rows and columns, plain values at full precision (and each
    shown column's companion after it, e.g. why a row is unrated)."""
    frame = pd.DataFrame(index=view.rows.index)
    for header in view.headers:
        column = COLUMN_BY_HEADER[header]
        frame[header] = column.plain_values(view.rows)
        if column.companion:
            companion_header, companion_field = column.companion
            frame[companion_header] = view.rows[companion_field]
    if view.configuration != REFERENCE_KEY:  # a board of other configurations says which each row is
        frame.insert(1, CSV_CONFIGURATION, view.rows["configuration_key"])
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


def api_rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for API clients, in leaderboard order: plain JSON values, ISO dates, stars as ints."""
    out = rows[list(API_FIELDS)].copy()
    out["created_at"] = out["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["params"] = out["params"].astype("Int64")
    out["warning"] = run_warnings(rows)
    records = out.astype(object).to_dict(orient="records")
    return [{key: _plain(value) for key, value in record.items()} for record in records]


# The overview table's columns: (header, Gradio datatype), declared once.
OVERVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Task", "str"),
    ("Hardware", "str"),
    ("Models", "number"),
    ("Measured", "number"),
    ("Mean GPU Wh / 1k", "number"),
    ("Median", "number"),
    ("Std", "number"),
    ("Most efficient", "markdown"),
    ("Least efficient", "markdown"),
    ("Spread (max / min)", "str"),
)
OVERVIEW_HEADERS = [header for header, _ in OVERVIEW_COLUMNS]
OVERVIEW_DATATYPES = [datatype for _, datatype in OVERVIEW_COLUMNS]


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
