"""Reading releases: frozen stars, provisional stars for later runs, readers that agree, stable labels."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from benchmark.board.frame import FRAME_COLUMNS, frame_from_records
from benchmark.record import Hardware, record_path
from benchmark.release import cut_release
from benchmark.store import LocalStore
from leaderboard.label.draw import label_png
from leaderboard.label.facts import label_facts, label_file_name
from leaderboard.results.data import SNAPSHOT_DIR, LeaderboardData
from leaderboard.results.live import LiveData
from leaderboard.results.loader import read_folder
from leaderboard.results.releases import FLAG_NO_FROZEN_GROUP, UnknownReleaseError, load_board
from tests.support.doubles.hub_double import local_or_hub_store
from tests.support.leaderboard_fixtures import make_record

MARCH = datetime(2025, 3, 1, tzinfo=UTC)
LATER = datetime(2026, 7, 1, tzinfo=UTC)


def publish(store, *records) -> None:
    store.add({record_path(r): r.to_json().encode() for r in records}, "publish")


def released_store(store):
    """Summarization 1..11 Wh (edges 1 and 11, 2 Wh a bin) cut as release r1."""
    publish(
        store,
        *(
            make_record(m, "summarization", wh, created_at=MARCH, run_id=f"r{i}", repeats=[wh * 0.9, wh * 1.1])
            for i, (m, wh) in enumerate({"org/a": 1.0, "org/b": 3.0, "org/c": 11.0}.items())
        ),
    )
    cut_release(store, "r1", date="2025-04-01")
    return store


def load(store) -> LeaderboardData:
    releases, since = load_board(store)
    return LeaderboardData.from_load(since, releases=releases)


@pytest.fixture(params=["local", "hub"])
def store(request, tmp_path):
    return released_store(local_or_hub_store(request.param, tmp_path / "store"))


def test_a_run_after_the_cut_gets_provisional_stars_and_moves_no_released_star(store):
    before = load(store).frame[["model_id", "stars"]].copy()
    publish(
        store,
        make_record("org/mid", "summarization", 6.0, created_at=LATER, run_id="n1"),  # bin 3 of 1..11
        make_record("org/tiny", "summarization", 0.1, created_at=LATER, run_id="n2"),  # below the low edge
        make_record("org/huge", "summarization", 500.0, created_at=LATER, run_id="n3"),  # far above the high one
        make_record("org/od", "object_detection", 2.0, created_at=LATER, run_id="n4"),  # no frozen group
    )
    data = load(store)
    assert sorted(r.run_id for r in data.records) == ["n1", "n2", "n3", "n4"]  # only these are read as JSON
    pd.testing.assert_frame_equal(data.frame[["model_id", "stars"]], before)
    since = data.since().set_index("model_id")
    assert since.loc["org/mid", "stars"] == 3 and since.loc["org/tiny", "stars"] == 5
    assert since.loc["org/huge", "stars"] == 1
    assert since.loc["org/od", "stars"] is pd.NA and since.loc["org/od", "rating_flag"] == FLAG_NO_FROZEN_GROUP
    assert set(since["release"]) == {"provisional (since r1)"}
    live = data.board("live").set_index("model_id")
    assert live.loc["org/c", "stars"] == 5 and live.loc["org/huge", "stars"] == 1  # live re-rating moves org/c


def test_an_unknown_release_is_refused_in_one_line_naming_the_choices(store):
    with pytest.raises(UnknownReleaseError, match="unknown release 'r9': choose one of latest, live, since, r1"):
        load(store).task_frame("summarization", "r9")


def test_the_parquet_reader_and_the_json_reader_agree_on_every_field(tmp_path):
    store = LocalStore(tmp_path)
    h200 = Hardware(device="cuda", gpu_name="NVIDIA H200", gpu_count=2)
    publish(
        store,
        make_record("org/lm", "text_generation", 12.5, params=7_000_000_000, created_at=MARCH, repeats=[12.0, 13.0]),
        make_record("org/big", "text_generation", 80.0, params=70_000_000_000, created_at=MARCH, run_id="b"),
        make_record("org/noparams", "text_generation", 9.0, created_at=MARCH, run_id="c"),
        make_record("org/s", "summarization", 0.25, hardware=h200, created_at=MARCH, run_id="d", repeats=[0.2, 0.3]),
    )
    cut_release(store, "r1", date="2025-04-01")
    from_json = frame_from_records(read_folder(tmp_path).records).sort_values("run_id").reset_index(drop=True)
    from_parquet = load(store).board("r1").sort_values("run_id").reset_index(drop=True)
    columns = list(FRAME_COLUMNS)
    pd.testing.assert_frame_equal(from_parquet[columns], from_json[columns], check_dtype=False)
    by_run = from_parquet.set_index("run_id")
    assert by_run.loc["d", "gpu_wh_per_1k_queries_std"] == pytest.approx(0.07071, abs=1e-5)
    assert by_run.loc["d", "hardware"] == "2× NVIDIA H200" and by_run.loc["b", "size_class"] == "C"


def test_a_label_made_twice_for_the_same_release_is_the_same_file():
    data_a = LiveData(LocalStore(SNAPSHOT_DIR)).current
    data_b = LiveData(LocalStore(SNAPSHOT_DIR)).current
    model = "openai/whisper-large-v3"
    facts_a = label_facts(data_a, model, "automatic_speech_recognition", release="2025-02", url="https://x.org")
    facts_b = label_facts(data_b, model, "automatic_speech_recognition", release="2025-02", url="https://x.org")
    assert facts_a.release == "2025-02" and label_png(facts_a) == label_png(facts_b)
    assert label_file_name(facts_a, "automatic_speech_recognition").endswith(
        "-automatic_speech_recognition-2025-02.png"
    )
    # the December board shows the February row of a model it does not hold, so its label says 2025-02
    latest = label_facts(data_a, model, "automatic_speech_recognition", url="https://x.org")
    assert latest.release == "2025-02" and label_png(latest) == label_png(facts_a)
