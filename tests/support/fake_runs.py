"""Run functions for worker and dispatch tests, importable by a worker subprocess (or a Ray worker
process) through ``--run-fn``.

The worker ones append ``<event> <request_id> <pid>`` to the file named by ``$FAKE_RUN_LOG`` (one
write with O_APPEND, so lines from several processes never interleave). The dispatch ones publish
a small result file per request into the results store with ``add`` (which refuses to overwrite),
so a request published twice fails the second time and shows in the test.
"""

from __future__ import annotations

import json
import os
import signal
import time

from benchmark.queue.machine_share import RunningBenchmark
from benchmark.queue.request_record import RequestRecord
from benchmark.queue.steps import RunContext, RunOutcome, benchmark_and_publish
from benchmark.store import results_store


def _log(event: str, request: RequestRecord) -> None:
    path = os.environ.get("FAKE_RUN_LOG")
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{event} {request.request_id} {os.getpid()}\n".encode())
        finally:
            os.close(fd)


def recording_run(request: RequestRecord, context: RunContext) -> RunOutcome:
    """A quick run that leaves a trace and a run id derived from the request."""
    _log("run", request)
    time.sleep(float(os.environ.get("FAKE_RUN_SLEEP_S", "0.005")))
    return RunOutcome(run_id=f"run-{request.request_id}", result_path=f"records/{request.task}/x/run.json")


def slow_run(request: RequestRecord, context: RunContext) -> RunOutcome:
    """A run that outlasts the test: the worker running it gets killed."""
    _log("started", request)
    time.sleep(float(os.environ.get("FAKE_RUN_SLEEP_S", "120")))
    return RunOutcome(run_id=f"slow-{request.request_id}")


KILL_MODEL = "dispatch-test/killed-mid-run"
REAL_MODEL_ENV = "DISPATCH_REAL_MODEL"  # the model id to run for real through the default run


def sleeping_run(request: RequestRecord, context: RunContext) -> RunOutcome:
    """Sleeps ``$DISPATCH_SLEEP_S`` (default 0.2 s) as a benchmark running on this machine, then
    publishes ``fake/<request_id>.json``."""
    with RunningBenchmark():
        time.sleep(float(os.environ.get("DISPATCH_SLEEP_S", "0.2")))
    path = f"fake/{request.request_id}.json"
    body = {"request_id": request.request_id, "worker_id": context.config.worker_id, "pid": os.getpid()}
    results_store().add({path: json.dumps(body).encode()}, f"fake result of {request.request_id}")
    return RunOutcome(run_id=f"fake-{request.request_id}", result_path=path)


def mixed_run(request: RequestRecord, context: RunContext) -> RunOutcome:
    """The real benchmark for ``$DISPATCH_REAL_MODEL``; for ``KILL_MODEL``, the first attempt kills
    its own worker process mid-run (after its lease was renewed once); a sleeping run otherwise."""
    if request.model_id == os.environ.get(REAL_MODEL_ENV):
        return benchmark_and_publish(request, context)
    if request.model_id == KILL_MODEL and request.attempts == 1:
        with RunningBenchmark():
            time.sleep(context.config.lease_seconds / 2)
            os._exit(17)
    return sleeping_run(request, context)


def published_record(request: RequestRecord):
    """The record a queued run of ``request`` (as claimed) publishes: its run id and request named."""
    from benchmark.queue.steps import queued_run_id, request_ref
    from tests.support.leaderboard_fixtures import make_record

    record = make_record(request.model_id, request.task, 1.25, run_id=queued_run_id(request))
    return record.model_copy(update={"request": request_ref(request)})


def publish_then_die(request: RequestRecord, context: RunContext) -> RunOutcome:
    """Publishes the run's record into the results store, then the worker process is killed
    (SIGKILL: no handler, no outcome written) — between publish and finish."""
    from benchmark.runs.publish import publish_record

    _log("published", request)
    publish_record(published_record(request), None, results_store())
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable: the process was killed")
