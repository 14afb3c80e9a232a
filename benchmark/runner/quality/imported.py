"""Import a quality figure from an lm-evaluation-harness results file instead of measuring it again.

``python -m benchmark quality --task T --model-id M --from-results FILE [--push]`` reads the JSON that
``lm_eval --output_path`` writes (the format the Open LLM Leaderboard published per model: ``results`` per task
and group, ``configs``, ``n-samples``, versions) and writes the quality record a run would: the leaderboard's
normalised average (``harness.leaderboard_average``) for text generation, GPQA Diamond's accuracy for reasoning,
with the file's settings and versions, its ``source`` naming the file. The number of choices of each BBH subtask
comes from the file's ``configs`` when it holds them, else from the installed lm-evaluation-harness task
definitions (``lm_eval/tasks/leaderboard/bbh_mc/<subtask>.yaml``'s ``doc_to_choice``).

Refused in one line: not JSON, not lm-evaluation-harness's shape, a sub-benchmark missing, or a task whose
benchmark lm-evaluation-harness does not score.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmark.errors import UserInputError
from benchmark.quality.record import QualityRecord, QualitySettings
from benchmark.record import utc_now
from benchmark.runner.quality.harness import (
    GPQA_METRIC,
    GPQA_TASK,
    MUSR_CHOICES,
    PERCENT,
    ResultsShapeError,
    leaderboard_average,
)
from benchmark.tasks import TASKS, get_task

MAX_RESULTS_BYTES = 20_000_000
LM_EVAL_BENCHMARKS = ("open_llm_leaderboard_v2", "gpqa_diamond")
REQUIRED = ("leaderboard_ifeval", "leaderboard_mmlu_pro", *MUSR_CHOICES)


class ImportRefused(UserInputError):
    pass


def read_results(path: Path) -> dict[str, Any]:
    """The results file, bounded in size, of lm-evaluation-harness's shape (``ImportRefused`` otherwise)."""
    try:
        if path.stat().st_size > MAX_RESULTS_BYTES:
            raise ImportRefused(f"{path.name} is over {MAX_RESULTS_BYTES // 1_000_000} MB: not a results file")
        data = json.loads(path.read_bytes())
    except OSError:
        raise ImportRefused(f"{path} cannot be read") from None
    except (ValueError, RecursionError):
        raise ImportRefused(f"{path.name} is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict) or not all(
            isinstance(v, dict) for v in data["results"].values()):
        raise ImportRefused(f"{path.name} is not an lm-evaluation-harness results file (no 'results' by task)")
    return data


def bbh_choices(data: dict[str, Any]) -> dict[str, int]:
    """Each BBH subtask's number of choices: the file's ``configs``, else the installed task definitions."""
    configs = data.get("configs") if isinstance(data.get("configs"), dict) else {}
    choices = {}
    for task in (t for t in data["results"] if t.startswith("leaderboard_bbh_")):
        listed = (configs.get(task) or {}).get("doc_to_choice")
        if not isinstance(listed, list):
            listed = _installed_choices(task.removeprefix("leaderboard_bbh_"))
        choices[task] = len(listed)
    return choices


def _installed_choices(subtask: str) -> list[str]:
    import lm_eval
    import yaml

    path = Path(lm_eval.__file__).parent / "tasks" / "leaderboard" / "bbh_mc" / f"{subtask}.yaml"
    try:
        listed = yaml.safe_load(path.read_text()).get("doc_to_choice")
    except (OSError, yaml.YAMLError, AttributeError):
        listed = None
    if not isinstance(listed, list):
        raise ImportRefused(f"BBH subtask {subtask!r}: no number of choices in the file or in lm-evaluation-harness")
    return listed


def imported_value(task: str, data: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """The task's figure from the file, and what the record's settings say of it."""
    results = data["results"]
    if TASKS[task].quality.key == "gpqa_diamond":
        try:
            return float(results[GPQA_TASK][GPQA_METRIC]) * PERCENT, {}
        except (KeyError, TypeError, ValueError):
            raise ImportRefused(f"the results lack {GPQA_TASK}'s {GPQA_METRIC}") from None
    missing = [t for t in REQUIRED if t not in results]
    if not any(t.startswith("leaderboard_bbh_") for t in results):
        missing.append("leaderboard_bbh_*")
    if missing:
        raise ImportRefused(f"the results lack {', '.join(missing)}: not the leaderboard group's")
    try:
        figures = leaderboard_average(results, bbh_choices(data), data.get("n-samples"))
    except ResultsShapeError as exc:
        raise ImportRefused(str(exc)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ImportRefused(f"the results lack a figure the leaderboard needs ({exc})") from None
    return figures["average_normalized"], {"sub_benchmarks": {k: round(v, 4) for k, v in figures.items()
                                                              if k != "average_normalized"}}


def import_results(task: str, model_id: str, path: Path) -> QualityRecord:
    """The quality record of ``model_id`` on ``task`` from the results file ``path``."""
    spec = get_task(task)
    if spec.quality is None or spec.quality.key not in LM_EVAL_BENCHMARKS:
        raise ImportRefused(f"{spec.display_name}'s benchmark is not scored by lm-evaluation-harness: "
                            "--from-results takes text_generation or reasoning")
    data = read_results(Path(path))
    value, extra = imported_value(task, data)
    version = data.get("lm_eval_version") or (data.get("config") or {}).get("lm_eval_version")
    settings = QualitySettings(
        library="lm-evaluation-harness", library_version=str(version) if version else None,
        chat_template=bool(data["chat_template"]) if "chat_template" in data else None, **extra,
        fewshot_as_multiturn=data.get("fewshot_as_multiturn"), imported_from=Path(path).name,
        model_name=data.get("model_name"),
    )
    return QualityRecord(
        quality_id=f"q{utc_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", model_id=model_id, task=spec.key,
        benchmark=spec.quality.key, metric=spec.quality.metric, value=round(value, 6),
        higher_is_better=spec.quality.higher_is_better, source=f"lm-evaluation-harness results file {Path(path).name}",
        provenance="published", created_at=_evaluated_at(data), settings=settings,
    )


def _evaluated_at(data: dict[str, Any]) -> datetime:
    """When the file says the evaluation ran (lm-evaluation-harness's ``date``, a Unix time), else now."""
    try:
        when = datetime.fromtimestamp(float(data["date"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return utc_now()
    return when if datetime(2020, 1, 1, tzinfo=UTC) < when <= utc_now() else utc_now()
