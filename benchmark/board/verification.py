"""Which entries a reproduction verified (or disputed): read off the records, by the one agreement rule.

A reproduction is a record that ``reproduces`` an entry (its run id, for the same model and task). It
verifies the entry when it was measured on the same GPU model and its figure agrees by the one rule
(``benchmark.uploads.reproduce.agreement_of``); when every reproduction on that GPU disagrees the entry is
**disputed**. A reproduction on other hardware says nothing of it. The board uses this twice: for the
badge, and to let a verified self-reported upload join its rating group's bands (an unverified one is
rated against them without moving them, ``benchmark.board.rating``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from benchmark.record import ResultRecord
from benchmark.uploads.reproduce import DISPUTED, VERIFIED, Agreement, agreement_of

KEY = ["model_id", "task", "run_id"]


@dataclass(frozen=True)
class Verification:
    status: str  # VERIFIED or DISPUTED
    checks: tuple[tuple[str, Agreement], ...] = field(default_factory=tuple)  # (reproduction run id, agreement)


def _figure(row: Any, record: ResultRecord | None = None) -> tuple[float, float, str]:
    if (record.hardware.device if record else row.device) == "cpu":
        total = record.total_wh_per_1k_queries if record else row.total_wh_per_1k_queries
        return float(total or 0.0), float("nan"), "total Wh per 1,000 queries (CPU)"
    gpu = record.gpu_wh_per_1k_queries if record else row.gpu_wh_per_1k_queries
    std = float(row.gpu_wh_per_1k_queries_std) if record is None else record.gpu_wh_per_1k_queries_std
    return float(gpu), std, "GPU Wh per 1,000 queries"


def verifications(entries: pd.DataFrame, reproductions: tuple[ResultRecord, ...] | list[ResultRecord]
                  ) -> dict[tuple, Verification]:
    """For each entry (model, task, run id) reproduced on its own GPU model: verified or disputed. An entry
    is verified only when every reproduction on its GPU model agrees, disputed when any disagrees."""
    if not reproductions or entries.empty:
        return {}
    rows = {tuple(key): row for key, row in zip(entries[KEY].itertuples(index=False, name=None),
                                                 entries.itertuples(index=False), strict=True)}
    checks: dict[tuple, list[tuple[str, Agreement]]] = {}
    for reproduction in reproductions:
        key = (reproduction.model_id, reproduction.task, reproduction.reproduces)
        row = rows.get(key)
        if row is None or row.hardware != reproduction.hardware.label:
            continue
        mean, std, basis = _figure(row)
        value, _, _ = _figure(row, reproduction)
        checks.setdefault(key, []).append((reproduction.run_id, agreement_of(
            mean, std, int(row.n_repeats), row.device == "cpu", value, basis)))
    return {key: Verification(VERIFIED if all(a.within for _, a in found) else DISPUTED, tuple(found))
            for key, found in checks.items()}


def verified_run_ids(entries: pd.DataFrame, reproductions: tuple[ResultRecord, ...] | list[ResultRecord]
                     ) -> frozenset[str]:
    """The run ids of the entries ``verifications`` calls verified."""
    return frozenset(key[2] for key, found in verifications(entries, reproductions).items()
                     if found.status == VERIFIED)
