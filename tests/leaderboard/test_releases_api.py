"""The served app on the bundled data: every published board row, with its release and its stars."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from benchmark.store import LocalStore
from benchmark.tasks import TASK_KEYS
from leaderboard.app import build_demo
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData
from tests.support.leaderboard_fixtures import published_stars as published

BOARDS = Path(__file__).resolve().parents[2] / "data" / "published" / "aies_boards.csv"


@pytest.fixture(scope="module")
def client():
    live = LiveData(LocalStore(SNAPSHOT_DIR), min_check_interval_s=3600)
    demo = build_demo(live=live, refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    client = Client(url, verbose=False)
    yield client
    client.close()
    demo.close()


def published_rows(release: str, task: str | None = None) -> list[dict[str, str]]:
    with BOARDS.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["release"] == release and r["task"] in TASK_KEYS]
    return [r for r in rows if task is None or r["task"] == task]


def published_stars(release: str) -> dict[tuple[str, str, float], int]:
    """The stars written down for each row of one published board (``PUBLISHED_STARS``), by task, model and
    energy."""
    return {(r["task"], r["model"], r["gpu_wh_per_1k_queries"]): r["stars"] for r in published(release)}


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
        ("2025-12", "2025-12-01", 22 + 18, True),
    ]
    assert len(releases[0]["tasks"]) == 10 and releases[1]["tasks"] == ["reasoning", "text_generation"]


def test_every_row_of_the_february_board_is_served_with_its_release_and_published_stars(client):
    rows = served(client, "2025-02")
    got = {(r["task"], r["model_id"], r["gpu_wh_per_1k_queries"]): r["stars"] for r in rows}
    assert len(rows) == 166 and {r["release"] for r in rows} == {"2025-02"}
    assert got == published_stars("2025-02")


def test_the_december_board_rates_its_cohort_and_keeps_the_february_stars_of_the_others(client):
    rows = served(client, "2025-12")
    assert {(r["release"], r["rated_among"]) for r in rows} == {("2025-12", "the 2025-12 models"),
                                                                ("2025-02", "the 2025-02 models")}
    december = {
        (r["task"], r["model_id"], r["gpu_wh_per_1k_queries"]): r["stars"] for r in rows if r["release"] == "2025-12"
    }
    february = {
        (r["task"], r["model_id"], r["gpu_wh_per_1k_queries"]): r["stars"] for r in rows if r["release"] == "2025-02"
    }
    assert december == published_stars("2025-12") and len(december) == 22 + 18
    assert february == published_stars("2025-02") and len(february) == 166


def test_the_default_board_never_gives_fewer_stars_to_less_energy_within_a_rating_group(client):
    rows = served(client, "latest")
    assert {r["rated_among"] for r in rows} == {"every row of this board (task, hardware, size class)"}
    groups: dict[tuple, list[tuple[float, int]]] = {}
    for r in rows:
        if r["stars"] is not None:
            size = r["size_class"] if r["task"] in ("text_generation", "reasoning") else ""
            groups.setdefault((r["task"], r["hardware"], size), []).append((r["gpu_wh_per_1k_queries"], r["stars"]))
    contradictions = [(key, a, b) for key, members in groups.items() for a in members for b in members
                      if a[0] < b[0] and a[1] < b[1]]
    assert contradictions == [] and len(groups) >= 12
    # the pairs a visitor saw contradicted on the published 2025-12 board, now on one scale
    stars = {(r["task"], r["model_id"]): r["stars"] for r in rows}
    assert stars[("text_generation", "Qwen/Qwen3-0.6B")] <= stars[("text_generation", "microsoft/phi-2")]
    assert stars[("text_generation", "zai-org/GLM-4.5")] >= stars[("text_generation", "meta-llama/Llama-2-70b-hf")]
    published_board = {(r["task"], r["model_id"]): r["stars"] for r in served(client, "2025-12")}
    assert (published_board[("text_generation", "Qwen/Qwen3-0.6B")],
            published_board[("text_generation", "microsoft/phi-2")]) == (5, 4)  # as published, kept in the release


def test_an_unknown_release_is_a_one_line_error(client):
    with pytest.raises(AppError, match="unknown release '1999-01'"):
        client.predict("text_generation", "", "", "", "1999-01", api_name="/task_rows")


def test_the_published_reasoning_rows_are_served_per_effort_level_with_the_rule_s_stars_per_size_class(client):
    level = {"on": "", "on (low)": "low", "on (medium)": "medium", "on (high)": "high"}
    expected = {
        (r["model"], level[r["reasoning"]], r["size_class"], r["gpu_wh_per_1k_queries"]): r["stars"]
        for r in published("2025-12") if r["task"] == "reasoning"
    }
    assert sorted(expected.values()) == [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 5, 5, 5, 5, 5]
    rows = client.predict("reasoning", "", "", "", "2025-12", api_name="/task_rows")
    fields = ("model_id", "reasoning_effort", "size_class", "gpu_wh_per_1k_queries")
    got = {tuple(r[f] for f in fields): r["stars"] for r in rows}
    assert len(rows) == len(expected) == 18 and got == expected
    oss = sorted(r["reasoning_effort"] for r in rows if r["model_id"] == "openai/gpt-oss-20b")
    assert oss == ["high", "low", "medium"]
    assert all(r["output_tokens_per_query"] is None and r["gpu_wh_per_1k_output_tokens"] is None for r in rows)


def test_thinking_on_versus_off_is_served_for_every_model_published_both_ways(client):
    on = {r["model"]: float(r["gpu_wh_per_1k_queries"]) for r in published_rows("2025-12", "reasoning")}
    off = {r["model"]: float(r["gpu_wh_per_1k_queries"]) for r in published_rows("2025-12", "text_generation")}
    pairs = client.predict("latest", api_name="/reasoning_on_off")
    assert {p["model_id"]: p["energy_ratio"] for p in pairs} == pytest.approx(
        {model: on[model] / off[model] for model in on.keys() & off.keys()}
    )
    qwen = next(p for p in pairs if p["model_id"] == "Qwen/Qwen3-0.6B")
    assert qwen["sentence"] == "Thinking on uses 46.2× the energy per query." and qwen["output_token_ratio"] is None
    doubtful = [p["model_id"] for p in pairs if p["doubtful"]]
    assert doubtful == ["Qwen/Qwen3-235B-A22B"]  # 300.53 Wh on, 305.81 off: the CSV's DOUBTFUL row
    assert client.predict("2025-02", api_name="/reasoning_on_off") == []
