"""Reasoning on the board (issue 12): effort levels as their own rated rows, thinking on versus off,
the output-token columns of generation tasks and the every-query-at-the-cap warning."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmark.board.records import DROP_DUPLICATE
from benchmark.record import OutputTokens, ResultRecord, record_path
from benchmark.release import cut_release
from benchmark.store import LocalStore
from leaderboard.display.plots import energy_vs_output_tokens
from leaderboard.results.data import LeaderboardData
from leaderboard.results.loader import read_folder
from leaderboard.results.rating import FLAG_ALL_AT_CAP
from leaderboard.results.releases import load_board
from leaderboard.tabs.board_text import task_csv
from leaderboard.tabs.models_text import model_page_markdown
from leaderboard.views.columns import task_headers
from leaderboard.views.model_page import model_page
from leaderboard.views.reasoning import on_off_sentence, reasoning_on_off, token_points
from leaderboard.views.tables import api_rows, task_view
from tests.support.leaderboard_fixtures import CPU, make_record, write_record

QUERIES = 1000
CAP = 8192


def measured(
    model_id: str,
    task: str,
    gpu_wh: float,
    tokens_per_query: float | None,
    *,
    effort: str | None = None,
    params: int = 20_000_000_000,
    at_cap: int = 0,
    **kwargs,
) -> ResultRecord:
    """A record as the runner writes it for a generation task: output tokens and Wh per 1,000 of them."""
    record = make_record(model_id, task, gpu_wh, params=params, run_id=f"run-{effort or 'none'}", **kwargs)
    update: dict = {
        "settings": record.settings.model_copy(
            update={"reasoning": task == "reasoning", "reasoning_effort": effort, "max_new_tokens": CAP}
        )
    }
    if tokens_per_query is not None:
        update["output_tokens"] = OutputTokens(
            queries=QUERIES, total=int(tokens_per_query * QUERIES), per_query_mean=tokens_per_query,
            per_query_median=tokens_per_query, per_query_p95=tokens_per_query * 1.5, queries_at_cap=at_cap,
        )
        # Wh per 1,000 queries over (1,000 queries × tokens per query) × 1,000 tokens
        update["gpu_wh_per_1k_output_tokens"] = gpu_wh / tokens_per_query
    return record.model_copy(update=update)


# A 20B model measured at three effort levels, another with thinking only, and both with thinking off.
RECORDS = (
    measured("org/oss", "reasoning", 1100.0, 600.0, effort="low"),
    measured("org/oss", "reasoning", 4100.0, 2300.0, effort="medium"),
    measured("org/oss", "reasoning", 5500.0, 3100.0, effort="high"),
    measured("org/think", "reasoning", 546.99, 380.0, params=600_000_000),
    measured("org/big", "reasoning", 9000.0, 5000.0, params=100_000_000_000),
    measured("org/think", "text_generation", 11.83, 10.0, params=600_000_000),
    measured("org/oss", "text_generation", 40.0, 10.0),
)


def folder_with(tmp_path: Path, records) -> Path:
    for record in records:
        write_record(tmp_path, record)
    return tmp_path


@pytest.fixture
def data(tmp_path) -> LeaderboardData:
    return LeaderboardData.from_load(read_folder(folder_with(tmp_path, RECORDS)))


def test_each_effort_level_is_its_own_row_rated_within_its_size_class(tmp_path):
    result = read_folder(folder_with(tmp_path, RECORDS))
    assert DROP_DUPLICATE not in result.dropped  # three levels of one model are not three runs of one thing
    data = LeaderboardData.from_load(result)
    view = task_view(data, "reasoning", sizes=["A"])
    assert list(zip(view.rows["model_id"], view.rows["reasoning_effort"], view.rows["stars"], strict=True)) == [
        ("org/think", "", 5), ("org/oss", "low", 5), ("org/oss", "medium", 2), ("org/oss", "high", 1)
    ]  # class A, edges 546.99 and 5500 Wh: bins of 990.6 Wh, so 1100 is in the lowest and 4100 in the fourth
    assert list(view.table["Effort"]) == ["", "low", "medium", "high"]
    # the id stays a clean link (its title the id, for a cell that cuts it)
    assert list(view.table["Model"])[1] == '[org/oss](https://huggingface.co/org/oss "org/oss")'
    big = task_view(data, "reasoning", sizes=["C"]).rows
    assert list(big["stars"]) == [5]  # class C is rated on its own


def test_effort_levels_stay_apart_in_a_release(tmp_path):
    store = LocalStore(tmp_path)
    store.add({record_path(r): r.to_json().encode() for r in RECORDS}, "runs")
    cut_release(store, "r1", date="2026-01-01")
    releases, since = load_board(store)
    rows = LeaderboardData.from_load(since, releases=releases).task_frame("reasoning")
    oss = rows[rows["model_id"] == "org/oss"]
    assert sorted(zip(oss["reasoning_effort"], oss["stars"], strict=True)) == [("high", 1), ("low", 5), ("medium", 2)]
    assert set(oss["release"]) == {"r1"} and oss["output_tokens_per_query"].tolist() == [600.0, 2300.0, 3100.0]


def test_thinking_on_versus_off_is_the_ratio_of_two_records(data):
    pairs = {(p["model_id"], p["reasoning_effort"]): p for p in reasoning_on_off(data)}
    assert sorted(pairs) == [("org/oss", "high"), ("org/oss", "low"), ("org/oss", "medium"), ("org/think", "")]
    think = pairs[("org/think", "")]
    assert think["energy_ratio"] == pytest.approx(546.99 / 11.83)
    assert think["output_token_ratio"] == pytest.approx(38.0)
    assert think["energy_per_output_token_ratio"] == pytest.approx((546.99 / 380) / (11.83 / 10))
    assert think["sentence"] == "Thinking on uses 46.2× the energy per query, mostly from 38× more output tokens."
    assert pairs[("org/oss", "high")]["energy_ratio"] == pytest.approx(5500 / 40)
    assert pairs[("org/oss", "high")]["sentence"].startswith("Thinking on (high) uses 138× the energy per query")
    assert think["doubtful"] is None


def test_on_versus_off_needs_the_same_hardware_and_says_when_on_measured_lower(tmp_path):
    records = (
        measured("org/a", "reasoning", 50.0, None),
        measured("org/a", "text_generation", 60.0, None),  # thinking on below off: kept, marked
        measured("org/b", "reasoning", 500.0, 300.0),
        measured("org/b", "text_generation", 10.0, 10.0, hardware=CPU),  # another machine: no pair
    )
    pairs = reasoning_on_off(LeaderboardData.from_load(read_folder(folder_with(tmp_path, records))), "live")
    assert [(p["model_id"], p["output_token_ratio"]) for p in pairs] == [("org/a", None)]  # no tokens: no ratio
    assert pairs[0]["doubtful"] == "thinking on measured below thinking off: doubtful"
    assert on_off_sentence(3.0, 1.2) == "Thinking on uses 3× the energy per query, with 1.2× more output tokens."


def test_generation_tables_show_output_tokens_and_wh_per_1k_output_tokens(data, tmp_path):
    assert "GPU Wh / 1,000 output tokens" in task_headers("summarization")
    assert "Output tokens / query" in task_headers("automatic_speech_recognition")
    assert "Output tokens / query" not in task_headers("image_classification")
    assert "Effort" in task_headers("reasoning") and "Effort" not in task_headers("text_generation")
    view = task_view(data, "text_generation")
    assert list(view.table["Output tokens / query"]) == [10.0, 10.0]
    assert list(view.table["GPU Wh / 1,000 output tokens"]) == [1.183, 4.0]
    rows = api_rows(view.rows)
    assert [r["gpu_wh_per_1k_output_tokens"] for r in rows] == [pytest.approx(1.183), 4.0]
    assert [r["output_tokens_per_query"] for r in rows] == [10.0, 10.0]
    published = make_record("org/published", "text_generation", 5.0, params=1_000_000_000)
    plain = LeaderboardData.from_load(read_folder(folder_with(tmp_path / "p", [published])))
    assert api_rows(plain.task_frame("text_generation"))[0]["gpu_wh_per_1k_output_tokens"] is None  # blank


def test_a_run_whose_every_query_hit_the_cap_is_rated_and_flagged(tmp_path):
    records = (
        measured("org/loops", "reasoning", 8000.0, CAP, at_cap=QUERIES),
        measured("org/stops", "reasoning", 900.0, 700.0, at_cap=3),  # some at the cap: no flag
    )
    data = LeaderboardData.from_load(read_folder(folder_with(tmp_path, records)))
    view = task_view(data, "reasoning")
    assert list(view.table["Stars in size class"]) == ["★★★★★", f"★ ⚠ {FLAG_ALL_AT_CAP}"]
    assert [r["warning"] for r in api_rows(view.rows)] == [None, FLAG_ALL_AT_CAP]
    assert pd.read_csv(task_csv(view))["Every query at the cap"].tolist() == [False, True]
    page = model_page(data, "org/loops")
    assert page["entries"][0]["warning"] == FLAG_ALL_AT_CAP and page["entries"][0]["stars"] == 1
    assert "⚠ **every query hit the cap&#58; the model may not stop**" in model_page_markdown(page)


def test_the_model_page_shows_the_effort_the_tokens_and_thinking_on_versus_off(data):
    page = model_page(data, "org/think")
    reasoning = next(e for e in page["entries"] if e["task"] == "reasoning")
    assert reasoning["output_tokens"]["per_query_p95"] == 570.0 and reasoning["gpu_wh_per_1k_output_tokens"] > 0
    assert [p["sentence"] for p in page["reasoning_on_off"]] == [
        "Thinking on uses 46.2× the energy per query, mostly from 38× more output tokens."
    ]
    text = model_page_markdown(page)
    assert "### Thinking on versus off" in text and "46\\.2×" in text
    assert "0 of 1000 queries hit the cap" in text
    assert "### Reasoning (effort high)" in model_page_markdown(model_page(data, "org/oss"))


def test_the_tokens_plot_has_a_trace_per_size_class_and_skips_rows_without_counts(data, tmp_path):
    rows = data.task_frame("reasoning")
    points = token_points(rows)
    assert len(points) == len(rows) == 5
    figure = energy_vs_output_tokens(points, "Reasoning")
    assert [trace.name for trace in figure.data] == ["size class A", "size class C"]
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.type == "log"
    assert sorted(figure.data[0].x) == [380.0, 600.0, 2300.0, 3100.0]
    published = make_record("org/published", "reasoning", 500.0, params=1_000_000_000)
    plain = LeaderboardData.from_load(read_folder(folder_with(tmp_path / "p", [published])))
    assert token_points(plain.task_frame("reasoning")).empty  # published figures have no counts


def test_a_comparison_names_the_effort_level_it_shows(data):
    from leaderboard.views.compare import compare

    result = compare(data, ["org/think", "org/oss"], "reasoning")
    (ratio,) = result["ratios"]
    assert ratio["sentence"].startswith("org/oss (") and " effort) uses " in ratio["sentence"]
    effort = next(r["reasoning_effort"] for r in result["rows"] if r["model_id"] == "org/oss")
    assert f"org/oss ({effort} effort)" in ratio["sentence"]
