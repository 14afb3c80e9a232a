"""What each view shows for the current data: pure functions from ``LeaderboardData`` (and the
user's filters) to values for Gradio components. Layout and event wiring live in ``tabs.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from benchmark.tasks import TASKS
from leaderboard.display.downloads import download_file
from leaderboard.display.formats import escape_markdown
from leaderboard.display.strings import (
    COHORTS_NOTE,
    COMMON_LINE,
    EMPTY_TASK,
    NO_MATCH,
    NO_QUALITY_BENCHMARK,
    NO_RESULTS_YET,
    PROVISIONAL_NOTE,
    QUALITY_LINE,
    RELEASE_LINE,
    SINCE_LINE,
)
from leaderboard.results.data import LeaderboardData
from leaderboard.results.releases import SINCE
from leaderboard.views.summary import summarize, summary_markdown
from leaderboard.views.tables import TaskView, csv_frame, overview_frame, overview_rows

if TYPE_CHECKING:
    import plotly.graph_objects as go

def status_markdown(data: LeaderboardData) -> str:
    """The data line at the top of the page: source, size, drops, and any notice."""
    lines = []
    if data.notice:
        lines.append(f"⚠ **{escape_markdown(data.notice)}**")
    text = (
        f"Data: {escape_markdown(data.source)} · {data.n_results} results · "
        f"loaded {data.loaded_at:%Y-%m-%d %H:%M} UTC"
    )
    if data.releases:
        latest = data.release_names[-1]
        text += " · " + RELEASE_LINE.format(release=latest)
        if data.records:
            text += SINCE_LINE.format(n_since=len(data.records), s="s" if len(data.records) != 1 else "",
                                      release=latest)
    if data.dropped_total:
        reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(data.dropped.items()))
        text += f" · **{data.dropped_total} dropped** ({reasons})"
    lines.append(text)
    return "  \n".join(lines)


def _write_csv(frame: pd.DataFrame, name: str) -> str:
    """``frame`` as a CSV file named ``name`` (same content → same file, written atomically)."""
    return download_file("csv", name, frame.to_csv(index=False).encode("utf-8"))


def common_markdown(view: TaskView) -> str:
    """The values every shown row shares (hardware, release), said once above the table."""
    if not view.common:
        return ""
    parts = " · ".join(f"**{escape_markdown(header)}** {escape_markdown(value)}" for header, value in view.common)
    return COMMON_LINE.format(parts=parts)


def task_csv(view: TaskView) -> str:
    return _write_csv(csv_frame(view), f"green-ai-leaderboard-{view.task}.csv")


def overview_csv(data: LeaderboardData) -> str:
    return _write_csv(pd.DataFrame(overview_rows(data)), "green-ai-leaderboard-overview.csv")


def task_summary_markdown(data: LeaderboardData, view: TaskView) -> str:
    total = len(data.task_frame(view.task, view.release, view.configuration))
    if total == 0:
        return ""
    text = summary_markdown(summarize(view.rows))
    notes = []
    if view.release == SINCE:
        notes.append(PROVISIONAL_NOTE.format(release=data.release_names[-1]))
    cohorts = data.cohorts(view.task, view.release)
    if len(cohorts) > 1:
        rated = view.rows[view.rows["stars"].notna().to_numpy()]
        counts = [f"{int((rated['release'] == cohort).sum())} among the {cohort} models" for cohort in cohorts]
        notes.append(COHORTS_NOTE.format(release=view.release, counts=" and ".join(counts)))
    if len(view.rows) != total:
        notes.append(f"*Showing {len(view.rows)} of {total} rows (filtered).*")
    return text + (("  \n" if "  \n" not in text else " ") + " ".join(notes) if notes else "")


def task_empty_state(data: LeaderboardData, view: TaskView) -> str | None:
    """The message shown instead of an empty table, or ``None`` when there are rows."""
    if data.task_frame(view.task, view.release, view.configuration).empty:
        spec = TASKS[view.task]
        return EMPTY_TASK.format(name=spec.display_name, key=spec.key)
    if view.rows.empty:
        return NO_MATCH
    return None


def task_figure(data: LeaderboardData, view: TaskView, filtered: bool) -> go.Figure:
    from leaderboard.display.plots import energy_vs_size

    title = f"{TASKS[view.task].display_name}: energy vs model size"
    if filtered:
        return energy_vs_size(view.rows, title)
    return data.cached(
        ("figure", view.task, view.release, view.configuration), lambda: energy_vs_size(view.rows, title)
    )


def task_quality_figure(data: LeaderboardData, view: TaskView, filtered: bool) -> go.Figure | None:
    """Energy against quality with the frontier, for a task with a declared benchmark (else None)."""
    from leaderboard.display.plots import energy_vs_quality

    declared = TASKS[view.task].quality
    if declared is None:
        return None
    title = f"{TASKS[view.task].display_name}: what the energy buys"

    def draw() -> go.Figure:
        return energy_vs_quality(view.rows, title, declared.label, declared.higher_is_better)

    if filtered:
        return draw()
    return data.cached(("quality_figure", view.task, view.release, view.configuration), draw)


def task_quality_markdown(view: TaskView, total: pd.DataFrame) -> str:
    """The line under the summary naming the task's quality benchmark and how many rows have a figure
    (or that the task has none yet)."""
    spec = TASKS[view.task]
    if spec.quality is None:
        return NO_QUALITY_BENCHMARK.format(name=spec.display_name)
    return QUALITY_LINE.format(
        label=escape_markdown(spec.quality.label), library=escape_markdown(spec.quality.library),
        n_with=int(total["quality"].notna().sum()), n_rows=len(total),
    )


def overview_figure(data: LeaderboardData) -> go.Figure:
    from leaderboard.display.plots import energy_vs_size_by_task

    return data.cached(
        "overview_figure", lambda: energy_vs_size_by_task(data.frame, "All tasks: energy vs model size")
    )


def overview_table(data: LeaderboardData) -> pd.DataFrame:
    return data.cached("overview_table", lambda: overview_frame(data))


def overview_shown(data: LeaderboardData) -> tuple[pd.DataFrame, str]:
    """The overview as shown: its hardware column said once above it when every row has the same."""
    frame = overview_table(data)
    measured = frame[frame["Hardware"] != NO_RESULTS_YET]
    if len(measured) and measured["Hardware"].nunique() == 1:
        line = COMMON_LINE.format(parts=f"**Hardware** {escape_markdown(measured['Hardware'].iloc[0])}")
        return frame.drop(columns=["Hardware"]), line
    return frame, ""


def hardware_choices(data: LeaderboardData, task: str) -> list[str]:
    return sorted(set(data.task_frame(task)["hardware"]))


def is_filtered(query: str, hardware: list[str] | None, sizes: list[str] | None) -> bool:
    return bool((query or "").strip() or hardware or sizes)
