"""The Models tab: a model page, a comparison, the energy–latency trade-off and energy labels.

Layout and event wiring only; the data comes from ``model_page``, ``compare``, ``tradeoff`` and
``label``, the text from ``models_render``. Choices are filled when the tab is first opened and
after every data refresh; the public API of the tab is in ``leaderboard.api``.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from benchmark.errors import UserInputError
from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.display import strings
from leaderboard.display.plots import served_figure, tradeoff_figure
from leaderboard.label.facts import cached_label_path, label_facts, label_file_name, label_markdown, leaderboard_url
from leaderboard.tabs import models_text as text
from leaderboard.tabs.about import everyday_scale_section
from leaderboard.tabs.context import PRIVATE_EVENT, AppContext
from leaderboard.tabs.links import copy_link_js, follow_link_js
from leaderboard.views.compare import MAX_MODELS, compare
from leaderboard.views.equivalences import DEFAULT_GRID, GRID_CHOICES
from leaderboard.views.model_page import model_ids, model_page
from leaderboard.views.tradeoff import default_task, served_tradeoff, tradeoff

_SEP = "::"  # between task key and hardware in the label's result choices (task keys have no colons)



def served_at(request: gr.Request | None) -> str | None:
    """The address this app was reached at (``http://host:port/``), where the request says it."""
    try:
        return str(request.base_url) if request is not None else None
    except (AttributeError, KeyError, TypeError):
        return None

def _task_choices() -> list[tuple[str, str]]:
    return [(TASKS[key].display_name, key) for key in TASK_KEYS]


def _results_of(data: Any, model_id: str | None) -> list[tuple[str, str]]:
    """The label's choices for a model: one per (task, hardware) it was measured on."""
    if not model_id:
        return []
    rows = data.frame[data.frame["model_id"] == model_id]
    return [
        (f"{TASKS[task].display_name} · {hardware}", f"{task}{_SEP}{hardware}")
        for task, hardware in zip(rows["task"], rows["hardware"], strict=True)
    ]


def build_models_tab(ctx: AppContext) -> None:
    ctx.about_sections.append(everyday_scale_section())  # the constants behind the equivalences shown here
    with gr.Tab("Models", id="models", elem_id="tab-models") as tab:
        gr.Markdown(strings.MODELS_INTRO)
        grid = gr.Dropdown(GRID_CHOICES, value=DEFAULT_GRID, label="Electricity grid for CO₂e", elem_id="models-grid")
        with gr.Tabs() as model_tabs:
            with gr.Tab("Model page", id="model-page", elem_id="tab-model-page"):
                with gr.Row(equal_height=False):
                    page_model = gr.Dropdown([], value=None, label="Model", elem_id="model-page-model", scale=3)
                    copy = gr.Button(strings.COPY_LINK, size="sm", scale=0, min_width=130, elem_id="copy-link-model")
                    link_box = gr.Textbox(label=strings.LINK_LABEL, interactive=False, max_lines=1, scale=2,
                                          show_label=False, placeholder=strings.LINK_LABEL, elem_id="link-model")
                page = gr.Markdown(strings.PICK_A_MODEL, latex_delimiters=[], elem_id="model-page")
            with gr.Tab("Compare", id="compare", elem_id="tab-compare"):
                with gr.Row(equal_height=True):
                    compare_models = gr.Dropdown(
                        [],
                        value=[],
                        multiselect=True,
                        max_choices=MAX_MODELS,
                        label="Models (2 to 4)",
                        elem_id="compare-models",
                        scale=3,
                    )
                    compare_task = gr.Dropdown(
                        [("First shared task", ""), *_task_choices()],
                        value="",
                        label="Task",
                        elem_id="compare-task",
                        scale=1,
                    )
                compared = gr.Markdown(strings.PICK_MODELS, latex_delimiters=[], elem_id="compare-result")
            with gr.Tab("Trade-off", id="tradeoff", elem_id="tab-tradeoff") as tradeoff_tab:
                gr.Markdown(
                    "GPU energy per 1,000 queries against latency per query, both measured by the runner, on "
                    "log axes. The dashed line joins the Pareto frontier: models no other model beats on both."
                )
                with gr.Row(equal_height=True):
                    tradeoff_task = gr.Dropdown(
                        _task_choices(), value=TASK_KEYS[0], label="Task", elem_id="tradeoff-task"
                    )
                    tradeoff_hardware = gr.Dropdown([], value=None, label="Hardware", elem_id="tradeoff-hardware")
                tradeoff_plot = gr.Plot(show_label=False, elem_id="plot-tradeoff")
                frontier = gr.Markdown(latex_delimiters=[], elem_id="tradeoff-frontier")
                served_plot = gr.Plot(show_label=False, visible=False, elem_id="plot-served")
            with gr.Tab("Energy label", id="energy-label", elem_id="tab-energy-label"):
                with gr.Row(equal_height=True):
                    label_model = gr.Dropdown([], value=None, label="Model", elem_id="label-model", scale=2)
                    label_result = gr.Dropdown(
                        [], value=None, label="Task and hardware", elem_id="label-result", scale=2
                    )
                with gr.Row():
                    label_image = gr.Image(
                        type="filepath",
                        label="Energy label",
                        interactive=False,
                        height=620,
                        buttons=["download"],
                        elem_id="label-image",
                    )
                    with gr.Column():
                        label_download = gr.DownloadButton("Download the label (PNG)", elem_id="label-download")
                        label_snippet = gr.Code(
                            language="markdown",
                            label="Markdown for the model card",
                            interactive=False,
                            wrap_lines=True,
                            elem_id="label-snippet",
                        )
                        label_status = gr.Markdown(strings.LABEL_HELP, latex_delimiters=[], elem_id="label-status")
        shown_version = gr.State(None)

    def fill_choices(shown: int | None) -> tuple[Any, ...]:
        data = ctx.data
        if shown == data.version:
            return (gr.skip(),) * len(choice_outputs)
        ids = model_ids(data)
        return (
            data.version,
            gr.Dropdown(choices=ids),
            gr.Dropdown(choices=ids),
            gr.Dropdown(choices=ids),
            gr.Dropdown(value=default_task(data)),
        )

    choice_outputs = [shown_version, page_model, compare_models, label_model, tradeoff_task]

    def refill_if_opened(shown: int | None) -> tuple[Any, ...]:
        if shown is None:
            return (gr.skip(),) * len(choice_outputs)
        return (*fill_choices(shown)[:-1], gr.skip())  # new choices; keep the trade-off task the user picked

    tab.select(fill_choices, [shown_version], choice_outputs, **PRIVATE_EVENT)
    ctx.on_refresh(refill_if_opened, [shown_version], choice_outputs)

    def draw_page(model_id: str | None, grid_key: str) -> str:
        if not model_id:
            return strings.PICK_A_MODEL
        try:
            return text.model_page_markdown(model_page(ctx.data, model_id, grid_key))
        except UserInputError as exc:
            return strings.error_message(exc)

    def draw_compare(models: list[str] | None, task: str, grid_key: str) -> str:
        if not models or len(models) < 2:
            return strings.PICK_MODELS
        try:
            return text.compare_markdown(compare(ctx.data, models, task or None, None, grid_key))
        except UserInputError as exc:
            return strings.error_message(exc)

    def draw_tradeoff(task: str, hardware: str | None) -> tuple[Any, ...]:
        view = tradeoff(ctx.data, task, hardware or None)
        plotted = bool(view["points"])  # an empty plot says nothing: one line says why instead
        served = served_tradeoff(ctx.data, task, view["hardware"])
        return (
            gr.Dropdown(choices=view["hardware_choices"], value=view["hardware"]),
            gr.Plot(value=tradeoff_figure(view) if plotted else None, visible=plotted),
            text.frontier_markdown(view),
            gr.Plot(value=served_figure(served) if served["models"] else None, visible=bool(served["models"])),
        )

    def pick_result(model_id: str | None) -> Any:
        choices = _results_of(ctx.data, model_id)
        return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)

    def draw_label(model_id: str | None, result: str | None, request: gr.Request) -> tuple[Any, ...]:
        if not model_id or not result or _SEP not in result:
            return None, None, "", strings.LABEL_HELP
        task, _, hardware = result.partition(_SEP)
        try:  # the PNG prints the address its Markdown link leads to: this app's, unless one is configured
            facts = label_facts(ctx.data, model_id, task, hardware, url=leaderboard_url(served_at(request)))
        except UserInputError as exc:
            return None, None, "", strings.error_message(exc)
        path = cached_label_path(ctx.data, facts, task)
        return path, path, label_markdown(facts, label_file_name(facts, task)), strings.LABEL_HELP

    gr.on([page_model.change, grid.change], draw_page, [page_model, grid], page, **PRIVATE_EVENT)
    page_model.input(None, [page_model], None, js=follow_link_js({}, ("model",)), **PRIVATE_EVENT)
    copy.click(None, [page_model], link_box, js=copy_link_js({}, ("model",)), **PRIVATE_EVENT)

    def open_link(shown: int | None, grid_key: str, request: gr.Request) -> tuple[Any, ...]:
        """A link to a model's page (``?model=org/name``) opens it: choices filled, page drawn."""
        link = ctx.link(request)
        if link.model is None:
            return (gr.skip(),) * (len(choice_outputs) + 3)
        filled = list(fill_choices(None))
        filled[choice_outputs.index(page_model)] = gr.Dropdown(choices=model_ids(ctx.data), value=link.model)
        return (*filled, gr.Tabs(selected="model-page"), draw_page(link.model, grid_key), f"?model={link.model}")

    ctx.demo.load(open_link, [shown_version, grid], [*choice_outputs, model_tabs, page, link_box], **PRIVATE_EVENT)
    gr.on(
        [compare_models.change, compare_task.change, grid.change],
        draw_compare,
        [compare_models, compare_task, grid],
        compared,
        trigger_mode="always_last",
        **PRIVATE_EVENT,
    )
    tradeoff_outputs = [tradeoff_hardware, tradeoff_plot, frontier, served_plot]
    tradeoff_tab.select(draw_tradeoff, [tradeoff_task, tradeoff_hardware], tradeoff_outputs, **PRIVATE_EVENT)
    tradeoff_task.input(lambda task: draw_tradeoff(task, None), [tradeoff_task], tradeoff_outputs, **PRIVATE_EVENT)
    tradeoff_hardware.input(draw_tradeoff, [tradeoff_task, tradeoff_hardware], tradeoff_outputs, **PRIVATE_EVENT)
    label_model.change(pick_result, [label_model], label_result, **PRIVATE_EVENT)
    label_result.change(
        draw_label,
        [label_model, label_result],
        [label_image, label_download, label_snippet, label_status],
        **PRIVATE_EVENT,
    )

    def redraw_tradeoff_if_drawn(task: str, hardware: str | None) -> tuple[Any, ...]:
        return (gr.skip(),) * len(tradeoff_outputs) if not hardware else draw_tradeoff(task, hardware)

    ctx.on_refresh(redraw_tradeoff_if_drawn, [tradeoff_task, tradeoff_hardware], tradeoff_outputs)
    ctx.on_refresh(draw_page, [page_model, grid], [page])
    ctx.on_refresh(draw_compare, [compare_models, compare_task, grid], [compared])
    ctx.on_refresh(draw_label, [label_model, label_result], [label_image, label_download, label_snippet, label_status])
