"""What helps: per run configuration, what it saves against the reference, across models.

For each configuration measured on a task (its key: ``"batch_size=8"``, ``"dtype=bfloat16+attn=sdpa"``),
across every model that has both it and its reference run on the same hardware, the number of
models and the median ratio of energy per 1,000 queries to the reference, with its range. On GPU
hardware the energy is GPU Wh; on CPU-only hardware, where the GPU measures nothing, it is the total
(CPU + RAM) Wh, and the row says so. Only comparable runs (the task's full test set) count.

Also here: the stars a non-reference run *would* earn on the reference board (never given, only
shown as such), and the zero-shot versus task-specific summary of a task.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import pandas as pd

from benchmark.board.rating import CLASSED_TASKS, N_STAR_LEVELS
from benchmark.configuration import OPTIONS, REFERENCE_KEY, ZERO_SHOT_KEY
from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.display.formats import escape_markdown, format_energy, format_ratio, model_markdown
from leaderboard.display.strings import (
    SAVING_LESS,
    SAVING_MORE,
    SERVED_INTRO,
    SERVED_TITLE,
    SERVED_UNSTABLE,
    WHAT_HELPS_EMPTY,
    ZERO_SHOT_DIFFERENT_MODELS,
    ZERO_SHOT_LINE,
    ZERO_SHOT_MODELS,
    ZERO_SHOT_TITLE,
)
from leaderboard.results.data import LeaderboardData

BASIS_GPU = "GPU Wh per 1,000 queries"
BASIS_TOTAL = "total Wh per 1,000 queries (CPU-only hardware: no GPU energy)"


def _energy(row: Any) -> tuple[float, str]:
    """The energy a ratio compares, and its basis: GPU energy, or total energy on a CPU."""
    if row.device == "cpu":
        return float(row.total_wh_per_1k_queries), BASIS_TOTAL
    return float(row.gpu_wh_per_1k_queries), BASIS_GPU


def _usable(value: float) -> bool:
    return math.isfinite(value) and value > 0


def ratios(data: LeaderboardData, task: str) -> pd.DataFrame:
    """One row per (model, hardware, non-reference configuration) with a reference beside it."""
    rows = data.task_frame(task, "live", configuration="all")
    if "unstable" in rows:  # an unstable steady state is kept and shown, never put forward as a saving
        rows = rows[~rows["unstable"].astype(bool)]
    reference = {
        (r.model_id, r.hardware): r for r in rows.itertuples(index=False) if r.configuration_key == REFERENCE_KEY
    }
    out = []
    for row in rows.itertuples(index=False):
        ref = reference.get((row.model_id, row.hardware))
        if row.configuration_key == REFERENCE_KEY or ref is None:
            continue
        energy, basis = _energy(row)
        ref_energy, _ = _energy(ref)
        if _usable(energy) and _usable(ref_energy):
            ratio = energy / ref_energy
            out.append((row.model_id, row.hardware, row.configuration_key, basis, energy, ref_energy, ratio))
    columns = ["model_id", "hardware", "configuration_key", "basis", "wh_per_1k_queries", "reference_wh_per_1k_queries",
               "ratio_to_reference"]
    return pd.DataFrame(out, columns=columns)


def what_helps(data: LeaderboardData, task: str) -> dict[str, Any]:
    """The ``configurations`` rows (most saving first) and each model's best configuration."""
    table = data.cached(("what_helps:ratios", task), lambda: ratios(data, task))
    configurations = []
    for (key, basis), group in table.groupby(["configuration_key", "basis"], sort=False):
        values = group["ratio_to_reference"].tolist()
        configurations.append(
            {
                "configuration_key": key,
                "basis": basis,
                "n_models": int(group["model_id"].nunique()),
                "median_ratio": statistics.median(values),
                "min_ratio": min(values),
                "max_ratio": max(values),
                "median_saving": 1.0 - statistics.median(values),
            }
        )
    configurations.sort(key=lambda row: (row["median_ratio"], row["configuration_key"]))
    models = []
    for (model_id, hardware), group in table.groupby(["model_id", "hardware"], sort=True):
        best = group.sort_values(["ratio_to_reference", "configuration_key"]).iloc[0]
        models.append(
            {
                "model_id": model_id,
                "hardware": hardware,
                "best_configuration": best["configuration_key"] if best["ratio_to_reference"] < 1 else REFERENCE_KEY,
                "best_ratio": min(float(best["ratio_to_reference"]), 1.0),
                "saving": max(0.0, 1.0 - float(best["ratio_to_reference"])),
                "basis": best["basis"],
            }
        )
    return {"task": task, "configurations": configurations, "models": models}


def would_be_stars(data: LeaderboardData, index: Any) -> int | None:
    """The stars the energy of row ``index`` would earn on its task's reference board (same hardware
    and, where the task is rated by size class, size class); None for a reference row, a CPU row,
    a row that is not comparable, or a board with no rated row."""
    frame = data.frame
    row = frame.loc[index]
    if row["configuration_key"] == REFERENCE_KEY or not row["comparable"] or row["device"] == "cpu":
        return None
    energy = float(row["gpu_wh_per_1k_queries"])
    board = data.task_frame(row["task"])
    board = board[board["stars"].notna() & (board["hardware"] == row["hardware"])]
    if row["task"] in CLASSED_TASKS:
        board = board[board["size_class"] == row["size_class"]]
    if board.empty or not _usable(energy):
        return None
    low, high = float(board["gpu_wh_per_1k_queries"].min()), float(board["gpu_wh_per_1k_queries"].max())
    if energy <= low:
        return N_STAR_LEVELS
    if energy >= high:
        return 1
    position = (energy - low) / (high - low) * N_STAR_LEVELS
    return int(N_STAR_LEVELS - np.clip(math.floor(position + 1e-9), 0, N_STAR_LEVELS - 1))


def zero_shot_summary(data: LeaderboardData, task: str) -> list[dict[str, Any]]:
    """Per hardware: median energy of zero-shot runs against task-specific (reference) runs, the ratio,
    and which models each side holds — empty where the task has no zero-shot run. Zero-shot runs are
    our ``--zero-shot`` configuration and the published boards' rows prompted so (the T5 rows of
    February 2025): this compares different models, not one model run two ways."""
    rows = data.task_frame(task, "live", configuration="all")
    rows = rows[rows["configuration_key"].isin([REFERENCE_KEY, ZERO_SHOT_KEY])]
    out = []
    for hardware, group in rows.groupby("hardware", sort=True):
        energies: dict[bool, list[float]] = {True: [], False: []}
        models: dict[bool, list[str]] = {True: [], False: []}
        basis = BASIS_GPU
        for row in group.itertuples(index=False):
            energy, basis = _energy(row)
            if _usable(energy):
                energies[bool(row.zero_shot)].append(energy)
                models[bool(row.zero_shot)].append(row.model_id)
        if not energies[True] or not energies[False]:
            continue
        zero_shot, task_specific = statistics.median(energies[True]), statistics.median(energies[False])
        out.append(
            {
                "hardware": hardware,
                "basis": basis,
                "n_zero_shot": len(energies[True]),
                "median_zero_shot_wh": zero_shot,
                "n_task_specific": len(energies[False]),
                "median_task_specific_wh": task_specific,
                "ratio": zero_shot / task_specific,
                "zero_shot_models": sorted(set(models[True])),
                "task_specific_models": sorted(set(models[False])),
            }
        )
    return out


# --- on screen: the What helps tab and the task tab's zero-shot line ---------------------------

# The tables' columns (header, Gradio datatype), declared once.
CONFIGURATION_COLUMNS = (
    ("Configuration", "str"),
    ("Energy compared", "str"),
    ("Models", "number"),
    ("Median ratio to reference", "str"),
    ("Range (min – max)", "str"),
    ("Median saving", "str"),
)
MODEL_COLUMNS = (
    ("Model", "markdown"),
    ("Hardware", "str"),
    ("Best configuration", "str"),
    ("Ratio to reference", "str"),
    ("Saving", "str"),
)


def saving_text(ratio: float) -> str:
    """A ratio to the reference as what it saves: 0.25 → "75% less", 1.2 → "20% more"."""
    if ratio <= 1:
        return SAVING_LESS.format(percent=f"{(1 - ratio) * 100:.0f}")
    return SAVING_MORE.format(percent=f"{(ratio - 1) * 100:.0f}")


def configurations_table(view: dict[str, Any]) -> pd.DataFrame:
    """``what_helps(...)["configurations"]`` for the screen, most saving first."""
    rows = [
        [
            row["configuration_key"],
            row["basis"],
            row["n_models"],
            format_ratio(row["median_ratio"]),
            f"{format_ratio(row['min_ratio'])} – {format_ratio(row['max_ratio'])}",
            saving_text(row["median_ratio"]),
        ]
        for row in view["configurations"]
    ]
    return pd.DataFrame(rows, columns=[header for header, _ in CONFIGURATION_COLUMNS])


def models_table(view: dict[str, Any]) -> pd.DataFrame:
    """``what_helps(...)["models"]`` for the screen: each model's best configuration and its saving."""
    rows = [
        [
            model_markdown(row["model_id"]),
            row["hardware"],
            row["best_configuration"],
            format_ratio(row["best_ratio"]),
            saving_text(row["best_ratio"]),
        ]
        for row in view["models"]
    ]
    return pd.DataFrame(rows, columns=[header for header, _ in MODEL_COLUMNS])


def what_helps_empty_state(task: str, view: dict[str, Any]) -> str | None:
    """How to get comparable runs, where ``task`` has no configuration beside a reference run."""
    if view["configurations"]:
        return None
    spec = TASKS[task]
    flags = ", ".join(f"`{option.flag}`" for option in OPTIONS if option.name in spec.options)
    return WHAT_HELPS_EMPTY.format(name=spec.display_name, key=spec.key, flags=flags)


def zero_shot_markdown(rows: list[dict[str, Any]]) -> str:
    """``zero_shot_summary`` as a line per hardware with the models compared, and the sentence that it
    compares different models; empty where the task lacks zero-shot or task-specific runs."""
    lines = []
    for row in rows:
        lines.append(
            f"**{ZERO_SHOT_TITLE}** "
            + ZERO_SHOT_LINE.format(
                hardware=escape_markdown(row["hardware"]),
                n_zero_shot=row["n_zero_shot"],
                zero_shot=format_energy(row["median_zero_shot_wh"]),
                n_task_specific=row["n_task_specific"],
                task_specific=format_energy(row["median_task_specific_wh"]),
                basis=escape_markdown(row["basis"]),
                ratio=format_ratio(row["ratio"]),
            )
        )
        lines.append(ZERO_SHOT_MODELS.format(
            zero_shot=", ".join(model_markdown(m) for m in row["zero_shot_models"]),
            task_specific=", ".join(model_markdown(m) for m in row["task_specific_models"]),
        ))
    if lines:
        lines.append(f"*{ZERO_SHOT_DIFFERENT_MODELS}*")
    return "  \n".join(lines)


def tasks_with_configurations(data: LeaderboardData) -> list[str]:
    """Tasks with something to show on What helps (registry order): a run configuration measured beside a
    reference run, or zero-shot against task-specific models."""
    return [task for task in TASK_KEYS if what_helps(data, task)["configurations"] or zero_shot_summary(data, task)]


def served_summary(data: LeaderboardData, task: str) -> list[dict[str, Any]]:
    """Steady state at each batch size against the same model served one query at a time, on the same
    hardware (ML.ENERGY's protocol against AI Energy Score's): the ratio of GPU energy per output token, the
    median ITL of each, and whether the steady state was stable (an unstable one is listed, marked)."""
    if "serving_protocol" not in data.task_frame(task, "live", configuration="all"):
        return []
    rows = data.task_frame(task, "live", configuration="all")
    served = rows[rows["serving_protocol"] != ""]
    one = {(r.model_id, r.hardware): r for r in served.itertuples(index=False) if r.serving_protocol == "one-at-a-time"}
    out = []
    for row in served.itertuples(index=False):
        base = one.get((row.model_id, row.hardware))
        if row.serving_protocol != "steady-state" or base is None:
            continue
        ratio = row.j_per_output_token / base.j_per_output_token \
            if _usable(row.j_per_output_token) and _usable(base.j_per_output_token) else None
        out.append({"model_id": row.model_id, "hardware": row.hardware, "max_num_seqs": int(row.max_num_seqs),
                    "j_per_output_token": row.j_per_output_token, "itl_median_ms": row.itl_median_ms,
                    "one_at_a_time_itl_ms": base.itl_median_ms, "ratio": ratio, "stable": not row.unstable})
    return sorted(out, key=lambda r: (r["model_id"], r["hardware"], r["max_num_seqs"]))


def served_markdown(rows: list[dict[str, Any]]) -> str:
    """``served_summary`` as a table; empty when no model has both protocols measured."""
    if not rows:
        return ""
    lines = [f"#### {SERVED_TITLE}", "", SERVED_INTRO, "",
             "| Model | Hardware | max_num_seqs | J / output token | vs one at a time | Median ITL (one at a time) |",
             "|---|---|---:|---:|---:|---:|"]
    for row in rows:
        ratio = format_ratio(row["ratio"]) if row["ratio"] is not None else "–"
        stability = "" if row["stable"] else f" ({SERVED_UNSTABLE})"
        lines.append(f"| {model_markdown(row['model_id'])} | {escape_markdown(row['hardware'])} | "
                     f"{row['max_num_seqs']}{stability} | {_number(row['j_per_output_token'])} | {ratio} | "
                     f"{_number(row['itl_median_ms'])} ms ({_number(row['one_at_a_time_itl_ms'])} ms) |")
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:.3g}" if value is not None and math.isfinite(value) else "–"
