"""The finder: the least energy that meets your needs.

Given limits on a task — at most this GPU energy per 1,000 queries, at most this latency per query, at
least this quality on the task's benchmark, and for a language model measured as served ML.ENERGY's two:
at most this median inter-token latency (a deadline) and this GPU energy per output token — each model
(on each hardware, at each effort level) is listed at its **cheapest configuration that meets every
limit**: its reference run or any other configuration measured on the same hardware, as ML.ENERGY ranks
models by their cheapest configuration meeting a deadline. The list is ordered by energy. A model none of
whose runs meets the limits is left out, with the limit that stopped it: of its runs, the one that fails
the fewest limits, and of those the first in the order quality, latency, inter-token latency, energy per
token, energy. A limit on a figure a run does not have (no latency measured, no quality figure, not served
by an engine) leaves that run out and says so. An unstable steady state is never chosen.

Quality is the model's figure on the task's declared benchmark (``results.quality``): measured once per
model and effort level, it stands for every configuration of that model.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from benchmark.configuration import ALL_CONFIGURATIONS, check_configuration
from benchmark.errors import UserInputError
from benchmark.tasks import TASKS
from leaderboard.results.data import LeaderboardData
from leaderboard.views.values import json_value

ANY_CONFIGURATION = "any"
# the limits, in the order an excluded model is attributed to one
QUALITY, LATENCY, ITL, PER_TOKEN, ENERGY = "quality", "latency", "itl", "energy_per_token", "energy"
LIMITS = (QUALITY, LATENCY, ITL, PER_TOKEN, ENERGY)
REASON_OVER = {QUALITY: "quality worse than the limit", LATENCY: "latency over the limit",
               ITL: "median inter-token latency over the deadline", PER_TOKEN: "energy per output token over the limit",
               ENERGY: "energy over the limit"}
REASON_MISSING = {QUALITY: "no quality figure", LATENCY: "no latency measured",
                  ITL: "no inter-token latency (not measured as served)", PER_TOKEN: "no GPU energy per output token",
                  ENERGY: "no usable GPU energy"}
# each limit's figure in the frame (a limit's value is "at most", but quality's "at least")
FIGURES = {QUALITY: "quality", LATENCY: "latency_s_per_query", ITL: "itl_median_ms",
           PER_TOKEN: "j_per_output_token", ENERGY: "gpu_wh_per_1k_queries"}
ROW_FIELDS = ("model_id", "reasoning_effort", "hardware", "configuration_key", "gpu_wh_per_1k_queries",
              "latency_s_per_query", "itl_median_ms", "j_per_output_token", "quality", "quality_metric",
              "quality_source", "stars", "on_frontier")


class ChooseInputError(UserInputError):
    pass


@dataclass(frozen=True)
class Limits:
    max_wh_per_1k: float | None = None
    max_latency_s: float | None = None
    min_quality: float | None = None
    # ML.ENERGY's: a deadline on the median inter-token latency, and an energy budget per output token
    max_itl_ms: float | None = None
    max_j_per_output_token: float | None = None

    @classmethod
    def checked(cls, max_wh_per_1k: Any, max_latency_s: Any, min_quality: Any, max_itl_ms: Any = None,
                max_j_per_output_token: Any = None) -> Limits:
        values = {}
        for name, value in (("max_wh_per_1k", max_wh_per_1k), ("max_latency_s", max_latency_s),
                            ("min_quality", min_quality), ("max_itl_ms", max_itl_ms),
                            ("max_j_per_output_token", max_j_per_output_token)):
            if value is None or value == "":
                values[name] = None
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ChooseInputError(f"{name} must be a number, got {value!r}") from None
            if not math.isfinite(number) or (name != "min_quality" and number <= 0):
                raise ChooseInputError(f"{name} must be a positive number, got {value!r}")
            values[name] = number
        return cls(**values)


def _candidates(data: LeaderboardData, task: str, release: str, configuration: str) -> pd.DataFrame:
    """The runs the finder chooses among: the board's reference rows and, for ``any``, every other
    configuration measured (comparable runs only)."""
    if configuration == ANY_CONFIGURATION:
        rows = data.task_frame(task, release, ALL_CONFIGURATIONS)
    else:
        rows = data.task_frame(task, release, check_configuration(configuration))
    if "unstable" in rows:  # an unstable steady state is shown, never chosen
        rows = rows[~rows["unstable"].astype(bool)]
    return rows


def _failures(rows: pd.DataFrame, limits: Limits, higher_is_better: bool) -> pd.DataFrame:
    """Per run and limit: "" when it meets it (or there is no limit), else the reason it does not."""
    energy = rows["gpu_wh_per_1k_queries"].to_numpy(dtype=float)
    usable = np.isfinite(energy) & (energy > 0) & ~rows["energy_implausible"].to_numpy(dtype=bool)
    if "device" in rows:
        usable &= (rows["device"] != "cpu").to_numpy(dtype=bool)
    latency = rows["latency_s_per_query"].to_numpy(dtype=float)
    quality = rows["quality"].to_numpy(dtype=float)
    out = pd.DataFrame(index=rows.index)
    out[ENERGY] = np.where(~usable, REASON_MISSING[ENERGY], "")
    if limits.max_wh_per_1k is not None:
        out[ENERGY] = np.where(usable & (energy > limits.max_wh_per_1k), REASON_OVER[ENERGY], out[ENERGY])
    out[LATENCY] = ""
    if limits.max_latency_s is not None:
        measured = np.isfinite(latency)
        with np.errstate(invalid="ignore"):
            over = measured & (latency > limits.max_latency_s)
        out[LATENCY] = np.where(~measured, REASON_MISSING[LATENCY], np.where(over, REASON_OVER[LATENCY], ""))
    for limit, bound in ((ITL, limits.max_itl_ms), (PER_TOKEN, limits.max_j_per_output_token)):
        out[limit] = ""
        if bound is not None:
            column = FIGURES[limit]
            figure = rows[column].to_numpy(dtype=float) if column in rows else np.full(len(rows), np.nan)
            known = np.isfinite(figure) & (figure > 0 if limit == PER_TOKEN else True)
            with np.errstate(invalid="ignore"):
                over = known & (figure > bound)
            out[limit] = np.where(~known, REASON_MISSING[limit], np.where(over, REASON_OVER[limit], ""))
    out[QUALITY] = ""
    if limits.min_quality is not None:
        known = np.isfinite(quality)
        with np.errstate(invalid="ignore"):
            worse = known & ((quality < limits.min_quality) if higher_is_better else (quality > limits.min_quality))
        out[QUALITY] = np.where(~known, REASON_MISSING[QUALITY], np.where(worse, REASON_OVER[QUALITY], ""))
    return out


def _row(row: pd.Series) -> dict[str, Any]:
    return {name: json_value(row[name]) for name in ROW_FIELDS if name in row}


def choose(
    data: LeaderboardData,
    task: str,
    max_wh_per_1k: Any = None,
    max_latency_s: Any = None,
    min_quality: Any = None,
    configuration: str = ANY_CONFIGURATION,
    release: str = "latest",
    max_itl_ms: Any = None,
    max_j_per_output_token: Any = None,
) -> dict[str, Any]:
    """The models meeting every limit at their cheapest configuration, least energy first, and the
    others with the limit that stopped each (see the module's doc)."""
    limits = Limits.checked(max_wh_per_1k, max_latency_s, min_quality, max_itl_ms, max_j_per_output_token)
    name = data.release_name(release)
    chosen_configuration = (configuration or ANY_CONFIGURATION).strip()
    declared = TASKS[task].quality
    if limits.min_quality is not None and declared is None:
        raise ChooseInputError(
            f"{TASKS[task].display_name} declares no quality benchmark: a quality limit cannot apply"
        )
    rows = _candidates(data, task, name, chosen_configuration)
    _check_figures_exist(rows, limits, TASKS[task].display_name)
    failures = _failures(rows, limits, declared.higher_is_better if declared else True)
    n_failed = (failures[list(LIMITS)] != "").sum(axis=1)
    rows = rows.assign(_failed=n_failed.to_numpy(), _energy=rows["gpu_wh_per_1k_queries"].fillna(np.inf))
    chosen, excluded = [], []
    for _, group in rows.groupby(["model_id", "reasoning_effort", "hardware"], sort=False):
        meets = group[group["_failed"] == 0]
        if len(meets):
            chosen.append(meets.sort_values(["_energy", "configuration_key"]).iloc[0])
            continue
        closest = group.sort_values(["_failed", "_energy", "configuration_key"]).iloc[0]
        failed = failures.loc[closest.name]
        limit = next(limit for limit in LIMITS if failed[limit])
        figure = FIGURES[limit]
        # a figure that cannot be compared (a CPU run's zero GPU energy) is as good as none
        value = None if failed[limit] == REASON_MISSING[limit] else json_value(closest[figure])
        excluded.append({**_row(closest), "limit": limit, "reason": failed[limit], "figure": value,
                         "limit_value": getattr(limits, LIMIT_FIELDS[limit]), "unit": _unit(limit, declared),
                         "miss": _miss(value, getattr(limits, LIMIT_FIELDS[limit])),
                         "failed_limits": [x for x in LIMITS if failed[x]]})
    chosen_rows = _mark_beaten([_row(row) for row in sorted(chosen, key=lambda r: (r["_energy"], r["model_id"]))],
                               declared.higher_is_better if declared else True)
    by = Counter(item["limit"] for item in excluded)
    # nearest first: a figure that misses its limit by the smallest share; a missing figure after all of those
    excluded.sort(key=lambda item: (item["miss"] is None, item["miss"] if item["miss"] is not None else 0.0,
                                    item["model_id"].casefold(), item["model_id"]))
    return {
        "task": task,
        "release": name,
        "configuration": chosen_configuration,
        "limits": {"max_wh_per_1k": limits.max_wh_per_1k, "max_latency_s": limits.max_latency_s,
                   "min_quality": limits.min_quality, "max_itl_ms": limits.max_itl_ms,
                   "max_j_per_output_token": limits.max_j_per_output_token},
        "chosen": chosen_rows,
        "excluded": excluded,
        "excluded_by": {limit: by[limit] for limit in LIMITS if by[limit]},
        "summary": exclusion_summary(by),
    }


LIMIT_FIELDS = {QUALITY: "min_quality", LATENCY: "max_latency_s", ITL: "max_itl_ms",
                PER_TOKEN: "max_j_per_output_token", ENERGY: "max_wh_per_1k"}
NO_FIGURE_ON_BOARD = {
    LATENCY: "no run of {task} on this board has a latency per query: a latency limit cannot apply",
    ITL: "no run of {task} on this board was measured as served (no inter-token latency): an ITL deadline "
         "cannot apply",
    QUALITY: "no model of {task} on this board has a quality figure: a quality limit cannot apply",
}


def _check_figures_exist(rows: pd.DataFrame, limits: Limits, task_name: str) -> None:
    """A limit on a figure no candidate has would leave every model out without saying why: refused."""
    if limits.max_latency_s is not None and not np.isfinite(rows["latency_s_per_query"].to_numpy(dtype=float)).any():
        raise ChooseInputError(NO_FIGURE_ON_BOARD[LATENCY].format(task=task_name))
    if limits.min_quality is not None and not np.isfinite(rows["quality"].to_numpy(dtype=float)).any():
        raise ChooseInputError(NO_FIGURE_ON_BOARD[QUALITY].format(task=task_name))
    if limits.max_itl_ms is not None and (
        "itl_median_ms" not in rows or not np.isfinite(rows["itl_median_ms"].to_numpy(dtype=float)).any()
    ):
        raise ChooseInputError(NO_FIGURE_ON_BOARD[ITL].format(task=task_name))


def _unit(limit: str, declared: Any) -> str:
    if limit == ENERGY:
        return "Wh / 1,000 queries"
    if limit == LATENCY:
        return "s / query"
    if limit == ITL:
        return "ms (median ITL)"
    if limit == PER_TOKEN:
        return "J / output token"
    return declared.unit if declared is not None and declared.unit else ""


def _miss(figure: Any, limit_value: float | None) -> float | None:
    """By what share of the limit a figure misses it (0.1: 10 % over, or under for a quality floor); None
    for a missing figure, or one stopped by a limit not set (an unusable energy)."""
    if figure is None or limit_value is None or not math.isfinite(float(figure)):
        return None
    return abs(float(figure) - limit_value) / max(abs(limit_value), 1e-12)


def _mark_beaten(chosen: list[dict[str, Any]], higher_is_better: bool) -> list[dict[str, Any]]:
    """Each result with ``beaten_by``: another result on the same hardware with no more energy and at least
    its quality, better in one of the two (its model id), or None."""
    for item in chosen:
        item["beaten_by"] = None
        if item.get("quality") is None:
            continue
        for other in chosen:
            if other is item or other.get("quality") is None or other["hardware"] != item["hardware"]:
                continue
            better_quality = (other["quality"] > item["quality"]) if higher_is_better else \
                (other["quality"] < item["quality"])
            same_quality = other["quality"] == item["quality"]
            less_energy = other["gpu_wh_per_1k_queries"] < item["gpu_wh_per_1k_queries"]
            same_energy = other["gpu_wh_per_1k_queries"] == item["gpu_wh_per_1k_queries"]
            if (less_energy or same_energy) and (better_quality or same_quality) and (less_energy or better_quality):
                item["beaten_by"] = other["model_id"]
                break
    return chosen


def exclusion_summary(by: Counter[str]) -> str:
    """"12 excluded: 8 by quality, 4 by latency" ("none excluded" when every model meets the limits)."""
    total = sum(by.values())
    if not total:
        return "none excluded"
    parts = ", ".join(f"{by[limit]} by {limit}" for limit in LIMITS if by[limit])
    return f"{total} excluded: {parts}"
