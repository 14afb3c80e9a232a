"""The bundled snapshot is built from published figures by scripts/build_snapshot.py, and is up to date."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

from benchmark.record import ResultRecord

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"

_spec = importlib.util.spec_from_file_location("build_snapshot", ROOT / "scripts" / "build_snapshot.py")
build_snapshot = importlib.util.module_from_spec(_spec)
sys.modules["build_snapshot"] = build_snapshot  # dataclasses look their module up
_spec.loader.exec_module(build_snapshot)

PUBLISHED = textwrap.dedent(
    """\
    task,model,gpu_wh_per_1k_queries,size_class,release,source,note
    object_detection,org/det,3.29,,2024-09,https://example.org/a.csv,"[run timestamp 2024-09-06-18-19-50; complete]"
    object_detection,org/det,3.27,,2024-09,https://example.org/a.csv,"[run timestamp 2024-09-06-18-51-02; complete]"
    text_generation,org/lm,48.3,,2024-09,https://example.org/2024.csv,"[run timestamp 2024-09-03-20-36-27]"
    text_generation,org/lm,19.0,A,2025-02,https://example.org/2025.csv,total_gpu_energy x 1000
    question_answering,org/qa,0.21,,2024-09,https://example.org/qa.json,no timestamp here
    """
)
PARAMS = "model,params,precision,source\norg/lm,7242000000,exact,x\norg/det,,,\n"


def build(tmp_path: Path) -> dict[tuple[str, str], ResultRecord]:
    (tmp_path / "published.csv").write_text(PUBLISHED)
    (tmp_path / "params.csv").write_text(PARAMS)
    files = build_snapshot.build_snapshot(tmp_path / "published.csv", tmp_path / "params.csv", tmp_path / "out")
    records = [ResultRecord.from_json(path.read_text()) for path in files]
    return {(r.task, r.model_id): r for r in records}


def test_the_latest_run_of_each_model_is_kept(tmp_path):
    records = build(tmp_path)
    assert len(records) == 3
    assert records[("object_detection", "org/det")].gpu_wh_per_1k_queries == 3.27  # 18:51 beats 18:19
    lm = records[("text_generation", "org/lm")]
    assert lm.gpu_wh_per_1k_queries == 19.0 and lm.source == "https://example.org/2025.csv"


def test_records_carry_time_hardware_settings_params_and_source(tmp_path):
    records = build(tmp_path)
    det = records[("object_detection", "org/det")]
    assert det.created_at.isoformat() == "2024-09-06T18:51:02+00:00"
    assert det.hardware.gpu_name == "NVIDIA H100 80GB HBM3" and det.hardware.gpu_count == 1
    assert det.settings.num_samples == 1000 and det.settings.batch_size == 1
    assert det.params is None and det.repeats == [] and det.phases == {}
    assert records[("text_generation", "org/lm")].params == 7_242_000_000
    assert records[("text_generation", "org/lm")].settings.dtype == "float16"
    assert records[("question_answering", "org/qa")].created_at.isoformat() == "2024-09-01T00:00:00+00:00"


def test_a_rebuild_replaces_the_previous_snapshot(tmp_path):
    build(tmp_path)
    stale = tmp_path / "out" / "records" / "summarization" / "gone" / "x.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    build(tmp_path)
    assert not stale.exists()


def test_an_unknown_task_stops_the_build_with_its_name(tmp_path):
    (tmp_path / "published.csv").write_text(PUBLISHED + "telepathy,org/x,1.0,,2024-09,https://e.org,\n")
    (tmp_path / "params.csv").write_text(PARAMS)
    argv = ["--published", str(tmp_path / "published.csv"), "--params", str(tmp_path / "params.csv")]
    assert build_snapshot.main([*argv, "--out", str(tmp_path / "out")]) == 1


@pytest.mark.skipif(not (REFERENCE / "aies_published.csv").exists(), reason="reference CSVs not available here")
def test_the_committed_snapshot_is_what_the_script_builds(tmp_path):
    built = build_snapshot.build_snapshot(
        REFERENCE / "aies_published.csv", REFERENCE / "params.csv", tmp_path / "snapshot"
    )
    expected = {p.relative_to(tmp_path / "snapshot").as_posix(): p.read_text() for p in built}
    committed = {
        p.relative_to(ROOT / "data").as_posix(): p.read_text() for p in (ROOT / "data" / "records").rglob("*.json")
    }
    assert committed == expected, "data/ is out of date: run python scripts/build_snapshot.py"
