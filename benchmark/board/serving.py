"""The serving columns of the rated frame: how a language model served by an engine did (``benchmark.engine``).

``serving_protocol`` is "" for a run of the transformers reference, else the engine's protocol
(``one-at-a-time`` or ``steady-state``); ``max_num_seqs`` the steady state's batch; ``j_per_output_token``
the GPU energy per generated token in joules (at steady state ML.ENERGY's, over the window; otherwise the
run's GPU Wh per 1,000 output tokens × 3.6, for every generation run); ``itl_median_ms`` and
``ttft_median_ms`` the served latencies (at steady state, those of the requests that started in the window);
``unstable`` a steady state under the minimum window or occupancy: kept and shown, never rated or chosen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.record import ResultRecord

SERVING_COLUMNS = ("serving_protocol", "max_num_seqs", "j_per_output_token", "itl_median_ms", "ttft_median_ms",
                   "unstable")
J_PER_WH_PER_1K = 3.6  # Wh per 1,000 tokens → J per token


def _nan(value: float | None) -> float:
    return float(value) if value is not None else np.nan


def serving_row(record: ResultRecord) -> tuple:
    engine = record.settings.engine
    state = record.steady_state
    serving = record.serving
    if state is not None:
        per_token = state.energy_per_output_token_j if state.gpu_energy_j is not None else None
        return (engine.protocol if engine else "steady-state", float(state.max_num_seqs), _nan(per_token),
                _nan(state.itl_median_ms), _nan(state.ttft_median_ms), not state.stable)
    per_wh = record.gpu_wh_per_1k_output_tokens
    return (
        engine.protocol if engine is not None else "",
        np.nan,
        per_wh * J_PER_WH_PER_1K if per_wh is not None else np.nan,
        _nan(serving.itl_median_ms) if serving is not None else np.nan,
        _nan(serving.ttft_median_ms) if serving is not None else np.nan,
        False,
    )


def serving_frame(records: tuple[ResultRecord, ...] | list[ResultRecord]) -> pd.DataFrame:
    """One row per record (same order) with the ``SERVING_COLUMNS``."""
    frame = pd.DataFrame.from_records([serving_row(r) for r in records], columns=list(SERVING_COLUMNS))
    return frame.astype({"serving_protocol": str, "max_num_seqs": float, "j_per_output_token": float,
                         "itl_median_ms": float, "ttft_median_ms": float, "unstable": bool})
