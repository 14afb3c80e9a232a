"""What an approved upload may and may not do on the board: it never hides a measured row, never moves a measured
row's stars until a reproduction verifies it, is named with its badge where it is summarised, and is left out
when the API is asked for our measurements only. Stars worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime

from leaderboard.results.live import LiveData
from tests.benchmark.uploads.conftest import MEASURED_STARS, TASK, stars_of
from tests.support.leaderboard_fixtures import write_record
from tests.support.models_fixtures import runner_record

UPLOADED = "acme/closed-summarizer"


def test_a_far_future_self_reported_record_never_hides_the_measured_row(results):
    measured = runner_record("org/frugal", TASK, 1.0, 0.02, params=60_000_000)
    upload = measured.model_copy(update={"run_id": "run-21991231T000000-f00d", "provenance": "self-reported",
                                         "created_at": datetime(2199, 12, 31, tzinfo=UTC),
                                         "gpu_wh_per_1k_queries": 0.1})
    write_record(results.root, upload)
    rows = LiveData(results).current.task_frame(TASK, "live")
    frugal = rows[rows["model_id"] == "org/frugal"]
    assert list(zip(frugal["run_id"], frugal["gpu_wh_per_1k_queries"], frugal["provenance"], strict=True)) == [
        (measured.run_id, 1.0, "measured")]


def test_a_self_reported_row_leaves_every_measured_star_unchanged_until_a_reproduction_verifies_it(results):
    from leaderboard.views.summary import summarize, summary_markdown

    assert stars_of(results) == MEASURED_STARS
    upload = runner_record(UPLOADED, TASK, 20.0, 0.02, params=60_000_000).model_copy(
        update={"provenance": "self-reported", "run_id": "run-upload-1"})
    write_record(results.root, upload)
    # rated against the measured bins (1–5 Wh, 0.8 wide): above the highest it is 1 star; had it set the bins
    # (1–20 Wh, 3.8 wide) middle would have 5 stars and greedy 4
    assert stars_of(results) == {**MEASURED_STARS, UPLOADED: (20.0, 1, "self-reported")}
    text = summary_markdown(summarize(LiveData(results).current.task_frame(TASK, "live")))
    assert "(acme/closed\\-summarizer *self-reported*: 20 Wh vs org/frugal: 1 Wh)" in text
    # a reproduction on the same GPU model agrees: verified, it now sets the group's bins (1–20 Wh)
    reproduction = runner_record(UPLOADED, TASK, 20.0, 0.02, params=60_000_000).model_copy(
        update={"run_id": "run-reproduction-1", "reproduces": "run-upload-1"})
    write_record(results.root, reproduction)
    assert stars_of(results) == {"org/frugal": (1.0, 5, "measured"), "org/middle": (3.0, 5, "measured"),
                                 "org/greedy": (5.0, 4, "measured"), UPLOADED: (20.0, 1, "self-reported")}


def test_one_disagreeing_reproduction_disputes_an_entry_even_when_another_agrees(results):
    from benchmark.board.verification import verifications

    upload = runner_record(UPLOADED, TASK, 2.0, 0.02, params=60_000_000).model_copy(
        update={"provenance": "self-reported", "run_id": "run-upload-2"})
    write_record(results.root, upload)
    agree = runner_record(UPLOADED, TASK, 2.0, 0.02, params=1).model_copy(
        update={"run_id": "run-agree", "reproduces": "run-upload-2"})
    disagree = runner_record(UPLOADED, TASK, 4.0, 0.02, params=1).model_copy(
        update={"run_id": "run-disagree", "reproduces": "run-upload-2"})
    rows = LiveData(results).current.task_frame(TASK, "live")
    assert verifications(rows, [agree])[(UPLOADED, TASK, "run-upload-2")].status == "verified"
    assert verifications(rows, [agree, disagree])[(UPLOADED, TASK, "run-upload-2")].status == "disputed"



def test_the_api_keeps_measured_rows_only_when_asked_and_badges_the_upload(results, tmp_path):
    from gradio_client import Client

    from leaderboard.app import build_demo

    upload = runner_record(UPLOADED, TASK, 0.2, 0.02, params=60_000_000).model_copy(
        update={"provenance": "self-reported", "run_id": "run-upload-api"})
    write_record(results.root, upload)
    demo = build_demo(live=LiveData(results), refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    try:
        client = Client(url, verbose=False)
        every = client.predict(TASK, "", "", "", "latest", "reference", None, "all", api_name="/task_rows")
        ours = client.predict(TASK, "", "", "", "latest", "reference", None, "measured", api_name="/task_rows")
    finally:
        demo.close()
    assert sorted((r["model_id"], r["provenance"]) for r in every) == [
        (UPLOADED, "self-reported"), ("org/frugal", "measured"), ("org/greedy", "measured"),
        ("org/middle", "measured")]
    assert sorted(r["model_id"] for r in ours) == ["org/frugal", "org/greedy", "org/middle"]
