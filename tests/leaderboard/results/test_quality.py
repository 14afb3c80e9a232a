"""Quality beside energy: the frontier on hand-made boards with known answers, which figure a board
row shows, a figure on another benchmark kept for the model page only, and hostile quality records
dropped with their reasons while the page stays whole."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from benchmark.board.records import DROP_OUT_OF_RANGE, DROP_SCHEMA, DROP_UNKNOWN_TASK
from benchmark.quality.record import (
    DROP_METRIC_MISMATCH,
    DROP_QUALITY_OVERSIZED,
    DROP_UNKNOWN_METRIC,
    QualityRecord,
    QualitySettings,
    parse_quality,
    quality_path,
)
from benchmark.store import LocalStore
from leaderboard.results.data import LeaderboardData
from leaderboard.results.live import LiveData
from leaderboard.results.loader import load_store
from leaderboard.results.quality import best_quality, frontier_mask, with_quality
from leaderboard.tabs.models_text import model_page_markdown
from leaderboard.views.model_page import model_page
from tests.support.leaderboard_fixtures import A10G, make_record, write_raw, write_record


def figure(model: str, task: str, value: float, **fields) -> QualityRecord:
    spec = {"text_classification": ("sst2", "accuracy_pct", True),
            "automatic_speech_recognition": ("librispeech_test_clean", "wer_pct", False),
            "question_answering": ("squad_v2", "f1_pct", True)}[task]
    benchmark, metric, higher = fields.pop("benchmark", spec[0]), fields.pop("metric", spec[1]), spec[2]
    return QualityRecord(
        quality_id=fields.pop("quality_id", f"q-{benchmark}"), model_id=model, task=task, benchmark=benchmark,
        metric=metric, value=value, higher_is_better=fields.pop("higher_is_better", higher),
        source=fields.pop("source", "https://example.org/card"), provenance=fields.pop("provenance", "published"),
        **fields,
    )


def write_figure(root, record: QualityRecord) -> None:
    write_raw(root, quality_path(record), record.to_json())


# --- the frontier, known answers --------------------------------------------------------------------


def test_the_frontier_keeps_the_points_nobody_beats_on_both_and_ties_do_not_beat():
    energy = [1.0, 2.0, 3.0, 4.0, 2.0, 2.0]
    quality = [50.0, 60.0, 55.0, 70.0, 60.0, 59.0]
    # (2, 60) twice: a tie beats neither; (3, 55) is beaten by (2, 60); (2, 59) by (2, 60) at the same energy
    assert list(frontier_mask(energy, quality)) == [True, True, False, True, True, False]


def test_the_frontier_of_a_lower_is_better_metric_runs_the_other_way():
    wer = [10.0, 5.0, 7.0, 4.0]
    energy = [1.0, 2.0, 3.0, 9.0]
    assert list(frontier_mask(energy, wer, higher_is_better=False)) == [True, True, False, True]
    assert list(frontier_mask(energy, wer, higher_is_better=True)) == [True, False, False, False]


def test_a_point_without_quality_or_energy_is_never_on_the_frontier_and_beats_nobody():
    energy = [1.0, 0.0, 2.0, np.nan, 3.0]
    quality = [np.nan, 99.0, 40.0, 90.0, 50.0]
    # the NaN-quality row at 1 Wh would beat everything if it counted; the zero-energy 99 too
    assert list(frontier_mask(energy, quality)) == [False, False, True, False, True]


def _board(rows: list[tuple[str, float, str]], task: str = "text_classification") -> pd.DataFrame:
    return pd.DataFrame(
        {"model_id": [m for m, _, _ in rows], "task": task, "reasoning_effort": "",
         "gpu_wh_per_1k_queries": [e for _, e, _ in rows], "hardware": [h for _, _, h in rows],
         "energy_implausible": False}
    )


def test_a_board_row_gets_its_figure_and_its_hardware_s_frontier():
    board = _board([("a", 1.0, "H100"), ("b", 2.0, "H100"), ("c", 3.0, "H100"), ("d", 0.5, "H100"),
                    ("b", 9.0, "A10G")])
    best = best_quality([figure("a", "text_classification", 80.0), figure("b", "text_classification", 90.0),
                         figure("c", "text_classification", 85.0)])
    rows = with_quality(board, best)
    assert list(rows["quality"].fillna(-1)) == [80.0, 90.0, 85.0, -1, 90.0]
    assert list(rows["on_frontier"]) == [True, True, False, False, True]  # d has no figure: shown, not on it
    assert list(rows["quality_source"])[:2] == ["https://example.org/card"] * 2
    assert list(rows.index) == list(board.index)


def test_our_measurement_comes_before_a_published_figure_and_a_partial_run_is_not_compared():
    when = datetime(2026, 1, 1, tzinfo=UTC)
    best = best_quality([
        figure("a", "text_classification", 91.3, provenance="published", quality_id="pub"),
        figure("a", "text_classification", 90.8, provenance="measured", quality_id="ours", created_at=when),
        figure("a", "text_classification", 99.0, provenance="measured", quality_id="partial", created_at=when,
               settings=QualitySettings(limit=8)),
        figure("a", "text_classification", 95.0, provenance="self-reported", quality_id="theirs"),
    ])
    assert best[["model_id", "quality", "quality_provenance"]].values.tolist() == [["a", 90.8, "measured"]]


# --- a figure on another benchmark: the model page, not the board ------------------------------------


@pytest.fixture
def qa_folder(tmp_path):
    write_record(tmp_path, make_record("org/qa-v1", "question_answering", 0.5, params=60_000_000))
    write_record(tmp_path, make_record("org/qa-v2", "question_answering", 0.8, params=60_000_000))
    write_figure(tmp_path, figure("org/qa-v1", "question_answering", 88.7, benchmark="squad_v1", quality_id="v1"))
    write_figure(tmp_path, figure("org/qa-v2", "question_answering", 79.5))
    return tmp_path


def test_a_figure_on_another_benchmark_is_on_the_model_page_but_not_compared_on_the_board(qa_folder):
    data = LeaderboardData.from_load(load_store(LocalStore(qa_folder)))
    rows = data.task_frame("question_answering").set_index("model_id")
    assert pd.isna(rows.loc["org/qa-v1", "quality"]) and not rows.loc["org/qa-v1", "on_frontier"]
    assert rows.loc["org/qa-v2", "quality"] == 79.5 and rows.loc["org/qa-v2", "on_frontier"]

    (entry,) = model_page(data, "org/qa-v1")["entries"]
    assert entry["quality"] is None
    others = [(q["benchmark"], q["value"], q["comparable"]) for q in entry["other_quality"]]
    assert others == [("squad_v1", 88.7, False)]
    text = model_page_markdown(model_page(data, "org/qa-v1"))
    assert "**Quality:** no figure on the task's declared benchmark yet" in text
    assert "**Other quality figure (not compared on the board):** **88.7** squad\\_v1 f1\\_pct" in text
    (declared,) = model_page(data, "org/qa-v2")["entries"]
    assert declared["quality"]["label"] == "SQuAD v2 F1 (%) ↑" and declared["quality"]["value"] == 79.5


# --- hostile quality records -------------------------------------------------------------------------


def _raw(change: dict) -> bytes:
    data = json.loads(figure("org/a", "text_classification", 91.3).to_json())
    data.update(change)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"task": "telepathy"}, DROP_UNKNOWN_TASK),
        ({"value": float("nan")}, DROP_OUT_OF_RANGE),
        ({"value": 101.0}, DROP_OUT_OF_RANGE),
        ({"value": -0.1}, DROP_OUT_OF_RANGE),
        ({"metric": "f1_pct"}, DROP_METRIC_MISMATCH),  # SST-2 is declared with accuracy
        ({"higher_is_better": False}, DROP_METRIC_MISMATCH),
        ({"metric": "vibes"}, DROP_UNKNOWN_METRIC),
        ({"provenance": "trust me"}, DROP_SCHEMA),
        ({"notes": "x" * 200_000}, DROP_QUALITY_OVERSIZED),
        ({"model_id": "<script>x</script>" * 50}, DROP_SCHEMA),
    ],
)
def test_a_hostile_quality_record_is_dropped_by_its_reason(change, reason):
    assert parse_quality(_raw(change)) == reason


def test_a_negative_wer_is_dropped_and_a_wer_over_100_is_kept():
    data = json.loads(figure("org/a", "automatic_speech_recognition", 4.2).to_json())
    assert parse_quality(json.dumps({**data, "value": -1.0}).encode()) == DROP_OUT_OF_RANGE
    assert parse_quality(json.dumps({**data, "value": 104.0}).encode()).value == 104.0  # insertions


def test_hostile_quality_files_are_dropped_listed_and_the_board_stays(qa_folder):
    write_raw(qa_folder, "quality/question_answering/org--qa-v2/evil.json", _raw({"value": 1e400}).decode())
    write_raw(qa_folder, "quality/question_answering/org--qa-v2/broken.json", '{"quality_id": ')
    live = LiveData(LocalStore(qa_folder), min_check_interval_s=0)
    data = live.current
    assert live.from_store and data.notice is None
    assert data.dropped == Counter({DROP_OUT_OF_RANGE: 1, "malformed JSON": 1})
    assert "quality/question_answering/org--qa-v2/evil.json: number out of range" in data.problems
    assert sorted(data.task_frame("question_answering")["model_id"]) == ["org/qa-v1", "org/qa-v2"]


def test_quality_never_moves_a_star(qa_folder):
    before = LeaderboardData.from_load(load_store(LocalStore(qa_folder))).task_frame("question_answering")
    write_figure(qa_folder, figure("org/qa-v1", "question_answering", 99.9, quality_id="great"))
    after = LeaderboardData.from_load(load_store(LocalStore(qa_folder))).task_frame("question_answering")
    assert list(after["stars"]) == list(before["stars"]) == [5, 1]
    assert list(after["on_frontier"]) == [True, False]  # org/qa-v1 now beats org/qa-v2 on both


def test_boards_are_per_hardware_for_the_frontier(tmp_path):
    write_record(tmp_path, make_record("org/x", "text_classification", 5.0, hardware=A10G))
    write_figure(tmp_path, figure("org/x", "text_classification", 70.0))
    write_record(tmp_path, make_record("org/y", "text_classification", 1.0))
    write_figure(tmp_path, figure("org/y", "text_classification", 90.0))
    rows = LeaderboardData.from_load(load_store(LocalStore(tmp_path))).task_frame("text_classification")
    assert rows["on_frontier"].all()  # org/x is alone on the A10G: nobody there beats it


def test_a_figure_measured_on_a_few_examples_is_never_the_rows_figure_whatever_its_date_or_id():
    """99 % on the first 8 examples (``--limit``) would otherwise win: it is ours, the newest and its id sorts
    first. The row keeps the published figure; with no other figure it has none."""
    partial = figure("a", "text_classification", 99.0, provenance="measured", quality_id="a-partial",
                     created_at=datetime(2026, 6, 1, tzinfo=UTC), settings=QualitySettings(limit=8))
    published = figure("a", "text_classification", 91.3, provenance="published", quality_id="z-card")
    assert partial.comparable is False and published.comparable is True
    assert best_quality([partial, published])[["quality", "quality_provenance"]].values.tolist() == [
        [91.3, "published"]]
    assert best_quality([partial]).empty
    rows = with_quality(_board([("a", 1.0, "H100"), ("b", 2.0, "H100")]),
                        best_quality([partial, figure("b", "text_classification", 80.0)]))
    assert rows["quality"].fillna(-1).tolist() == [-1, 80.0] and rows["on_frontier"].tolist() == [False, True]


def test_of_two_figures_of_the_same_provenance_the_latest_is_the_rows():
    older = figure("a", "text_classification", 88.0, provenance="measured", quality_id="a-old",
                   created_at=datetime(2026, 1, 1, tzinfo=UTC))
    newer = figure("a", "text_classification", 90.0, provenance="measured", quality_id="z-new",
                   created_at=datetime(2026, 3, 1, tzinfo=UTC))
    for order in ([older, newer], [newer, older]):
        assert best_quality(order)["quality"].tolist() == [90.0]


def test_an_implausible_energy_is_never_on_the_frontier_and_beats_nobody():
    board = _board([("impossible", 0.1, "H100"), ("a", 1.0, "H100"), ("b", 2.0, "H100")])
    board.loc[0, "energy_implausible"] = True
    best = best_quality([figure(m, "text_classification", q) for m, q in (("impossible", 99.0), ("a", 80.0),
                                                                          ("b", 85.0))])
    # counted, the impossible row (least energy, best quality) would beat both others
    assert with_quality(board, best)["on_frontier"].tolist() == [False, True, True]
