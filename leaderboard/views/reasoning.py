"""Reasoning on versus off: what thinking costs a model, and the energy of its output tokens.

A model measured both ways — on the reasoning task (thinking on) and on text generation (thinking
off, the registry's text-generation task never turns it on) — on the same hardware, configuration
and board release gets one comparison per effort level: the ratio of its GPU energy per query,
and, when both runs counted their output tokens, the ratio of output tokens per query. AI Energy
Score's December 2025 boards give 546.99 / 11.83 = 46.2× for Qwen/Qwen3-0.6B.

"Mostly from more output tokens" is said when the token ratio accounts for at least half of the
energy ratio on a log scale (tokens ≥ √energy ratio): the rest is the energy per output token.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from leaderboard.display.formats import format_ratio
from leaderboard.results.data import LeaderboardData
from leaderboard.results.releases import LATEST

REASONING_TASK = "reasoning"
THINKING_OFF_TASK = "text_generation"
EFFORT_ORDER = {"low": 0, "medium": 1, "high": 2}
# the keys on which a thinking-on row meets its thinking-off row
PAIR_KEYS = ("model_id", "hardware", "configuration_key", "release")
DOUBTFUL_BELOW_OFF = "thinking on measured below thinking off: doubtful"


def _positive(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def _ratio(on: float | None, off: float | None) -> float | None:
    return on / off if on is not None and off is not None else None


def on_off_sentence(energy_ratio: float, token_ratio: float | None, effort: str = "") -> str:
    """"Thinking on uses 46.2× the energy per query, mostly from 38× more output tokens." """
    who = f"Thinking on ({effort})" if effort else "Thinking on"
    text = f"{who} uses {format_ratio(energy_ratio)} the energy per query"
    if token_ratio is not None:
        mostly = energy_ratio > 1 and token_ratio > 1 and math.log(token_ratio) >= 0.5 * math.log(energy_ratio)
        text += f", {'mostly from' if mostly else 'with'} {format_ratio(token_ratio)} more output tokens"
    return text + "."


def on_off_pair(on: pd.Series, off: pd.Series) -> dict[str, Any]:
    """One comparison of a thinking-on row with its thinking-off row (rows of a board)."""
    on_wh, off_wh = float(on["gpu_wh_per_1k_queries"]), float(off["gpu_wh_per_1k_queries"])
    on_tokens, off_tokens = _positive(on["output_tokens_per_query"]), _positive(off["output_tokens_per_query"])
    energy_ratio = on_wh / off_wh
    token_ratio = _ratio(on_tokens, off_tokens)
    per_token = _ratio(_positive(on["gpu_wh_per_1k_output_tokens"]), _positive(off["gpu_wh_per_1k_output_tokens"]))
    effort = str(on["reasoning_effort"] or "")
    return {
        "model_id": on["model_id"],
        "reasoning_effort": effort,
        "hardware": on["hardware"],
        "configuration_key": on["configuration_key"],
        "release": on["release"],
        "size_class": on["size_class"],
        "thinking_on_wh_per_1k_queries": on_wh,
        "thinking_off_wh_per_1k_queries": off_wh,
        "energy_ratio": energy_ratio,
        "thinking_on_output_tokens_per_query": on_tokens,
        "thinking_off_output_tokens_per_query": off_tokens,
        "output_token_ratio": token_ratio,
        "energy_per_output_token_ratio": per_token if per_token is not None else _ratio(energy_ratio, token_ratio),
        "sentence": on_off_sentence(energy_ratio, token_ratio, effort),
        "doubtful": DOUBTFUL_BELOW_OFF if energy_ratio < 1 else None,
    }


def on_off_frame(on_rows: pd.DataFrame, off_rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Every thinking-on row of ``on_rows`` that has a thinking-off row in ``off_rows`` (same model,
    hardware, configuration and release), by model then effort level."""
    keys = list(PAIR_KEYS)
    off_by_key = {tuple(row[k] for k in keys): row for _, row in off_rows.iterrows()}
    pairs = [
        on_off_pair(row, off_by_key[key])
        for _, row in on_rows.iterrows()
        if (key := tuple(row[k] for k in keys)) in off_by_key and float(off_by_key[key]["gpu_wh_per_1k_queries"]) > 0
    ]
    return sorted(pairs, key=lambda p: (p["model_id"].lower(), EFFORT_ORDER.get(p["reasoning_effort"], -1)))


def reasoning_on_off(data: LeaderboardData, release: str | None = LATEST) -> list[dict[str, Any]]:
    """The comparisons of ``release``'s board (reference runs), once per data version."""
    name = data.release_name(release)
    return data.cached(
        ("reasoning_on_off", name),
        lambda: on_off_frame(data.task_frame(REASONING_TASK, name), data.task_frame(THINKING_OFF_TASK, name)),
    )


def model_on_off(data: LeaderboardData, model_id: str) -> list[dict[str, Any]]:
    """The model's comparisons on the latest board (what its model page shows)."""
    return [pair for pair in reasoning_on_off(data) if pair["model_id"] == model_id]


def token_points(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows that can be placed on the energy-against-output-tokens plot (both figures > 0)."""
    tokens = pd.to_numeric(rows["output_tokens_per_query"], errors="coerce")
    energy = pd.to_numeric(rows["gpu_wh_per_1k_queries"], errors="coerce")
    return rows[((tokens > 0) & (energy > 0)).to_numpy(dtype=bool)]
