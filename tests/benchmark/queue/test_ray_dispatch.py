"""``dispatch --engine ray`` on a real local Ray cluster (2 CPUs, started once for the module): two
CPU workers drain six requests, one of them a real optimum-benchmark run of a tiny model, one of
them killed mid-run and taken over by a worker after its lease; and a GPU ask on a GPU-less cluster
is refused before anything is claimed."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from benchmark.cli import main
from benchmark.queue import ray_engine
from benchmark.queue.operations import read_requests
from benchmark.queue.request_record import RequestStatus
from benchmark.record import ResultRecord
from benchmark.store import LocalStore
from tests.benchmark.queue.test_worker_end_to_end import cache_model
from tests.support.env import REPO_ROOT
from tests.support.fake_runs import KILL_MODEL, REAL_MODEL_ENV
from tests.support.queue_helpers import T0, make_request, seed, tree_digest

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.runner

REAL_MODEL = "tiny-org/bert-classifier"
TASK = "text_classification"
LEASE_S = 4.0


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, num_gpus=0, include_dashboard=False, logging_level="ERROR", log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(REPO_ROOT)}})
    yield ray
    ray.shutdown()


def _completions(record) -> list[str]:
    return [entry.by for entry in record.history if entry.action == "completed"]


def _claims(record) -> list[str]:
    return [entry.by for entry in record.history if entry.action == "claimed"]


def test_two_ray_workers_drain_six_requests_once_each_through_a_kill_and_a_real_run(
    cluster, tiny, tmp_path, monkeypatch, capsys
):
    sha = cache_model(tiny, tmp_path / "hub", REAL_MODEL, TASK)
    shutil.copytree(tiny.dataset(TASK), tmp_path / "datasets" / TASK)
    requests = LocalStore(tmp_path / "requests")
    models = [REAL_MODEL, KILL_MODEL, "org/m2", "org/m3", "org/m4", "org/m5"]
    seeded = seed(requests, [
        make_request(m, TASK, submitted_at=T0 + timedelta(seconds=i), revision=sha if m == REAL_MODEL else None)
        for i, m in enumerate(models)
    ])
    for name, value in {
        "REQUESTS_DIR": str(requests.root), "RESULTS_DIR": str(tmp_path / "results"),
        "HF_HUB_CACHE": str(tmp_path / "hub"), REAL_MODEL_ENV: REAL_MODEL, "OMP_NUM_THREADS": "1",
        "BENCHMARK_RUNNING_DIR": str(tmp_path / "running"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REQUESTS_REPO", raising=False)
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    # the run function reads $DISPATCH_REAL_MODEL inside the Ray worker: forward it like the stores
    monkeypatch.setattr(ray_engine, "FORWARDED_ENV", (*ray_engine.FORWARDED_ENV, REAL_MODEL_ENV))

    code = main([
        "dispatch", "--engine", "ray", "--cpu-workers", "2", "--drain", "--device", "cpu",
        "--run-fn", "tests.support.fake_runs:mixed_run", "--lease-seconds", str(LEASE_S),
        "--poll-seconds", "0.5", "--repeats", "1", "--num-samples", "2",
        "--datasets-dir", str(tmp_path / "datasets"), "--output-dir", str(tmp_path / "runs"),
    ])

    out = capsys.readouterr().out
    assert code == 0, out
    final = {r.model_id: r for r in read_requests(requests).values()}
    assert len(final) == len(seeded)
    assert {m: final[m].status for m in models} == {m: RequestStatus.COMPLETED for m in models}
    # each completed exactly once, by the dispatch's workers (how the work split between the two is timing: on
    # a busy machine one may take nearly all of it, so that is not asserted)
    assert all(len(_completions(final[m])) == 1 for m in models)
    assert 1 <= len({_completions(final[m])[0].rsplit("-", 1)[0] for m in models}) <= 2
    # the killed worker's request: claimed twice, its lease expired, finished by another worker process
    killed = final[KILL_MODEL]
    first, second = _claims(killed)
    assert [e.action for e in killed.history].count("lease_expired") == 1
    assert first != second and _completions(killed) == [second] and killed.attempts == 2
    # published once each: one fake result per sleeping request, one real record for the tiny model
    results = LocalStore(tmp_path / "results")
    fakes = results.list("fake/")
    assert sorted(fakes) == sorted(f"fake/{final[m].request_id}.json" for m in models if m != REAL_MODEL)
    [record_path] = [p for p in results.list("records/") if ".reports/" not in p]
    record = ResultRecord.from_json(results.read(record_path))
    assert (record.model_id, record.model_revision, record.run_id) == (REAL_MODEL, sha, final[REAL_MODEL].run_id)
    assert record.total_wh_per_1k_queries > 0
    # whether the other worker's runs overlapped it is timing; the record is consistent either way
    assert record.total_energy_shared is (record.hardware.concurrent_benchmarks > 0)
    # the summary names every request with its worker and outcome
    summary = out[out.index("summary: 6 request(s)"):]
    assert all(final[m].request_id in summary for m in models) and "COMPLETED by dispatch-" in summary


def test_asking_for_gpus_on_a_cluster_without_any_is_refused_before_anything_is_claimed(
    cluster, tmp_path, monkeypatch, capsys
):
    requests = LocalStore(tmp_path / "requests")
    seed(requests, [make_request("org/waiting")])
    before = tree_digest(requests.root)
    monkeypatch.setenv("REQUESTS_DIR", str(requests.root))
    monkeypatch.delenv("REQUESTS_REPO", raising=False)

    code = main(["dispatch", "--engine", "ray", "--gpus", "1", "--drain"])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err == ["error: --gpus 1 was asked but the Ray cluster has no GPU; use --cpu-workers N "
                                 "to run on CPUs"]
    assert tree_digest(requests.root) == before
