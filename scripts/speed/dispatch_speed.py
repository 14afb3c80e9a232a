"""Speed of ``dispatch --engine ray``: drain 20 requests whose run sleeps 2 s, side by side in one run.

- two Ray workers against one: the speed-up (target ≥ 1.8×);
- two Ray workers against two plain ``python -m benchmark worker --drain`` processes: the wall-time
  ratio (target ≤ 1.15×; what Ray costs over starting workers by hand).

Each case gets a fresh local requests queue and results folder; the Ray cases share one local
cluster (2 CPUs), started before the clock runs, as a maintainer's cluster would be. Run from the
repository root: ``python scripts/speed/dispatch_speed.py [--requests 20] [--sleep-s 2]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from benchmark.cli import main as benchmark_main  # noqa: E402
from benchmark.queue.operations import read_requests  # noqa: E402
from benchmark.queue.request_record import RequestStatus  # noqa: E402
from benchmark.store import LocalStore  # noqa: E402
from tests.support.queue_helpers import make_request, seed  # noqa: E402

RUN_FN = "tests.support.fake_runs:sleeping_run"
WORKER_OPTIONS = ["--device", "cpu", "--run-fn", RUN_FN, "--poll-seconds", "0.5", "--lease-seconds", "60"]


def fresh_queue(root: Path, count: int) -> LocalStore:
    store = LocalStore(root / "requests")
    t0 = datetime(2025, 6, 1, tzinfo=UTC)
    seed(store, [make_request(f"org/m{i}", submitted_at=t0 + timedelta(seconds=i)) for i in range(count)])
    os.environ.update(REQUESTS_DIR=str(store.root), RESULTS_DIR=str(root / "results"))
    return store


def check_drained(store: LocalStore, count: int) -> None:
    statuses = [r.status for r in read_requests(store).values()]
    if statuses.count(RequestStatus.COMPLETED) != count:
        raise SystemExit(f"not drained: {statuses}")


def ray_case(root: Path, count: int, workers: int) -> float:
    store = fresh_queue(root, count)
    started = time.perf_counter()
    code = benchmark_main(["dispatch", "--engine", "ray", "--cpu-workers", str(workers), "--drain", *WORKER_OPTIONS])
    wall_s = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"dispatch failed ({code})")
    check_drained(store, count)
    return wall_s


def plain_case(root: Path, count: int, workers: int) -> float:
    store = fresh_queue(root, count)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    started = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-m", "benchmark", "worker", "--drain", *WORKER_OPTIONS], env=env,
                         cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    if any(proc.wait() != 0 for proc in procs):
        raise SystemExit("a plain worker failed")
    wall_s = time.perf_counter() - started
    check_drained(store, count)
    return wall_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--sleep-s", type=float, default=2.0)
    args = parser.parse_args()
    os.environ.update(DISPATCH_SLEEP_S=str(args.sleep_s), HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO_ROOT))
    os.environ.pop("REQUESTS_REPO", None)
    os.environ.pop("RESULTS_REPO", None)

    import ray

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(REPO_ROOT)}})
    try:
        with tempfile.TemporaryDirectory(prefix="dispatch-speed-") as tmp:
            root = Path(tmp)
            ray_one = ray_case(root / "ray-1", args.requests, 1)
            ray_two = ray_case(root / "ray-2", args.requests, 2)
            plain_two = plain_case(root / "plain-2", args.requests, 2)
    finally:
        ray.shutdown()
    print(f"{args.requests} requests × {args.sleep_s:g} s")
    print(f"ray, 1 worker:           {ray_one:6.1f} s")
    print(f"ray, 2 workers:          {ray_two:6.1f} s")
    print(f"2 plain workers --drain: {plain_two:6.1f} s")
    print(f"speed-up, 2 Ray workers over 1:          {ray_one / ray_two:.2f}× (target ≥ 1.8×)")
    print(f"wall time, 2 Ray workers / 2 plain ones: {ray_two / plain_two:.2f}× (target ≤ 1.15×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
