"""Shared pieces for the submission, queue and worker tests: stores, requests, digests."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmark.hub_client import HubClient
from benchmark.queue.request_record import HistoryEntry, RequestRecord, RequestStatus, new_request_id
from benchmark.queue.steps import HeartbeatTimer, RunContext, RunOutcome, WorkerConfig
from benchmark.store import HubStore, LocalStore, Store
from tests.support.doubles.hub_double import FakeHfApi

REPO_ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
REQUESTS_REPO = "energy/requests"


class LatentLocalStore(LocalStore):
    """A local store whose writes take a few milliseconds to arrive, like the Hub's: it widens the
    window between reading the queue and writing to it, where a check-then-write race would slip."""

    def __init__(self, root: Path, delay_s: float = 0.003) -> None:
        super().__init__(root)
        self.delay_s = delay_s

    def commit(self, changes, parent, message, create=()):  # type: ignore[no-untyped-def]
        time.sleep(self.delay_s)
        return super().commit(changes, parent, message, create)


def sha_of(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def one_error_line(capsys) -> str:
    """The one line a refused command wrote to stderr (fails when it wrote more or none)."""
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, dotfiles (version, lock) included."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def hub_digest(api: FakeHfApi, repo_id: str = REQUESTS_REPO) -> tuple[str, dict[str, str]]:
    repo = api.repos[repo_id]
    return repo.head, {path: hashlib.sha256(data).hexdigest() for path, data in sorted(repo.files.items())}


def make_request(
    model_id: str,
    task: str = "text_classification",
    *,
    status: RequestStatus = RequestStatus.PENDING,
    submitted_at: datetime = T0,
    submitter: str = "alice",
    revision: str | None = None,
    attempts: int = 0,
    error: str | None = None,
    run_id: str | None = None,
) -> RequestRecord:
    return RequestRecord(
        request_id=new_request_id(submitted_at),
        model_id=model_id,
        revision=revision or sha_of(f"{model_id}@main"),
        task=task,
        params=1_000_000,
        submitter=submitter,
        submitted_at=submitted_at,
        queued_at=submitted_at,
        status=status,
        attempts=attempts,
        error=error,
        run_id=run_id,
        finished_at=submitted_at + timedelta(minutes=5) if status in (RequestStatus.COMPLETED, RequestStatus.FAILED)
        else None,
        history=[HistoryEntry(at=submitted_at, action="submitted", by=submitter)],
    )


def seed(store: Store, records: list[RequestRecord]) -> list[RequestRecord]:
    store.add({r.path: r.to_bytes() for r in records}, "seed")
    return records


def fake_hub_store(
    api: FakeHfApi | None = None, token: str = "hf_test_token", commit_latency_s: float = 0.0
) -> tuple[HubStore, FakeHfApi]:
    """A requests store on the Hub test double; ``commit_latency_s`` delays each commit's arrival."""
    api = api or FakeHfApi()
    if REQUESTS_REPO not in api.repos:
        api.create_dataset(REQUESTS_REPO)
    if commit_latency_s:
        arrive = api.create_commit

        def create_commit(*args, **kwargs):  # type: ignore[no-untyped-def]
            time.sleep(commit_latency_s)
            return arrive(*args, **kwargs)

        api.create_commit = create_commit  # type: ignore[method-assign]
    return HubStore(REQUESTS_REPO, client=HubClient(api=api, token=token)), api


class FakeClock:
    """A clock the test moves: ``WorkerConfig(clock=clock.now)`` and ``claim_next(now=clock.now())``."""

    def __init__(self, start: datetime = T0) -> None:
        self._now, self._lock = start, threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


class ManualTimer(HeartbeatTimer):
    """A heartbeat timer the test drives: ``beat()`` lets exactly one renewal happen and returns
    once it is done, so no real seconds race a lease (``WorkerConfig(heartbeat_timer=lambda: timer)``)."""

    def __init__(self) -> None:
        super().__init__()
        self._cond = threading.Condition()
        self._due = self._waits = self._beats = 0
        self._stopped = False

    def wait(self, interval_s: float) -> bool:
        with self._cond:
            self._waits += 1  # entry k + 1 means renewal k has finished
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._due or self._stopped)
            if self._stopped:
                return True
            self._due -= 1
            return False

    def cancel(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def beat(self, timeout_s: float = 10.0) -> None:
        with self._cond:
            self._beats += 1
            self._due += 1
            self._cond.notify_all()
            done = self._cond.wait_for(lambda: self._waits >= self._beats + 1, timeout_s)
        assert done, "the heartbeat did not renew"


def worker_config(worker_id: str, lease_seconds: float = 30.0, max_attempts: int = 3) -> WorkerConfig:
    """A CPU worker that polls every 10 ms."""
    return WorkerConfig(device="cpu", lease_seconds=lease_seconds, max_attempts=max_attempts, poll_seconds=0.01,
                        worker_id=worker_id)


def ok_run(request: RequestRecord, context: RunContext) -> RunOutcome:
    """A run function that succeeds at once."""
    return RunOutcome(run_id=f"run-{request.request_id}", result_path="records/x.json")


def worker_cmd(*args: str) -> list[str]:
    """``python -m benchmark worker --device cpu ARGS``."""
    return [sys.executable, "-m", "benchmark", "worker", "--device", "cpu", *args]
