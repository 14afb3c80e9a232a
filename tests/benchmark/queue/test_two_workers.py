"""Workers racing for one queue: every request is claimed once and run once, whether the workers are
threads on a slow local store, on the Hub (a double with commit latency) or separate processes."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from datetime import timedelta

from benchmark.queue.operations import read_requests
from benchmark.queue.request_record import RequestStatus
from benchmark.queue.worker import Worker
from benchmark.store import LocalStore
from tests.support.env import subprocess_env
from tests.support.queue_helpers import REPO_ROOT, T0, LatentLocalStore, fake_hub_store, make_request, seed
from tests.support.queue_helpers import ok_run as _ok_run
from tests.support.queue_helpers import worker_cmd as _worker_cmd
from tests.support.queue_helpers import worker_config as _config


def _race(store, workers: int = 2, requests: int = 20) -> tuple[Counter, dict]:
    seeded = seed(store, [make_request(f"org/m{i}", submitted_at=T0 + timedelta(seconds=i)) for i in range(requests)])
    runs: Counter = Counter()
    lock = threading.Lock()

    def run(request, context):
        with lock:
            runs[request.request_id] += 1
        time.sleep(0.02)  # a run takes longer than a store write, as real runs do
        return _ok_run(request, context)

    threads = [threading.Thread(target=Worker(store, run, _config(f"w{i}")).run, kwargs={"drain": True})
               for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = read_requests(store)
    assert {r.path for r in seeded} == set(saved)
    return runs, saved


def _claims(saved: dict) -> Counter:
    """How many times each request was claimed, from its own history."""
    return Counter(r.request_id for r in saved.values() for h in r.history if h.action == "claimed")


def test_two_workers_racing_on_a_local_store_run_each_request_once(tmp_path):
    runs, saved = _race(LatentLocalStore(tmp_path))
    assert len(runs) == 20 and set(runs.values()) == {1}
    assert all(r.status is RequestStatus.COMPLETED and r.attempts == 1 for r in saved.values())
    assert _claims(saved) == {r.request_id: 1 for r in saved.values()}  # every request claimed exactly once


def test_two_workers_racing_on_the_hub_run_each_request_once():
    store, api = fake_hub_store(commit_latency_s=0.003)
    runs, saved = _race(store)
    assert len(runs) == 20 and set(runs.values()) == {1}
    assert all(r.status is RequestStatus.COMPLETED and r.attempts == 1 for r in saved.values())
    assert _claims(saved) == {r.request_id: 1 for r in saved.values()}  # every request claimed exactly once


def test_two_worker_processes_racing_run_each_request_once(tmp_path):
    store = LocalStore(tmp_path / "queue")
    seed(store, [make_request(f"org/m{i}", submitted_at=T0 + timedelta(seconds=i)) for i in range(20)])
    log = tmp_path / "runs.log"
    # 20 runs of 50 ms: a second of work, so both processes (started together) are in the race.
    env = subprocess_env(REQUESTS_DIR=str(store.root), FAKE_RUN_LOG=str(log), FAKE_RUN_SLEEP_S="0.05")
    cmd = _worker_cmd("--drain", "--run-fn", "tests.support.fake_runs:recording_run")

    procs = [subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=60)[1] for p in procs]

    assert [p.returncode for p in procs] == [0, 0], outputs
    lines = [line.split() for line in log.read_text().splitlines()]
    runs = Counter(request_id for _, request_id, _ in lines)
    assert len(runs) == 20 and set(runs.values()) == {1}
    assert {pid for _, _, pid in lines} <= {str(p.pid) for p in procs}
    saved = read_requests(store)
    assert all(r.status is RequestStatus.COMPLETED and r.attempts == 1 for r in saved.values())
    assert _claims(saved) == {r.request_id: 1 for r in saved.values()}  # every request claimed exactly once
