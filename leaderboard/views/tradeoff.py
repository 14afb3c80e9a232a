"""Energy against speed, per task and hardware: GPU Wh per 1,000 queries versus latency per query.

Both come from the runner (``gpu_wh_per_1k_queries`` and ``latency_s_per_query``, the task's
inference phases over the samples). Published figures carry no latency and runs with no GPU energy
cannot sit on a log axis: they are left out and counted. One hardware at a time — latency and
energy both depend on the machine, so a frontier across GPUs would mix model and machine. The
default hardware is the one with the most plottable results. The figure is
``leaderboard.display.plots.tradeoff_figure``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.results.data import LeaderboardData
from leaderboard.results.quality import frontier_mask
from leaderboard.views.model_page import record_index
from leaderboard.views.values import json_value


def pareto_frontier(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the ``(x, y)`` points no other point beats on both (lower is better on both; two
    identical points do not beat each other), by ascending ``x``: ``frontier_mask``'s rule."""
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    on = np.flatnonzero(frontier_mask(x, y, higher_is_better=False, positive_cost=False)) if points else []
    return sorted((int(i) for i in on), key=lambda i: (x[i], y[i], i))


def _plottable(energy: float, latency: float | None) -> bool:
    return latency is not None and math.isfinite(latency) and latency > 0 and math.isfinite(energy) and energy > 0


def _task_points(data: LeaderboardData, task: str) -> list[dict[str, Any]]:
    index = record_index(data)
    points = []
    for row in data.task_frame(task).itertuples(index=False):
        record = index.get((row.model_id, row.task, row.hardware, row.run_id))
        latency = record.latency_s_per_query if record is not None else None
        points.append(
            {
                "model_id": row.model_id,
                "hardware": row.hardware,
                "stars": json_value(row.stars),
                "gpu_wh_per_1k_queries": float(row.gpu_wh_per_1k_queries),
                "latency_s_per_query": latency,
                "plottable": _plottable(float(row.gpu_wh_per_1k_queries), latency),
            }
        )
    return points


def hardware_choices(data: LeaderboardData, task: str) -> list[str]:
    """The task's hardware, the one with the most plottable results first (then by name)."""
    points = _task_points(data, task)
    plottable = Counter(p["hardware"] for p in points if p["plottable"])
    return sorted({p["hardware"] for p in points}, key=lambda h: (-plottable[h], h))


def default_task(data: LeaderboardData) -> str:
    """The first task (registry order) with a plottable result, else the first with any result."""
    with_rows = data.tasks_with_rows()
    for task in with_rows:
        if any(p["plottable"] for p in _task_points(data, task)):
            return task
    return with_rows[0] if with_rows else TASK_KEYS[0]


def tradeoff(data: LeaderboardData, task: str, hardware: str | None = None) -> dict[str, Any]:
    """The plotted points of ``task`` on ``hardware`` (default: the best-covered hardware), the
    Pareto frontier among them (fastest first) and how many results were left out and why."""
    return data.cached(("models:tradeoff", task, hardware or ""), lambda: _tradeoff(data, task, hardware))


def _tradeoff(data: LeaderboardData, task: str, hardware: str | None) -> dict[str, Any]:
    choices = hardware_choices(data, task)
    chosen = hardware if hardware else (choices[0] if choices else None)
    on_hardware = [p for p in _task_points(data, task) if p["hardware"] == chosen]
    shown = [{k: v for k, v in p.items() if k != "plottable"} for p in on_hardware if p["plottable"]]
    no_latency = sum(1 for p in on_hardware if p["latency_s_per_query"] is None)
    frontier = [
        shown[i] for i in pareto_frontier([(p["latency_s_per_query"], p["gpu_wh_per_1k_queries"]) for p in shown])
    ]
    members = {p["model_id"] for p in frontier}
    for point in shown:
        point["on_frontier"] = point["model_id"] in members
    return {
        "task": task,
        "task_name": TASKS[task].display_name,
        "hardware": chosen,
        "hardware_choices": choices,
        "points": shown,
        "frontier": [p["model_id"] for p in frontier],
        "n_left_out": len(on_hardware) - len(shown),
        "n_left_out_no_latency": no_latency,
        "n_other_hardware": len(data.task_frame(task)) - len(on_hardware),
        "note": left_out_note(len(on_hardware) - len(shown), no_latency),
    }


def left_out_note(left_out: int, no_latency: int) -> str | None:
    """Why results are missing from the plot, in one sentence; None when none is."""
    if not left_out:
        return None
    other = left_out - no_latency
    parts = []
    if no_latency:
        parts.append(f"{no_latency} without a measured latency (published figures carry none)")
    if other:
        parts.append(f"{other} with no GPU energy or latency above zero")
    results = "result" if left_out == 1 else "results"
    return f"{left_out} {results} not shown: " + "; ".join(parts) + "."


def served_tradeoff(data: LeaderboardData, task: str, hardware: str | None = None) -> dict[str, Any]:
    """ML.ENERGY's view of the models measured as served on ``hardware`` (default: the trade-off's): GPU J
    per output token against median inter-token latency, one line per model across its steady-state batch
    sizes (B) with its one-at-a-time run as the first point. An unstable steady state is drawn, marked."""
    chosen = hardware or tradeoff(data, task)["hardware"]
    rows = data.task_frame(task, "live", configuration="all")
    if "serving_protocol" not in rows:
        return {"task": task, "hardware": chosen, "models": []}
    rows = rows[(rows["serving_protocol"] != "") & (rows["hardware"] == chosen)]
    models: dict[str, list[dict[str, Any]]] = {}
    for row in rows.itertuples(index=False):
        if not (_plottable(row.j_per_output_token, row.itl_median_ms)):
            continue
        models.setdefault(row.model_id, []).append({
            "max_num_seqs": None if math.isnan(row.max_num_seqs) else int(row.max_num_seqs),
            "itl_median_ms": float(row.itl_median_ms), "j_per_output_token": float(row.j_per_output_token),
            "stable": not bool(row.unstable), "configuration_key": row.configuration_key,
        })
    ordered = [{"model_id": model, "points": sorted(points, key=lambda p: p["max_num_seqs"] or 0)}
               for model, points in sorted(models.items())]
    return {"task": task, "hardware": chosen, "models": ordered}
