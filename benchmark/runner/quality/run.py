"""``python -m benchmark quality``: a model's quality on its task's declared benchmark, as a quality record.

It runs in its own process, after (or apart from) the energy run, and is never measured: no energy phase
counts it. The model is fetched as the energy run fetches it (the same pinned revision for a queued
request), the benchmark's evaluator runs (``harness`` for lm-evaluation-harness, ``sts`` for mteb,
``pipelines`` for the rest), and one ``QualityRecord`` is written to ``<output>/<quality_id>/quality.json``
with the value, the library and its version, and how it was obtained. ``--limit`` makes it not
comparable (kept, never on a board), as ``--num-samples`` does for energy.

Refusals are ``QualityError`` lines (bad input, a model that cannot do the benchmark, data without its
columns, a missing library): nothing is written but the traceback in ``error.log`` of the run folder.
"""

from __future__ import annotations

import sys
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

from benchmark.errors import UserInputError
from benchmark.hub_client import redact
from benchmark.quality.record import QualityRecord, QualitySettings
from benchmark.quality.spec import QualitySpec, check_quality_spec
from benchmark.record import utc_now
from benchmark.runner.model_source import resolve_model
from benchmark.runner.preflight import PreflightError
from benchmark.runner.quality import harness, pipelines, sts
from benchmark.runner.quality.pipelines import Evaluation, Job
from benchmark.runs import quiet
from benchmark.runs.files import ERROR_FILE, QUALITY_FILE

EVALUATORS = {**pipelines.EVALUATORS, **harness.EVALUATORS, **sts.EVALUATORS}
DEFAULT_BATCH_SIZE = 8


class QualityError(RuntimeError):
    """The quality step failed; the message is one line fit for the user (the traceback is in the run folder)."""

    def __init__(self, message: str, run_dir: Path | None = None) -> None:
        super().__init__(message)
        self.run_dir = run_dir


@dataclass(frozen=True)
class QualityResult:
    record: QualityRecord
    run_dir: Path


def new_quality_id() -> str:
    return f"q{utc_now():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _device(spec: QualitySpec) -> str:
    if spec.device:
        return spec.device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def evaluate(spec: QualitySpec, run_dir: Path) -> QualityRecord:
    task, benchmark = check_quality_spec(spec)
    try:
        source = resolve_model(spec.model, spec.revision, spec.model_id, hub_id_only=spec.hub_id_only)
    except PreflightError as exc:
        raise QualityError(str(exc)) from exc
    job = Job(model_dir=source.path, model_id=source.model_id, benchmark=benchmark, task=task, dataset=spec.dataset,
              limit=spec.limit, device=_device(spec), dtype=spec.dtype,
              batch_size=spec.batch_size or DEFAULT_BATCH_SIZE, max_new_tokens=spec.max_new_tokens,
              reasoning_effort=spec.reasoning_effort, chat_template=spec.chat_template)
    started = utc_now()
    evaluation: Evaluation = EVALUATORS[benchmark.key](job)
    fields = {**evaluation.settings, "dtype": spec.dtype or "auto", "batch_size": job.batch_size,
              "limit": spec.limit, "samples": evaluation.samples}
    if task.reasoning:
        fields.setdefault("reasoning", True)
    settings = QualitySettings(**fields)
    return QualityRecord(
        quality_id=run_dir.name, model_id=source.model_id, model_revision=source.revision, task=task.key,
        benchmark=benchmark.key, metric=benchmark.metric, value=round(evaluation.value, 6),
        higher_is_better=benchmark.higher_is_better, source=f"measured here: quality run {run_dir.name}",
        provenance="measured", created_at=started, settings=settings, run_id=spec.run_id,
        request=spec.request,
    )


def run_quality(spec: QualitySpec) -> QualityResult:
    """Evaluate ``spec`` and write its record into a new run folder; ``QualityError`` in one line."""
    quality_id = spec.quality_id or new_quality_id()
    run_dir = Path(spec.output_dir).absolute() / quality_id
    run_dir.mkdir(parents=True, exist_ok=False)
    print(f"[quality] {spec.model_id or spec.model} on {spec.task}: evaluating (the libraries' output goes to "
          f"{run_dir / quiet.STACK_LOG})", file=sys.stderr, flush=True)
    try:
        with quiet.into_run_folder(run_dir):
            record = evaluate(spec, run_dir)
    except QualityError as exc:
        _keep_traceback(run_dir, exc)
        exc.run_dir = run_dir
        raise
    except UserInputError as exc:
        _keep_traceback(run_dir, exc)
        raise QualityError(str(exc), run_dir) from exc
    except Exception as exc:  # noqa: BLE001 - anything else is one line here, the traceback in the folder
        _keep_traceback(run_dir, exc)
        first = (str(exc).strip().splitlines() or [""])[0]
        raise QualityError(f"the quality run failed: {type(exc).__name__}: {first}", run_dir) from exc
    (run_dir / QUALITY_FILE).write_text(redact(record.to_json()) + "\n")
    return QualityResult(record, run_dir)


def _keep_traceback(run_dir: Path, exc: BaseException) -> None:
    (run_dir / ERROR_FILE).write_text(redact("".join(traceback.format_exception(exc))))
