"""The app served in-process on a results folder: gradio_client users get rows, order and stars."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from benchmark.record import record_path
from benchmark.store import LocalStore
from benchmark.tasks import TASK_KEYS
from leaderboard.app import build_demo
from leaderboard.results.live import LiveData
from tests.support.leaderboard_fixtures import SCRIPT_ID, make_record, write_bad_folder


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    write_bad_folder(folder)
    live = LiveData(LocalStore(folder), min_check_interval_s=0, min_force_interval_s=0)
    demo = build_demo(live=live, refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    client = Client(url, verbose=False)
    yield client, live, folder
    client.close()
    demo.close()


def test_the_named_endpoints_are_published(served):
    client, _, _ = served
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {
        "/tasks", "/task_rows", "/task_summary", "/releases", "/overview", "/status",  # the leaderboard's data
        "/model_page", "/compare", "/tradeoff", "/energy_label", "/energy_label_markdown",  # the Models tab
        "/what_helps",  # run configurations (issue 10)
        "/reasoning_on_off",  # reasoning (issue 12)
        "/frontier",  # quality beside energy (issue 19)
        "/choose",  # the finder (issue 20)
        "/submit_run",  # a run measured elsewhere, uploaded for review (issue 21)
    }


def test_task_rows_come_most_efficient_first_with_their_stars(served):
    client, _, _ = served
    rows = client.predict("summarization", api_name="/task_rows")
    assert [r["model_id"] for r in rows] == ["org/small-sum", "org/mid-sum", SCRIPT_ID, "org/big-sum"]
    assert [r["gpu_wh_per_1k_queries"] for r in rows] == [1.0, 3.0, 5.0, 12.0]
    assert [r["stars"] for r in rows] == [5, 5, 4, 1]
    assert rows[0]["hardware"] == "NVIDIA H100 80GB HBM3" and rows[0]["size_class"] == "A"


def test_text_generation_rows_are_rated_within_their_size_class(served):
    client, _, _ = served
    rows = client.predict("text_generation", api_name="/task_rows")
    assert [(r["model_id"], r["size_class"], r["stars"]) for r in rows] == [
        ("org/tiny-lm", "A", 5),
        ("org/large-lm", "A", 1),
    ]


def test_task_rows_filters_by_search_hardware_and_size_class(served):
    client, _, _ = served
    assert [r["model_id"] for r in client.predict("summarization", "big;small", api_name="/task_rows")] == [
        "org/small-sum",
        "org/big-sum",
    ]
    assert client.predict("summarization", "", "NVIDIA A10G", "", api_name="/task_rows") == []
    assert client.predict("text_generation", "", "", "B, C", api_name="/task_rows") == []


def test_an_unknown_task_gets_a_one_line_error_naming_it(served):
    client, _, _ = served
    with pytest.raises(AppError, match="unknown task 'telepathy'"):
        client.predict("telepathy", api_name="/task_rows")


def test_task_summary_and_overview(served):
    client, _, _ = served
    summary = client.predict("summarization", api_name="/task_summary")
    assert summary["n_models"] == 4 and summary["spread_ratio"] == pytest.approx(12.0)
    assert summary["mean_wh"] == pytest.approx(5.25)
    overview = {row["task"]: row for row in client.predict(api_name="/overview")}
    assert len(overview) == len(TASK_KEYS) and overview["image_classification"]["n_models"] == 0
    assert overview["text_generation"]["spread_ratio"] == pytest.approx(15.0)


def test_status_reports_the_dropped_files(served):
    client, _, folder = served
    status = client.predict(api_name="/status")
    assert status["dropped_total"] == 8 and status["dropped"]["malformed JSON"] == 1
    assert status["source"] == f"local folder {folder.name}" and status["notice"] is None
    assert "records/summarization/org--broken/run-1.json: malformed JSON" in status["dropped_files"]
    assert len(status["dropped_files"]) == 6  # each bad file by name; the 2 older duplicates only counted
    assert str(folder.parent) not in json.dumps(status)  # no path of the server's


def test_new_results_appear_without_a_restart(served):
    client, live, folder = served
    record = make_record("org/new-qa", "question_answering", 0.5, params=60_000_000)
    LocalStore(folder).add({record_path(record): record.to_json().encode()}, "new result")
    live.refresh()  # what the timer and the refresh button do
    rows = client.predict("question_answering", api_name="/task_rows")
    assert [(r["model_id"], r["stars"]) for r in rows] == [("org/new-qa", 5)]
