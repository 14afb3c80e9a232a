"""Maintainer reruns and "run the queue on N GPUs" from the Space: who may ask is checked here, on
the server, on every call."""

from __future__ import annotations

import logging
import threading

from benchmark.errors import UserInputError
from benchmark.hub_client import HubClient, HubError, redact
from benchmark.queue import hf_jobs
from benchmark.queue.checks import SubmissionRefused, check_model_id, require_maintainer
from benchmark.queue.dispatch import new_prefix
from benchmark.queue.operations import QueueBusyError, RequeueSelection, requeue
from benchmark.queue.request_record import RequestRecord
from benchmark.store import Store
from benchmark.tasks import TASKS
from leaderboard.display.strings import JOBS_UNREACHABLE, RERUN_ACTIONS, STORE_UNREACHABLE, error_message

log = logging.getLogger(__name__)

ONE_MODEL, ALL_MODELS_OF_TASK, ALL_FAILED = RERUN_ACTIONS
ACTIONS = RERUN_ACTIONS


class RerunRefused(UserInputError):
    """The rerun request is malformed (unknown action or task, bad model id)."""


def selection_for(action: str, model_id: str | None, task: str | None) -> RequeueSelection:
    """Turn the admin form into a queue selection; ``RerunRefused`` says what is missing."""
    if action not in ACTIONS:
        raise RerunRefused(f"Choose what to rerun: {', '.join(ACTIONS)}.")
    if action == ALL_FAILED:
        if task and task not in TASKS:
            raise RerunRefused("Choose a task from the list, or none for every task.")
        return RequeueSelection(task=task or None, failed_only=True)
    if task not in TASKS:
        raise RerunRefused("Choose the task to rerun.")
    if action == ALL_MODELS_OF_TASK:
        return RequeueSelection(task=task)
    try:
        return RequeueSelection(model_id=check_model_id(model_id), task=task)
    except SubmissionRefused as refusal:
        raise RerunRefused(refusal.message) from None


def requeue_as(
    store: Store, username: str | None, action: str, model_id: str | None = None, task: str | None = None
) -> list[RequestRecord]:
    """Requeue for ``username`` if, and only if, they are a maintainer (``NotAuthorizedError``)."""
    by = require_maintainer(username)
    return requeue(store, selection_for(action, model_id, task), by=by)


def requeue_message(
    store: Store, username: str | None, action: str, model_id: str | None = None, task: str | None = None
) -> str:
    """The Admin tab's answer, one line (plus the list of requeued requests)."""
    try:
        changed = requeue_as(store, username, action, model_id, task)
    except UserInputError as exc:
        return error_message(exc)
    except (HubError, QueueBusyError) as exc:
        log.warning("requeue failed: %s", redact(str(exc)))
        return error_message(STORE_UNREACHABLE)
    lines = [f"✅ Requeued {len(changed)} request(s), recorded as asked by {username}:"]
    lines += [
        f"- {r.model_id} on {TASKS[r.task].display_name if r.task in TASKS else r.task}, "
        f"configuration {r.run_label} ({r.request_id})"
        for r in changed
    ]
    return "\n".join(lines)


JOBS_WATCH_POLL_S = 60.0


def run_queue_on_gpus(
    store: Store, client: HubClient, username: str | None, flavor: str, workers: int, watch: bool = True
) -> dict[str, str]:
    """Start ``workers`` draining Hugging Face Jobs for a maintainer (``NotAuthorizedError`` for
    anyone else), through the same code as ``dispatch --engine hf-jobs``; job id by worker id. With
    ``watch``, a background thread writes job ids on requests and failed jobs' logs into them."""
    require_maintainer(username)
    plan = hf_jobs.JobsPlan(flavor=flavor, workers=int(workers), code_space=hf_jobs.code_space_from_env() or "")
    jobs = hf_jobs.start_jobs(client, plan, new_prefix())
    if watch:
        threading.Thread(
            target=hf_jobs.watch_jobs, args=(store, client, jobs, JOBS_WATCH_POLL_S), name="jobs-watch", daemon=True
        ).start()
    return jobs


def run_queue_message(
    store: Store, client: HubClient, username: str | None, flavor: str, workers: int, watch: bool = True
) -> str:
    """The Admin tab's answer to "run the queue on N GPUs": the job ids, or one line saying why not."""
    try:
        jobs = run_queue_on_gpus(store, client, username, flavor, workers, watch)
    except UserInputError as exc:
        return error_message(exc)
    except HubError as exc:
        log.warning("starting jobs failed: %s", redact(str(exc)))
        return error_message(JOBS_UNREACHABLE)
    return f"✅ Started {len(jobs)} job(s) on {flavor} for {username}: {', '.join(jobs.values())}"


def data_problems_message(username: str | None, last_error: str | None, problems: tuple[str, ...]) -> str:
    """For a maintainer only: the last failure to read the results in full (the server's paths and the
    exception, which visitors never see) and every dropped file with its reason."""
    try:
        require_maintainer(username)
    except UserInputError as exc:
        return error_message(exc)
    lines = [f"Last failure to read the results: {last_error or 'none since the app started'}"]
    lines += [f"{len(problems)} dropped file(s):", *(f"- {problem}" for problem in problems)]
    return "\n".join(lines)
