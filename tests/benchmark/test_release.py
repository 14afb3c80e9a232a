"""Cutting a release: a frozen, rated board written once to a local folder or a Hub dataset."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.record import record_path
from benchmark.release import ReleaseError, ReleaseExistsError, board_path, cut_release, release_json_path
from benchmark.store import LocalStore
from leaderboard.results.releases import read_release
from tests.support.doubles.hub_double import local_or_hub_store
from tests.support.leaderboard_fixtures import make_record

# Summarization (not rated by class): 1, 2, 3, 5 and 11 Wh → edges 1..11, 2 Wh a bin, an inner edge
# belongs to the bin above: 5, 5, 4, 3, 1 stars.
ENERGIES = {"org/a": 1.0, "org/b": 2.0, "org/c": 3.0, "org/d": 5.0, "org/e": 11.0}


def add_records(store, energies=ENERGIES, task="summarization", when=datetime(2025, 3, 1, tzinfo=UTC)):
    records = [
        make_record(model, task, wh, created_at=when, run_id=f"run-{i}")
        for i, (model, wh) in enumerate(energies.items())
    ]
    store.add({record_path(r): r.to_json().encode() for r in records}, "add records")
    return records


@pytest.fixture(params=["local", "hub"])
def store(request, tmp_path):
    return local_or_hub_store(request.param, tmp_path / "store")


def test_a_cut_freezes_stars_and_edges_per_rating_group(store):
    add_records(store)
    add_records(store, {"org/lm": 10.0}, task="text_generation")  # no params: listed, unrated
    cut = cut_release(store, "2026-06", date="2026-06-01")
    release = read_release(store, "2026-06")
    stars = dict(zip(release.board["model_id"], release.board["stars"], strict=True))
    assert stars["org/a"] == 5 and stars["org/b"] == 5 and stars["org/c"] == 4 and stars["org/d"] == 3
    assert stars["org/e"] == 1 and stars["org/lm"] is pd.NA
    assert release.meta["groups"] == [
        {
            "task": "summarization",
            "size_class": None,
            "hardware": "NVIDIA H100 80GB HBM3",
            "configuration_key": "reference",
            "low_wh": 1.0,
            "high_wh": 11.0,
            "count": 5,
        }
    ]
    assert cut.n_entries == 6 and release.meta["date"] == "2026-06-01" and release.meta["n_rated"] == 5
    assert set(release.board["configuration_key"]) == {"reference"}
    row = release.board[release.board["model_id"] == "org/d"].iloc[0]
    assert row["record_path"] == "records/summarization/org--d/run-3.json" and row["run_id"] == "run-3"


@pytest.mark.parametrize("name", ["live", "latest", "since", "a/b", "", "-x"])
def test_reserved_and_unsafe_release_names_are_refused(tmp_path, name):
    with pytest.raises(ReleaseError, match="invalid release name"):
        cut_release(LocalStore(tmp_path), name)


def test_a_second_cut_of_the_same_name_is_refused_and_changes_nothing(store):
    add_records(store)
    cut_release(store, "v1", date="2026-06-01")
    before = {path: store.read(path) for path in (board_path("v1"), release_json_path("v1"))}
    add_records(store, {"org/new": 0.5}, when=datetime(2026, 7, 1, tzinfo=UTC))
    with pytest.raises(ReleaseExistsError, match="already exists"):
        cut_release(store, "v1")
    assert {path: store.read(path) for path in before} == before


def test_a_cut_rates_only_the_included_cohort_and_never_touches_records(store):
    add_records(store)
    add_records(store, {"org/x": 100.0}, task="object_detection")
    records_before = {p: store.read(p) for p in store.list("records/")}
    cut_release(store, "od", include=["records/object_detection/*"], date="2026-06-01")
    release = read_release(store, "od")
    assert list(release.board["model_id"]) == ["org/x"] and list(release.board["stars"]) == [5]
    assert {p: store.read(p) for p in store.list("records/")} == records_before


def test_a_malformed_record_is_left_out_with_its_path_and_reason(store):
    add_records(store)
    store.add({"records/summarization/org--bad/run-9.json": b"{not json"}, "bad")
    cut_release(store, "v1", date="2026-06-01")
    release = read_release(store, "v1")
    bad = "records/summarization/org--bad/run-9.json"
    assert release.meta["left_out"] == [{"path": bad, "reason": "malformed JSON"}]
    assert len(release.board) == 5


def test_of_two_runs_the_latest_is_released_unless_all_runs_are_asked_for(tmp_path):
    store = LocalStore(tmp_path)
    add_records(store, {"org/a": 1.0, "org/b": 3.0})
    later = make_record("org/a", "summarization", 2.0, created_at=datetime(2025, 4, 1, tzinfo=UTC), run_id="run-z")
    store.add({record_path(later): later.to_json().encode()}, "rerun")
    cut_release(store, "latest-only", date="2026-06-01")
    cut_release(store, "all", date="2026-06-01", latest_only=False)
    latest = read_release(store, "latest-only")
    assert sorted(latest.board["gpu_wh_per_1k_queries"]) == [2.0, 3.0]
    assert latest.meta["left_out"][0]["reason"] == "older duplicate run"
    assert sorted(read_release(store, "all").board["gpu_wh_per_1k_queries"]) == [1.0, 2.0, 3.0]


def test_two_maintainers_cutting_the_same_name_at_once_exactly_one_succeeds(tmp_path):
    add_records(LocalStore(tmp_path))
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def cutter() -> None:
        store = LocalStore(tmp_path)
        barrier.wait()
        try:
            cut_release(store, "race", date="2026-06-01")
            outcomes.append("won")
        except ReleaseExistsError:  # only "the name exists": any other error fails the test
            outcomes.append("refused")

    threads = [threading.Thread(target=cutter) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "won"]


def test_the_cli_cuts_a_release_and_refuses_a_second_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path))
    add_records(LocalStore(tmp_path))
    assert main(["release", "cut", "2026-06", "--include", "records/summarization/*", "--date", "2026-06-01"]) == 0
    assert "release 2026-06: 5 entries, 0 records left out" in capsys.readouterr().out
    meta = json.loads((tmp_path / "releases" / "2026-06" / "release.json").read_text())
    assert meta["include"] == ["records/summarization/*"]
    assert main(["release", "cut", "2026-06"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: release '2026-06' already exists") and "\n" not in err


# Frozen means frozen: what a cut wrote is what the board shows, whatever the rule or the records do later.
FROZEN = {"org/a": 1.0, "org/b": 2.0, "org/c": 3.0, "org/d": 4.0, "org/e": 5.0}  # 1 Wh a bin: 5, 4, 3, 2, 1 stars


def _stars(data, release):
    board = data.task_frame("summarization", release)
    return dict(zip(board["model_id"], board["stars"].astype(int), strict=True))


def test_a_release_keeps_its_stars_when_the_rating_rule_changes_and_the_live_board_does_not(tmp_path, monkeypatch):
    from benchmark.board import rating
    from leaderboard.results.live import LiveData

    store = LocalStore(tmp_path)
    add_records(store, FROZEN)
    cut_release(store, "2026-06", date="2026-06-01")
    before = LiveData(store).current
    assert _stars(before, "2026-06") == _stars(before, "live") == {
        "org/a": 5, "org/b": 4, "org/c": 3, "org/d": 2, "org/e": 1}
    monkeypatch.setattr(rating, "N_STAR_LEVELS", 10)  # the rule changes: ten bins of 0.4 Wh
    after = LiveData(store).current
    assert _stars(after, "2026-06") == {"org/a": 5, "org/b": 4, "org/c": 3, "org/d": 2, "org/e": 1}
    assert _stars(after, "live") == {"org/a": 10, "org/b": 8, "org/c": 5, "org/d": 3, "org/e": 1}


def test_a_record_edited_after_the_cut_leaves_the_release_as_it_was(tmp_path):
    from leaderboard.results.live import LiveData

    store = LocalStore(tmp_path)
    [first, *_] = add_records(store, FROZEN)
    cut_release(store, "2026-06", date="2026-06-01")
    edited = first.model_copy(update={"gpu_wh_per_1k_queries": 4.5})  # org/a now says 4.5 Wh
    (tmp_path / record_path(first)).write_text(edited.to_json())
    data = LiveData(store).current
    frozen = data.task_frame("summarization", "2026-06").set_index("model_id")
    assert frozen.loc["org/a", "gpu_wh_per_1k_queries"] == 1.0 and _stars(data, "2026-06")["org/a"] == 5
    assert _stars(data, "2026-06") == {"org/a": 5, "org/b": 4, "org/c": 3, "org/d": 2, "org/e": 1}
    # a released record is read from its release, never from its file again: the live board keeps it too
    assert _stars(data, "live") == _stars(data, "2026-06")
    assert read_release(store, "2026-06").board.set_index("model_id").loc["org/a", "gpu_wh_per_1k_queries"] == 1.0
