"""The columns of a task table, declared once: every list of headers, datatypes, widths, CSV columns
and API fields derives from ``TASK_COLUMNS``.

A column may apply to some tasks only (``tasks``), have a header of its task (``header_for``: the Quality
column names the task's benchmark, metric and direction), and be said once above the table instead of
on every row when all rows share its value (``said_once``: hardware, release).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from benchmark.configuration import REFERENCE_KEY, ZERO_SHOT_KEY
from benchmark.tasks import TASKS
from leaderboard.display.formats import escape_markdown, model_markdown, round_significant, source_markdown, stars_text
from leaderboard.display.strings import (
    CONFIGURATION_BADGE,
    FRONTIER_MARK,
    PROVENANCE_BADGES,
    QUALITY_HEADER,
    VERIFICATION_BADGES,
    ZERO_SHOT_BADGE,
)
from leaderboard.results.rating import run_warnings

UNKNOWN_SIZE = "unknown"
# Tasks that generate text (their score includes a decode phase): they count output tokens.
GENERATION_TASKS: frozenset[str] = frozenset(key for key, spec in TASKS.items() if "decode" in spec.inference_phases)
# Tasks whose models may be run at a reasoning effort level, each level its own row.
EFFORT_TASKS: frozenset[str] = frozenset(key for key, spec in TASKS.items() if spec.reasoning)
# Tasks with a declared quality benchmark: their tables show the figure and the frontier.
QUALITY_TASKS: frozenset[str] = frozenset(key for key, spec in TASKS.items() if spec.quality is not None)


def _date(rows: pd.DataFrame) -> pd.Series:
    return rows["created_at"].dt.strftime("%Y-%m-%d")


def _stars(rows: pd.DataFrame) -> list[str]:
    """★ (or why unrated), then any warning about the run (e.g. every query hit the token cap)."""
    warnings = run_warnings(rows)
    return [
        stars_text(s, f) + (f" ⚠ {w}" if w else "")
        for s, f, w in zip(rows["stars"], rows["rating_flag"], warnings, strict=True)
    ]


def model_cells(rows: pd.DataFrame) -> list[str]:
    """The model's link, marked when the row was not run in the task's reference configuration (zero-shot
    prompting gets its badge, any other configuration its key), when its figure is self-reported, and when
    a reproduction verified (or disputed) it."""
    links = [model_markdown(m, titled=True) for m in rows["model_id"]]
    if "configuration_key" not in rows:
        return links
    provenance = rows["provenance"] if "provenance" in rows else pd.Series("", index=rows.index)
    verification = rows["verification"] if "verification" in rows else pd.Series("", index=rows.index)
    cells = []
    for link, key, zero_shot, origin, checked in zip(links, rows["configuration_key"], rows["zero_shot"], provenance,
                                                      verification, strict=True):
        badges = [ZERO_SHOT_BADGE] if zero_shot else []
        if key != REFERENCE_KEY and key != ZERO_SHOT_KEY:
            badges.append(CONFIGURATION_BADGE.format(key=escape_markdown(key)))
        badges += [PROVENANCE_BADGES[x] for x in (origin,) if x in PROVENANCE_BADGES]
        badges += [VERIFICATION_BADGES[x] for x in (checked,) if x in VERIFICATION_BADGES]
        cells.append(" · ".join([link, *badges]))
    return cells


def stars_header(task: str) -> str:
    """"Stars in size class" where a task is rated by size class, else "Stars in task"."""
    return STARS_IN_CLASS if task in TASKS and TASKS[task].size_classes else STARS_IN_TASK


STARS_IN_TASK, STARS_IN_CLASS = "Stars in task", "Stars in size class"


def quality_header(task: str) -> str:
    """The Quality column's header on ``task``: its benchmark, metric, unit and direction."""
    declared = TASKS[task].quality if task in TASKS else None
    return declared.label if declared is not None else QUALITY_HEADER


@dataclass(frozen=True)
class Column:
    """A column of a task table.

    ``field`` is the raw column it shows (an API field); ``screen`` its on-screen values (links, ★,
    rounded numbers), ``plain`` its CSV values at full precision (default: the raw field).
    ``companions`` are (CSV header, raw field) pairs that follow it in the CSV and the API.
    ``tasks``: the tasks whose tables have the column (``None``: every task).
    """

    header: str
    datatype: str
    field: str
    width_px: int
    screen: Callable[[pd.DataFrame], Any]
    plain: Callable[[pd.DataFrame], Any] | None = None
    companions: tuple[tuple[str, str], ...] = ()
    tasks: frozenset[str] | None = None
    header_for: Callable[[str], str] | None = None
    said_once: bool = False
    # a number column's significant figures on screen (one precision per column, right-aligned)
    digits: int | None = None

    def applies_to(self, task: str) -> bool:
        return self.tasks is None or task in self.tasks

    def title(self, task: str | None) -> str:
        return self.header_for(task) if self.header_for is not None and task is not None else self.header

    def plain_values(self, rows: pd.DataFrame) -> Any:
        return self.plain(rows) if self.plain is not None else rows[self.field]


TASK_COLUMNS: tuple[Column, ...] = (
    Column("Model", "markdown", "model_id", 280, model_cells),
    # each effort level of a model is its own row: the model id stays a clean link, the level is here
    Column("Effort", "str", "reasoning_effort", 90, lambda r: r["reasoning_effort"].astype(str), tasks=EFFORT_TASKS),
    # the header names the group the stars are rated in
    Column("Stars", "str", "stars", 110, _stars, companions=(("Unrated because", "rating_flag"),),
           header_for=stars_header),
    Column(
        "GPU Wh / 1,000 queries", "number", "gpu_wh_per_1k_queries", 150,
        lambda r: round_significant(r["gpu_wh_per_1k_queries"]), digits=4,
    ),
    Column(
        "± Wh", "number", "gpu_wh_per_1k_queries_std", 80, lambda r: round_significant(r["gpu_wh_per_1k_queries_std"]),
        digits=2,
    ),
    Column(
        QUALITY_HEADER, "number", "quality", 240, lambda r: round_significant(r["quality"]),
        companions=(("Quality metric", "quality_metric"), ("Quality benchmark", "quality_benchmark"),
                    ("Quality source", "quality_source"), ("Quality provenance", "quality_provenance"),
                    ("On the energy–quality frontier", "on_frontier")),
        tasks=QUALITY_TASKS, header_for=quality_header, digits=4,
    ),
    Column(
        "Frontier", "str", "on_frontier", 80, lambda r: [FRONTIER_MARK if on else "" for on in r["on_frontier"]],
        tasks=QUALITY_TASKS,
    ),
    Column(
        "Output tokens / query", "number", "output_tokens_per_query", 100,
        lambda r: round_significant(r["output_tokens_per_query"]),
        companions=(("Every query at the cap", "output_all_at_cap"),), tasks=GENERATION_TASKS, digits=3,
    ),
    Column(
        "GPU Wh / 1,000 output tokens", "number", "gpu_wh_per_1k_output_tokens", 120,
        lambda r: round_significant(r["gpu_wh_per_1k_output_tokens"]), tasks=GENERATION_TASKS, digits=4,
    ),
    Column(
        "Params (B)", "number", "params", 90,
        lambda r: round_significant(r["params"] / 1e9), lambda r: r["params"] / 1e9, digits=3,
    ),
    Column("Size class", "str", "size_class", 80, lambda r: r["size_class"].fillna(UNKNOWN_SIZE).astype(str)),
    Column("Hardware", "str", "hardware", 180, lambda r: r["hardware"].astype(str), said_once=True),
    Column("Date", "str", "created_at", 110, _date, _date),
    # The board each row's stars belong to: a release name, "live" or "provisional (since NAME)".
    Column("Release", "str", "release", 110, lambda r: r["release"].astype(str), said_once=True),
    # among which models the row's stars were computed: the whole board by default, its cohort in a release
    Column("Stars rated among", "str", "rated_among", 200, lambda r: r["rated_among"].astype(str), said_once=True),
    Column("Source", "markdown", "source", 300, lambda r: [source_markdown(s) for s in r["source"]]),
)
ALWAYS_SHOWN = ("Model",)
CSV_CONFIGURATION = "Configuration"  # the CSV's column after the model on a board of every configuration

# API rows: every column's raw field, its companions after it, and the run that measured it.
API_FIELDS = tuple(
    dict.fromkeys(
        name for column in TASK_COLUMNS for name in (column.field, *(field for _, field in column.companions))
    )
) + ("run_id", "configuration_key", "zero_shot", "provenance", "verification")


def task_columns(task: str | None) -> tuple[Column, ...]:
    return TASK_COLUMNS if task is None else tuple(column for column in TASK_COLUMNS if column.applies_to(task))


def task_headers(task: str | None) -> list[str]:
    """The headers of ``task``'s table (every column's without one), in table order."""
    return [column.title(task) for column in task_columns(task)]


def column_by_header(task: str | None) -> dict[str, Column]:
    return {column.title(task): column for column in task_columns(task)}


def task_datatypes(task: str) -> list[str]:
    return [column.datatype for column in task_columns(task)]


def task_widths(task: str) -> list[str]:
    return [f"{column.width_px}px" for column in task_columns(task)]


def chosen_headers(columns: list[str] | None, task: str | None = None) -> list[str]:
    """The chosen columns of ``task``'s table (every column's without one) in table order; the model
    column is always shown."""
    headers = task_headers(task)
    chosen = set(columns or headers) | set(ALWAYS_SHOWN)
    return [header for header in headers if header in chosen]
