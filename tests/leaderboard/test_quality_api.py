"""The served app on the bundled data: every published quality figure on its task's declared benchmark
is what ``/task_rows`` serves, ``/frontier`` is the frontier in energy order, and the CSV carries both."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from gradio_client import Client

from benchmark.store import LocalStore
from benchmark.tasks import TASKS
from leaderboard.app import build_demo
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "data" / "published" / "quality.csv"
REFERENCE = ROOT.parent / "shared" / "reference" / "quality.csv"  # the project's copy, where a checkout has it


@pytest.fixture(scope="module")
def client():
    live = LiveData(LocalStore(SNAPSHOT_DIR), min_check_interval_s=3600)
    demo = build_demo(live=live, refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    client = Client(url, verbose=False)
    yield client
    client.close()
    demo.close()


def published() -> list[dict[str, str]]:
    with BUNDLED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def effort(reasoning: str) -> str:
    match = re.match(r"^on \((low|medium|high)\)$", reasoning)
    return match[1] if match else ""


def test_the_bundled_quality_file_is_the_reference_file():
    if REFERENCE.exists():  # a fresh clone (CI) has only the bundled copy, which this test keeps honest here
        assert BUNDLED.read_bytes() == REFERENCE.read_bytes()
    assert len(published()) == 127


def test_every_bundled_figure_on_a_declared_benchmark_is_served_by_task_rows(client):
    served = {}
    for task in TASKS:
        for row in client.predict(task, api_name="/task_rows"):
            served[(task, row["model_id"], row["reasoning_effort"] or "")] = row
    compared = 0
    for figure in published():
        declared = TASKS[figure["task"]].quality
        row = served[(figure["task"], figure["model"], effort(figure["reasoning"]))]
        if (figure["benchmark"], figure["metric"]) == (declared.key, declared.metric):
            compared += 1
            assert row["quality"] == float(figure["value"])
            assert (row["quality_benchmark"], row["quality_metric"]) == (declared.key, declared.metric)
            assert row["quality_source"] == figure["source"] and row["quality_provenance"] == "published"
        else:  # squad_v1, rougeL, an unnamed GPQA: never compared on a board
            assert row["quality"] is None
    assert compared == 122


def _beaten(row: dict, others: list[dict], higher_is_better: bool) -> bool:
    """The definition, pair by pair: another row of the same hardware at no more energy and at least as good
    quality, strictly better on one of the two (computed apart from the app's sorted sweep)."""
    sign = 1 if higher_is_better else -1
    for other in others:
        if other is row or other["hardware"] != row["hardware"] or other["quality"] is None:
            continue
        no_more_energy = other["gpu_wh_per_1k_queries"] <= row["gpu_wh_per_1k_queries"]
        as_good = sign * other["quality"] >= sign * row["quality"]
        strictly = (other["gpu_wh_per_1k_queries"] < row["gpu_wh_per_1k_queries"]
                    or sign * other["quality"] > sign * row["quality"])
        if no_more_energy and as_good and strictly:
            return True
    return False


def test_the_frontier_endpoint_is_the_frontier_of_the_board_in_energy_order(client):
    for task in ("text_generation", "automatic_speech_recognition", "reasoning"):
        served = client.predict(task, api_name="/task_rows")
        rows = pd.DataFrame(served)
        higher = TASKS[task].quality.higher_is_better
        expected = pd.Series([r["quality"] is not None and r["gpu_wh_per_1k_queries"] > 0
                              and not _beaten(r, served, higher) for r in served])
        frontier = client.predict(task, "latest", api_name="/frontier")
        assert [r["model_id"] for r in frontier] == list(
            rows[expected].sort_values("gpu_wh_per_1k_queries")["model_id"]
        )
        assert all(r["on_frontier"] for r in frontier) and list(rows["on_frontier"]) == list(expected)
        energies = [r["gpu_wh_per_1k_queries"] for r in frontier]
        assert energies == sorted(energies) and len(frontier) >= 2
    assert client.predict("text_to_image", "latest", api_name="/frontier") == []


def test_asr_lower_wer_is_better_on_the_frontier(client):
    frontier = client.predict("automatic_speech_recognition", "latest", api_name="/frontier")
    wers = [r["quality"] for r in frontier]
    assert wers == sorted(wers, reverse=True)  # more energy buys a lower WER along the frontier


def test_the_quality_filter_keeps_exactly_the_rows_at_least_that_good(client):
    every = client.predict("question_answering", api_name="/task_rows")
    rows = client.predict("question_answering", "", "", "", "latest", "reference", 80.0, api_name="/task_rows")
    expected = sorted(r["model_id"] for r in every if r["quality"] is not None and r["quality"] >= 80.0)
    assert sorted(r["model_id"] for r in rows) == expected and len(expected) >= 2
    assert len(expected) < len(every)  # the limit left some out
    every_asr = client.predict("automatic_speech_recognition", api_name="/task_rows")
    asr = client.predict("automatic_speech_recognition", "", "", "", "latest", "reference", 3.0, api_name="/task_rows")
    expected_asr = sorted(r["model_id"] for r in every_asr if r["quality"] is not None and r["quality"] <= 3.0)
    assert sorted(r["model_id"] for r in asr) == expected_asr and 1 <= len(expected_asr) < len(every_asr)


def test_the_overview_counts_models_with_a_quality_figure(client):
    overview = {row["task"]: row for row in client.predict(api_name="/overview")}
    assert overview["text_generation"]["n_with_quality"] == 39
    assert overview["reasoning"]["n_with_quality"] == 15
    assert overview["text_to_image"]["n_with_quality"] == 0 and overview["text_to_image"]["quality_benchmark"] is None
