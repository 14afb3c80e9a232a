"""Hugging Face Jobs place the queue's workers: N paid GPU jobs, each a draining queue worker.

Every job runs ``python -m benchmark worker --drain`` from a clone of the project's Space against
``REQUESTS_REPO`` / ``RESULTS_REPO``; the token reaches it only as the ``HF_TOKEN`` secret (never in
its command, environment or labels, so never in the job's listing or logs). Each job's worker id
is set before it starts (``<prefix>-j<i>``), so the dispatcher can tell which requests a job
claimed: it writes the job id on them (``job_id``), and when a job ends in error while holding a
request, it fetches the end of the job's logs into that request (``job_log_tail``, and the last
line in ``error``) and gives it back to the queue at once instead of waiting for its lease.
The CLI (``dispatch --engine hf-jobs``) and the Space's Admin tab both use this module.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmark.hub_client import HubClient, HubError
from benchmark.queue import operations as queue
from benchmark.queue.dispatch import DispatchError, ProgressPrinter, last_worker
from benchmark.queue.request_record import RequestRecord, RequestStatus
from benchmark.store import Store

log = logging.getLogger(__name__)

DEFAULT_IMAGE = "pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime"
TERMINAL_STAGES = ("COMPLETED", "CANCELED", "ERROR", "DELETED")
FAILED_STAGES = ("CANCELED", "ERROR", "DELETED")
LOG_TAIL_LINES = 40


@dataclass(frozen=True)
class JobsPlan:
    """How many jobs, on which hardware, running which worker options."""

    flavor: str
    workers: int
    code_space: str
    image: str = DEFAULT_IMAGE
    timeout: str | None = None
    repeats: int = 3
    lease_seconds: float = 600.0
    num_samples: int | None = None


def code_space_from_env() -> str | None:
    """The Space whose code the jobs clone: ``BENCHMARK_CODE_SPACE``, else the Space we run in."""
    return os.environ.get("BENCHMARK_CODE_SPACE") or os.environ.get("SPACE_ID") or None


def check_plan(plan: JobsPlan, client: HubClient, env: dict[str, str] | None = None) -> dict[str, str]:
    """The jobs' environment (the stores' repos), or a one-line ``DispatchError`` before anything starts."""
    env = dict(os.environ if env is None else env)
    if not client.has_token:
        raise DispatchError("--engine hf-jobs needs HF_TOKEN (a token that may run jobs and write the repos)")
    if not plan.flavor:
        raise DispatchError("--engine hf-jobs needs --flavor (e.g. a10g-small, l40sx1, h100)")
    if plan.workers < 1:
        raise DispatchError(f"--workers must be 1 or more, got {plan.workers}")
    missing = [name for name in ("REQUESTS_REPO", "RESULTS_REPO") if not env.get(name)]
    if missing:
        raise DispatchError(f"--engine hf-jobs needs {' and '.join(missing)}: a job cannot see local folders")
    if not plan.code_space:
        raise DispatchError("--engine hf-jobs needs --code-space OWNER/NAME (the Space whose code the jobs run)")
    return {"REQUESTS_REPO": env["REQUESTS_REPO"], "RESULTS_REPO": env["RESULTS_REPO"], "PYTHONUNBUFFERED": "1"}


def worker_command(plan: JobsPlan, worker_id: str) -> list[str]:
    """Clone the Space, install the runner's requirements, drain the queue. No secret in it."""
    options = [
        "--drain", "--device", "cuda", "--worker-id", worker_id, "--repeats", str(plan.repeats),
        "--lease-seconds", str(plan.lease_seconds),
    ]
    if plan.num_samples:
        options += ["--num-samples", str(plan.num_samples)]
    script = (
        f"git clone --depth 1 https://huggingface.co/spaces/{plan.code_space} /code && cd /code && "
        "pip install -q -r requirements-runner.txt && exec python -m benchmark worker " + " ".join(options)
    )
    return ["bash", "-c", script]


def start_jobs(client: HubClient, plan: JobsPlan, prefix: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """Start ``plan.workers`` jobs; returns job id by worker id."""
    job_env = check_plan(plan, client, env)
    jobs: dict[str, str] = {}
    for index in range(plan.workers):
        worker_id = f"{prefix}-j{index}"
        info = client.run_job(
            image=plan.image, command=worker_command(plan, worker_id), env=job_env, flavor=plan.flavor,
            name=worker_id, labels={"benchmark-worker": worker_id}, timeout=plan.timeout,
        )
        jobs[worker_id] = info.id
        log.info("started job %s (%s) as worker %s", info.id, plan.flavor, worker_id)
    return jobs


def record_job_ids(store: Store, jobs: dict[str, str]) -> list[RequestRecord]:
    """Write each job's id on the requests its worker claimed last (one compare-and-swap write)."""

    def mutate(records: dict[str, RequestRecord]) -> tuple[dict[str, RequestRecord], list[RequestRecord]]:
        changes = {}
        for path, record in records.items():
            job_id = jobs.get(last_worker(record) or "")
            if job_id and record.job_id != job_id:
                changes[path] = record.model_copy(update={"job_id": job_id})
        return changes, list(changes.values())

    return queue.update_requests(store, mutate, "Record the jobs that ran requests")


def fail_dead_job(store: Store, client: HubClient, worker_id: str, job_id: str, stage: str) -> list[RequestRecord]:
    """A job ended (``stage``) while its worker held requests: their error gets the job's log tail."""
    held = [r for r in queue.read_requests(store).values()
            if r.status is RequestStatus.RUNNING and r.worker_id == worker_id]
    if not held:
        return []
    try:
        tail = client.job_log_tail(job_id, LOG_TAIL_LINES)
    except HubError as exc:
        tail = f"(logs unavailable: {exc})"
    last = next((line.strip() for line in reversed(tail.splitlines()) if line.strip()), "no log output")
    failed = []
    for record in held:
        error = f"job {job_id} ended {stage}: {last}"[: 300]
        try:
            failed.append(queue.fail(store, record, error, details={"job_id": job_id, "job_log_tail": tail}))
        except queue.LeaseLostError:
            continue  # reaped or finished meanwhile: nothing to blame on the job
    return failed


def watch_jobs(
    store: Store, client: HubClient, jobs: dict[str, str], poll_s: float = 30.0,
    printer: ProgressPrinter | None = None, sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """Until every job has ended: record job ids, blame dead jobs, show the queue. Returns stage by job id."""
    stages: dict[str, str] = {}
    while True:
        for worker_id, job_id in jobs.items():
            if stages.get(job_id) in TERMINAL_STAGES:
                continue
            try:
                status = client.inspect_job(job_id).status
            except HubError as exc:
                log.warning("%s", exc)
                continue
            stage = str(getattr(status.stage, "value", status.stage))
            if stage in FAILED_STAGES:
                fail_dead_job(store, client, worker_id, job_id, stage)
            stages[job_id] = stage
        record_job_ids(store, jobs)
        if printer:
            printer.update()
        if all(stages.get(job_id) in TERMINAL_STAGES for job_id in jobs.values()):
            return stages
        sleep(poll_s)
