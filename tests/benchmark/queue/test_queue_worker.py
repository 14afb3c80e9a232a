"""The queue and the worker: atomic claims, leases, retries, and no request run twice or lost,
with threads, with processes, on a local folder and on the Hub test double, and across a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from benchmark.queue import operations as queue
from benchmark.queue.operations import (
    LeaseLostError,
    claim_next,
    complete,
    fail,
    read_requests,
    reap_expired,
    renew_lease,
)
from benchmark.queue.request_record import RequestStatus
from benchmark.queue.steps import RunFailedError
from benchmark.queue.worker import Worker
from benchmark.record import utc_now
from benchmark.store import LocalStore
from tests.support.env import subprocess_env
from tests.support.queue_helpers import (
    REPO_ROOT,
    T0,
    FakeClock,
    ManualTimer,
    make_request,
    ok_run,
    seed,
    tree_digest,
    worker_cmd,
    worker_config,
)


def test_claim_takes_the_request_queued_longest_ago_and_leases_it(tmp_path):
    store = LocalStore(tmp_path)
    newer, older = seed(store, [make_request("org/b", submitted_at=T0 + timedelta(minutes=1)),
                                make_request("org/a", submitted_at=T0)])

    claimed = claim_next(store, "w1", lease_seconds=60, now=T0 + timedelta(hours=1))

    assert claimed.request_id == older.request_id
    saved = read_requests(store)[older.path]
    assert saved.status is RequestStatus.RUNNING
    assert (saved.worker_id, saved.attempts) == ("w1", 1)
    assert saved.lease_expires_at == T0 + timedelta(hours=1, seconds=60)
    assert read_requests(store)[newer.path].status is RequestStatus.PENDING


def test_claim_on_an_empty_queue_writes_nothing(tmp_path):
    store = LocalStore(tmp_path)
    seed(store, [make_request("org/a", status=RequestStatus.COMPLETED, run_id="r1")])
    before = tree_digest(tmp_path)

    assert claim_next(store, "w1", lease_seconds=60) is None
    assert tree_digest(tmp_path) == before


def test_renewed_lease_is_not_reaped_but_an_expired_one_goes_back_to_pending(tmp_path):
    store = LocalStore(tmp_path)
    (request,) = seed(store, [make_request("org/a")])
    claimed = claim_next(store, "w1", lease_seconds=60, now=T0)
    renew_lease(store, claimed, lease_seconds=60, now=T0 + timedelta(seconds=50))

    assert reap_expired(store, now=T0 + timedelta(seconds=100)) == []
    (reaped,) = reap_expired(store, now=T0 + timedelta(seconds=111))

    assert reaped.status is RequestStatus.PENDING
    assert reaped.worker_id is None and reaped.lease_token is None
    assert reaped.history[-1].action == "lease_expired" and "w1" in reaped.history[-1].detail
    with pytest.raises(LeaseLostError):
        complete(store, claimed, "late-run", None)


def test_request_stays_failed_after_max_attempts_and_retries_before(tmp_path):
    store = LocalStore(tmp_path)
    (request,) = seed(store, [make_request("org/a")])
    statuses = []
    for attempt in range(1, 4):
        claimed = claim_next(store, "w1", lease_seconds=60, max_attempts=3)
        assert claimed.attempts == attempt
        statuses.append(fail(store, claimed, f"boom {attempt}", max_attempts=3).status)

    assert statuses == [RequestStatus.PENDING, RequestStatus.PENDING, RequestStatus.FAILED]
    final = read_requests(store)[request.path]
    assert (final.error, final.attempts) == ("boom 3", 3)
    assert claim_next(store, "w1", lease_seconds=60) is None


def test_lost_leases_count_as_attempts(tmp_path):
    store = LocalStore(tmp_path)
    (request,) = seed(store, [make_request("org/a")])
    moment = T0
    for _ in range(2):
        claim_next(store, "dying", lease_seconds=10, max_attempts=2, now=moment)
        moment += timedelta(seconds=11)
    assert claim_next(store, "w2", lease_seconds=10, max_attempts=2, now=moment) is None
    final = read_requests(store)[request.path]
    assert final.status is RequestStatus.FAILED
    assert final.error == "the worker stopped responding on 2 attempts"


def test_worker_completes_with_run_id_and_fails_with_the_one_line_error(tmp_path):
    store = LocalStore(tmp_path)
    good, bad, crash = seed(store, [make_request("org/good", submitted_at=T0),
                                    make_request("org/bad", submitted_at=T0 + timedelta(seconds=1)),
                                    make_request("org/crash", submitted_at=T0 + timedelta(seconds=2))])

    def run(request, context):
        if request.model_id == "org/bad":
            raise RunFailedError("task text_classification: org/bad has no tokenizer\nTraceback: ...")
        if request.model_id == "org/crash":
            raise ZeroDivisionError("division by zero")
        return ok_run(request, context)

    taken = Worker(store, run, worker_config("w1", max_attempts=1)).run(drain=True)

    saved = read_requests(store)
    assert taken == 3
    assert saved[good.path].status is RequestStatus.COMPLETED
    assert saved[good.path].run_id == f"run-{good.request_id}"
    assert saved[bad.path].status is RequestStatus.FAILED
    assert saved[bad.path].error == "task text_classification: org/bad has no tokenizer"
    assert saved[crash.path].error == "worker error: ZeroDivisionError: division by zero"


LEASE_S = 300.0


def _leased_run(tmp_path, beat: bool) -> tuple[list, object]:
    """A run of 4 × 200 s of (fake) time against a 300 s lease; a thief tries to claim after each
    step. With ``beat`` the heartbeat renews once per step (driven by hand: no real time passes)."""
    store = LocalStore(tmp_path)
    seed(store, [make_request("org/slow", submitted_at=T0)])
    clock, timer, stolen = FakeClock(T0), ManualTimer(), []

    def slow(request, context):
        for _ in range(4):
            clock.advance(200)
            if beat:
                timer.beat()
            stolen.append(claim_next(store, "thief", lease_seconds=LEASE_S, now=clock.now()))
            if stolen[-1] is not None:
                break
        return ok_run(request, context)

    config = worker_config("w1", lease_seconds=LEASE_S)
    config.clock, config.heartbeat_timer = clock.now, lambda: timer
    return stolen, Worker(store, slow, config).process_one()


def test_heartbeat_keeps_a_long_run_leased_past_its_lease(tmp_path):
    stolen, final = _leased_run(tmp_path, beat=True)
    assert stolen == [None] * 4  # 800 s, over twice the lease, and never taken
    assert final.status is RequestStatus.COMPLETED and final.attempts == 1


def test_without_heartbeats_the_lease_runs_out_and_another_worker_takes_the_request(tmp_path):
    stolen, final = _leased_run(tmp_path, beat=False)
    assert stolen[0] is None and stolen[1].worker_id == "thief"  # 400 s > 300 s: taken at the second step
    assert final.status is RequestStatus.RUNNING and final.worker_id == "w1"  # its outcome is dropped


def _wait_for(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_request_returns_to_pending_after_its_lease_and_another_worker_completes_it(tmp_path):
    store = LocalStore(tmp_path / "queue")
    (request,) = seed(store, [make_request("org/victim")])
    log = tmp_path / "runs.log"
    lease_s = 2.0
    env = subprocess_env(REQUESTS_DIR=str(store.root), FAKE_RUN_LOG=str(log))
    proc = subprocess.Popen(
        worker_cmd("--once", "--lease-seconds", str(lease_s), "--worker-id", "doomed",
                    "--run-fn", "tests.support.fake_runs:slow_run"),
        cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_for(lambda: log.exists() and "started" in log.read_text(), 30, "the worker to start the run")
        first_expiry = read_requests(store)[request.path].lease_expires_at
        # Wait for the events, not for a guessed time: the run outlives its first lease and a
        # heartbeat has moved the lease past it, so only heartbeats keep it.
        renewed = _wait_for(lambda: (r := read_requests(store)[request.path]).lease_expires_at > first_expiry
                            and utc_now() > first_expiry and r, 30, "a heartbeat past the first lease")
        assert renewed.status is RequestStatus.RUNNING and renewed.worker_id == "doomed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    held = read_requests(store)[request.path]
    assert (held.status, held.worker_id) == (RequestStatus.RUNNING, "doomed")
    assert not reap_expired(store, now=held.lease_expires_at - timedelta(seconds=0.1))  # lease still running

    reaped = _wait_for(lambda: reap_expired(store), lease_s + 10, "the lease to expire")
    assert [r.request_id for r in reaped] == [request.request_id]
    assert read_requests(store)[request.path].status is RequestStatus.PENDING

    final = Worker(store, ok_run, worker_config("rescuer")).process_one()

    assert final.status is RequestStatus.COMPLETED
    assert (final.worker_id, final.attempts, final.run_id) == (None, 2, f"run-{request.request_id}")
    actions = [(h.action, h.by) for h in final.history]
    assert actions == [("submitted", "alice"), ("claimed", "doomed"), ("lease_expired", None),
                       ("claimed", "rescuer"), ("completed", "rescuer")]


def test_worker_cli_once_on_an_empty_queue_exits_cleanly(tmp_path):
    env = subprocess_env(REQUESTS_DIR=str(tmp_path / "queue"))
    done = subprocess.run(worker_cmd("--once", "--run-fn", "tests.support.fake_runs:recording_run"), cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "0 request(s) taken" in done.stderr
    assert not Path(tmp_path / "queue").exists() or read_requests(LocalStore(tmp_path / "queue")) == {}


def test_operations_retry_until_their_compare_and_swap_sticks(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    seed(store, [make_request("org/a")])
    real_commit = LocalStore.commit
    collisions = []

    def commit_after_a_rival(self, changes, parent, message):
        if not collisions:  # a rival writes between our read and our write, once
            collisions.append(parent)
            real_commit(self, {"requests/rival.txt": b"x"}, self.head(), "rival")
        return real_commit(self, changes, parent, message)

    monkeypatch.setattr(LocalStore, "commit", commit_after_a_rival)
    claimed = queue.claim_next(store, "w1", lease_seconds=60)

    assert claimed is not None and len(collisions) == 1
    assert read_requests(store)[claimed.path].status is RequestStatus.RUNNING
    assert os.path.exists(tmp_path / "requests" / "rival.txt")


def test_outcome_is_recorded_even_if_the_store_fails_for_a_moment(tmp_path, monkeypatch):
    from benchmark.hub_client import HubError

    store = LocalStore(tmp_path)
    (request,) = seed(store, [make_request("org/a")])
    real_complete, failures = queue.complete, []

    def flaky_complete(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise HubError("cannot commit to energy/requests: 503 Service Unavailable")
        return real_complete(*args, **kwargs)

    monkeypatch.setattr(queue, "complete", flaky_complete)
    monkeypatch.setattr("benchmark.queue.worker.time.sleep", lambda s: None)
    final = Worker(store, ok_run, worker_config("w")).process_one()
    assert failures == [1] and final.status is RequestStatus.COMPLETED


def test_stopped_worker_gives_its_request_back_without_counting_the_attempt(tmp_path):
    store = LocalStore(tmp_path)
    (request,) = seed(store, [make_request("org/a")])

    def interrupted(request, context):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Worker(store, interrupted, worker_config("w")).process_one()

    saved = read_requests(store)[request.path]
    assert (saved.status, saved.attempts, saved.worker_id) == (RequestStatus.PENDING, 0, None)
    assert [h.action for h in saved.history] == ["submitted", "claimed", "released"]


def test_sigterm_gives_the_running_request_back_at_once(tmp_path):
    store = LocalStore(tmp_path / "queue")
    (request,) = seed(store, [make_request("org/a")])
    log = tmp_path / "runs.log"
    env = subprocess_env(REQUESTS_DIR=str(store.root), FAKE_RUN_LOG=str(log))
    proc = subprocess.Popen(worker_cmd("--once", "--run-fn", "tests.support.fake_runs:slow_run"), cwd=REPO_ROOT,
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: log.exists() and "started" in log.read_text(), 30, "the worker to start the run")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert proc.returncode == 130, err
    saved = read_requests(store)[request.path]
    assert (saved.status, saved.attempts) == (RequestStatus.PENDING, 0)
    assert saved.history[-1].action == "released"
