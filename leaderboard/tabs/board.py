"""The leaderboard's tabs: layout and event wiring. What they show comes from ``render.py``.

Tabs draw lazily: the overview when the page loads, a task tab when it is first selected, and a
drawn tab again after a refresh only if the data version it shows is stale (``rendered`` holds
it per session). The UI handlers are private; the public API is in ``api.py``.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from benchmark.configuration import REFERENCE_KEY, check_configuration
from benchmark.errors import UserInputError
from benchmark.tasks import SIZE_CLASS_BOUNDS, TASKS
from leaderboard.display.strings import (
    COLUMNS_HELP,
    COPY_LINK,
    DOWNLOAD_TABLE,
    FILTER_EMPTY_MEANS_ALL,
    LATEST_CHOICE,
    LINK_LABEL,
    MORE_CONTROLS,
    OVERVIEW_INTRO,
    QUALITY_FILTER_HELP,
    QUALITY_FILTER_LABEL,
    QUALITY_FILTER_LABEL_LOWER,
    RELEASE_HELP,
    RELEASE_LABEL,
    RUNS_CHOICES,
    RUNS_HELP,
    RUNS_LABEL,
    SEARCH_HELP,
    SORT_HELP,
    TASK_INTRO,
)
from leaderboard.results.releases import LATEST
from leaderboard.tabs import board_text as render
from leaderboard.tabs.about import about_markdown
from leaderboard.tabs.choose import build_finder
from leaderboard.tabs.context import PRIVATE_EVENT, AppContext
from leaderboard.tabs.links import copy_link_js, follow_link_js
from leaderboard.tabs.reasoning import TASK_SECTIONS
from leaderboard.views.columns import UNKNOWN_SIZE, task_datatypes, task_headers, task_widths
from leaderboard.views.releases import release_choices
from leaderboard.views.tables import (
    OVERVIEW_DATATYPES,
    OVERVIEW_DIGITS,
    OVERVIEW_HEADERS,
    TaskView,
    number_styler,
    task_view,
)
from leaderboard.views.what_helps import zero_shot_markdown, zero_shot_summary

SIZE_CHOICES = [name for name, _ in SIZE_CLASS_BOUNDS] + [UNKNOWN_SIZE]
TABLE_MAX_HEIGHT_PX = 680  # one-line rows of ~37 px under a two-line header: 16 rows at once


def _skip(n: int) -> tuple[Any, ...]:
    return tuple(gr.skip() for _ in range(n))


def _table(elem_id: str, headers: list[str], datatypes: list[str], widths: list[str] | None = None) -> gr.Dataframe:
    return gr.Dataframe(
        headers=headers,
        datatype=datatypes,
        column_widths=widths,
        interactive=False,
        wrap=False,  # one line per row (long values ellipsised, in full on hover): 15+ rows in view
        pinned_columns=1,
        max_height=TABLE_MAX_HEIGHT_PX,
        elem_classes=["one-line-table"],
        latex_delimiters=[],
        buttons=[],  # their bar costs a row of the first screen; the CSV download is under the table
        show_label=False,
        elem_id=elem_id,
    )


def _table_update(view: TaskView) -> gr.Dataframe:
    return gr.Dataframe(
        value=view.styled, headers=view.headers, datatype=view.datatypes, column_widths=view.column_widths
    )


def build_overview_tab(ctx: AppContext) -> None:
    with gr.Tab("Overview", id="overview", elem_id="tab-overview"):
        gr.Markdown(OVERVIEW_INTRO)
        common = gr.Markdown(elem_id="common-overview", elem_classes=["link-line"])
        table = _table("table-overview", OVERVIEW_HEADERS, OVERVIEW_DATATYPES)
        download = gr.DownloadButton(DOWNLOAD_TABLE, size="sm", elem_id="download-overview")
        plot = gr.Plot(show_label=False, elem_id="plot-overview")
        rendered = gr.State(None)

    outputs = [rendered, table, download, plot, common]

    def draw() -> tuple[Any, ...]:
        data = ctx.data
        frame, line = render.overview_shown(data)
        datatypes = [dict(zip(OVERVIEW_HEADERS, OVERVIEW_DATATYPES, strict=True))[h] for h in frame.columns]
        shown = gr.Dataframe(value=number_styler(frame, OVERVIEW_DIGITS), headers=list(frame.columns),
                             datatype=datatypes)
        return data.version, shown, render.overview_csv(data), render.overview_figure(data), line

    def redraw_if_stale(shown: int | None) -> tuple[Any, ...]:
        return _skip(len(outputs)) if shown == ctx.data.version else draw()

    ctx.demo.load(draw, None, outputs, **PRIVATE_EVENT)
    ctx.on_refresh(redraw_if_stale, [rendered], outputs)


def build_task_tab(ctx: AppContext, task: str) -> None:
    """A task's board. The first screen (1440×1000) is the summary line, one row of controls, two folded
    panels (the finder; filters, columns and link) and the table with at least ten rows; what explains the
    board (the task, the quality benchmark, the plots) follows the table."""
    spec = TASKS[task]
    with gr.Tab(spec.display_name, id=task, elem_id=f"tab-{task}") as tab:
        summary = gr.Markdown(elem_id=f"summary-{task}", elem_classes=["board-summary"])
        empty = gr.Markdown(visible=False, elem_id=f"empty-{task}")
        with gr.Row(equal_height=True, elem_classes=["board-controls"]):
            release = gr.Dropdown(  # the releases' names are filled in when the tab is drawn
                [(LATEST_CHOICE, LATEST)], value=LATEST, label=RELEASE_LABEL, scale=2, elem_id=f"release-{task}",
            )
            search = gr.Textbox(label="Search models", placeholder=SEARCH_HELP, scale=3, elem_id=f"search-{task}")
            runs = gr.Dropdown(
                list(RUNS_CHOICES), value=REFERENCE_KEY, label=RUNS_LABEL, scale=2, elem_id=f"runs-{task}",
            )
            # a text box, not gr.Number: an empty box means "no limit" (a Number box sends 0)
            min_quality = gr.Textbox(
                value="", label=_quality_filter_label(task), scale=1, max_lines=1, placeholder="no limit",
                visible=spec.quality is not None, elem_id=f"min-quality-{task}",
            )
        with gr.Row(equal_height=False, elem_classes=["board-panels"]):
            build_finder(ctx, task)
            with gr.Accordion(MORE_CONTROLS, open=False, elem_id=f"more-{task}"):
                gr.Markdown(" ".join(filter(None, (RELEASE_HELP, RUNS_HELP, _quality_filter_help(task)))))
                with gr.Row(equal_height=True):
                    hardware = gr.Dropdown(
                        [], value=[], multiselect=True, label="Hardware", info=FILTER_EMPTY_MEANS_ALL, scale=2
                    )
                    sizes = gr.Dropdown(SIZE_CHOICES, value=[], multiselect=True, label="Size class",
                                        info=FILTER_EMPTY_MEANS_ALL, scale=1)
                headers = task_headers(task)
                columns = gr.CheckboxGroup(headers, value=headers, label=COLUMNS_HELP, elem_id=f"columns-{task}")
                with gr.Row(equal_height=False):
                    copy = gr.Button(COPY_LINK, size="sm", scale=0, min_width=130, elem_id=f"copy-link-{task}")
                    link_box = gr.Textbox(label=LINK_LABEL, interactive=False, max_lines=1, scale=1,
                                          show_label=False, placeholder=LINK_LABEL, elem_id=f"link-{task}")
        common = gr.Markdown(elem_id=f"common-{task}", elem_classes=["link-line"])
        table = _table(f"table-{task}", headers, task_datatypes(task), task_widths(task))
        download = gr.DownloadButton(DOWNLOAD_TABLE, size="sm", elem_id=f"download-{task}")
        zero_shot = gr.Markdown(visible=False, elem_id=f"zero-shot-{task}")  # a finding about the rows above
        gr.Markdown(
            TASK_INTRO.format(description=spec.description, query_unit=spec.query_unit, dataset=spec.dataset_id)
            + " " + SORT_HELP
        )
        quality_line = gr.Markdown(elem_id=f"quality-{task}")
        quality_plot = gr.Plot(show_label=False, visible=spec.quality is not None, elem_id=f"plot-quality-{task}")
        plot = gr.Plot(show_label=False, elem_id=f"plot-{task}")
        rendered = gr.State(None)
        if task in TASK_SECTIONS:  # a task's own section under its table (the Reasoning tab's)
            TASK_SECTIONS[task](
                ctx, tab, [search, hardware, sizes, columns, release],
                lambda *values: task_view(ctx.data, task, *values[:-1], _known(ctx.data, values[-1])),
            )

    filters = [search, hardware, sizes, columns, release, runs, min_quality]
    outputs = [rendered, summary, empty, table, download, plot, hardware, release, zero_shot, quality_line,
               quality_plot, common]

    def draw(
        query: str, chosen_hardware: list[str], chosen_sizes: list[str], chosen_columns: list[str], board: str,
        chosen_runs: str = REFERENCE_KEY, quality_text: str = "",
    ) -> tuple[Any, ...]:
        data = ctx.data
        name, configuration, quality_limit = _known(data, board), _runs(chosen_runs), _limit(quality_text)
        view = task_view(
            data, task, query, chosen_hardware, chosen_sizes, chosen_columns, name, configuration, quality_limit
        )
        zero_shot_text = zero_shot_markdown(zero_shot_summary(data, task))
        message = render.task_empty_state(data, view)
        filtered = render.is_filtered(query, chosen_hardware, chosen_sizes) or quality_limit is not None
        quality_figure = render.task_quality_figure(data, view, filtered)
        return (
            data.version,
            render.task_summary_markdown(data, view),
            gr.Markdown(value=message or "", visible=message is not None),
            _table_update(view),
            render.task_csv(view),
            render.task_figure(data, view, filtered),
            gr.Dropdown(choices=render.hardware_choices(data, task)),
            gr.Dropdown(choices=release_choices(data)),
            gr.Markdown(value=zero_shot_text, visible=bool(zero_shot_text)),
            render.task_quality_markdown(view, data.task_frame(task, name, configuration)),
            gr.Plot(value=quality_figure, visible=quality_figure is not None),
            render.common_markdown(view),
        )

    def redraw_if_stale(shown: int | None, *values: Any) -> tuple[Any, ...]:
        if shown is None or shown == ctx.data.version:
            return _skip(len(outputs))  # never drawn (drawn when selected), or up to date
        return draw(*values)

    def draw_columns(*values: Any) -> tuple[Any, ...]:
        view = task_view(
            ctx.data, task, *values[:-3], _known(ctx.data, values[-3]), _runs(values[-2]), _limit(values[-1])
        )
        return _table_update(view), render.task_csv(view), render.common_markdown(view)

    def open_link(request: gr.Request) -> tuple[Any, ...]:
        """A link to this board (``?task=…[&release=…][&configuration=…]``) draws it as asked."""
        link = ctx.link(request)
        if link.task != task:
            return _skip(len(outputs) + 1)
        board, runs_value = link.release or LATEST, link.configuration or REFERENCE_KEY
        drawn = list(draw("", [], [], task_headers(task), board, runs_value, ""))
        drawn[outputs.index(release)] = gr.Dropdown(choices=release_choices(ctx.data), value=board)
        choices = list(RUNS_CHOICES) + ([(runs_value, runs_value)] if runs_value not in dict(RUNS_CHOICES).values()
                                        else [])
        return (*drawn, gr.Dropdown(choices=choices, value=runs_value))

    tab.select(draw, filters, outputs, **PRIVATE_EVENT)
    gr.on(
        [search.input, hardware.input, sizes.input, release.input, runs.input, min_quality.input],
        draw,
        filters,
        outputs,
        trigger_mode="always_last",
        **PRIVATE_EVENT,
    )
    columns.input(draw_columns, filters, [table, download, common], trigger_mode="always_last", **PRIVATE_EVENT)
    ctx.on_refresh(redraw_if_stale, [rendered, *filters], outputs)
    ctx.demo.load(open_link, None, [*outputs, runs], **PRIVATE_EVENT)
    # the address says where the visitor is; the button copies it
    follow = follow_link_js({"task": task}, ("release", "configuration"))
    gr.on([tab.select, release.input, runs.input], None, [release, runs], None, js=follow, **PRIVATE_EVENT)
    copy.click(None, [release, runs], link_box, js=copy_link_js({"task": task}, ("release", "configuration")),
               **PRIVATE_EVENT)


def _quality_filter_label(task: str) -> str:
    declared = TASKS[task].quality
    if declared is None or declared.higher_is_better:
        return QUALITY_FILTER_LABEL
    return QUALITY_FILTER_LABEL_LOWER.format(metric=declared.metric_name)


def _quality_filter_help(task: str) -> str | None:
    declared = TASKS[task].quality
    if declared is None:
        return None
    unit = f" ({declared.unit})" if declared.unit else ""
    return QUALITY_FILTER_HELP.format(benchmark=declared.name, metric=declared.metric_name + unit)


def _limit(text: str | None) -> float | None:
    """The quality limit typed in the box: a number, or no limit (empty or not a number: a UI choice is
    never an error)."""
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
    return value if value == value else None


def _runs(chosen: str | None) -> str:
    """The runs shown: the reference board, every configuration, or one configuration a link asked for
    (a UI choice is never an error: anything else is the reference)."""
    try:
        return check_configuration(chosen)
    except UserInputError:
        return REFERENCE_KEY


def _known(data: Any, board: str | None) -> str:
    """The chosen board, or the latest if a reload removed it (a UI choice is never an error)."""
    try:
        return data.release_name(board)
    except UserInputError:
        return data.release_name(None)


def build_about_tab(ctx: AppContext) -> None:
    """The method, the tasks and the rating rule, then the sections the tabs before it added to
    ``ctx.about_sections`` (build it last)."""
    with gr.Tab("About", id="about", elem_id="tab-about"):
        gr.Markdown(about_markdown(tuple(ctx.about_sections)), elem_id="about-text")
