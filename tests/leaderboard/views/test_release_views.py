"""Release views on the bundled boards: the selector's choices and a model's history across releases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmark.record import record_path
from benchmark.release import cut_release
from benchmark.store import LocalStore
from leaderboard.results.data import SNAPSHOT_DIR, LeaderboardData
from leaderboard.results.releases import load_board
from leaderboard.views.model_page import model_page
from leaderboard.views.releases import release_choices
from tests.support.leaderboard_fixtures import make_record


@pytest.fixture(scope="module")
def bundled() -> LeaderboardData:
    releases, since = load_board(LocalStore(SNAPSHOT_DIR))
    return LeaderboardData.from_load(since, releases=releases)


def test_the_selector_offers_the_latest_first_then_each_release_the_runs_since_and_live(bundled):
    assert [value for _, value in release_choices(bundled)] == ["latest", "2025-12", "2025-02", "since", "live"]
    assert release_choices(bundled)[0][0] == "Current board (2025-12)"


def test_a_model_page_lists_the_release_its_stars_come_from_and_its_history(bundled):
    v1_model = bundled.frame.loc[bundled.frame["release"] == "2025-02", "model_id"].iloc[0]
    page = model_page(bundled, v1_model)
    assert {entry["release"] for entry in page["entries"]} == {"2025-02"}
    assert [item["release"] for item in page["history"]] == ["2025-02"] * len(page["entries"])
    board = bundled.releases[1].board
    v2 = board[~board["model_id"].duplicated(keep=False)].iloc[0]  # a model with one row on the board
    history = model_page(bundled, v2["model_id"])["history"]
    assert [(h["release"], h["stars"], h["gpu_wh_per_1k_queries"]) for h in history] == [
        ("2025-12", int(v2["stars"]), float(v2["gpu_wh_per_1k_queries"]))
    ]


def test_a_run_since_the_latest_release_appears_in_the_history_as_provisional(tmp_path):
    store = LocalStore(tmp_path)
    first = make_record("org/m", "summarization", 2.0, run_id="a", created_at=datetime(2025, 1, 1, tzinfo=UTC))
    other = make_record("org/n", "summarization", 6.0, run_id="b", created_at=datetime(2025, 1, 1, tzinfo=UTC))
    store.add({record_path(r): r.to_json().encode() for r in (first, other)}, "v1")
    cut_release(store, "r1", date="2025-02-01")
    rerun = make_record("org/m", "summarization", 4.0, run_id="c", created_at=datetime(2025, 3, 1, tzinfo=UTC))
    store.add({record_path(rerun): rerun.to_json().encode()}, "rerun")
    releases, since = load_board(store)
    history = model_page(LeaderboardData.from_load(since, releases=releases), "org/m")["history"]
    assert [(h["release"], h["stars"], h["provisional"]) for h in history] == [
        ("r1", 5, False),
        ("provisional (since r1)", 3, True),  # 4 Wh between the frozen edges 2 and 6: bin 3
    ]
