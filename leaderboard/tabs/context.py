"""What every tab builder receives: the shared live data and the app's refresh events.

A tab is a function ``build(ctx: AppContext) -> None`` called inside the app's ``gr.Tabs()``
(see ``leaderboard/app.py``). It reads ``ctx.data`` (the current ``LeaderboardData``) in its
handlers — never at build time only, or it would miss reloads — and calls ``ctx.on_refresh`` to
redraw itself after the data is reloaded. Every tab has an ``id`` (and an ``elem_id`` for tests),
and every UI-only event passes ``PRIVATE_EVENT`` (or ``PRIVATE_SLOW_EVENT``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from benchmark.store import Store, requests_store
from leaderboard.results.data import LeaderboardData
from leaderboard.results.live import LiveData
from leaderboard.serving import READ_ONLY_EVENT, WRITING_EVENT

# UI-only events: hidden from the API page and from gradio_client (the public API is api.py).
# They only read the board, so visitors' redraws run at once, not one after another.
PRIVATE_EVENT: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden", **READ_ONLY_EVENT}
# The same, for handlers that take seconds (Hub checks, store commits): the user sees them work,
# and writers go one at a time.
PRIVATE_SLOW_EVENT: dict[str, Any] = {**PRIVATE_EVENT, "show_progress": "full", **WRITING_EVENT}


@dataclass
class AppContext:
    live: LiveData
    demo: gr.Blocks
    refreshed: list[Any] = field(default_factory=list)  # events after which the data may be new
    requests_store: Store | None = None  # the requests queue (default: REQUESTS_REPO / REQUESTS_DIR)
    about_sections: list[str] = field(default_factory=list)  # added by tabs, shown on the About tab

    @property
    def data(self) -> LeaderboardData:
        return self.live.current

    @property
    def requests(self) -> Store:
        """The requests store, opened from the environment on first use if none was given."""
        if self.requests_store is None:
            self.requests_store = requests_store()
        return self.requests_store

    def link(self, request: Any) -> Any:
        """The view the page's address asks for (``tabs.links.Link``): every tab's load reads it."""
        from leaderboard.tabs.links import parse_link, request_params

        return parse_link(request_params(request), self.data)

    def on_refresh(self, fn: Callable[..., Any], inputs: Sequence[Any], outputs: Sequence[Any]) -> None:
        """Run ``fn`` after every refresh (the button and the periodic timer)."""
        for event in self.refreshed:
            event.then(fn, list(inputs), list(outputs), **PRIVATE_EVENT)
