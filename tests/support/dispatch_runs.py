"""Run functions for the dispatch tests and the speed script, importable by Ray's worker processes.

Each publishes a small result file per request into the results store with ``add`` (which refuses
to overwrite), so a request published twice fails the second time and shows in the test.
"""

from __future__ import annotations

import json
import os
import time

from benchmark.queue.request_record import RequestRecord
from benchmark.queue.worker import RunContext, RunOutcome, benchmark_and_publish
from benchmark.store import results_store

KILL_MODEL = "dispatch-test/killed-mid-run"
REAL_MODEL_ENV = "DISPATCH_REAL_MODEL"  # the model id to run for real through the default run


def sleeping_run(request: RequestRecord, context: RunContext) -> RunOutcome:
    """Sleeps ``$DISPATCH_SLEEP_S`` (default 0.2 s), then publishes ``fake/<request_id>.json``."""
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
        time.sleep(context.config.lease_seconds / 2)
        os._exit(17)
    return sleeping_run(request, context)
