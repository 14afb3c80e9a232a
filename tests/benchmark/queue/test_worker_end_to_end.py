"""A queued request goes through the real worker, the real runner and optimum-benchmark (CPU), and
its record reaches the results store: the whole pipeline, offline, with the model in a Hugging
Face cache as a Hub download would leave it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmark.quality.record import QualityRecord
from benchmark.queue.request_record import RequestRecord, RequestStatus, default_steps
from benchmark.record import ResultRecord
from benchmark.store import LocalStore
from tests.support.env import PYTHON, subprocess_env
from tests.support.queue_helpers import make_request, seed
from tests.support.tiny_datasets import build_quality_data

pytestmark = pytest.mark.runner

MODEL_ID = "tiny-org/bert-classifier"


def cache_model(tiny, hub_cache, model_id: str, task: str) -> str:
    """Lay the tiny model out in the Hub cache layout (refs/main → snapshots/<sha>)."""
    sha = hashlib.sha1(model_id.encode()).hexdigest()
    repo = hub_cache / f"models--{model_id.replace('/', '--')}"
    shutil.copytree(tiny.model(task), repo / "snapshots" / sha)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(sha)
    return sha


def test_a_queued_request_is_run_by_the_worker_and_its_record_published(tiny, tmp_path):
    task = "text_classification"
    sha = cache_model(tiny, tmp_path / "hub", MODEL_ID, task)
    datasets = tmp_path / "datasets"
    shutil.copytree(tiny.dataset(task), datasets / task)
    requests = LocalStore(tmp_path / "requests")
    [request] = seed(requests, [make_request(MODEL_ID, task, revision=sha)])

    proc = subprocess.run(
        [PYTHON, "-m", "benchmark", "worker", "--once", "--device", "cpu", "--repeats", "1", "--num-samples", "2",
         "--datasets-dir", str(datasets), "--output-dir", str(tmp_path / "runs")],
        env=subprocess_env(HF_HUB_CACHE=str(tmp_path / "hub"), REQUESTS_DIR=str(requests.root),
                           RESULTS_DIR=str(tmp_path / "results")),
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    done = RequestRecord.from_json(requests.read(request.path))
    assert done.status == RequestStatus.COMPLETED and done.run_id
    results = LocalStore(tmp_path / "results")
    [path] = [p for p in results.list("records/") if ".reports/" not in p]
    record = ResultRecord.from_json(results.read(path))
    assert record.run_id == done.run_id == f"{request.request_id}-r0a1"
    assert (record.request.request_id, record.request.round, record.request.attempt) == (request.request_id, 0, 1)
    assert record.model_id == MODEL_ID and record.model_revision == sha and record.task == task
    assert record.settings.num_samples == 2 and record.total_wh_per_1k_queries > 0
    assert record.params == 23180  # the tiny classifier's weights, counted from the cached snapshot


def _request_energy_then_quality(tiny, tmp_path, quality_data: Path | None):
    task = "text_classification"
    sha = cache_model(tiny, tmp_path / "hub", MODEL_ID, task)
    datasets = tmp_path / "datasets"
    shutil.copytree(tiny.dataset(task), datasets / task)
    if quality_data is not None:
        shutil.copytree(quality_data, datasets / "quality" / task)
    requests = LocalStore(tmp_path / "requests")
    [request] = seed(requests, [make_request(MODEL_ID, task, revision=sha).model_copy(
        update={"steps": default_steps(task)})])
    proc = subprocess.run(
        [PYTHON, "-m", "benchmark", "worker", "--once", "--device", "cpu", "--repeats", "1", "--num-samples", "2",
         "--datasets-dir", str(datasets), "--output-dir", str(tmp_path / "runs")],
        env=subprocess_env(HF_HUB_CACHE=str(tmp_path / "hub"), REQUESTS_DIR=str(requests.root),
                           RESULTS_DIR=str(tmp_path / "results")),
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return RequestRecord.from_json(requests.read(request.path)), LocalStore(tmp_path / "results"), sha


def test_a_request_for_energy_and_quality_gets_both_records_from_one_worker(tiny, tmp_path):
    done, results, sha = _request_energy_then_quality(tiny, tmp_path, build_quality_data("text_classification",
                                                                                          tmp_path))
    assert done.status == RequestStatus.COMPLETED and done.quality_error is None
    [energy] = [p for p in results.list("records/") if ".reports/" not in p]
    [quality] = results.list("quality/")
    assert (done.result_path, done.quality_path) == (energy, quality)
    figure = QualityRecord.model_validate_json(results.read(quality))
    assert (figure.model_id, figure.model_revision, figure.benchmark) == (MODEL_ID, sha, "sst2")
    assert figure.run_id == done.run_id and figure.quality_id == done.quality_id == f"{done.run_id}-quality"
    assert figure.request.request_id == done.request_id and figure.provenance == "measured"
    assert done.history[-1].detail == f"run {done.run_id}; quality {done.quality_id}"


def test_a_failing_quality_step_leaves_the_energy_record_published_and_says_what_failed(tiny, tmp_path):
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "validation.jsonl").write_text('{"text": "no sentence column"}\n')
    done, results, _ = _request_energy_then_quality(tiny, tmp_path, wrong)
    assert done.status == RequestStatus.COMPLETED and done.run_id
    assert [p for p in results.list("records/") if ".reports/" not in p] == [done.result_path]
    assert results.list("quality/") == [] and done.quality_id is None
    assert done.quality_error.startswith("quality step: dataset ") and "lacks SST-2's column(s) sentence, label" in (
        done.quality_error)
