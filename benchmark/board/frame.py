"""One rated row per record: the table a release freezes (``benchmark.release``) and the app shows.

The row values are read off each record once, here, so a release and the live board cannot disagree
on a value; the stars are ``rating``'s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.board.configurations import CONFIGURATION_COLUMNS, configuration_frame
from benchmark.board.plausibility import implausible_energy_reason
from benchmark.board.rating import rating_flags, size_classes, star_ratings
from benchmark.board.serving import SERVING_COLUMNS, serving_frame
from benchmark.board.verification import verified_run_ids
from benchmark.record import SELF_REPORTED, ResultRecord, record_provenance
from benchmark.tasks import TASK_KEYS

FRAME_COLUMNS = (
    "model_id",
    "task",
    "gpu_wh_per_1k_queries",
    "gpu_wh_per_1k_queries_std",
    "params",
    "size_class",
    "hardware",
    "device",
    "created_at",
    "source",
    "run_id",
    "n_repeats",
    "energy_implausible",
    "stars",
    "rating_flag",
    "total_wh_per_1k_queries",
    # generation tasks: the reasoning effort level ("" for none), mean output tokens per query, GPU
    # Wh per 1,000 output tokens, and whether every query stopped at the new-token cap (NaN/False
    # for a task without output tokens or a published figure)
    "reasoning_effort",
    "output_tokens_per_query",
    "gpu_wh_per_1k_output_tokens",
    "output_all_at_cap",
    # the record's per-query latency (the inference phases over the samples), where it was measured
    "latency_s_per_query",
    # who stands behind the figure: measured (our workers), self-reported (an approved upload), published
    "provenance",
    # whether the row sets its rating group's bins: False for a self-reported upload no reproduction verified
    "in_bands",
    *CONFIGURATION_COLUMNS,
    *SERVING_COLUMNS,
)
DERIVED_COLUMNS = ("size_class", "stars", "rating_flag", "in_bands", *CONFIGURATION_COLUMNS, *SERVING_COLUMNS)

def frame_from_records(
    records: tuple[ResultRecord, ...] | list[ResultRecord],
    reproductions: tuple[ResultRecord, ...] | list[ResultRecord] = (),
) -> pd.DataFrame:
    """One row per record with its stars, sorted per task: rated first, least energy first.

    The spread over repeats is the records' standard deviation where there were at least two
    repeats, and missing otherwise (a single or a published figure has no known spread). A
    self-reported row sets its group's bins only once ``reproductions`` verify it (``in_bands``).
    """
    rows = [
        (
            r.model_id,
            r.task,
            r.gpu_wh_per_1k_queries,
            r.gpu_wh_per_1k_queries_std if len(r.repeats) > 1 else np.nan,
            float(r.params) if r.params is not None else np.nan,
            r.hardware.label,
            r.hardware.device,
            r.created_at,
            r.source,
            r.run_id,
            len(r.repeats),
            implausible_energy_reason(r) is not None,
            r.total_wh_per_1k_queries if r.total_wh_per_1k_queries is not None else np.nan,
            r.settings.reasoning_effort or "",
            r.output_tokens.per_query_mean if r.output_tokens is not None else np.nan,
            r.gpu_wh_per_1k_output_tokens if r.gpu_wh_per_1k_output_tokens is not None else np.nan,
            r.output_tokens is not None and r.output_tokens.all_at_cap,
            r.latency_s_per_query if r.latency_s_per_query is not None else np.nan,
            record_provenance(r),
        )
        for r in records
    ]
    names = [c for c in FRAME_COLUMNS if c not in DERIVED_COLUMNS]
    frame = pd.DataFrame.from_records(rows, columns=names)
    frame = frame.astype(
        {"gpu_wh_per_1k_queries": float, "gpu_wh_per_1k_queries_std": float, "params": float, "n_repeats": int,
         "energy_implausible": bool, "total_wh_per_1k_queries": float, "reasoning_effort": str,
         "output_tokens_per_query": float, "gpu_wh_per_1k_output_tokens": float, "output_all_at_cap": bool,
         "latency_s_per_query": float}
    )
    frame = pd.concat([frame, configuration_frame(records), serving_frame(records)], axis=1)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    # A size class published with the record (``size_class``, e.g. a board's) wins over the one
    # derived from its parameter count: AI Energy Score's v2 classes follow deployment, not size.
    published = pd.Series([r.size_class for r in records], dtype=object)
    frame["size_class"] = published.where(published.notna(), size_classes(frame["params"]))
    frame["in_bands"] = frame["provenance"] != SELF_REPORTED
    if reproductions and not frame["in_bands"].all():
        verified = verified_run_ids(frame, reproductions)
        frame["in_bands"] |= frame["run_id"].isin(verified)
    frame["stars"] = star_ratings(frame)
    frame["rating_flag"] = rating_flags(frame)
    task_order = pd.Categorical(frame["task"], categories=TASK_KEYS).codes
    frame = (
        frame.assign(_task=task_order, _unrated=frame["stars"].isna())
        .sort_values(["_task", "_unrated", "gpu_wh_per_1k_queries", "model_id"], kind="stable")
        .drop(columns=["_task", "_unrated"])
        .reset_index(drop=True)
    )
    return frame[list(FRAME_COLUMNS)]
