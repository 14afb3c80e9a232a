"""Which entries a reproduction verified: the **verified** badge (and, for maintainers, the disputed ones).

A reproduction is a record that ``reproduces`` an entry (its run id, for the same model and task). It
verifies the entry when it was measured on the same GPU model and its figure agrees by the one rule
(``benchmark.uploads.reproduce.agreement_of``); when every reproduction on that GPU disagrees the entry is
**disputed**, and a maintainer sees both figures. A reproduction on other hardware says nothing of it. The
provenance stays (a verified upload is still self-reported); only the badge changes. Verification is read
live, never frozen in a release: a reproduction may come after the release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from benchmark.record import ResultRecord
from benchmark.uploads.reproduce import DISPUTED, VERIFIED, Agreement, agreement_of

VERIFICATION_COLUMN = "verification"
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


def verifications(entries: pd.DataFrame, reproductions: tuple[ResultRecord, ...]) -> dict[tuple, Verification]:
    """For each entry (model, task, run id) reproduced on its own GPU model: verified or disputed."""
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
    return {key: Verification(VERIFIED if any(a.within for _, a in found) else DISPUTED, tuple(found))
            for key, found in checks.items()}


def with_verification(rows: pd.DataFrame, found: dict[tuple, Verification]) -> pd.DataFrame:
    """``rows`` with the ``verification`` column ("verified", "disputed" or "")."""
    out = rows.copy()
    keys = list(out[KEY].itertuples(index=False, name=None)) if len(out) else []
    out[VERIFICATION_COLUMN] = np.array([found[k].status if k in found else "" for k in keys], dtype=object)
    return out
