"""The request record: one model to measure on one task, from submission to result.

Light (pydantic only) so the Space writes and shows requests without the runner's stack. Each
request is its own file, ``requests/<request_id>.json``, in the requests store; the queue
(``benchmark.queue``) moves it through its statuses with compare-and-swap commits:

    PENDING ──claim──► RUNNING ──► COMPLETED (run_id)
       ▲                  │
       └─ lease expired ──┤ (or a failed attempt while attempts < max_attempts)
          or requeued     └──► FAILED (error), after max_attempts failed attempts

Time fields are UTC datetimes. ``queued_at`` orders the queue: set on submission and on a
maintainer's requeue; a request back from an expired lease keeps its place. ``lease_expires_at``
is when a RUNNING request's worker counts as gone unless it renews the lease first.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from benchmark.validation import (
    MAX_LIST_ITEMS,
    Count,
    ModelId,
    ParamCount,
    Segment,
    ShortText,
    Text,
    UtcDatetime,
    as_utc,
)

REQUEST_SCHEMA_VERSION = 1
ENERGY_STEP, QUALITY_STEP = "energy", "quality"
STEPS = (ENERGY_STEP, QUALITY_STEP)
REQUESTS_PREFIX = "requests/"
# A request is a few kB; anything far bigger is not one (checked before it is read).
MAX_REQUEST_BYTES = 256_000

_SHA = re.compile(r"^[0-9a-f]{40}$")


class RequestStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class HistoryEntry(BaseModel):
    """One event in a request's life: who did what, when (``by`` is a user or a worker id)."""

    at: UtcDatetime
    action: ShortText
    by: ShortText | None = None
    detail: Text | None = None


class RequestRecord(BaseModel):
    """A benchmark request. ``revision`` is the commit sha the submission resolved, never a branch."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = REQUEST_SCHEMA_VERSION
    request_id: Segment
    model_id: ModelId
    revision: str
    revision_requested: ShortText | None = None
    task: ShortText
    dtype: ShortText | None = None
    # run options of ``benchmark.configuration.OPTIONS`` beyond dtype, e.g. {"batch_size": 8};
    # None or empty: the task's reference configuration (issue 10)
    configuration: dict[str, Any] | None = None
    # reasoning: the effort level asked for (models whose template takes one); not part of the
    # configuration key, but each level is its own request and its own board row (issue 12)
    reasoning_effort: ShortText | None = None
    params: ParamCount | None = None
    submitter: ShortText
    submitted_at: UtcDatetime
    queued_at: UtcDatetime | None = None
    status: RequestStatus = RequestStatus.PENDING
    attempts: Count = 0
    # a maintainer's requeue starts a new round: a record published for an earlier round is not this one's
    round: Count = 0
    worker_id: ShortText | None = None
    lease_token: ShortText | None = None
    lease_expires_at: UtcDatetime | None = None
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    run_id: Segment | None = None
    result_path: ShortText | None = None
    error: Text | None = None
    # what the request asks for: energy, quality or both (None: energy only, as before quality steps);
    # the quality step runs after the energy step, on the same pinned revision
    steps: list[Literal["energy", "quality"]] | None = None
    quality_id: Segment | None = None
    quality_path: ShortText | None = None
    # a failed quality step (the energy result stays published and the request COMPLETED)
    quality_error: Text | None = None
    # a maintainer's reproduction of an entry: its run id (the new record verifies it)
    reproduces: Segment | None = None
    # Hugging Face Jobs: the job that ran the latest attempt, and the end of its logs if it failed.
    job_id: ShortText | None = None
    job_log_tail: Text | None = None
    history: list[HistoryEntry] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)

    @field_validator("revision")
    @classmethod
    def _sha(cls, value: str) -> str:
        if not _SHA.match(value):
            raise ValueError("must be a 40-character commit sha")
        return value

    @property
    def queue_position_key(self) -> tuple[datetime, str]:
        """Workers take the request queued longest ago; a requeue puts a request at the back."""
        return (self.queued_at or self.submitted_at, self.request_id)

    @property
    def configuration_key(self) -> str:
        """The key of the configuration asked for (``"reference"`` by default)."""
        from benchmark.configuration import configuration_key
        from benchmark.tasks import TASKS

        options = {**(self.configuration or {}), "dtype": self.dtype}
        spec = TASKS.get(self.task)
        if spec is not None:  # the task's own dtype or batch size, asked for explicitly, is the reference
            if options["dtype"] == spec.dtype:
                options["dtype"] = None
            if options.get("batch_size") == spec.batch_size:
                options["batch_size"] = None
        return configuration_key(options)

    @property
    def run_label(self) -> str:
        """What is run, as the queue shows it: the configuration key, and the effort level if one was
        asked for (``"reference · effort high"``)."""
        return run_label(self.configuration_key, self.reasoning_effort)

    @property
    def path(self) -> str:
        return request_path(self.request_id)

    @property
    def wanted_steps(self) -> tuple[str, ...]:
        """The steps to run, energy first: ``steps`` as asked, energy alone for an older request."""
        asked = set(self.steps or (ENERGY_STEP,))
        return tuple(step for step in STEPS if step in asked)

    @property
    def steps_label(self) -> str:
        """What the queue shows of the steps: "energy + quality", "energy", "quality"."""
        return " + ".join(self.wanted_steps)

    def lease_expired(self, now: datetime) -> bool:
        return self.status is RequestStatus.RUNNING and (
            self.lease_expires_at is None or self.lease_expires_at <= now
        )

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def to_bytes(self) -> bytes:
        return (self.to_json() + "\n").encode()

    @classmethod
    def from_json(cls, text: str | bytes) -> RequestRecord:
        return cls.model_validate(json.loads(text))


def new_request_id(submitted_at: datetime) -> str:
    """Sortable by submission time, unique without coordination: ``20250101T120000123456Z-1a2b3c4d``."""
    return f"{as_utc(submitted_at):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def default_steps(task: str) -> list[str]:
    """What a submission asks for by default: energy, and quality when the task declares a benchmark."""
    from benchmark.tasks import TASKS

    spec = TASKS.get(task)
    return [ENERGY_STEP, QUALITY_STEP] if spec is not None and spec.quality is not None else [ENERGY_STEP]


def run_label(configuration_key: str, reasoning_effort: str | None) -> str:
    return f"{configuration_key} · effort {reasoning_effort}" if reasoning_effort else configuration_key


def request_path(request_id: str) -> str:
    return f"{REQUESTS_PREFIX}{request_id}.json"

