"""The node-local registry of running benchmarks: a run sees the others that ran beside it (even
briefly), not the ones that ended or died before it, and a shared record says so."""

from __future__ import annotations

import subprocess
import sys

from benchmark.queue.machine_share import RunningBenchmark, mark_shared
from benchmark.queue.steps import WorkerConfig
from benchmark.queue.worker import Worker
from benchmark.record import ResultRecord
from benchmark.store import LocalStore
from tests.benchmark.queue.test_default_run import _fake_runner
from tests.support.env import subprocess_env
from tests.support.leaderboard_fixtures import make_record
from tests.support.queue_helpers import make_request, seed

# another benchmark: registered until a line arrives on its stdin (or it is killed)
HOLD = "import sys; from benchmark.queue.machine_share import RunningBenchmark\n" \
       "with RunningBenchmark():\n    print('in', flush=True); sys.stdin.readline()"


def _other_run(folder) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=subprocess_env(BENCHMARK_RUNNING_DIR=str(folder)))
    assert proc.stdout.readline().strip() == "in"
    return proc


def _end(proc: subprocess.Popen) -> None:
    proc.stdin.write("done\n")
    proc.stdin.flush()
    assert proc.wait(timeout=30) == 0


def test_a_run_counts_a_benchmark_that_ran_only_in_its_middle(tmp_path):
    folder = tmp_path / "running"
    with RunningBenchmark(folder, interval_s=0.01) as share:
        assert share.max_others == 0  # alone when it started
        other = _other_run(folder)
        assert share.wait_for_polls(share.polls + 2)  # the sampler has counted with the other one in
        _end(other)
        assert share.others_running() == 0
        polls_after = share.polls + 2
        assert share.wait_for_polls(polls_after)  # and again after it ended
    # neither the count on entry nor the one on exit saw it: only the sampler thread can have
    assert share.max_others == 1


def test_a_killed_run_no_longer_counts_and_a_lone_run_is_not_shared(tmp_path):
    folder = tmp_path / "running"
    other = _other_run(folder)
    other.kill()
    other.wait(timeout=30)
    assert len(list(folder.glob("*.lock"))) == 1  # its file is left behind, unlocked
    with RunningBenchmark(folder, interval_s=0.01) as share:
        assert share.wait_for_polls(3)  # the sampler ran, three times, and counted no one
    assert (share.max_others, share.polls >= 3) == (0, True)


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
    other = _other_run(tmp_path / "running")
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

