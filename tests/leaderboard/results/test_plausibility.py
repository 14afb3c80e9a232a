"""Hostile and impossible records: dropped with a reason, or kept, flagged and left unrated, so one bad
record cannot squeeze a whole task into five stars."""

from __future__ import annotations

import json
import time

import pandas as pd

from benchmark.board.frame import frame_from_records
from benchmark.board.plausibility import (
    DROP_OVERSIZED,
    DROP_SCHEMA_VERSION,
    implausible_energy_reason,
)
from benchmark.board.rating import FLAG_IMPLAUSIBLE
from benchmark.board.records import DROP_SCHEMA, parse_record
from benchmark.record import Hardware, Repeat
from benchmark.validation import MAX_TEXT_CHARS
from leaderboard.results.loader import read_folder
from tests.support.hostile_records import EXPECTED_DROPS, EXPECTED_KEPT, write_hostile_folder
from tests.support.leaderboard_fixtures import make_record

H100_700W = Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1, gpu_power_limit_w=700.0)


def stars_by_model(records) -> dict[str, object]:
    frame = frame_from_records(records)
    return {m: (None if pd.isna(s) else int(s), f) for m, s, f in
            zip(frame["model_id"], frame["stars"], frame["rating_flag"], strict=True)}


def test_an_absurd_finite_energy_is_flagged_unrated_and_leaves_the_other_stars_spread():
    records = [make_record(f"org/m{i}", "summarization", float(i)) for i in range(1, 6)]
    records.append(make_record("org/absurd", "summarization", 1e308))
    rated = stars_by_model(records)
    assert rated["org/absurd"] == (None, FLAG_IMPLAUSIBLE)
    # with 1e308 in the bins, all five would be in the lowest bin: five stars each
    assert [rated[f"org/m{i}"][0] for i in range(1, 6)] == [5, 4, 3, 2, 1]


def _with_repeat(model: str, gpu_wh: float, wall_time_s: float, hardware: Hardware = H100_700W):
    record = make_record(model, "summarization", gpu_wh, hardware=hardware)
    repeat = Repeat(index=1, gpu_wh_per_1k_queries=gpu_wh, total_wh_per_1k_queries=gpu_wh, phases={},
                    wall_time_s=wall_time_s)
    return record.model_copy(update={"repeats": [repeat]})


def test_more_gpu_energy_than_the_power_limit_allows_in_the_measured_time_is_implausible():
    # 1,000 samples in 10 s on one 700 W GPU: at most 700 * 10 / 3600 = 1.94 Wh, i.e. 1.94 Wh / 1k queries
    assert implausible_energy_reason(_with_repeat("org/ok", 1.9, 10.0)) is None
    assert implausible_energy_reason(_with_repeat("org/slack", 2.1, 10.0)) is None  # within the 10 % slack
    reason = implausible_energy_reason(_with_repeat("org/impossible", 2.2, 10.0))
    assert reason == "repeat 1 used more GPU energy than the power limit allows in its time"


def test_without_a_recorded_power_limit_only_the_absurd_bound_applies():
    no_limit = Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1)
    assert implausible_energy_reason(_with_repeat("org/a", 500.0, 10.0, hardware=no_limit)) is None
    assert implausible_energy_reason(_with_repeat("org/b", 2e6, 10.0, hardware=no_limit)) == (
        "over 1,000,000 Wh per 1,000 queries")


def test_a_file_over_a_megabyte_an_unknown_schema_version_and_an_overlong_note_are_dropped():
    record = json.loads(make_record("org/a", "summarization", 1.0).to_json())
    assert parse_record(json.dumps({**record, "notes": "x" * 1_000_001}).encode()) == DROP_OVERSIZED
    assert parse_record(json.dumps({**record, "schema_version": 99}).encode()) == DROP_SCHEMA_VERSION
    assert parse_record(json.dumps({**record, "notes": "x" * MAX_TEXT_CHARS}).encode()).notes == "x" * MAX_TEXT_CHARS
    assert parse_record(json.dumps({**record, "notes": "x" * (MAX_TEXT_CHARS + 1)}).encode()) == DROP_SCHEMA


def test_a_thousand_records_with_a_hundred_hostile_load_quickly_with_every_drop_counted(tmp_path):
    write_hostile_folder(tmp_path)
    started = time.process_time()  # CPU seconds: a busy machine slows the wall clock, not this
    result = read_folder(tmp_path)
    frame = frame_from_records(result.records)
    elapsed_s = time.process_time() - started
    assert dict(result.dropped) == EXPECTED_DROPS
    assert len(result.records) == EXPECTED_KEPT
    assert (frame["rating_flag"] == FLAG_IMPLAUSIBLE).sum() == 12  # the 1e308 ones
    assert frame.loc[frame["gpu_wh_per_1k_queries"] > 1e300, "stars"].isna().all()
    assert elapsed_s < 10, elapsed_s
