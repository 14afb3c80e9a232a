"""Links you can share: the address says where you are, and opening it opens that view.

    ?task=summarization[&release=2025-02][&configuration=batch_size=8]   a task's board
    ?model=org/name                                                      a model's page

``parse_link`` reads the query of the page's request (Gradio hands it to load events) against the
loaded data; a value it does not know (a task, model, release or configuration, or a parameter it does
not take) is left out and named in one line (``ignored``), and the page opens its default view
instead. The script in ``display.page`` (``greenLink``) keeps the address bar in step as the visitor
moves, and ``copy_link_js`` builds the "copy link" buttons' script. The Markdown snippet of an energy
label links to the model's page (``label.facts.model_page_url``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from benchmark.configuration import check_configuration
from benchmark.errors import UserInputError
from benchmark.tasks import TASKS
from leaderboard.display.strings import LINK_IGNORED
from leaderboard.results.data import LeaderboardData
from leaderboard.views.model_page import check_model

PARAMETERS = ("task", "model", "release", "configuration")


@dataclass(frozen=True)
class Link:
    """The view a link asks for, and what of it was ignored (one phrase each)."""

    task: str | None = None
    model: str | None = None
    release: str | None = None
    configuration: str | None = None
    ignored: tuple[str, ...] = field(default_factory=tuple)

    @property
    def notice(self) -> str:
        return LINK_IGNORED.format(what="; ".join(self.ignored)) if self.ignored else ""


def _short(value: str) -> str:
    return json.dumps(value[:80] + ("…" if len(value) > 80 else ""), ensure_ascii=False)


def parse_link(params: Mapping[str, str], data: LeaderboardData) -> Link:
    """The view ``params`` (a page's query) ask for, each value checked against ``data``."""
    ignored: list[str] = []
    values: dict[str, str | None] = {}
    for name, raw in params.items():
        if name.startswith("__"):  # Gradio's own (``__theme``)
            continue
        if name not in PARAMETERS:
            ignored.append(f"parameter {_short(name)}")
            continue
        value = (raw or "").strip()
        if not value:
            continue
        try:
            values[name] = _checked(name, value, data)
        except UserInputError:
            ignored.append(f"unknown {name} {_short(value)}")
    if values.get("task") is None:  # a release or configuration belongs to a task's board
        for name in ("release", "configuration"):
            if values.pop(name, None) is not None:
                ignored.append(f"{name} without a task")
    return Link(**values, ignored=tuple(ignored))


def _checked(name: str, value: str, data: LeaderboardData) -> str:
    if name == "task":
        if value not in TASKS:
            raise UserInputError(value)
        return value
    if name == "model":
        return check_model(data, value)
    if name == "release":
        return data.release_name(value)
    return check_configuration(value)


def request_params(request: Any) -> dict[str, str]:
    """The query parameters of a Gradio request (empty without one)."""
    params = getattr(request, "query_params", None)
    return dict(params) if params is not None else {}


def copy_link_js(fixed: Mapping[str, str], inputs: tuple[str, ...] = ()) -> str:
    """The script of a "copy link" button: the address of the view (``fixed`` parts, then the values of
    the button's ``inputs`` under these names) put in the address bar, copied, and returned."""
    args = ", ".join(f"v{i}" for i in range(len(inputs)))
    parts = ", ".join([*(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in fixed.items()),
                       *(f"{json.dumps(name)}: v{i}" for i, name in enumerate(inputs))])
    return f"({args}) => window.greenCopyLink({{{parts}}})"


def follow_link_js(fixed: Mapping[str, str], inputs: tuple[str, ...] = ()) -> str:
    """The same address, only put in the address bar (as the visitor moves)."""
    return copy_link_js(fixed, inputs).replace("greenCopyLink", "greenLink")
