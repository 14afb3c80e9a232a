"""What the model page shows: every (task, hardware) result of one model, as plain JSON values.

Stars come from the rated frame (``LeaderboardData.frame``, rated once in ``rating.py``); the
detail (phases, repeats, software) from the records. The rank is the one the stars are given
within: among the **rated** rows of the same rating group — the task, on the same hardware, and
for tasks rated by size class also the same size class — ordered by GPU energy per 1,000 queries
(least first). Ties share a rank ("1, 2, 2, 4"); an unrated row has no rank.
"""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from benchmark.board.rating import CLASSED_TASKS
from benchmark.errors import UserInputError
from benchmark.quality.record import QualityRecord
from benchmark.record import ResultRecord, per_1k_queries_wh
from benchmark.tasks import TASKS
from leaderboard.display.formats import is_hub_id
from leaderboard.results.data import LeaderboardData
from leaderboard.results.rating import FLAG_ALL_AT_CAP
from leaderboard.views.equivalences import GridIntensity, everyday, get_grid
from leaderboard.views.values import json_value
from leaderboard.views.what_helps import would_be_stars

PHASE_NAMES = {
    "preprocess": "preprocess (dataset)",
    "prefill": "prefill",
    "decode": "decode",
    "forward": "forward",
    "call": "pipeline call",
}


class UnknownModelError(UserInputError):
    pass


def record_index(data: LeaderboardData) -> dict[tuple[str, str, str, str], ResultRecord]:
    """Records by (model, task, hardware label, run id): one per configuration, once per data version."""
    return data.cached(
        "models:record_index", lambda: {(r.model_id, r.task, r.hardware.label, r.run_id): r for r in data.records}
    )


def _group_keys(frame: pd.DataFrame) -> list[pd.Series]:
    size = frame["size_class"].where(frame["task"].isin(CLASSED_TASKS)).fillna("").astype(str)
    return [frame["task"], frame["hardware"], size]


def ranks_of_frame(frame: pd.DataFrame) -> pd.DataFrame:
    rated = frame[frame["stars"].notna()]
    keys = _group_keys(rated)
    energy = rated["gpu_wh_per_1k_queries"]
    out = pd.DataFrame(index=frame.index, columns=["rank", "rank_of"], dtype="Int64")
    if len(rated):
        out.loc[rated.index, "rank"] = energy.groupby(keys).rank(method="min").astype("int64")
        out.loc[rated.index, "rank_of"] = energy.groupby(keys).transform("size").astype("int64")
    return out


def ranks(data: LeaderboardData) -> pd.DataFrame:
    """``rank`` and ``rank_of`` per row of ``data.frame`` (missing where unrated)."""
    return data.cached("models:ranks", lambda: ranks_of_frame(data.frame))


def rank_group_text(task: str, hardware: str, size_class: str | None) -> str:
    """What a rank is among, in words."""
    name = TASKS[task].display_name if task in TASKS else task
    cls = f" of size class {size_class}" if task in CLASSED_TASKS and size_class else ""
    return f"rated {name} models{cls} measured on {hardware}"


def model_ids(data: LeaderboardData) -> list[str]:
    """Every model on the leaderboard, sorted case-insensitively."""
    return data.cached("models:ids", lambda: sorted(set(data.frame["model_id"]), key=lambda m: (m.lower(), m)))


def check_model(data: LeaderboardData, model_id: str) -> str:
    """``model_id`` if it is on the leaderboard; a one-line error naming it (and close ids) if not."""
    model_id = (model_id or "").strip()
    known = model_ids(data)
    if model_id in set(known):
        return model_id
    if not model_id:
        raise UnknownModelError("no model given: pick one of the leaderboard's models")
    close = difflib.get_close_matches(model_id, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownModelError(f"unknown model {model_id!r}: it has no result on the leaderboard{hint}")


def provider(model_id: str) -> str | None:
    """The organisation part of a Hub id (``org/name`` → ``org``); None without one, or for an id
    that is not a Hub id."""
    org, slash, _ = model_id.partition("/")
    return org if slash and org and is_hub_id(model_id) else None


def phase_breakdown(record: ResultRecord) -> list[dict[str, Any]]:
    """Each measured phase (mean over repeats), scaled to 1,000 queries, with its share of the GPU
    energy. Published figures have no phases: an empty list."""
    samples = record.settings.num_samples
    gpu_total = sum(phase.gpu_kwh for phase in record.phases.values())
    rows = []
    for name, phase in record.phases.items():
        rows.append(
            {
                "phase": name,
                "phase_name": PHASE_NAMES.get(name, name),
                "gpu_wh_per_1k_queries": per_1k_queries_wh(phase.gpu_kwh, samples),
                "cpu_wh_per_1k_queries": per_1k_queries_wh(phase.cpu_kwh, samples),
                "ram_wh_per_1k_queries": per_1k_queries_wh(phase.ram_kwh, samples),
                "share_of_gpu": phase.gpu_kwh / gpu_total if gpu_total > 0 else None,
                "latency_s": phase.latency_s,
                "latency_s_per_query": phase.latency_s / samples if phase.latency_s is not None else None,
                "throughput": phase.throughput,
                "throughput_unit": phase.throughput_unit,
            }
        )
    return rows


def _details(model: Any) -> dict[str, Any]:
    return {key: value for key, value in model.model_dump().items() if value is not None}


def _quality_item(record: QualityRecord) -> dict[str, Any]:
    declared = TASKS[record.task].quality if record.task in TASKS else None
    return {
        "value": record.value,
        "benchmark": record.benchmark,
        "metric": record.metric,
        "label": declared.label if record.on_declared_benchmark and declared else f"{record.benchmark} {record.metric}",
        "higher_is_better": record.higher_is_better,
        "source": record.source,
        "provenance": record.provenance,
        "comparable": record.comparable,
        "off_reference_because": record.off_reference_because,
        "limit": record.settings.limit,
        "quality_id": record.quality_id,
    }


def quality_of(data: LeaderboardData, model_id: str, task: str, effort: str) -> tuple[dict | None, list[dict]]:
    """A model's quality on a task (at an effort level): the figure its board compares (on the declared
    benchmark; ours first, then self-reported, then published), and every other figure — another
    benchmark or metric, a partial (``--limit``) run, another source — each under its own name."""
    records = data.cached("models:quality_index", lambda: _quality_index(data))
    found = records.get((model_id, task, effort or ""), [])
    best = data.best_quality()
    chosen_row = best[(best["model_id"] == model_id) & (best["task"] == task) & (best["reasoning_effort"] == effort)]
    chosen_source = None if chosen_row.empty else (chosen_row.iloc[0]["quality_source"], chosen_row.iloc[0]["quality"])
    declared, others = None, []
    for record in found:
        item = _quality_item(record)
        if declared is None and record.comparable and (record.source, record.value) == chosen_source:
            declared = item
        else:
            others.append(item)
    return declared, others


def _quality_index(data: LeaderboardData) -> dict[tuple[str, str, str], list[QualityRecord]]:
    index: dict[tuple[str, str, str], list[QualityRecord]] = {}
    for record in data.quality:
        index.setdefault((record.model_id, record.task, record.reasoning_effort), []).append(record)
    return index


def entry(data: LeaderboardData, index: Any, grid: GridIntensity) -> dict[str, Any]:
    """One row of ``data.frame`` (by index) with its record's detail and its rank."""
    row = data.frame.loc[index]
    rank = ranks(data).loc[index]
    record = record_index(data).get((row["model_id"], row["task"], row["hardware"], row["run_id"]))
    energy = float(row["gpu_wh_per_1k_queries"])
    latency = record.latency_s_per_query if record is not None else None
    size_class = json_value(row["size_class"])
    quality, other_quality = quality_of(data, row["model_id"], row["task"], row["reasoning_effort"] or "")
    return {
        "model_id": row["model_id"],
        "task": row["task"],
        "task_name": TASKS[row["task"]].display_name,
        "hardware": row["hardware"],
        "stars": json_value(row["stars"]),
        "rating_flag": json_value(row["rating_flag"]),
        "rank": json_value(rank["rank"]),
        "rank_of": json_value(rank["rank_of"]),
        "rank_among": rank_group_text(row["task"], row["hardware"], size_class),
        "gpu_wh_per_1k_queries": energy,
        "gpu_wh_per_1k_queries_std": json_value(row["gpu_wh_per_1k_queries_std"]),
        "n_repeats": int(row["n_repeats"]),
        "reasoning_effort": row["reasoning_effort"] or None,
        "output_tokens_per_query": json_value(row["output_tokens_per_query"]),
        # mean, median, 95th percentile and queries at the cap, from the record where it was read
        "output_tokens": record.output_tokens.model_dump() if record is not None and record.output_tokens else None,
        "gpu_wh_per_1k_output_tokens": json_value(row["gpu_wh_per_1k_output_tokens"]),
        "warning": FLAG_ALL_AT_CAP if bool(row["output_all_at_cap"]) else None,
        "total_wh_per_1k_queries": record.total_wh_per_1k_queries if record is not None else None,
        "total_shared_with": record.hardware.concurrent_benchmarks
        if record is not None and record.total_energy_shared else 0,
        "latency_s_per_query": latency,
        "queries_per_s": 1.0 / latency if latency else None,
        "phases": phase_breakdown(record) if record is not None else [],
        "params": None if json_value(row["params"]) is None else int(row["params"]),
        "size_class": size_class,
        "hardware_details": _details(record.hardware) if record is not None else {},
        "software": _details(record.software) if record is not None else {},
        "num_samples": record.settings.num_samples if record is not None else None,
        "created_at": row["created_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": row["source"],
        "release": row["release"],
        "run_id": row["run_id"],
        "configuration_key": row["configuration_key"],
        "configuration": record.configuration.model_dump(exclude_none=True) if record and record.configuration else {},
        "comparable": bool(row["comparable"]),
        "not_comparable_because": json_value(row["not_comparable_because"]),
        "zero_shot": bool(row["zero_shot"]),
        # the stars this run's energy would earn on the reference board: shown as such, never given
        "would_be_stars": would_be_stars(data, index),
        "everyday": everyday(energy, grid),
        # what the energy buys: the figure boards compare, and the model's other figures on this task
        "quality": quality,
        "other_quality": other_quality,
        # who stands behind the figure, what its submitter stated, and what reproductions found
        "provenance": str(row["provenance"]),
        "attestation": record.attestation.model_dump(mode="json") if record and record.attestation else None,
        "verification": verification_entry(data, row),
        # measured as served (``benchmark.engine``): the engine, its protocol and figures
        "serving": serving_entry(record, row),
    }


def serving_entry(record: ResultRecord | None, row: pd.Series) -> dict[str, Any] | None:
    """How the model was served (None for a transformers run): protocol, batch, server, J per output token,
    median ITL and TTFT; at steady state its window, occupancy and stability."""
    engine = record.settings.engine if record is not None else None
    if engine is None:
        return None
    state = record.steady_state
    return {
        "engine": f"vLLM {record.software.vllm}" if record.software.vllm else "vLLM",
        "protocol": engine.protocol, "max_num_seqs": engine.max_num_seqs, "server": engine.server,
        "gpus": list(engine.gpus), "j_per_output_token": json_value(row.get("j_per_output_token")),
        "itl_median_ms": json_value(row.get("itl_median_ms")), "ttft_median_ms": json_value(row.get("ttft_median_ms")),
        "window_s": state.duration_s if state else None, "occupancy": state.occupancy if state else None,
        "stable": state.stable if state else None, "unstable_because": state.unstable_because if state else None,
    }


def verification_entry(data: LeaderboardData, row: pd.Series) -> dict[str, Any] | None:
    """What reproductions on the row's GPU model found: verified or disputed, with both figures each."""
    found = data.verifications().get((row["model_id"], row["task"], row["run_id"]))
    if found is None:
        return None
    return {"status": found.status, "reproductions": [
        {"run_id": run_id, "original_wh": check.original_wh, "reproduction_wh": check.new_wh, "ratio": check.ratio,
         "agrees": check.within, "basis": check.basis} for run_id, check in found.checks]}


def model_page(data: LeaderboardData, model_id: str, grid: str | None = None) -> dict[str, Any]:
    """Everything the model page shows for ``model_id``: one entry per task and hardware, in
    registry task order (``UnknownModelError`` if the model is not on the leaderboard)."""
    from leaderboard.views.reasoning import model_on_off
    from leaderboard.views.releases import model_history

    model_id = check_model(data, model_id)
    chosen_grid = get_grid(grid)
    rows = data.frame.index[data.frame["model_id"] == model_id]
    return {
        "model_id": model_id,
        "provider": provider(model_id),
        "grid": chosen_grid.key,
        "entries": [entry(data, index, chosen_grid) for index in rows],
        "history": model_history(data, model_id),
        # thinking on versus off, per effort level (empty unless measured both ways)
        "reasoning_on_off": model_on_off(data, model_id),
    }
