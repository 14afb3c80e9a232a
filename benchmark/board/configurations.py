"""The configuration columns of the rated frame: how each record was run, and whether it compares.

``configuration_key`` is ``"reference"`` for the task's reference configuration (records written
before configurations existed read as one when their settings equal the registry's); ``comparable``
is False for a record with fewer samples than the task's, or another dataset or split: such a row is
kept (the model page shows it) but never reaches a board and is never rated. ``zero_shot`` marks
runs of a text-to-text model prompted zero-shot: our ``--zero-shot`` configuration, or a published
board's row it says was prompted so (``settings.prompting``; rated with that board's cohort, as published).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.configuration import REFERENCE_KEY, not_comparable_reason, record_configuration
from benchmark.record import ResultRecord
from benchmark.tasks import TASKS

CONFIGURATION_COLUMNS = ("configuration_key", "comparable", "not_comparable_because", "zero_shot")


def configuration_key(record: ResultRecord) -> str:
    return record_configuration(record, TASKS[record.task]).key


def configuration_frame(records: tuple[ResultRecord, ...] | list[ResultRecord]) -> pd.DataFrame:
    """One row per record (same order) with the ``CONFIGURATION_COLUMNS``."""
    rows = []
    for record in records:
        spec = TASKS[record.task]
        configuration = record_configuration(record, spec)
        reason = not_comparable_reason(record, spec)
        zero_shot = bool(configuration.zero_shot) or record.settings.prompting == "zero-shot"
        rows.append((configuration.key, reason is None, reason, zero_shot))
    frame = pd.DataFrame.from_records(rows, columns=list(CONFIGURATION_COLUMNS))
    return frame.astype({"configuration_key": str, "comparable": bool, "zero_shot": bool})


def on_reference_board(df: pd.DataFrame) -> np.ndarray:
    """Rows a reference board shows and rates: comparable runs of the reference configuration
    (every row, for frames without the configuration columns)."""
    mask = np.ones(len(df), dtype=bool)
    if "configuration_key" in df:
        mask &= (df["configuration_key"] == REFERENCE_KEY).to_numpy(dtype=bool)
    if "comparable" in df:
        mask &= df["comparable"].to_numpy(dtype=bool)
    return mask
