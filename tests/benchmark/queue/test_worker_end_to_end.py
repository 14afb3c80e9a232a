"""A queued request goes through the real worker, the real runner and optimum-benchmark (CPU), and
its record reaches the results store: the whole pipeline, offline, with the model in a Hugging
Face cache as a Hub download would leave it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from benchmark.queue.request_record import RequestRecord, RequestStatus
from benchmark.record import ResultRecord
from benchmark.store import LocalStore
from tests.support.env import PYTHON, subprocess_env
from tests.support.queue_helpers import make_request, seed

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
    assert record.params and record.params > 0
