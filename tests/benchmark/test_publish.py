"""Publishing records: each record (and its raw reports) becomes new files in a results store — a
local folder or a Hub dataset — so concurrent pushes never overwrite each other."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

from benchmark.record import Hardware, ResultRecord, Settings, utc_now
from benchmark.runs.publish import PublishError, files_to_publish, publish_run, publish_run_folder
from benchmark.runs.scoring import repeat_from_report, summary
from benchmark.tasks import get_task
from tests.support.doubles.hub_double import local_or_hub_store, store_bytes
from tests.support.env import PYTHON, subprocess_env


def energy(gpu: float) -> dict:
    return {"energy": {"unit": "kWh", "cpu": 1e-6, "gpu": gpu, "ram": 2e-6, "total": 3e-6 + gpu},
            "latency": {"unit": "s", "values": [0.2], "total": 0.2}}


def make_run(folder: Path, run_id: str, model_id: str = "org/model") -> Path:
    """A finished run folder as the runner leaves it: record.json and repeat-i/report.json."""
    task = get_task("text_classification")
    repeats = []
    for i in (1, 2):
        report = {"preprocess_dataset": energy(1e-7 * i), "forward": energy(2e-6 * i)}
        (folder / f"repeat-{i}").mkdir(parents=True)
        (folder / f"repeat-{i}" / "report.json").write_text(json.dumps(report))
        repeats.append(repeat_from_report(i, report, task, 10, report_file=f"repeat-{i}/report.json"))
    record = ResultRecord(
        run_id=run_id, model_id=model_id, task=task.key, created_at=utc_now(),
        hardware=Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1),
        settings=Settings(dataset=task.dataset_id, num_samples=10, dtype="float32"),
        repeats=repeats, params=1000, **summary(repeats, task, 10),
    )
    (folder / "record.json").write_text(record.to_json())
    return folder


@pytest.fixture(params=["local", "hub"])
def store(request, tmp_path):
    return local_or_hub_store(request.param, tmp_path / "results")


def test_a_published_run_is_its_record_plus_its_raw_reports_beside_it(store, tmp_path):
    run = make_run(tmp_path / "runs" / "r1", "r1")
    path = publish_run(run, store)
    assert path == "records/text_classification/org--model/r1.json"
    assert store.list("records/") == [
        "records/text_classification/org--model/r1.json",
        "records/text_classification/org--model/r1.reports/repeat-1.json",
        "records/text_classification/org--model/r1.reports/repeat-2.json",
    ]
    record = ResultRecord.from_json(store.read(path))
    assert record.gpu_wh_per_1k_queries == pytest.approx((1.5e-7 + 3e-6) * 1e6 / 10)
    for repeat in record.repeats:
        raw = json.loads(store.read(f"records/text_classification/org--model/{repeat.report_file}"))
        assert raw["forward"]["energy"]["gpu"] == pytest.approx(2e-6 * repeat.index)


def test_concurrent_pushes_of_different_runs_all_land(store, tmp_path):
    runs = [make_run(tmp_path / "runs" / f"r{i}", f"r{i}") for i in range(8)]
    threads = [threading.Thread(target=publish_run, args=(run, store)) for run in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = [p for p in store.list("records/") if ".reports/" not in p]
    assert len(records) == 8


def test_pushing_the_same_run_twice_writes_nothing_the_second_time(store, tmp_path):
    run = make_run(tmp_path / "runs" / "r1", "r1")
    first = publish_run_folder(run, store)
    before = store_bytes(store)
    again = publish_run_folder(run, store)
    assert len(first.written) == 3 and again.written == () and again.path == first.path
    assert store_bytes(store) == before


def test_an_interrupted_publish_resumes_and_a_changed_file_is_refused_by_name(store, tmp_path):
    run = make_run(tmp_path / "runs" / "r1", "r1")
    record = ResultRecord.from_json((run / "record.json").read_text())
    reports_only = {path: data for path, data in files_to_publish(record, run).items() if ".reports/" in path}
    store.add(reports_only, "the reports landed, then the publish was interrupted")
    resumed = publish_run_folder(run, store)
    assert resumed.written == ("records/text_classification/org--model/r1.json",)

    report = json.loads((run / "repeat-1" / "report.json").read_text())
    report["forward"]["energy"]["gpu"] *= 2  # the same run id, other bytes
    (run / "repeat-1" / "report.json").write_text(json.dumps(report))
    before = store_bytes(store)
    with pytest.raises(PublishError, match=r"r1\.reports/repeat-1\.json is already in .* with other content"):
        publish_run(run, store)
    assert store_bytes(store) == before


def test_a_run_folder_without_a_record_cannot_be_published(store, tmp_path):
    (tmp_path / "runs" / "failed").mkdir(parents=True)
    with pytest.raises(PublishError, match="holds no record.json"):
        publish_run(tmp_path / "runs" / "failed", store)


def test_the_push_command_publishes_earlier_runs_to_the_local_results_folder(tmp_path):
    runs = [make_run(tmp_path / "runs" / f"r{i}", f"r{i}", model_id=f"org/m{i}") for i in range(2)]
    proc = subprocess.run([PYTHON, "-m", "benchmark", "push", *map(str, runs)],
                          env=subprocess_env(RESULTS_DIR=str(tmp_path / "results")),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "published records/text_classification/org--m0/r0.json" in proc.stdout
    assert (tmp_path / "results/records/text_classification/org--m1/r1.json").is_file()

    again = subprocess.run([PYTHON, "-m", "benchmark", "push", str(runs[0])],
                           env=subprocess_env(RESULTS_DIR=str(tmp_path / "results")),
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stderr == ""
    assert "records/text_classification/org--m0/r0.json is already in" in again.stdout


@pytest.mark.parametrize("run_id", ["../../escape", "a/b/c"])
def test_a_run_id_that_is_not_one_path_segment_is_refused_in_one_line(tmp_path, run_id):
    run = make_run(tmp_path / "runs" / "r1", "r1")
    data = json.loads((run / "record.json").read_text())
    (run / "record.json").write_text(json.dumps({**data, "run_id": run_id}))
    proc = subprocess.run([PYTHON, "-m", "benchmark", "push", str(run)],
                          env=subprocess_env(RESULTS_DIR=str(tmp_path / "results")),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"error: cannot publish {run}: {run / 'record.json'} is not a valid result record: "
        "run_id: String should match pattern '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'"
    ]
    assert not (tmp_path / "results").exists()


def test_a_hard_link_to_a_file_outside_the_run_folder_is_refused(store, tmp_path):
    outside = tmp_path / "elsewhere.json"
    run = make_run(tmp_path / "runs" / "r1", "r1")
    (run / "repeat-1" / "report.json").rename(outside)
    os.link(outside, run / "repeat-1" / "report.json")
    before = store_bytes(store)
    with pytest.raises(PublishError, match="'report.json' is a hard link to another file: refused"):
        publish_run(run, store)
    assert store_bytes(store) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [("some log line\n", "is not JSON"), ('{"forward": {"energy": null}}', "is not an optimum-benchmark report")],
)
def test_a_file_named_as_a_report_that_is_not_one_is_refused(store, tmp_path, content, reason):
    run = make_run(tmp_path / "runs" / "r1", "r1")
    (run / "repeat-1" / "benchmark.log").write_text(content)
    record = ResultRecord.from_json((run / "record.json").read_text())
    record.repeats[0] = record.repeats[0].model_copy(update={"report_file": "repeat-1/benchmark.log"})
    (run / "record.json").write_text(record.to_json())
    before = store_bytes(store)
    with pytest.raises(PublishError, match=f"'benchmark.log' {reason}"):
        publish_run(run, store)
    assert store_bytes(store) == before


def test_every_published_file_is_token_redacted(store, tmp_path):
    token = "hf_" + "Ab1" * 12
    run = make_run(tmp_path / "runs" / "r1", "r1")
    report = json.loads((run / "repeat-1" / "report.json").read_text())
    (run / "repeat-1" / "report.json").write_text(json.dumps({**report, "launcher": {"env": token}}))
    data = json.loads((run / "record.json").read_text())
    (run / "record.json").write_text(json.dumps({**data, "notes": f"token {token}"}))
    publish_run(run, store)
    published = store_bytes(store)
    assert len(published) == 3 and all(token.encode() not in content for content in published.values())
    assert b'"env": "***"' in published["records/text_classification/org--model/r1.reports/repeat-1.json"]


@pytest.mark.parametrize("escape", ["../../secret-token", "/ABS/secret-token", "repeat-1/link.json"])
def test_a_report_path_leaving_the_run_folder_is_refused_and_nothing_is_uploaded(store, tmp_path, escape):
    secret = tmp_path / "secret-token"
    secret.write_text("hf_planted_secret")
    run = make_run(tmp_path / "runs" / "r1", "r1")
    (run / "repeat-1" / "link.json").symlink_to(secret)  # a symlink inside the folder pointing out
    record = ResultRecord.from_json((run / "record.json").read_text())
    report_file = escape.replace("/ABS", str(tmp_path))
    record.repeats[0] = record.repeats[0].model_copy(update={"report_file": report_file})
    (run / "record.json").write_text(record.to_json())
    before = store_bytes(store)
    with pytest.raises(PublishError, match="outside the run folder|is a symbolic link"):
        publish_run(run, store)
    assert store_bytes(store) == before
    assert all(b"hf_planted_secret" not in data for data in store_bytes(store).values())
