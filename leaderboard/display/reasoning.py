"""The reasoning on-versus-off comparison as Markdown (the Reasoning tab and the model page).

Record text (model ids, hardware) goes through ``model_markdown`` / ``escape_markdown``.
"""

from __future__ import annotations

from typing import Any

from leaderboard.display import strings
from leaderboard.display.formats import escape_markdown, format_amount, format_ratio, format_wh, model_markdown


def _tokens(pair: dict[str, Any]) -> str:
    on, off = pair["thinking_on_output_tokens_per_query"], pair["thinking_off_output_tokens_per_query"]
    if on is None or off is None:
        return "–"
    return f"{format_amount(on)} vs {format_amount(off)} ({format_ratio(pair['output_token_ratio'])})"


def on_off_table_markdown(pairs: list[dict[str, Any]]) -> str:
    """The comparison table of the Reasoning tab, or why there is none."""
    if not pairs:
        return strings.ON_OFF_NONE
    lines = [
        "| Model | Effort | Hardware | Thinking on (GPU Wh / 1,000 queries) | Thinking off | Energy ratio "
        "| Output tokens / query (on vs off) | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for pair in pairs:
        lines.append(
            f"| {model_markdown(pair['model_id'])} | {escape_markdown(pair['reasoning_effort'] or '–')} | "
            f"{escape_markdown(pair['hardware'])} | {format_wh(pair['thinking_on_wh_per_1k_queries'])} | "
            f"{format_wh(pair['thinking_off_wh_per_1k_queries'])} | **{format_ratio(pair['energy_ratio'])}** | "
            f"{_tokens(pair)} | {escape_markdown(pair['doubtful'] or '')} |"
        )
    return "\n".join(lines)


def on_off_sentences_markdown(pairs: list[dict[str, Any]]) -> str:
    """The model page's part: one sentence per effort level, with the figures behind it."""
    lines = [strings.ON_OFF_TITLE]
    for pair in pairs:
        figures = (
            f"{format_wh(pair['thinking_on_wh_per_1k_queries'])} vs {format_wh(pair['thinking_off_wh_per_1k_queries'])}"
            f" Wh per 1,000 queries on {escape_markdown(pair['hardware'])}, release {escape_markdown(pair['release'])}"
        )
        doubt = f" *({escape_markdown(pair['doubtful'])})*" if pair["doubtful"] else ""
        lines.append(f"- **{escape_markdown(pair['sentence'])}** {figures}{doubt}")
    return "\n".join(lines)
