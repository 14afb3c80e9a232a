"""Maintainers fill the queue without the web form: ``python -m benchmark enqueue``.

Each (model, task) goes through the form's rules (``benchmark.queue.checks``) that apply to a
maintainer: the id's format, the task, the dtype and run options, the effort level, the revision;
online, the model must exist, be public and not gated, fit the task and stay under its size limit,
and its revision resolves to a commit on the Hub. Sign-in and the daily rate limit are the form's
protections against strangers and do not apply. Offline (``HF_HUB_OFFLINE=1``) the model must be in
the local Hugging Face cache and its cached commit is the revision; the Hub rules cannot run there,
and the runner records the parameter count when it measures. The duplicate rule runs inside the
compare-and-swap write, as for the form, so a request already queued (or done) for that commit is
refused, not queued twice.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmark.errors import UserInputError
from benchmark.hub_client import HubClient
from benchmark.queue import checks
from benchmark.queue.operations import update_requests
from benchmark.queue.request_record import HistoryEntry, RequestRecord, RequestStatus, default_steps, new_request_id
from benchmark.record import utc_now
from benchmark.store import Store


class ModelNotAvailableError(UserInputError):
    """Offline, and the model (at that revision) is not in the local Hugging Face cache."""


@dataclass(frozen=True)
class Resolved:
    """What the rules established for one model: the id to queue, its commit, its size if known."""

    model_id: str
    sha: str
    revision_requested: str
    params: int | None


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def resolve_offline(client: HubClient, model_id: str, revision: str) -> Resolved:
    sha = client.cached_commit(model_id, None if revision == "main" else revision)
    if sha is None:
        raise ModelNotAvailableError(
            f"{model_id} at {revision} is not in the local Hugging Face cache and the Hub is offline "
            "(HF_HUB_OFFLINE=1): download it first or enqueue online."
        )
    return Resolved(model_id=model_id, sha=sha, revision_requested=revision, params=None)


def resolve_online(client: HubClient, model_id: str, spec: checks.TaskSpec, revision: str) -> Resolved:
    model_id_on_hub, sha, params = checks.check_model_on_hub(client, model_id, spec, revision)
    return Resolved(model_id=model_id_on_hub, sha=sha, revision_requested=revision, params=params)


def enqueue_model(
    store: Store,
    client: HubClient,
    *,
    model_id: str,
    tasks: Iterable[str],
    by: str,
    revision: str | None = None,
    dtype: str | None = None,
    configuration: Mapping[str, Any] | None = None,
    reasoning_effort: str | None = None,
    offline: bool | None = None,
    now: datetime | None = None,
) -> list[RequestRecord]:
    """Queue ``model_id`` on each of ``tasks`` as one write; a refused rule raises and queues none of them.
    ``configuration``: run options beyond ``dtype`` (as ``benchmark run`` takes them), checked per task;
    ``reasoning_effort``: the reasoning task's effort level (refused for every other task)."""
    offline = hub_offline() if offline is None else offline
    now = now or utc_now()
    clean_id = checks.check_model_id(model_id)
    specs = [checks.check_task(task) for task in dict.fromkeys(tasks)]
    if not specs:
        raise checks.SubmissionRefused("task", "Give at least one --task.")
    clean_dtype = checks.check_dtype(dtype)
    revision_asked = checks.check_revision_format(revision)
    options = {spec.key: checks.check_run_options(spec, clean_dtype, configuration) for spec in specs}
    efforts = {spec.key: checks.check_reasoning_effort(spec, reasoning_effort) for spec in specs}
    requests: list[RequestRecord] = []
    for spec in specs:
        if offline:
            resolved = resolve_offline(client, clean_id, revision_asked)
        else:
            resolved = resolve_online(client, clean_id, spec, revision_asked)
        requests.append(RequestRecord(
            request_id=new_request_id(now),
            model_id=resolved.model_id,
            revision=resolved.sha,
            revision_requested=resolved.revision_requested,
            task=spec.key,
            dtype=clean_dtype,
            configuration=options[spec.key] or None,
            reasoning_effort=efforts[spec.key],
            params=resolved.params,
            steps=default_steps(spec.key),
            submitter=by,
            submitted_at=now,
            queued_at=now,
            status=RequestStatus.PENDING,
            history=[HistoryEntry(at=now, action="enqueued", by=by, detail=f"revision {revision_asked}")],
        ))

    def mutate(records: dict[str, RequestRecord]) -> tuple[dict[str, RequestRecord], list[RequestRecord]]:
        for request in requests:
            checks.check_not_duplicate(
                records.values(), request.model_id, checks.TASKS[request.task], request.revision,
                request.configuration_key, request.reasoning_effort,
            )
        return {request.path: request for request in requests}, requests

    tasks_text = ", ".join(spec.key for spec in specs)
    return update_requests(store, mutate, f"Enqueue {clean_id} on {tasks_text} (by {by})")


def read_models_file(path: Path) -> list[tuple[int, str]]:
    """``(line number, model id)`` for each line that is not blank or a ``#`` comment."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise UserInputError(f"cannot read --models-file {path}: {exc.strerror or exc}") from None
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            found.append((number, entry))
    return found
