"""The Reasoning tab's own section, under its table: energy against output tokens per size class
(log–log), and thinking on versus off per model. ``build_task_tab`` adds it to the tasks named in
``TASK_SECTIONS``; it follows the tab's filters (search, hardware, size class, release)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr
import pandas as pd

from leaderboard.display.plots import energy_vs_output_tokens
from leaderboard.display.reasoning import on_off_table_markdown
from leaderboard.display.strings import (
    ON_OFF_INTRO,
    ON_OFF_TITLE,
    REASONING_ABOUT,
    REASONING_NO_TOKENS,
    REASONING_TOKENS_TITLE,
)
from leaderboard.tabs.context import PRIVATE_EVENT, AppContext
from leaderboard.views.reasoning import REASONING_TASK, reasoning_on_off, token_points
from leaderboard.views.tables import TaskView

ViewFor = Callable[..., TaskView]  # the tab's filter values → its TaskView


def _shown(pairs: list[dict[str, Any]], rows: pd.DataFrame) -> list[dict[str, Any]]:
    """The comparisons of the rows the filters keep."""
    kept = set(zip(rows["model_id"], rows["reasoning_effort"], rows["hardware"], strict=True))
    return [p for p in pairs if (p["model_id"], p["reasoning_effort"], p["hardware"]) in kept]


def build_reasoning_section(ctx: AppContext, tab: gr.Tab, filters: list[Any], view_for: ViewFor) -> None:
    ctx.about_sections.append(REASONING_ABOUT)
    gr.Markdown(REASONING_TOKENS_TITLE)
    note = gr.Markdown(visible=False, elem_id="tokens-note-reasoning")
    plot = gr.Plot(show_label=False, visible=False, elem_id="plot-tokens-reasoning")
    gr.Markdown(f"{ON_OFF_TITLE}\n{ON_OFF_INTRO}")
    table = gr.Markdown(elem_id="on-off-reasoning")
    rendered = gr.State(None)
    outputs = [rendered, note, plot, table]

    def draw(*values: Any) -> tuple[Any, ...]:
        data = ctx.data
        view = view_for(*values)
        points = token_points(view.rows)
        pairs = _shown(reasoning_on_off(data, view.release), view.rows)
        figure = energy_vs_output_tokens(points, "Reasoning: energy vs output tokens") if len(points) else None
        return (
            data.version,
            gr.Markdown(value=REASONING_NO_TOKENS, visible=figure is None),
            gr.Plot(value=figure, visible=figure is not None),
            on_off_table_markdown(pairs),
        )

    def redraw_if_stale(shown: int | None, *values: Any) -> tuple[Any, ...]:
        if shown is None or shown == ctx.data.version:
            return tuple(gr.skip() for _ in outputs)
        return draw(*values)

    tab.select(draw, filters, outputs, **PRIVATE_EVENT)
    search, hardware, sizes, _, release = filters
    gr.on([search.input, hardware.input, sizes.input, release.input], draw, filters, outputs,
          trigger_mode="always_last", **PRIVATE_EVENT)
    ctx.on_refresh(redraw_if_stale, [rendered, *filters], outputs)


TASK_SECTIONS: dict[str, Callable[[AppContext, gr.Tab, list[Any], ViewFor], None]] = {
    REASONING_TASK: build_reasoning_section,
}
