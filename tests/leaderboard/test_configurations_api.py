"""Run configurations on the board: a reference run and a batch-size-8 run of the same model are kept
apart, only the reference is rated, ``/what_helps`` computes the ratio from the two records, and a
run on a few samples never reaches a board."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from benchmark.configuration import RunConfiguration
from benchmark.record import Hardware
from benchmark.store import LocalStore
from leaderboard.app import build_demo
from leaderboard.results.data import LeaderboardData
from leaderboard.results.live import LiveData
from leaderboard.results.loader import read_folder
from leaderboard.views.model_page import model_page
from leaderboard.views.what_helps import BASIS_TOTAL, what_helps, would_be_stars, zero_shot_summary
from tests.support.leaderboard_fixtures import CPU, make_record, write_record

TASK = "text_classification"
LATER = datetime(2025, 6, 1, tzinfo=UTC)


def configured(record, configuration: RunConfiguration, **settings):
    return record.model_copy(
        update={"configuration": configuration, "settings": record.settings.model_copy(update=settings)}
    )


def batch_8(model_id: str, gpu_wh: float, hardware: Hardware | None = None, total_wh: float | None = None):
    extra = {"hardware": hardware} if hardware else {}
    suffix = "-cpu" if hardware == CPU else ""
    record = make_record(model_id, TASK, gpu_wh, created_at=LATER, run_id=f"b8-{model_id[4:]}{suffix}", **extra)
    record = record.model_copy(update={"total_wh_per_1k_queries": total_wh})
    return configured(record, RunConfiguration(batch_size=8, key="batch_size=8"), batch_size=8)


def write_folder(root):
    for record in (
        make_record("org/a", TASK, 1.0),
        make_record("org/b", TASK, 2.0),
        make_record("org/c", TASK, 6.0),
        batch_8("org/a", 0.25),  # a later run of another configuration: must not replace org/a's figure
        batch_8("org/c", 3.0),
        # a --num-samples 2 record of a reference configuration, newer than org/b's: never on a board
        configured(make_record("org/b", TASK, 0.001, created_at=LATER, run_id="two-samples"),
                   RunConfiguration(), num_samples=2),
        # zero-shot T5 against the task-specific models
        configured(make_record("org/t5", TASK, 60.0, run_id="t5"), RunConfiguration(zero_shot=True, key="zero_shot")),
        # CPU-only hardware: no GPU energy, so the ratio is of total energy
        make_record("org/a", TASK, 0.0, hardware=CPU, run_id="cpu-a").model_copy(
            update={"total_wh_per_1k_queries": 4.0}
        ),
        batch_8("org/a", 0.0, hardware=CPU, total_wh=1.0),
    ):
        write_record(root, record)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("configurations")
    write_folder(root)
    return root


@pytest.fixture(scope="module")
def data(folder):
    return LeaderboardData.from_load(read_folder(folder))


def test_the_reference_board_keeps_the_reference_rows_and_their_stars(data):
    board = data.task_frame(TASK)
    gpu = board[board["device"] == "cuda"]
    assert list(zip(gpu["model_id"], gpu["gpu_wh_per_1k_queries"], gpu["stars"], strict=True)) == [
        ("org/a", 1.0, 5), ("org/b", 2.0, 4), ("org/c", 6.0, 1),
    ]
    assert set(board["configuration_key"]) == {"reference"}


def test_a_few_samples_record_is_kept_but_never_on_a_board_nor_rated(data):
    row = data.frame[data.frame["run_id"] == "two-samples"].iloc[0]
    assert not row["comparable"] and row["not_comparable_because"] == "2 samples, fewer than the task's 1,000"
    assert row["stars"] is pd_na()
    assert "two-samples" not in set(data.task_frame(TASK, configuration="all")["run_id"])
    entries = model_page(data, "org/b")["entries"]
    assert {e["run_id"]: e["comparable"] for e in entries} == {"run-20250101T000000": True, "two-samples": False}


def pd_na():
    import pandas as pd

    return pd.NA


def test_records_written_before_configurations_read_as_the_reference(data):
    row = data.frame[(data.frame["model_id"] == "org/b") & data.frame["comparable"]].iloc[0]
    assert data.record("org/b", TASK).configuration is None and row["configuration_key"] == "reference"


def test_what_helps_gives_the_median_ratio_to_the_reference_per_configuration_and_basis(data):
    view = what_helps(data, TASK)
    gpu, cpu = sorted(view["configurations"], key=lambda row: row["basis"] == BASIS_TOTAL)
    # org/a: 0.25 / 1.0, org/c: 3.0 / 6.0 → median 0.375, range 0.25–0.5
    assert (gpu["configuration_key"], gpu["n_models"], gpu["median_ratio"]) == ("batch_size=8", 2, 0.375)
    assert (gpu["min_ratio"], gpu["max_ratio"]) == (0.25, 0.5)
    assert (cpu["basis"], cpu["n_models"], cpu["median_ratio"]) == (BASIS_TOTAL, 1, 0.25)  # 1.0 / 4.0 total Wh
    best = {(m["model_id"], m["hardware"]): (m["best_configuration"], m["saving"]) for m in view["models"]}
    assert best[("org/a", "NVIDIA H100 80GB HBM3")] == ("batch_size=8", 0.75)
    assert best[("org/c", "NVIDIA H100 80GB HBM3")] == ("batch_size=8", 0.5)


def test_a_non_reference_run_shows_the_stars_it_would_earn_without_getting_them(data):
    frame = data.frame
    index = frame.index[(frame["run_id"] == "b8-c")][0]
    assert frame.loc[index, "stars"] is pd_na() and frame.loc[index, "rating_flag"] == "not the reference configuration"
    assert would_be_stars(data, index) == 3  # 3.0 Wh in the reference bins 1–6 Wh: the third bin


def test_zero_shot_runs_are_marked_and_summed_up_against_task_specific_ones(data):
    (h100,) = [row for row in zero_shot_summary(data, TASK) if row["hardware"].startswith("NVIDIA")]
    assert (h100["n_zero_shot"], h100["median_zero_shot_wh"], h100["n_task_specific"]) == (1, 60.0, 3)
    assert h100["median_task_specific_wh"] == 2.0 and h100["ratio"] == 30.0
    assert data.frame.loc[data.frame["run_id"] == "t5", "zero_shot"].item() is True


@pytest.fixture(scope="module")
def client(folder):
    live = LiveData(LocalStore(folder), min_check_interval_s=0, min_force_interval_s=0)
    demo = build_demo(live=live, refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    client = Client(url, verbose=False)
    yield client
    client.close()
    demo.close()


def test_task_rows_takes_a_configuration_and_what_helps_is_an_endpoint(client):
    reference = client.predict(TASK, api_name="/task_rows")
    assert [(r["model_id"], r["stars"]) for r in reference if r["hardware"].startswith("NVIDIA")] == [
        ("org/a", 5), ("org/b", 4), ("org/c", 1),
    ]
    every = client.predict(TASK, "org/a", "NVIDIA H100 80GB HBM3", "", configuration="all", api_name="/task_rows")
    assert sorted((r["configuration_key"], r["gpu_wh_per_1k_queries"]) for r in every) == [
        ("batch_size=8", 0.25), ("reference", 1.0),
    ]
    only = client.predict(TASK, configuration="batch_size=8", api_name="/task_rows")
    assert {r["run_id"] for r in only} == {"b8-a", "b8-c", "b8-a-cpu"} and all(r["stars"] is None for r in only)
    view = client.predict(TASK, api_name="/what_helps")
    assert [(c["configuration_key"], c["median_ratio"]) for c in view["configurations"]][0] == ("batch_size=8", 0.25)
    (h100,) = [r for r in view["zero_shot_vs_task_specific"] if r["hardware"].startswith("NVIDIA")]
    assert h100["ratio"] == 30.0  # 60 Wh zero-shot against the task-specific median of 2 Wh, through the API
    with pytest.raises(AppError, match="unknown configuration 'fast'"):
        client.predict(TASK, configuration="fast", api_name="/task_rows")
