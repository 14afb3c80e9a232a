"""A double of the three ``HfApi`` jobs calls the project makes (``run_job``, ``inspect_job``,
``fetch_job_logs``), with their installed keyword-only signatures. Each started job is a script:
a list of steps, one per ``inspect_job`` call, each a stage and an optional action run against
the queue first (a job claiming or finishing requests as its worker would)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from tests.support.doubles.hub_double import FakeHfApi

Step = tuple[str, Callable[[str], None] | None]  # (stage, action(worker_id))


@dataclass
class FakeJob:
    id: str
    name: str
    kwargs: dict[str, Any]
    steps: list[Step]
    logs: list[str] = field(default_factory=list)
    inspected: int = 0


class FakeJobsHfApi(FakeHfApi):
    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[FakeJob] = []
        self.scripts: list[tuple[list[Step], list[str]]] = []  # taken in order by the jobs started

    def run_job(
        self, *, image: str, command: list[str], env: dict[str, Any] | None = None,
        secrets: dict[str, Any] | None = None, flavor: str | None = None, timeout: Any = None,
        name: str | None = None, labels: dict[str, str] | None = None, token: Any = None,
    ) -> Any:
        default: tuple[list[Step], list[str]] = ([("COMPLETED", None)], [])
        steps, logs = self.scripts[len(self.jobs)] if len(self.jobs) < len(self.scripts) else default
        job = FakeJob(
            id=f"job{len(self.jobs):04d}", name=name or "", steps=list(steps), logs=list(logs),
            kwargs={"image": image, "command": command, "env": env, "secrets": secrets, "flavor": flavor,
                    "timeout": timeout, "name": name, "labels": labels, "token": token},
        )
        self.jobs.append(job)
        return SimpleNamespace(id=job.id, status=SimpleNamespace(stage="SCHEDULING"))

    def _job(self, job_id: str) -> FakeJob:
        return next(job for job in self.jobs if job.id == job_id)

    def inspect_job(self, *, job_id: str, namespace: str | None = None, token: Any = None) -> Any:
        job = self._job(job_id)
        stage, action = job.steps[min(job.inspected, len(job.steps) - 1)]
        if action and job.inspected < len(job.steps):
            action(job.name)
        job.inspected += 1
        return SimpleNamespace(id=job.id, status=SimpleNamespace(stage=stage, message=None))

    def fetch_job_logs(
        self, *, job_id: str, namespace: str | None = None, follow: bool = False, tail: int | None = None,
        token: Any = None,
    ) -> list[str]:
        logs = self._job(job_id).logs
        return logs[-tail:] if tail else logs
