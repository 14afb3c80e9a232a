"""The loader keeps good records, drops and counts bad ones, and the app's data survives a dead Hub."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmark.board.records import DROP_DUPLICATE, parse_record
from benchmark.hub_client import HubClient
from benchmark.record import record_path
from benchmark.store import HubStore, LocalStore
from leaderboard.results.data import SNAPSHOT_DIR, LeaderboardData
from leaderboard.results.live import CAUSE_MISSING, SNAPSHOT_SOURCE, LiveData
from leaderboard.results.loader import load_store, read_folder
from leaderboard.tabs.board_text import status_markdown
from tests.support.doubles.hub_double import FakeHfApi
from tests.support.leaderboard_fixtures import (
    CPU,
    H100,
    SCRIPT_ID,
    make_record,
    write_bad_folder,
    write_good_folder,
    write_record,
)


def test_good_records_are_all_kept(tmp_path):
    written = write_good_folder(tmp_path)
    result = read_folder(tmp_path)
    assert sorted(r.model_id for r in result.records) == sorted(r.model_id for r in written)
    assert result.dropped_total == 0


def test_every_kind_of_bad_file_is_dropped_and_counted_by_reason(tmp_path):
    expected = write_bad_folder(tmp_path)
    result = read_folder(tmp_path)
    assert dict(result.dropped) == expected
    kept = {r.model_id: r for r in result.records}
    assert set(kept) == {"org/small-sum", "org/mid-sum", "org/big-sum", "org/tiny-lm", "org/large-lm", SCRIPT_ID}


def test_the_latest_run_of_a_model_task_and_hardware_wins(tmp_path):
    write_bad_folder(tmp_path)
    kept = {r.model_id: r for r in read_folder(tmp_path).records}
    assert kept["org/mid-sum"].gpu_wh_per_1k_queries == 3.0  # the 2024 run of 99 Wh is older
    assert kept["org/big-sum"].gpu_wh_per_1k_queries == 12.0  # the June 2025 run replaces January's 9 Wh


def test_runs_on_different_hardware_are_not_duplicates(tmp_path):
    write_record(tmp_path, make_record("org/m", "summarization", 2.0, run_id="gpu-run"))
    write_record(tmp_path, make_record("org/m", "summarization", 0.0, hardware=CPU, run_id="cpu-run"))
    result = read_folder(tmp_path)
    assert sorted(r.run_id for r in result.records) == ["cpu-run", "gpu-run"] and result.dropped_total == 0


def test_equal_timestamps_fall_back_to_the_run_id(tmp_path):
    when = datetime(2025, 3, 1, tzinfo=UTC)
    write_record(tmp_path, make_record("org/m", "summarization", 2.0, created_at=when, run_id="b-run"))
    write_record(tmp_path, make_record("org/m", "summarization", 7.0, created_at=when, run_id="a-run"))
    result = read_folder(tmp_path)
    assert [r.run_id for r in result.records] == ["b-run"]
    assert result.dropped[DROP_DUPLICATE] == 1


def test_zero_energy_is_kept_for_the_rating_to_flag(tmp_path):
    # (a CPU run is flagged as such first: tests/test_measurement_integrity.py)
    write_record(tmp_path, make_record("org/zero-run", "summarization", 0.0, hardware=H100))
    data = LeaderboardData.from_load(read_folder(tmp_path))
    row = data.frame.iloc[0]
    assert row["model_id"] == "org/zero-run" and row["rating_flag"] == "GPU energy ≤ 0"
    assert row["stars"] is None or str(row["stars"]) == "<NA>"


def test_report_folders_are_never_read_as_records(tmp_path):
    record = make_record("org/m", "summarization", 2.0)
    write_record(tmp_path, record)
    reports = tmp_path / record_path(record).replace(".json", ".reports")
    reports.mkdir()
    (reports / "repeat-0.json").write_text("not even json")
    result = read_folder(tmp_path)
    assert len(result.records) == 1 and result.dropped_total == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "malformed JSON"),
        ("[1, 2]", "schema violation"),
        ("\xff\xfe", "malformed JSON"),
    ],
)
def test_parse_record_names_the_reason(text, reason):
    assert parse_record(text.encode("latin-1")) == reason


def test_drops_are_logged_with_their_counts(tmp_path, caplog):
    write_bad_folder(tmp_path)
    with caplog.at_level(logging.INFO, logger="leaderboard.results.loader"):
        read_folder(tmp_path)
    assert "dropped 8 files" in caplog.text and "1 malformed JSON" in caplog.text


def test_the_rated_frame_escapes_nothing_and_keeps_the_raw_id(tmp_path):
    write_bad_folder(tmp_path)
    data = LeaderboardData.from_load(read_folder(tmp_path))
    assert SCRIPT_ID in set(data.frame["model_id"])  # escaping is the views' job, on output
    assert data.dropped_total == 8


# The Hub backend: the same loader through HubStore and the HfApi test double.


def hub_with(tmp_path: Path, api: FakeHfApi, repo: str = "org/results") -> HubStore:
    api.create_dataset(repo)
    store = HubStore(repo, client=HubClient(api=api, token="hf_secret_token"))
    local = tmp_path / "to-upload"
    write_bad_folder(local)
    files = {p.relative_to(local).as_posix(): p.read_bytes() for p in local.rglob("*") if p.is_file()}
    store.add(files, "upload records")
    return store


def test_the_hub_backend_reads_the_same_records_and_drops(tmp_path):
    api = FakeHfApi()
    store = hub_with(tmp_path, api)
    result = load_store(store)
    local = read_folder(tmp_path / "to-upload")
    assert sorted(r.model_id for r in result.records) == sorted(r.model_id for r in local.records)
    assert result.dropped == local.dropped
    assert result.source == "hf://datasets/org/results"


def test_the_hub_backend_downloads_records_but_not_the_raw_reports_beside_them(tmp_path):
    api = FakeHfApi()
    store = hub_with(tmp_path, api)
    store.add({"records/text_classification/org--m/r1.reports/repeat-1.json": b"{}"}, "a raw report")
    folder = store.local_folder(["records/*.json"], ignore=["records/*.reports/*"])
    assert not list(folder.rglob("*.reports"))
    assert load_store(store).source == "hf://datasets/org/results"
    assert api.last_snapshot_patterns[1] == ["records/*.reports/*"]


def test_live_data_comes_from_the_hub_without_a_notice(tmp_path):
    live = LiveData(hub_with(tmp_path, FakeHfApi()), snapshot_dir=SNAPSHOT_DIR)
    assert live.from_store and live.current.notice is None
    assert len(live.current.records) == 6


def test_an_unreachable_hub_falls_back_to_the_snapshot_with_a_notice(tmp_path):
    api = FakeHfApi()  # no dataset created: every call fails like a missing or unreachable repo
    store = HubStore("org/missing", client=HubClient(api=api, token="hf_secret_token"))
    live = LiveData(store, snapshot_dir=SNAPSHOT_DIR)
    data = live.current
    assert not live.from_store
    assert data.source == SNAPSHOT_SOURCE
    assert data.release_names == ["2025-02", "2025-12"] and len(data.frame) == 166 + 22 + 18
    assert "Could not read the results from hf://datasets/org/missing" in data.notice
    assert "bundled snapshot" in data.notice and "hf_secret_token" not in data.notice


def test_the_hub_is_retried_on_refresh_and_replaces_the_snapshot(tmp_path):
    api = FakeHfApi()
    store = HubStore("org/late", client=HubClient(api=api, token="t"))
    live = LiveData(store, snapshot_dir=SNAPSHOT_DIR, min_check_interval_s=0, min_force_interval_s=0)
    assert not live.from_store
    api.create_dataset("org/late")
    store.add({record_path(r): r.to_json().encode() for r in [make_record("org/m", "summarization", 1.0)]}, "add")
    data = live.refresh()
    assert live.from_store and data.notice is None and [r.model_id for r in data.records] == ["org/m"]


def test_a_failed_refresh_keeps_the_last_good_data_with_a_notice(tmp_path):
    api = FakeHfApi()
    live = LiveData(hub_with(tmp_path, api), snapshot_dir=SNAPSHOT_DIR, min_check_interval_s=0)
    before = live.current
    del api.repos["org/results"]  # the Hub goes away
    after = live.refresh()
    assert after.version == before.version and after.records == before.records
    assert "Could not refresh from hf://datasets/org/results" in after.notice


def test_refresh_picks_up_new_records_and_bumps_the_version(tmp_path):
    store = LocalStore(tmp_path)
    store.add({record_path(r): r.to_json().encode() for r in [make_record("org/a", "summarization", 1.0)]}, "a")
    live = LiveData(store, snapshot_dir=SNAPSHOT_DIR, min_check_interval_s=0)
    first = live.current
    assert live.refresh() is first  # nothing moved: same object, same version
    store.add({record_path(r): r.to_json().encode() for r in [make_record("org/b", "summarization", 2.0)]}, "b")
    second = live.refresh()
    assert second.version == first.version + 1
    assert sorted(second.frame["model_id"]) == ["org/a", "org/b"]


def test_a_forced_refresh_sees_files_copied_in_by_hand(tmp_path):
    write_record(tmp_path, make_record("org/a", "summarization", 1.0))
    live = LiveData(LocalStore(tmp_path), snapshot_dir=SNAPSHOT_DIR, min_check_interval_s=0, min_force_interval_s=0)
    write_record(tmp_path, make_record("org/b", "summarization", 2.0))  # no store.add: the head does not move
    assert len(live.refresh().records) == 1
    assert len(live.refresh(force=True).records) == 2


def test_periodic_checks_are_rate_limited_across_sessions(tmp_path):
    write_record(tmp_path, make_record("org/a", "summarization", 1.0))
    live = LiveData(LocalStore(tmp_path), snapshot_dir=SNAPSHOT_DIR, min_check_interval_s=3600)
    store = LocalStore(tmp_path)
    record = make_record("org/b", "summarization", 2.0)
    store.add({record_path(record): record.to_json().encode()}, "b")
    assert len(live.refresh().records) == 1  # checked less than an hour ago: not asked again


def test_a_missing_results_folder_falls_back_to_the_snapshot_with_a_notice(tmp_path):
    live = LiveData(LocalStore(tmp_path / "mistyped"), snapshot_dir=SNAPSHOT_DIR)
    assert live.current.source == SNAPSHOT_SOURCE
    assert live.current.notice == (
        f"Could not read the results from local folder mistyped ({CAUSE_MISSING}). Showing the bundled snapshot "
        "of published AI Energy Score figures instead; it will retry on the next refresh."
    )
    assert str(tmp_path) not in status_markdown(live.current)  # the cause, not the machine
    assert live.last_error.endswith(f"FileNotFoundError: no results folder at {tmp_path / 'mistyped'}")


def test_the_first_load_can_run_in_the_background(tmp_path):
    write_good_folder(tmp_path)
    live = LiveData(LocalStore(tmp_path), snapshot_dir=SNAPSHOT_DIR, background=True)
    assert live.wait(timeout_s=30) and len(live.current.records) == 5


def test_the_bundled_snapshot_is_clean_and_covers_the_eleven_tasks():
    result = read_folder(SNAPSHOT_DIR)
    assert dict(result.dropped) == {DROP_DUPLICATE: 2}  # two v1 models were published twice: live keeps one
    tasks = {r.task for r in result.records}
    assert len(tasks) == 11 and "image_classification" in tasks and "reasoning" in tasks
    assert all(r.source and r.hardware.gpu_name == "NVIDIA H100 80GB HBM3" for r in result.records)
    assert all(json.loads(r.to_json())["repeats"] == [] for r in result.records)
