"""The served app on the bundled data: every published board row, with its release and its stars."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from gradio_client import Client

from benchmark.store import LocalStore
from benchmark.tasks import TASK_KEYS
from leaderboard.app import build_demo
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData
from leaderboard.results.rating import star_ratings

BOARDS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "aies_boards.csv"


@pytest.fixture(scope="module")
def client():
    live = LiveData(LocalStore(SNAPSHOT_DIR), min_check_interval_s=3600)
    demo = build_demo(live=live, refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    client = Client(url, verbose=False)
    yield client
    client.close()
    demo.close()


def published_stars(release: str) -> dict[tuple[str, str, float], int]:
    """The rule applied straight to the published CSV rows of one board (sizes as published)."""
    with BOARDS.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["release"] == release and r["task"] in TASK_KEYS]
    frame = pd.DataFrame(
        {
            "task": [r["task"] for r in rows],
            "gpu_wh_per_1k_queries": [float(r["gpu_wh_per_1k_queries"]) for r in rows],
            "size_class": [r["size_class"] or None for r in rows],
        }
    )
    stars = star_ratings(frame)
    return {
        (r["task"], r["model"], float(r["gpu_wh_per_1k_queries"])): int(s) for r, s in zip(rows, stars, strict=True)
    }


def served(client, release: str) -> list[dict]:
    """Every task's rows of ``release``, each with its task."""
    return [
        {"task": task, **row}
        for task in TASK_KEYS
        for row in client.predict(task, "", "", "", release, api_name="/task_rows")
    ]


def test_releases_are_listed_oldest_first_with_the_latest_marked(client):
    releases = client.predict(api_name="/releases")
    assert [(r["name"], r["date"], r["n_entries"], r["latest"]) for r in releases] == [
        ("2025-02", "2025-02-01", 166, False),
        ("2025-12", "2025-12-01", 22, True),
    ]
    assert len(releases[0]["tasks"]) == 10 and releases[1]["tasks"] == ["text_generation"]


@pytest.mark.skipif(not BOARDS.exists(), reason="reference CSVs not available here")
def test_every_row_of_the_february_board_is_served_with_its_release_and_published_stars(client):
    rows = served(client, "2025-02")
    got = {(r["task"], r["model_id"], r["gpu_wh_per_1k_queries"]): r["stars"] for r in rows}
    assert len(rows) == 166 and {r["release"] for r in rows} == {"2025-02"}
    assert got == published_stars("2025-02")


@pytest.mark.skipif(not BOARDS.exists(), reason="reference CSVs not available here")
def test_the_december_board_rates_its_cohort_and_keeps_the_february_stars_of_the_others(client):
    rows = served(client, "latest")
    assert served(client, "2025-12") == rows
    december = {
        (r["task"], r["model_id"], r["gpu_wh_per_1k_queries"]): r["stars"] for r in rows if r["release"] == "2025-12"
    }
    february = {
        (r["task"], r["model_id"], r["gpu_wh_per_1k_queries"]): r["stars"] for r in rows if r["release"] == "2025-02"
    }
    assert december == published_stars("2025-12") and len(december) == 22
    assert february == published_stars("2025-02") and len(february) == 166


def test_an_unknown_release_is_a_one_line_error(client):
    with pytest.raises(Exception, match="unknown release '1999-01'"):
        client.predict("text_generation", "", "", "", "1999-01", api_name="/task_rows")
