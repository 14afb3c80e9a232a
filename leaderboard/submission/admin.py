"""Maintainer reruns from the Space: who may ask is checked here, on the server, on every call."""

from __future__ import annotations

import logging

from benchmark.errors import UserInputError
from benchmark.hub_client import HubError, redact
from benchmark.queue.checks import SubmissionRefused, check_model_id
from benchmark.queue.maintainers import require_maintainer
from benchmark.queue.operations import QueueBusyError, RequeueSelection, requeue
from benchmark.queue.request_record import RequestRecord
from benchmark.store import Store
from benchmark.tasks import TASKS
from leaderboard.display.strings import RERUN_ACTIONS, STORE_UNREACHABLE, error_message

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
        f"- {r.model_id} on {TASKS[r.task].display_name if r.task in TASKS else r.task} ({r.request_id})"
        for r in changed
    ]
    return "\n".join(lines)
