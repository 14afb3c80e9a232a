"""A record made while other benchmarks shared the machine shows its total energy marked shared."""

from __future__ import annotations

from benchmark.queue.machine_share import mark_shared
from leaderboard.results.data import LeaderboardData
from leaderboard.results.loader import LoadResult
from leaderboard.tabs.models_text import entry_markdown
from leaderboard.views.equivalences import get_grid
from leaderboard.views.model_page import model_page
from tests.support.models_fixtures import runner_record


def test_the_model_page_marks_the_total_of_a_record_made_on_a_shared_machine():
    alone = runner_record("org/alone", "text_classification", 1.0, 0.01, params=5_000_000)
    shared = mark_shared(runner_record("org/shared", "text_classification", 1.0, 0.01, params=5_000_000), 3)
    data = LeaderboardData.from_load(LoadResult(records=(alone, shared), source="test"))

    [shared_entry] = model_page(data, "org/shared")["entries"]
    [alone_entry] = model_page(data, "org/alone")["entries"]

    assert (shared_entry["total_shared_with"], alone_entry["total_shared_with"]) == (3, 0)
    assert "shared machine: 3 other benchmark(s) ran beside it" in entry_markdown(shared_entry, get_grid(None))
    assert "shared machine" not in entry_markdown(alone_entry, get_grid(None))
