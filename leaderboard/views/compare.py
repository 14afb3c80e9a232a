"""Two to four models side by side on a task they share, measured on the same hardware.

Energies are only compared on the same hardware (a ratio across GPUs would mix the model with the
machine). Without a chosen task, the first shared (task, hardware) in registry order is used; the
others are listed so a caller can pick. Ratios are against the most frugal model of the group:
"B uses 3.4× the energy of A per 1,000 queries".
"""

from __future__ import annotations

from typing import Any

from benchmark.errors import UserInputError
from benchmark.record import SELF_REPORTED
from benchmark.tasks import TASK_KEYS, TASKS, get_task
from leaderboard.display.formats import format_ratio
from leaderboard.results.data import LeaderboardData
from leaderboard.views.equivalences import get_grid
from leaderboard.views.model_page import check_model, entry

MIN_MODELS = 2
MAX_MODELS = 4


class CompareInputError(UserInputError):
    pass


def _task_order(key: tuple[str, str]) -> tuple[int, str]:
    return TASK_KEYS.index(key[0]), key[1]


def _names(tasks: set[str]) -> str:
    return ", ".join(TASKS[t].display_name for t in sorted(tasks, key=TASK_KEYS.index)) or "nothing"


def _no_shared_message(measured: dict[str, set[tuple[str, str]]], task: str | None, hardware: str | None) -> str:
    if task is not None:
        name = TASKS[task].display_name
        missing = [m for m, keys in measured.items() if not any(t == task for t, _ in keys)]
        if missing:
            return f"Not all of these models were measured on {name}: no result for {', '.join(missing)}."
    tasks_by_model = {m: {t for t, _ in keys} for m, keys in measured.items()}
    common_tasks = set.intersection(*tasks_by_model.values())
    if task is not None:
        common_tasks &= {task}
    if common_tasks:
        where = "; ".join(
            f"{m}: {', '.join(sorted({h for t, h in keys if t in common_tasks}))}" for m, keys in measured.items()
        )
        if hardware:
            return f"Not all of these models have a {_names(common_tasks)} result on {hardware} ({where})."
        return (
            f"These models share {_names(common_tasks)} but were measured on different hardware ({where}). "
            "Energy is only compared on the same hardware."
        )
    listing = "; ".join(f"{m} on {_names(tasks)}" for m, tasks in tasks_by_model.items())
    return f"These models share no task: {listing}."


def model_label(row: dict[str, Any]) -> str:
    """The model id, and the effort level of a row measured at one (a model with several levels
    is compared at the level its row shows)."""
    effort = row.get("reasoning_effort")
    label = f"{row['model_id']} ({effort} effort)" if effort else row["model_id"]
    # an upload's figure is the submitter's: said wherever it is compared with ours
    return f"{label} (self-reported)" if row.get("provenance") == SELF_REPORTED else label


def _ratio_sentence(row: dict[str, Any], base: dict[str, Any], energy_ratio: float, latency_ratio: float | None) -> str:
    text = (
        f"{model_label(row)} uses {format_ratio(energy_ratio)} the energy of {model_label(base)} per 1,000 queries"
    )
    if latency_ratio is not None and latency_ratio > 0:
        if latency_ratio >= 1:
            text += f" and takes {format_ratio(latency_ratio)} as long per query"
        else:
            text += f" and is {format_ratio(1 / latency_ratio)} faster per query"
    return text + "."


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each model against the most frugal one (lowest positive GPU energy), most frugal first."""
    measured = [row for row in rows if row["gpu_wh_per_1k_queries"] > 0]
    if not measured:
        return []
    ordered = sorted(measured, key=lambda row: row["gpu_wh_per_1k_queries"])
    base = ordered[0]
    out = []
    for row in ordered[1:]:
        energy_ratio = row["gpu_wh_per_1k_queries"] / base["gpu_wh_per_1k_queries"]
        latency_ratio = None
        if row["latency_s_per_query"] and base["latency_s_per_query"]:
            latency_ratio = row["latency_s_per_query"] / base["latency_s_per_query"]
        out.append(
            {
                "model_id": row["model_id"],
                "baseline": base["model_id"],
                "energy_ratio": energy_ratio,
                "latency_ratio": latency_ratio,
                "sentence": _ratio_sentence(row, base, energy_ratio, latency_ratio),
            }
        )
    return out


def _clean_ids(model_ids: list[str]) -> list[str]:
    seen: list[str] = []
    for model_id in model_ids or []:
        model_id = (model_id or "").strip()
        if model_id and model_id not in seen:
            seen.append(model_id)
    return seen


def compare(
    data: LeaderboardData,
    model_ids: list[str],
    task: str | None = None,
    hardware: str | None = None,
    grid: str | None = None,
) -> dict[str, Any]:
    """The models side by side on one shared (task, hardware), with energy ratios; when they share
    none, ``rows`` is empty and ``message`` says why."""
    ids = _clean_ids(model_ids)
    if not MIN_MODELS <= len(ids) <= MAX_MODELS:
        raise CompareInputError(f"compare needs {MIN_MODELS} to {MAX_MODELS} different models, got {len(ids)}")
    ids = [check_model(data, model_id) for model_id in ids]
    task = get_task(task.strip()).key if task and task.strip() else None
    hardware = hardware.strip() if hardware and hardware.strip() else None
    chosen_grid = get_grid(grid)

    frame = data.frame
    measured = {
        m: set(
            zip(frame.loc[frame["model_id"] == m, "task"], frame.loc[frame["model_id"] == m, "hardware"], strict=True)
        )
        for m in ids
    }
    shared = sorted(set.intersection(*measured.values()), key=_task_order)
    result: dict[str, Any] = {
        "models": ids,
        "shared": [{"task": t, "task_name": TASKS[t].display_name, "hardware": h} for t, h in shared],
        "task": None,
        "hardware": None,
        "grid": chosen_grid.key,
        "rows": [],
        "ratios": [],
        "message": None,
    }
    candidates = [(t, h) for t, h in shared if (task is None or t == task) and (hardware is None or h == hardware)]
    if not candidates:
        result["message"] = _no_shared_message(measured, task, hardware)
        return result
    chosen_task, chosen_hardware = candidates[0]
    selected = frame[(frame["task"] == chosen_task) & (frame["hardware"] == chosen_hardware)]
    index_of = {model_id: index for index, model_id in zip(selected.index, selected["model_id"], strict=True)}
    rows = [entry(data, index_of[m], chosen_grid) for m in ids]
    result.update(task=chosen_task, hardware=chosen_hardware, rows=rows, ratios=ratios(rows))
    if not result["ratios"]:
        result["message"] = f"None of these models measured any GPU energy on {chosen_hardware}: no ratio to give."
    return result
