"""Submitting a model: run every rule, then write one PENDING request, or nothing at all.

The rules that only need the Hub run first. The rules that depend on the queue itself (no
duplicate, rate limit) run inside the compare-and-swap write (``benchmark.queue.update_requests``):
if another submission lands between our read and our write, the write is refused and the checks
run again on the new state, so neither rule can be slipped past by concurrent submissions.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from benchmark.configuration import REFERENCE_KEY
from benchmark.errors import UserInputError
from benchmark.hub_client import HubClient, HubError, redact
from benchmark.queue import checks
from benchmark.queue.operations import QueueBusyError, read_requests, update_requests
from benchmark.queue.request_record import HistoryEntry, RequestRecord, RequestStatus, default_steps, new_request_id
from benchmark.record import utc_now
from benchmark.store import Store
from benchmark.tasks import TASKS
from leaderboard.display.strings import CRASHED, HUB_UNREACHABLE, error_message

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class SubmissionSettings:
    submissions_per_day: int = checks.DEFAULT_SUBMISSIONS_PER_DAY

    @classmethod
    def from_env(cls) -> SubmissionSettings:
        return cls(submissions_per_day=checks.submissions_per_day())


def submit_request(
    store: Store,
    client: HubClient,
    *,
    username: str | None,
    model_id: str | None,
    task: str | None,
    revision: str | None = None,
    dtype: str | None = None,
    configuration: Mapping[str, Any] | None = None,
    reasoning_effort: str | None = None,
    settings: SubmissionSettings | None = None,
    now: datetime | None = None,
) -> RequestRecord:
    """Check a submission and queue it. ``SubmissionRefused`` names the rule that failed.

    ``configuration``: run options beyond ``dtype`` (``benchmark.configuration.OPTIONS``, e.g.
    ``{"batch_size": 8}``); none, or the task's own values, is the task's reference configuration.
    ``reasoning_effort``: the reasoning task's effort level (low / medium / high), or None."""
    settings = settings or SubmissionSettings.from_env()
    now = now or utc_now()
    user = checks.check_logged_in(username)
    clean_id = checks.check_model_id(model_id)
    spec = checks.check_task(task)
    clean_dtype = checks.check_dtype(dtype)
    options = checks.check_run_options(spec, clean_dtype, configuration)
    effort = checks.check_reasoning_effort(spec, reasoning_effort)
    revision_asked = checks.check_revision_format(revision)
    # Cheap early answer before any Hub call; the binding check is the one inside the write.
    checks.check_rate_limit(read_requests(store).values(), user, now, settings.submissions_per_day)

    model_id_on_hub, sha, params = checks.check_model_on_hub(client, clean_id, spec, revision_asked)

    request = RequestRecord(
        request_id=new_request_id(now),
        model_id=model_id_on_hub,
        revision=sha,
        revision_requested=revision_asked,
        task=spec.key,
        dtype=clean_dtype,
        configuration=options or None,
        reasoning_effort=effort,
        params=params,
        steps=default_steps(spec.key),
        submitter=user,
        submitted_at=now,
        queued_at=now,
        status=RequestStatus.PENDING,
        history=[HistoryEntry(at=now, action="submitted", by=user, detail=f"revision {revision_asked}")],
    )

    def mutate(records: dict[str, RequestRecord]) -> tuple[dict[str, RequestRecord], RequestRecord]:
        checks.check_not_duplicate(
            records.values(), request.model_id, spec, sha, request.configuration_key, request.reasoning_effort
        )
        checks.check_rate_limit(records.values(), user, now, settings.submissions_per_day)
        return {request.path: request}, request

    return update_requests(store, mutate, f"Request {request.model_id} on {spec.key} (by {user})")


def submit_message(store: Store, client: HubClient, **fields: Any) -> str:
    """The Submit tab's answer to ``submit_request(store, client, **fields)`` (same keyword fields:
    username, model_id, task, revision, dtype, configuration, reasoning_effort, settings): one line saying
    what was queued or why not (never a traceback); a configuration other than the reference is named,
    so is an effort level."""
    try:
        request = submit_request(store, client, **fields)
    except UserInputError as exc:
        return error_message(exc)
    except (HubError, QueueBusyError) as exc:
        log.warning("submission not checked: %s", redact(str(exc)))
        return error_message(HUB_UNREACHABLE)
    except Exception:  # noqa: BLE001 - the user gets one line; the traceback goes to the log
        log.error("submission crashed: %s", redact(traceback.format_exc()))
        return error_message(CRASHED)
    key = request.configuration_key
    configured = "" if key == REFERENCE_KEY else f", configuration {key}"
    if request.reasoning_effort:
        configured += f", effort {request.reasoning_effort}"
    return (
        f"✅ Queued {request.model_id} at {request.revision[:7]} for {TASKS[request.task].display_name} "
        f"({checks.format_params(request.params or 0)} parameters{configured}): request {request.request_id}."
    )
