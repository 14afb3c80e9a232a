"""Run functions for worker tests, importable by a worker subprocess through ``--run-fn``.

Each appends ``<event> <request_id> <pid>`` to the file named by ``$FAKE_RUN_LOG`` (one write
with O_APPEND, so lines from several processes never interleave).
"""

from __future__ import annotations

import os
import time

from benchmark.queue.request_record import RequestRecord
from benchmark.queue.worker import RunContext, RunOutcome


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
