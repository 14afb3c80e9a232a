"""A request is measured once: a worker killed between publishing its record and writing the outcome
leaves the record, and the next worker adopts it instead of measuring again; a requeued request (a
new round) is measured again; the outcome write retries until it sticks or the lease is lost; workers
racing for one queue claim and run each request once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

from benchmark.hub_client import HubError
from benchmark.queue import operations as queue
from benchmark.queue.operations import RequeueSelection, claim_next, read_requests, requeue
from benchmark.queue.request_record import RequestStatus
from benchmark.queue.steps import RunOutcome, WorkerConfig, published_run, queued_run_id
from benchmark.queue.worker import Worker
from benchmark.runs.publish import publish_record
from benchmark.store import LocalStore
from tests.support.env import REPO_ROOT, subprocess_env
from tests.support.fake_runs import published_record
from tests.support.queue_helpers import (
    T0,
    FakeClock,
    LatentLocalStore,
    ManualTimer,
    fake_hub_store,
    make_request,
    ok_run,
    seed,
    worker_cmd,
    worker_config,
)

LEASE_S = 60.0


def _config(worker_id: str, results: LocalStore, clock: FakeClock | None = None) -> WorkerConfig:
    config = WorkerConfig(device="cpu", lease_seconds=LEASE_S, poll_seconds=0.01, worker_id=worker_id, results=results)
    if clock is not None:
        config.clock = clock.now
    return config


def _records(results: LocalStore) -> list[str]:
    return [p for p in results.list("records/") if p.count("/") == 3]


def _never_run(request, context):
    raise AssertionError(f"{request.request_id} was measured again")


def test_a_worker_killed_between_publish_and_finish_leaves_a_record_the_next_worker_adopts(tmp_path):
    queue_store, results = LocalStore(tmp_path / "queue"), LocalStore(tmp_path / "results")
    (request,) = seed(queue_store, [make_request("org/a", submitted_at=T0)])
    env = subprocess_env(REQUESTS_DIR=str(queue_store.root), RESULTS_DIR=str(results.root))
    killed = subprocess.run(
        [sys.executable, "-m", "benchmark", "worker", "--once", "--device", "cpu", "--lease-seconds", str(LEASE_S),
         "--run-fn", "tests.support.fake_runs:publish_then_die"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert killed.returncode == -9, killed.stderr  # SIGKILL: nothing after the publish ran
    (published,) = _records(results)
    stuck = read_requests(queue_store)[request.path]
    assert (stuck.status, stuck.attempts) == (RequestStatus.RUNNING, 1)

    # the lease runs out; the next worker reaps and claims the request (attempt 2) and finds the record
    later = FakeClock(stuck.lease_expires_at + timedelta(seconds=1))
    final = Worker(queue_store, _never_run, _config("w2", results, later)).process_one()

    assert final.status is RequestStatus.COMPLETED and final.attempts == 2
    assert final.run_id == queued_run_id(stuck) == published.split("/")[-1].removesuffix(".json")
    assert final.result_path == published
    assert _records(results) == [published]  # one request, one record
    assert final.history[-1].detail == f"adopted run {final.run_id}, published by an earlier attempt"


def test_a_requeued_request_is_measured_again_not_adopted_from_its_earlier_round(tmp_path):
    queue_store, results = LocalStore(tmp_path / "queue"), LocalStore(tmp_path / "results")
    (request,) = seed(queue_store, [make_request("org/a", submitted_at=T0)])
    measured = []

    def run_and_publish(claimed, context):
        measured.append((claimed.round, claimed.attempts))
        record = published_record(claimed)
        return RunOutcome(record.run_id, publish_record(record, None, results))

    worker = Worker(queue_store, run_and_publish, _config("w", results))
    assert worker.process_one().status is RequestStatus.COMPLETED
    requeue(queue_store, RequeueSelection(model_id="org/a", task=request.task), by="boss")
    again = worker.process_one()

    assert measured == [(0, 1), (1, 1)]  # round 1 is a new measurement
    assert again.status is RequestStatus.COMPLETED and again.round == 1
    assert len(_records(results)) == 2
    assert published_run(results, again).run_id == again.run_id


def test_the_outcome_write_retries_until_it_sticks(tmp_path, monkeypatch):
    queue_store, results = LocalStore(tmp_path / "queue"), LocalStore(tmp_path / "results")
    seed(queue_store, [make_request("org/a")])
    real_complete, failures = queue.complete, []

    def down_seven_times(*args, **kwargs):
        if len(failures) < 7:  # more than the five tries the worker used to give up after
            failures.append(1)
            raise HubError("cannot commit to energy/requests: 503 Service Unavailable")
        return real_complete(*args, **kwargs)

    monkeypatch.setattr(queue, "complete", down_seven_times)
    monkeypatch.setattr("benchmark.queue.worker.time.sleep", lambda s: None)
    final = Worker(queue_store, lambda r, c: RunOutcome(f"run-{r.request_id}"), _config("w", results)).process_one()
    assert len(failures) == 7 and final.status is RequestStatus.COMPLETED


def test_an_outcome_that_cannot_be_written_before_the_lease_runs_out_is_left_for_the_next_worker(
    tmp_path, monkeypatch
):
    queue_store, results = LocalStore(tmp_path / "queue"), LocalStore(tmp_path / "results")
    (request,) = seed(queue_store, [make_request("org/a", submitted_at=T0)])
    clock, tries = FakeClock(T0), []

    def store_down(*args, **kwargs):
        tries.append(clock.now())
        clock.advance(25)  # each failing try takes 25 s: the 60 s lease runs out on the third
        raise HubError("cannot commit to energy/requests: 503 Service Unavailable")

    def run_and_publish(claimed, context):
        record = published_record(claimed)
        return RunOutcome(record.run_id, publish_record(record, None, results))

    monkeypatch.setattr(queue, "complete", store_down)
    monkeypatch.setattr("benchmark.queue.worker.time.sleep", lambda s: None)
    config = _config("w1", results, clock)
    timer = ManualTimer()  # no renewal happens: the heartbeat never beats
    config.heartbeat_timer = lambda: timer
    stuck = Worker(queue_store, run_and_publish, config).process_one()

    assert len(tries) == 3 and stuck.status is RequestStatus.RUNNING  # gave up once the lease was gone
    monkeypatch.undo()
    later = FakeClock(T0 + timedelta(seconds=LEASE_S + 100))
    final = Worker(queue_store, _never_run, _config("w2", results, later)).process_one()
    assert final.status is RequestStatus.COMPLETED and final.run_id == f"{request.request_id}-r0a1"
    assert len(_records(results)) == 1


def test_the_lease_expiring_exactly_now_counts_as_expired(tmp_path):
    store = LocalStore(tmp_path)
    (request,) = seed(store, [make_request("org/a", submitted_at=T0)])
    held = claim_next(store, "w1", lease_seconds=LEASE_S, now=T0)
    assert held.lease_expires_at == T0 + timedelta(seconds=LEASE_S)
    just_before = held.lease_expires_at - timedelta(microseconds=1)
    assert claim_next(store, "thief", lease_seconds=LEASE_S, now=just_before) is None
    taken = claim_next(store, "thief", lease_seconds=LEASE_S, now=held.lease_expires_at)
    assert taken is not None and taken.worker_id == "thief" and taken.attempts == 2


# Workers racing for one queue (threads on a slow local store, on the Hub double, processes): every
# request claimed once and run once.
def _race(store, workers: int = 2, requests: int = 20) -> tuple[Counter, dict]:
    seeded = seed(store, [make_request(f"org/m{i}", submitted_at=T0 + timedelta(seconds=i)) for i in range(requests)])
    runs: Counter = Counter()
    lock = threading.Lock()

    def run(request, context):
        with lock:
            runs[request.request_id] += 1
        time.sleep(0.02)  # a run takes longer than a store write, as real runs do
        return ok_run(request, context)

    threads = [threading.Thread(target=Worker(store, run, worker_config(f"w{i}")).run, kwargs={"drain": True})
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


def _assert_each_request_claimed_and_run_once(runs: Counter, saved: dict) -> None:
    assert len(runs) == 20 and set(runs.values()) == {1}
    assert all(r.status is RequestStatus.COMPLETED and r.attempts == 1 for r in saved.values())
    assert _claims(saved) == {r.request_id: 1 for r in saved.values()}  # every request claimed exactly once


def test_two_workers_racing_on_a_local_store_run_each_request_once(tmp_path):
    _assert_each_request_claimed_and_run_once(*_race(LatentLocalStore(tmp_path)))


def test_two_workers_racing_on_the_hub_run_each_request_once():
    store, api = fake_hub_store(commit_latency_s=0.003)
    _assert_each_request_claimed_and_run_once(*_race(store))


def test_two_worker_processes_racing_run_each_request_once(tmp_path):
    store = LocalStore(tmp_path / "queue")
    seed(store, [make_request(f"org/m{i}", submitted_at=T0 + timedelta(seconds=i)) for i in range(20)])
    log = tmp_path / "runs.log"
    # 20 runs of 50 ms: a second of work, so both processes (started together) are in the race.
    env = subprocess_env(REQUESTS_DIR=str(store.root), FAKE_RUN_LOG=str(log), FAKE_RUN_SLEEP_S="0.05")
    cmd = worker_cmd("--drain", "--run-fn", "tests.support.fake_runs:recording_run")

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


def test_a_quality_figure_an_earlier_attempt_published_is_adopted_not_measured_twice(tmp_path):
    """The worker that measured energy and quality died before writing the outcome: the next one adopts both."""
    from benchmark.quality.record import QualityRecord
    from benchmark.queue.steps import queued_quality_id, request_ref
    from benchmark.runs.publish import publish_quality

    queue_store, results = LocalStore(tmp_path / "queue"), LocalStore(tmp_path / "results")
    request = make_request("org/a", submitted_at=T0).model_copy(update={"steps": ["energy", "quality"]})
    seed(queue_store, [request])
    earlier = request.model_copy(update={"attempts": 1})  # what the dead worker had claimed
    publish_record(published_record(earlier), None, results)
    figure = QualityRecord(quality_id=queued_quality_id(earlier), model_id="org/a", task=request.task,
                           benchmark="sst2", metric="accuracy_pct", value=91.0, higher_is_better=True,
                           source="measured here", provenance="measured", request=request_ref(earlier))
    quality_path = publish_quality(figure, results).path

    final = Worker(queue_store, _never_run, _config("w2", results), quality_fn=_never_quality).process_one()

    assert final.status is RequestStatus.COMPLETED
    assert (final.quality_id, final.quality_path) == (figure.quality_id, quality_path)
    assert [p for p in results.list("quality/") if p.endswith(".json")] == [quality_path]  # measured once


def _never_quality(request, context, run_id):
    raise AssertionError(f"the quality of {request.request_id} was measured again")
