"""Summary figures of a set of leaderboard rows: how many models, the typical energy, the spread.

The statistics use the rows with a positive, finite GPU energy that is not flagged physically
implausible (one impossible record, e.g. 1e308 Wh, would otherwise turn the mean and the spread into
infinity); the spread is the ratio of the most to the least energy-hungry of them — AI Energy
Score's headline figure ("×5 for image classification, ×50 for text generation").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from benchmark.board.rating import FLAG_IMPLAUSIBLE
from leaderboard.display.formats import escape_markdown, format_energy, format_ratio
from leaderboard.display.strings import PROVENANCE_BADGES


@dataclass(frozen=True)
class EnergySummary:
    """Counts and GPU Wh per 1,000 queries statistics (``None`` where undefined)."""

    n_models: int  # rows: one per model and hardware
    n_measured: int  # rows with a positive, finite, plausible GPU energy
    mean_wh: float | None
    median_wh: float | None
    std_wh: float | None
    min_wh: float | None
    max_wh: float | None
    spread_ratio: float | None
    most_efficient: str | None
    least_efficient: str | None
    hardware: tuple[str, ...]
    # who stands behind the two figures named ("measured", "self-reported", "published"; None: unknown)
    most_efficient_provenance: str | None = None
    least_efficient_provenance: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["hardware_list"] = list(out.pop("hardware"))
        return out


def summarize(rows: pd.DataFrame) -> EnergySummary:
    """Summary of board rows (columns ``model_id``, ``gpu_wh_per_1k_queries``, ``hardware`` and, when
    rated, ``rating_flag``)."""
    energy = rows["gpu_wh_per_1k_queries"].to_numpy(dtype=float)
    positive = np.isfinite(energy) & (energy > 0)
    if "rating_flag" in rows:
        positive &= (rows["rating_flag"] != FLAG_IMPLAUSIBLE).to_numpy()
    values = energy[positive]
    ids = rows["model_id"].to_numpy()[positive]
    provenance = rows["provenance"].to_numpy()[positive] if "provenance" in rows else np.full(values.size, None)
    hardware = tuple(sorted(set(rows["hardware"]))) if "hardware" in rows else ()
    if values.size == 0:
        return EnergySummary(len(rows), 0, None, None, None, None, None, None, None, None, hardware)
    low, high = int(np.argmin(values)), int(np.argmax(values))
    return EnergySummary(
        n_models=len(rows),
        n_measured=int(values.size),
        mean_wh=float(values.mean()),
        median_wh=float(np.median(values)),
        std_wh=float(values.std(ddof=1)) if values.size > 1 else None,
        min_wh=float(values[low]),
        max_wh=float(values[high]),
        spread_ratio=float(values[high] / values[low]),
        most_efficient=str(ids[low]),
        least_efficient=str(ids[high]),
        hardware=hardware,
        most_efficient_provenance=provenance[low],
        least_efficient_provenance=provenance[high],
    )


def named(model_id: str | None, provenance: str | None) -> str:
    """A model named in a summary, escaped, with its provenance badge when it has one (self-reported)."""
    badge = PROVENANCE_BADGES.get(provenance or "")
    return escape_markdown(model_id or "") + (f" {badge}" if badge else "")


def summary_markdown(summary: EnergySummary) -> str:
    """Summary figures in at most two lines, safe to render (model ids escaped): the counts and the typical
    energy, then the spread between the least and the most efficient."""
    if summary.n_models == 0:
        return "**No models match.**"
    parts = [
        f"**{summary.n_models}** model{'s' if summary.n_models != 1 else ''}",
        f"mean **{format_energy(summary.mean_wh)}** Wh / 1,000 queries",
        f"median **{format_energy(summary.median_wh)}**",
        f"std **{format_energy(summary.std_wh)}**",
    ]
    unrated = summary.n_models - summary.n_measured
    if unrated > 0:
        parts.append(f"{unrated} row{'s' if unrated != 1 else ''} without a positive GPU energy left out of these "
                     "figures")
    text = " · ".join(parts)
    second = []
    if summary.spread_ratio is not None and summary.n_measured > 1:
        second.append(
            f"The least efficient model uses **{format_ratio(summary.spread_ratio)}** the energy of the most "
            f"efficient ({named(summary.least_efficient, summary.least_efficient_provenance)}: "
            f"{format_energy(summary.max_wh)} Wh vs {named(summary.most_efficient, summary.most_efficient_provenance)}"
            f": {format_energy(summary.min_wh)} Wh)."
        )
    if len(summary.hardware) > 1:
        second.append(
            f"These rows mix {len(summary.hardware)} hardware types "
            f"({escape_markdown(', '.join(summary.hardware))}): filter by hardware to compare like with like."
        )
    return text + ("  \n" + " ".join(second) if second else "")
