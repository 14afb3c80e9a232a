"""The bundled snapshot is built from published figures by scripts/build_snapshot.py, and is up to date."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

from benchmark.record import ResultRecord
from benchmark.store import LocalStore
from leaderboard.results.releases import read_release
from tests.support.leaderboard_fixtures import published_stars

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "data" / "published"

_spec = importlib.util.spec_from_file_location("build_snapshot", ROOT / "scripts" / "build_snapshot.py")
build_snapshot = importlib.util.module_from_spec(_spec)
sys.modules["build_snapshot"] = build_snapshot  # dataclasses look their module up
_spec.loader.exec_module(build_snapshot)

BOARDS = textwrap.dedent(
    """\
    task,model,gpu_wh_per_1k_queries,size_class,reasoning,release,source,note
    object_detection,org/det,3.29,,,2025-02,https://example.org/od.csv,published twice
    object_detection,org/det,3.27,,,2025-02,https://example.org/od.csv,published twice
    object_detection,org/yolo,1.0,,,2025-02,https://example.org/od.csv,
    text_generation,org/lm,19.0,A,,2025-02,https://example.org/v1.csv,total_gpu_energy x 1000
    text_generation,org/big,90.0,C,,2025-02,https://example.org/v1.csv,
    text_generation,org/new,40.0,C,off,2025-12,https://example.org/v2.csv,v2
    text_generation,org/new2,10.0,C,off,2025-12,https://example.org/v2.csv,v2
    reasoning,org/think,500.0,A,on,2025-12,https://example.org/r.csv,reasoning board
    reasoning,org/oss,900.0,A,on (low),2025-12,https://example.org/r.csv,DOUBTFUL: effort level
    reasoning,org/oss,2100.0,A,on (high),2025-12,https://example.org/r.csv,
    question_answering,org/qa,0.21,,,2025-02,https://example.org/qa.json,"[run timestamp 2024-09-06-18-51-02]"
    """
)
PARAMS = "model,params,precision,source\norg/lm,7242000000,exact,x\norg/new,32000000000,exact,x\norg/det,,,\n"


def build(tmp_path: Path) -> dict[tuple[str, str, str], ResultRecord]:
    (tmp_path / "boards.csv").write_text(BOARDS)
    (tmp_path / "params.csv").write_text(PARAMS)
    files = build_snapshot.build_snapshot(tmp_path / "boards.csv", tmp_path / "params.csv", tmp_path / "out")
    records = [
        ResultRecord.from_json(path.read_text()) for path in files if path.suffix == ".json" and "records" in path.parts
    ]
    return {(r.task, r.model_id, r.run_id): r for r in records}


def test_every_board_row_becomes_a_record_repeated_runs_and_effort_levels_included(tmp_path):
    records = build(tmp_path)
    assert len(records) == 11
    assert records[("object_detection", "org/det", "aies-2025-02")].gpu_wh_per_1k_queries == 3.29
    assert records[("object_detection", "org/det", "aies-2025-02-2")].gpu_wh_per_1k_queries == 3.27
    lm = records[("text_generation", "org/lm", "aies-2025-02")]
    assert lm.gpu_wh_per_1k_queries == 19.0 and lm.source == "https://example.org/v1.csv"


def test_reasoning_rows_say_their_state_effort_and_cap_and_keep_their_note(tmp_path):
    records = build(tmp_path)
    think = records[("reasoning", "org/think", "aies-2025-12")]
    low, high = (records[("reasoning", "org/oss", f"aies-2025-12-{level}")] for level in ("low", "high"))
    assert (think.settings.reasoning, think.settings.reasoning_effort) == (True, None)
    assert (low.settings.reasoning_effort, high.settings.reasoning_effort) == ("low", "high")
    assert high.gpu_wh_per_1k_queries == 2100.0 and low.size_class == "A"
    assert think.settings.max_new_tokens == 8192 and think.settings.new_tokens is None  # natural length
    assert "DOUBTFUL: effort level" in low.notes
    assert records[("text_generation", "org/new", "aies-2025-12")].settings.reasoning is False
    assert records[("text_generation", "org/lm", "aies-2025-02")].settings.reasoning is None  # v1: not said


def test_an_unknown_reasoning_state_stops_the_build_with_its_line(tmp_path):
    (tmp_path / "boards.csv").write_text(BOARDS + "reasoning,org/x,1.0,A,on (extreme),2025-12,https://e.org,\n")
    (tmp_path / "params.csv").write_text(PARAMS)
    with pytest.raises(ValueError, match=r"boards.csv:13: reasoning must be on, off"):
        build_snapshot.build_snapshot(tmp_path / "boards.csv", tmp_path / "params.csv", tmp_path / "out")


def test_records_carry_time_hardware_settings_params_published_class_and_source(tmp_path):
    records = build(tmp_path)
    det = records[("object_detection", "org/det", "aies-2025-02")]
    assert det.created_at.isoformat() == "2025-02-01T00:00:00+00:00"
    assert det.hardware.gpu_name == "NVIDIA H100 80GB HBM3" and det.hardware.gpu_count == 1
    assert det.settings.num_samples == 1000 and det.settings.batch_size == 1
    assert det.params is None and det.repeats == [] and det.phases == {}
    new = records[("text_generation", "org/new", "aies-2025-12")]
    assert new.params == 32_000_000_000 and new.size_class == "C"  # as published, not "B"
    assert (
        records[("question_answering", "org/qa", "aies-2025-02")].created_at.isoformat() == "2024-09-06T18:51:02+00:00"
    )


def test_each_board_is_a_release_that_rates_its_own_cohort(tmp_path):
    build(tmp_path)
    store = LocalStore(tmp_path / "out")
    v1, v2 = read_release(store, "2025-02"), read_release(store, "2025-12")
    assert v1.meta["date"] == "2025-02-01" and v2.meta["date"] == "2025-12-01"
    assert len(v1.board) == 6 and len(v2.board) == 5
    board = v2.board
    v2_stars = {(m, e): s for m, e, s in zip(board["model_id"], board["reasoning_effort"], board["stars"], strict=True)}
    assert v2_stars == {
        ("org/new2", ""): 5, ("org/new", ""): 1,  # rated among themselves, not with org/big's 90 Wh
        ("org/think", ""): 5, ("org/oss", "low"): 4, ("org/oss", "high"): 1,  # each effort level its own row
    }
    od = v1.board[v1.board["task"] == "object_detection"].sort_values("gpu_wh_per_1k_queries")
    assert list(od["stars"]) == [5, 1, 1]  # both published runs of org/det are rated
    assert not (tmp_path / "out" / ".store-version").exists()


def test_a_rebuild_replaces_the_previous_data(tmp_path):
    build(tmp_path)
    stale = tmp_path / "out" / "records" / "summarization" / "gone" / "x.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    build(tmp_path)
    assert not stale.exists()


def test_an_unknown_task_stops_the_build_with_its_name(tmp_path):
    (tmp_path / "boards.csv").write_text(BOARDS + "telepathy,org/x,1.0,,,2025-02,https://e.org,\n")
    (tmp_path / "params.csv").write_text(PARAMS)
    argv = ["--boards", str(tmp_path / "boards.csv"), "--params", str(tmp_path / "params.csv")]
    assert build_snapshot.main([*argv, "--out", str(tmp_path / "out")]) == 1


def test_the_committed_data_is_what_the_script_builds(tmp_path):
    built = build_snapshot.build_snapshot(
        REFERENCE / "aies_boards.csv", REFERENCE / "model_params.csv", tmp_path / "snapshot", REFERENCE / "quality.csv"
    )
    expected = {p.relative_to(tmp_path / "snapshot").as_posix(): content(p) for p in built}
    committed = {
        p.relative_to(ROOT / "data").as_posix(): content(p)
        for folder in ("records", "releases", "quality")
        for p in (ROOT / "data" / folder).rglob("*")
        if p.is_file()
    }
    assert committed == expected, "data/ is out of date: run python scripts/build_snapshot.py"


def test_each_release_holds_the_stars_written_down_for_every_published_row(tmp_path):
    build_snapshot.build_snapshot(REFERENCE / "aies_boards.csv", REFERENCE / "model_params.csv", tmp_path / "out")
    for release, n_rows in (("2025-02", 166), ("2025-12", 22 + 18)):
        expected = sorted((r["task"], r["model"], r["gpu_wh_per_1k_queries"], r["stars"])
                          for r in published_stars(release))
        board = read_release(LocalStore(tmp_path / "out"), release).board
        got = sorted(zip(board["task"], board["model_id"], board["gpu_wh_per_1k_queries"], board["stars"], strict=True))
        assert len(got) == n_rows and got == expected


def content(path: Path) -> object:
    """A file's bytes; a parquet board's rows and types (its bytes also name the writer's version)."""
    if path.suffix != ".parquet":
        return path.read_bytes()
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return (str(table.schema.remove_metadata()), table.to_pylist())


def test_every_published_quality_row_becomes_a_quality_record_with_its_source(tmp_path):
    (tmp_path / "quality.csv").write_text(textwrap.dedent(
        """\
        task,model,reasoning,benchmark,metric,value,higher_is_better,source,note
        text_classification,org/a,,sst2,accuracy_pct,91.3,true,https://example.org/card,"card says 91.3"
        question_answering,org/b,,squad_v1,f1_pct,88.7,true,https://example.org/b,SQuAD v1 only
        reasoning,org/oss,on (high),gpqa_diamond,accuracy_pct,71.5,true,https://example.org/oss,no tools
        """
    ))
    records = build_snapshot.quality_records(tmp_path / "quality.csv")
    assert [(r.model_id, r.benchmark, r.value, r.provenance, r.source) for r in records] == [
        ("org/a", "sst2", 91.3, "published", "https://example.org/card"),
        ("org/b", "squad_v1", 88.7, "published", "https://example.org/b"),
        ("org/oss", "gpqa_diamond", 71.5, "published", "https://example.org/oss"),
    ]
    assert [r.comparable for r in records] == [True, False, True]
    assert (records[2].settings.reasoning, records[2].settings.reasoning_effort) == (True, "high")
    assert records[2].quality_id == "published-gpqa_diamond-accuracy_pct-high" and records[0].created_at is None
    assert records[0].notes == "card says 91.3"
