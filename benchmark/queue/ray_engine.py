"""Ray places the queue's workers: one per GPU (``num_gpus=1``, so Ray pins each to its own device),
or N on CPUs; it restarts a worker whose process dies and reports how each ended.

Ray is an optional extra (``requirements-ray.txt``): it is imported only when a dispatch starts.
Each Ray task is a plain queue worker (``benchmark.queue.worker.Worker``) on the same requests and
results stores as ``python -m benchmark worker``; the stores' addresses and the token reach it as
an argument of the task (set in its process environment), never on a command line. The worker code
must import in Ray's worker processes: on a local cluster the repository goes on ``PYTHONPATH``; on
a remote one the ``benchmark`` package is shipped with the job (``py_modules``).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmark.queue import operations as queue
from benchmark.queue.dispatch import DispatchError
from benchmark.queue.request_record import RequestStatus
from benchmark.queue.steps import WorkerConfig
from benchmark.queue.worker import Worker

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_DIR.parent
INSTALL_HINT = "pip install -r requirements-ray.txt"
# What a worker needs from the dispatcher's environment to reach the same stores and cache.
FORWARDED_ENV = (
    "REQUESTS_REPO", "REQUESTS_DIR", "RESULTS_REPO", "RESULTS_DIR", "HF_TOKEN", "HF_HOME", "HF_HUB_CACHE",
    "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "OMP_NUM_THREADS", "BENCHMARK_RUNNING_DIR",
)
TASK_RETRIES = 3
CONNECT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class RayPlan:
    """What to start: ``gpus`` workers with one GPU each, or ``cpu_workers`` with one CPU each."""

    address: str | None = None
    gpus: int | None = None
    cpu_workers: int | None = None
    drain: bool = False


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise DispatchError(f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def check_reachable(address: str) -> None:
    """A cluster address that answers nothing fails in one line here, instead of Ray's long retries."""
    if address == "auto":
        return
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise DispatchError(f"--address must be HOST:PORT, ray://HOST:PORT or auto, got {address!r}")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise DispatchError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from None


def connect(ray: Any, plan: RayPlan) -> bool:
    """Join the cluster (or start a local one); True when this call started Ray and must shut it down."""
    if plan.address:
        check_reachable(plan.address)
    if ray.is_initialized():
        return False
    try:
        ray.init(address=plan.address, include_dashboard=False, logging_level="WARNING", log_to_driver=True)
    except Exception as exc:  # noqa: BLE001 - Ray's connection errors vary by version; one line for the user
        where = plan.address or "a local cluster"
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DispatchError(f"cannot connect to Ray ({where}): {first}") from None
    return True


def worker_count(ray: Any, plan: RayPlan) -> tuple[int, bool]:
    """``(workers, on_gpu)`` checked against the cluster's resources, before anything is claimed."""
    resources = ray.cluster_resources()
    cluster_gpus = int(resources.get("GPU", 0))
    if plan.cpu_workers is not None:
        if plan.cpu_workers < 1:
            raise DispatchError(f"--cpu-workers must be 1 or more, got {plan.cpu_workers}")
        return plan.cpu_workers, False
    if plan.gpus is not None and plan.gpus < 1:
        raise DispatchError(f"--gpus must be 1 or more, got {plan.gpus}")
    if cluster_gpus == 0:
        asked = f"--gpus {plan.gpus} was asked but " if plan.gpus else ""
        raise DispatchError(f"{asked}the Ray cluster has no GPU; use --cpu-workers N to run on CPUs")
    if plan.gpus is not None and plan.gpus > cluster_gpus:
        raise DispatchError(f"--gpus {plan.gpus} was asked but the Ray cluster has {cluster_gpus} GPU(s)")
    return plan.gpus or cluster_gpus, True


def forwarded_env() -> dict[str, str]:
    return {name: os.environ[name] for name in FORWARDED_ENV if name in os.environ}


def runtime_env(local: bool) -> dict[str, Any]:
    if local:
        path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)
        return {"env_vars": {"PYTHONPATH": path}}
    return {"py_modules": [str(PACKAGE_DIR)]}


def drain_until_settled(worker: Worker, sleep: Callable[[float], None] = time.sleep) -> int:
    """Drain, then wait while other workers hold requests: if one of them dies, its lease runs
    out and this worker takes the request over. Ends when nothing is pending or running."""
    taken = 0
    while True:
        taken += worker.run(drain=True)
        running = [r for r in queue.read_requests(worker.store).values() if r.status is RequestStatus.RUNNING]
        if not running:
            return taken
        sleep(min(worker.config.poll_seconds, worker.config.lease_seconds))


def ray_worker(config: WorkerConfig, run_fn_spec: str | None, env: dict[str, str], drain: bool,
               prefix: str, on_gpu: bool) -> dict[str, Any]:
    """The body of one Ray task: a queue worker on this process's GPU (or a CPU), run to the end."""
    import ray

    from benchmark.queue.cli import load_run_fn, setup_logging
    from benchmark.queue.steps import benchmark_and_publish
    from benchmark.store import requests_store

    os.environ.update(env)
    setup_logging()
    # A retried task gets a fresh id: the requests the dead process held are told apart from its successor's.
    worker_id = f"{prefix}-{socket.gethostname()}-{os.getpid()}"
    gpu_ids = tuple(int(i) for i in ray.get_gpu_ids()) if on_gpu else ()
    config = replace(config, worker_id=worker_id, gpu_ids=gpu_ids or config.gpu_ids)
    worker = Worker(requests_store(), load_run_fn(run_fn_spec) if run_fn_spec else benchmark_and_publish, config)
    taken = drain_until_settled(worker) if drain else worker.run()
    return {"worker_id": worker_id, "taken": taken, "gpu_ids": list(gpu_ids)}


def start_workers(ray: Any, plan: RayPlan, config: WorkerConfig, run_fn_spec: str | None, prefix: str,
                  local: bool) -> tuple[list[Any], int, bool]:
    """Submit the Ray tasks; returns their object refs, how many, and whether they hold GPUs."""
    count, on_gpu = worker_count(ray, plan)
    resources = {"num_gpus": 1, "num_cpus": 1} if on_gpu else {"num_gpus": 0, "num_cpus": 1}
    task = ray.remote(ray_worker).options(
        **resources, max_retries=TASK_RETRIES, retry_exceptions=False, runtime_env=runtime_env(local),
        name=f"{prefix}-worker",
    )
    env = forwarded_env()
    refs = [task.remote(config, run_fn_spec, env, plan.drain, f"{prefix}-w{i}", on_gpu) for i in range(count)]
    return refs, count, on_gpu
