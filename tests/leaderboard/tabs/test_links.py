"""Links you can share, without a browser: what a query asks for, checked against the data, and what
is ignored in one line."""

from __future__ import annotations

import pytest

from benchmark.store import LocalStore
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData
from leaderboard.tabs.links import Link, copy_link_js, parse_link


@pytest.fixture(scope="module")
def data():
    return LiveData(LocalStore(SNAPSHOT_DIR)).current


def test_a_task_link_with_its_board_and_configuration(data):
    link = parse_link({"task": "summarization", "release": "2025-02", "configuration": "all"}, data)
    assert link == Link(task="summarization", release="2025-02", configuration="all") and link.notice == ""


def test_a_model_link(data):
    assert parse_link({"model": "openai/whisper-base"}, data) == Link(model="openai/whisper-base")


@pytest.mark.parametrize(
    ("params", "expected", "notice"),
    [
        ({"task": "telepathy"}, Link(), 'unknown task "telepathy"'),
        ({"model": "org/nobody"}, Link(), 'unknown model "org/nobody"'),
        ({"task": "summarization", "release": "1999"}, Link(task="summarization"), 'unknown release "1999"'),
        ({"task": "summarization", "configuration": "warp=9"}, Link(task="summarization"),
         'unknown configuration "warp=9"'),
        ({"release": "2025-02"}, Link(), "release without a task"),
        ({"utm_source": "x", "__theme": "dark"}, Link(), 'parameter "utm_source"'),
    ],
)
def test_what_a_link_cannot_open_is_ignored_and_named(data, params, expected, notice):
    link = parse_link(params, data)
    assert (link.task, link.model, link.release, link.configuration) == (
        expected.task, expected.model, expected.release, expected.configuration)
    assert link.notice == f"Ignored in this link: {notice}. Showing the default view instead."


def test_a_hostile_value_is_quoted_short_in_the_notice(data):
    link = parse_link({"task": "<script>" + "x" * 500}, data)
    assert link.notice.startswith('Ignored in this link: unknown task "<script>xxx') and len(link.notice) < 200


def test_the_copy_link_script_names_the_view_and_its_inputs():
    assert copy_link_js({"task": "summarization"}, ("release", "configuration")) == (
        '(v0, v1) => window.greenCopyLink({"task": "summarization", "release": v0, "configuration": v1})'
    )
