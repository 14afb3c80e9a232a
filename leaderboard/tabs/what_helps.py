"""The What helps tab: per task, what each run configuration saves against the reference run.

Its own top tab rather than a Models sub-tab: its subject is ways of running models (across models),
its input a task, not a model. Layout and event wiring only; the rows come from
``leaderboard.views.what_helps`` (the same as the ``/what_helps`` endpoint), the text from
``leaderboard.display.strings``. Drawn when first opened, and again after a refresh if drawn.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.display import strings
from leaderboard.tabs.context import PRIVATE_EVENT, AppContext
from leaderboard.views.what_helps import (
    CONFIGURATION_COLUMNS,
    MODEL_COLUMNS,
    configurations_table,
    models_table,
    served_markdown,
    served_summary,
    tasks_with_configurations,
    what_helps,
    what_helps_empty_state,
    zero_shot_markdown,
    zero_shot_summary,
)


def _table(columns: tuple[tuple[str, str], ...], elem_id: str) -> gr.Dataframe:
    return gr.Dataframe(
        headers=[header for header, _ in columns],
        datatype=[datatype for _, datatype in columns],
        interactive=False,
        wrap=True,
        max_height=420,
        latex_delimiters=[],
        show_label=False,
        elem_id=elem_id,
    )


def draw_what_helps(data: Any, task: str | None) -> tuple[Any, ...]:
    """The tab's outputs for ``task``: empty state, configurations table, models title and table,
    zero-shot line (each hidden when it has nothing to show)."""
    key = task if task in TASKS else TASK_KEYS[0]
    view = what_helps(data, key)
    empty = what_helps_empty_state(key, view)
    zero_shot = zero_shot_markdown(zero_shot_summary(data, key))
    served = served_markdown(served_summary(data, key))
    shown = empty is None
    return (
        gr.Markdown(value=empty or "", visible=not shown),
        gr.Dataframe(value=configurations_table(view), visible=shown),
        gr.Markdown(visible=shown),
        gr.Dataframe(value=models_table(view), visible=shown),
        gr.Markdown(value=zero_shot, visible=bool(zero_shot)),
        gr.Markdown(value=served, visible=bool(served)),
    )


def build_what_helps_tab(ctx: AppContext) -> None:
    # what is known on the current board comes first (the findings, then the tables); how to measure more
    # and how the ratios are computed come after
    with gr.Tab("What helps", id="what-helps", elem_id="tab-what-helps") as tab:
        gr.Markdown(strings.WHAT_HELPS_LEAD)
        task = gr.Dropdown(
            [(TASKS[key].display_name, key) for key in TASK_KEYS], value=TASK_KEYS[0], label="Task",
            elem_id="what-helps-task",
        )
        zero_shot = gr.Markdown(visible=False, elem_id="what-helps-zero-shot")
        configurations = _table(CONFIGURATION_COLUMNS, "what-helps-configurations")
        models_title = gr.Markdown(f"#### {strings.WHAT_HELPS_MODELS_TITLE}")
        models = _table(MODEL_COLUMNS, "what-helps-models")
        served = gr.Markdown(visible=False, elem_id="what-helps-served")
        empty = gr.Markdown(visible=False, elem_id="what-helps-empty")
        gr.Markdown(strings.WHAT_HELPS_INTRO)
        opened = gr.State(False)

    outputs = [empty, configurations, models_title, models, zero_shot, served]

    def first_open(was_opened: bool) -> tuple[Any, ...]:
        """On first opening, the first task with configurations to compare (else the registry's first)."""
        if was_opened:
            return (gr.skip(),) * (len(outputs) + 2)
        with_configurations = tasks_with_configurations(ctx.data)
        chosen = with_configurations[0] if with_configurations else TASK_KEYS[0]
        return (True, gr.Dropdown(value=chosen), *draw_what_helps(ctx.data, chosen))

    def redraw_if_opened(was_opened: bool, chosen: str) -> tuple[Any, ...]:
        return draw_what_helps(ctx.data, chosen) if was_opened else (gr.skip(),) * len(outputs)

    tab.select(first_open, [opened], [opened, task, *outputs], **PRIVATE_EVENT)
    task.input(lambda chosen: draw_what_helps(ctx.data, chosen), [task], outputs, **PRIVATE_EVENT)
    ctx.on_refresh(redraw_if_opened, [opened, task], outputs)
