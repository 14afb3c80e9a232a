"""The node-local registry of running benchmarks: a run sees the others that ran beside it (even
briefly), not the ones that ended or died before it, and a shared record says so."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmark.queue.machine_share import RunningBenchmark, mark_shared
from benchmark.queue.worker import Worker, WorkerConfig
from benchmark.record import ResultRecord
from benchmark.store import LocalStore
from tests.benchmark.queue.test_default_run import _fake_runner
from tests.support.env import subprocess_env
from tests.support.leaderboard_fixtures import make_record
from tests.support.queue_helpers import make_request, seed

HOLD = "import sys, time; from benchmark.queue.machine_share import RunningBenchmark\n" \
       "with RunningBenchmark():\n    print('in', flush=True); time.sleep(float(sys.argv[1]))"


def _other_run(folder, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(seconds)], stdout=subprocess.PIPE, text=True,
                            env=subprocess_env(BENCHMARK_RUNNING_DIR=str(folder)))
    assert proc.stdout.readline().strip() == "in"
    return proc


def test_a_run_counts_the_benchmarks_that_ran_beside_it_on_the_machine(tmp_path):
    folder = tmp_path / "running"
    other = _other_run(folder, 0.6)
    with RunningBenchmark(folder, interval_s=0.05) as share:
        other.wait(timeout=30)
        time.sleep(0.2)
        assert share.others_running() == 0  # it ended, but it did share part of this run
    assert share.max_others == 1


def test_a_killed_run_no_longer_counts_and_a_lone_run_is_not_shared(tmp_path):
    folder = tmp_path / "running"
    other = _other_run(folder, 60)
    other.kill()
    other.wait(timeout=30)
    with RunningBenchmark(folder, interval_s=0.05) as share:
        time.sleep(0.1)
    assert share.max_others == 0


def test_a_shared_record_says_how_many_ran_beside_it_and_marks_its_total():
    record = make_record("org/model", "text_classification", 0.5)
    assert mark_shared(record, 0) is record and record.total_energy_shared is False
    shared = mark_shared(record, 2)
    assert (shared.hardware.concurrent_benchmarks, shared.total_energy_shared) == (2, True)
    assert shared.gpu_wh_per_1k_queries == record.gpu_wh_per_1k_queries


def test_the_default_run_publishes_a_record_marked_shared_when_another_benchmark_ran_beside_it(
    tmp_path, monkeypatch
):
    import benchmark.runner.run

    monkeypatch.setenv("BENCHMARK_RUNNING_DIR", str(tmp_path / "running"))
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    queue_store = LocalStore(tmp_path / "queue")
    seed(queue_store, [make_request("org/a", "text_classification")])
    calls = []
    monkeypatch.setattr(benchmark.runner.run, "run_benchmark", _fake_runner(tmp_path, calls))
    other = _other_run(tmp_path / "running", 30)
    try:
        final = Worker(queue_store, config=WorkerConfig(device="cuda", output_dir=tmp_path / "runs", worker_id="w",
                                                        gpu_ids=(3,))).process_one()
    finally:
        other.kill()
        other.wait(timeout=30)

    [spec] = calls
    assert spec.device_ids == (3,)  # the GPU the dispatcher pinned this worker to, as NVML numbers it
    published = ResultRecord.from_json((tmp_path / "results" / final.result_path).read_text())
    local = ResultRecord.from_json((tmp_path / "runs" / "run-1" / "record.json").read_text())
    for record in (published, local):
        assert (record.hardware.concurrent_benchmarks, record.total_energy_shared) == (1, True)

