"""Assembles the leaderboard Space: header and data status, the tabs, refresh, and the API.

Adding a tab (submissions and queue, model pages, compare...): write ``build_x_tab(ctx)`` in its
own module (see ``context.AppContext``) and add it to ``tab_builders`` below, or pass it to
``build_demo(extra_tabs=[...])``; extra tabs go before About.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from benchmark.store import Store, results_store
from benchmark.tasks import TASK_KEYS
from leaderboard.api import register_api
from leaderboard.display.formats import escape_markdown
from leaderboard.display.page import FONT_STACK, MONO_FONT_STACK, PAGE_CSS, PAGE_HEAD
from leaderboard.display.strings import INTRO, LOADING, TITLE
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData
from leaderboard.serving import apply_gradio_environment_defaults, resolve_handler_annotations
from leaderboard.submission.tabs import build_submission_tabs, check_local_login, guard_local_login
from leaderboard.tabs.board import build_about_tab, build_overview_tab, build_task_tab
from leaderboard.tabs.board_text import status_markdown
from leaderboard.tabs.context import PRIVATE_EVENT, AppContext
from leaderboard.tabs.models import build_models_tab
from leaderboard.tabs.what_helps import build_what_helps_tab

TabBuilder = Callable[[AppContext], None]
DEFAULT_REFRESH_S = 300.0
apply_gradio_environment_defaults()


def refresh_interval_s() -> float:
    """Seconds between automatic reloads (``LEADERBOARD_REFRESH_S``, default 300)."""
    return float(os.environ.get("LEADERBOARD_REFRESH_S", "") or DEFAULT_REFRESH_S)


def build_leaderboard_tab(ctx: AppContext) -> None:
    """The first tab: the overview and one tab per task of the registry, nested so the top tab
    bar stays short enough to show every section."""
    with gr.Tab("Leaderboard", id="leaderboard", elem_id="tab-leaderboard"):
        with gr.Tabs(elem_id="task-tabs") as task_tabs:
            build_overview_tab(ctx)
            for task in TASK_KEYS:
                build_task_tab(ctx, task)

    def open_task(request: gr.Request) -> Any:
        link = ctx.link(request)
        return gr.Tabs(selected=link.task) if link.task else gr.skip()

    ctx.demo.load(open_task, None, task_tabs, **PRIVATE_EVENT)


def tab_builders(extra_tabs: Sequence[TabBuilder] = ()) -> list[TabBuilder]:
    """The top-level tabs in page order: Leaderboard (overview + tasks), Models, What helps, any extra tabs,
    Submit / Queue / Admin, About."""
    return [
        build_leaderboard_tab,
        build_models_tab,
        build_what_helps_tab,
        *extra_tabs,
        build_submission_tabs,
        build_about_tab,
    ]


def build_demo(
    store: Store | None = None,
    *,
    requests: Store | None = None,
    live: LiveData | None = None,
    extra_tabs: Sequence[TabBuilder] = (),
    refresh_s: float | None = None,
    snapshot_dir: Path = SNAPSHOT_DIR,
) -> gr.Blocks:
    """The leaderboard app on ``store`` (default: ``RESULTS_REPO``, ``RESULTS_DIR`` or the
    bundled snapshot). Pass ``live`` to share (or inspect) the loaded data, ``requests`` for the
    requests queue (default: ``REQUESTS_REPO`` / ``REQUESTS_DIR``)."""
    check_local_login(None)  # before anything starts: a refused app leaves no thread behind
    refresh_s = refresh_s if refresh_s is not None else refresh_interval_s()
    if live is None:
        store = store if store is not None else results_store(default_dir=snapshot_dir)
        # Loaded in the background: the page is served at once and its handlers wait for the data.
        live = LiveData(store, snapshot_dir=snapshot_dir, min_check_interval_s=refresh_s, background=True)

    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 3600), fill_width=True) as demo:
        gr.Markdown(INTRO)
        with gr.Row(equal_height=True):
            status = gr.Markdown(LOADING, elem_id="data-status")
            refresh = gr.Button("Refresh data", size="sm", scale=0, min_width=150, elem_id="refresh")
        timer = gr.Timer(refresh_s)
        ctx = AppContext(live=live, demo=demo, requests_store=requests)
        ctx.refreshed.append(
            refresh.click(lambda: status_markdown(live.refresh(force=True)), None, status, **PRIVATE_EVENT)
        )
        ctx.refreshed.append(timer.tick(lambda: status_markdown(live.refresh()), None, status, **PRIVATE_EVENT))
        demo.load(lambda: status_markdown(live.current), None, status, **PRIVATE_EVENT)
        link_notice = gr.Markdown(visible=False, elem_id="link-notice")
        with gr.Tabs() as top_tabs:
            for build in tab_builders(extra_tabs):
                build(ctx)

        def open_link(request: gr.Request) -> tuple[Any, Any]:
            """A shared link opens its view (each tab opens its own part); what it could not is said once."""
            link = ctx.link(request)
            top = "leaderboard" if link.task else "models" if link.model else None
            text = f"⚠ {escape_markdown(link.notice)}" if link.notice else ""  # it quotes what the link said
            notice = gr.Markdown(value=text, visible=bool(link.notice))
            return (gr.Tabs(selected=top) if top else gr.skip()), notice

        demo.load(open_link, None, [top_tabs, link_notice], **PRIVATE_EVENT)
        register_api(live)
    resolve_handler_annotations(demo)
    return guard_local_login(with_page_assets(demo))


def with_page_assets(demo: gr.Blocks) -> gr.Blocks:
    """Make ``demo.launch`` serve the page's CSS and script (``display.page``) unless given others."""
    launch = demo.launch

    @functools.wraps(launch)
    def launch_with_assets(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("css", PAGE_CSS)
        kwargs.setdefault("head", PAGE_HEAD)
        kwargs.setdefault("theme", gr.themes.Default(font=list(FONT_STACK), font_mono=list(MONO_FONT_STACK)))
        return launch(*args, **kwargs)

    demo.launch = launch_with_assets  # type: ignore[method-assign]
    return demo
