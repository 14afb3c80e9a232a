"""Which benchmarks share this machine: a node-local registry of runs in progress.

Each run holds an exclusive ``flock`` on its own file in one folder for as long as it runs (the
kernel drops the lock when the process dies, so a killed worker never counts as running). While it
runs, a sampler counts the other files whose lock is held. GPU energy is per device, so parallel
runs on one node (one per GPU) do not disturb each other's score; CPU and RAM energy are
machine-wide in codecarbon, so a record made while others ran says so (``Hardware.concurrent_benchmarks``,
``ResultRecord.total_energy_shared``).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import uuid
from pathlib import Path
from types import TracebackType

from benchmark.record import ResultRecord

REGISTRY_ENV = "BENCHMARK_RUNNING_DIR"
SAMPLE_INTERVAL_S = 1.0


def registry_dir() -> Path:
    return Path(os.environ.get(REGISTRY_ENV) or Path(tempfile.gettempdir()) / "ai-energy-score-running")


def _held_by_another(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False  # gone between the listing and the open: that run ended
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock we may have just taken
    return False


class RunningBenchmark:
    """``with RunningBenchmark() as share:`` around a run; ``share.max_others`` after it."""

    def __init__(self, folder: Path | None = None, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        self.folder = folder or registry_dir()
        self.interval_s = interval_s
        self.max_others = 0
        self.polls = 0  # how many times the sampler thread has counted (tests wait on it, never sleep)
        self._polled = threading.Condition()
        self._path = self.folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.lock"
        self._fd: int | None = None
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample_until_stopped, name="machine-share", daemon=True)

    def others_running(self) -> int:
        return sum(1 for path in self.folder.glob("*.lock") if path != self._path and _held_by_another(path))

    def _sample(self) -> None:
        self.max_others = max(self.max_others, self.others_running())

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()
            with self._polled:
                self.polls += 1
                self._polled.notify_all()

    def wait_for_polls(self, count: int, timeout_s: float = 30.0) -> bool:
        """Block until the sampler thread has counted ``count`` times in all; False on timeout."""
        with self._polled:
            return self._polled.wait_for(lambda: self.polls >= count, timeout=timeout_s)

    def __enter__(self) -> RunningBenchmark:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._sample()
        self._sampler.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._sampler.join()
        self._sample()
        if self._fd is not None:
            os.close(self._fd)
        self._path.unlink(missing_ok=True)


def mark_shared(record: ResultRecord, others: int) -> ResultRecord:
    """The record as it should be published, given how many other benchmarks shared the machine."""
    if others <= 0:
        return record
    hardware = record.hardware.model_copy(update={"concurrent_benchmarks": others})
    return record.model_copy(update={"hardware": hardware, "total_energy_shared": True})
