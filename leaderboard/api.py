"""Named API endpoints for ``gradio_client`` users: the data the tabs show, as plain JSON.

    from gradio_client import Client
    client = Client("http://127.0.0.1:7860")
    client.predict("text_generation", api_name="/task_rows")

Rows come in leaderboard order (rated first, least GPU energy first), with ``stars`` as an
integer (``None`` when unrated, ``rating_flag`` saying why) and energies at full precision.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from benchmark.tasks import TASKS, UnknownTaskError, get_task
from leaderboard.results.live import LiveData
from leaderboard.views.summary import summarize
from leaderboard.views.tables import api_rows, filter_mask, overview_rows


def _task_or_error(task: str) -> str:
    try:
        return get_task(task.strip()).key
    except UnknownTaskError as exc:
        raise gr.Error(str(exc), print_exception=False) from None


def _choices(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def register_api(live: LiveData) -> None:
    """Declare the endpoints (call inside the app's ``gr.Blocks`` context)."""

    def tasks() -> list[dict[str, Any]]:
        """Every task: its key, name, dataset and how many results it has."""
        data = live.current
        return [
            {
                "key": key,
                "name": spec.display_name,
                "dataset": spec.dataset_id,
                "n_results": len(data.task_frame(key)),
                "control_variables": spec.control_variables(),
            }
            for key, spec in TASKS.items()
        ]

    def task_rows(task: str, query: str = "", hardware: str = "", size_class: str = "") -> list[dict[str, Any]]:
        """The rows of one task with their stars, most efficient first. Optional filters: part of a
        model id (`;` separates alternatives), hardware names and size classes (comma separated)."""
        key = _task_or_error(task)
        data = live.current
        if not (query.strip() or hardware.strip() or size_class.strip()):
            return data.cached(("api_rows", key), lambda: api_rows(data.task_frame(key)))
        rows = data.task_frame(key)
        return api_rows(rows[filter_mask(rows, query, _choices(hardware), _choices(size_class)).to_numpy()])

    def task_summary(task: str, hardware: str = "") -> dict[str, Any]:
        """Number of models, mean / median / std of GPU Wh per 1,000 queries and the max/min spread."""
        key = _task_or_error(task)
        rows = live.current.task_frame(key)
        if hardware.strip():
            rows = rows[filter_mask(rows, hardware=_choices(hardware)).to_numpy()]
        return {"task": key, **summarize(rows).as_dict()}

    def overview() -> list[dict[str, Any]]:
        """One summary per task and hardware."""
        data = live.current
        return data.cached("api_overview", lambda: overview_rows(data))

    def status() -> dict[str, Any]:
        """Where the data comes from, when it was loaded, and what was dropped."""
        data = live.current
        return {
            "source": data.source,
            "version": data.version,
            "loaded_at": data.loaded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "n_results": len(data.records),
            "dropped": dict(data.dropped),
            "dropped_total": data.dropped_total,
            "notice": data.notice,
        }

    for fn in (tasks, task_rows, task_summary, overview, status):
        gr.api(fn, api_name=fn.__name__)
