"""What ``python -m benchmark quality`` is asked for (``QualitySpec``), and the checks of it that need no
model, data or evaluation library loaded: made before the runner's stack is imported, so a bad argument
is refused in a fraction of a second, in one line naming it.

The evaluators each benchmark is scored with (``EVALUATOR_MODULES``) are the field's own: a benchmark
whose library is not installed here is refused naming the missing package (``requirements-quality.txt``
installs them all).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.errors import UserInputError
from benchmark.quality.benchmarks import QualityBenchmark
from benchmark.record import RequestRef
from benchmark.tasks import REASONING_EFFORTS, TaskSpec, get_task

DEVICES = ("cuda", "cpu")
# benchmark key → the (import name, package name) its evaluation needs
EVALUATOR_MODULES: dict[str, tuple[tuple[str, str], ...]] = {
    "open_llm_leaderboard_v2": (("lm_eval", "lm-eval"),),
    "gpqa_diamond": (("lm_eval", "lm-eval"),),
    "cnn_dailymail": (("rouge_score", "rouge-score"),),
    "squad_v2": (("torchmetrics", "torchmetrics"),),
    "sst2": (("sklearn", "scikit-learn"),),
    "mteb_stsbenchmark": (("mteb", "mteb"), ("sentence_transformers", "sentence-transformers")),
    "imagenet_1k_val": (("sklearn", "scikit-learn"),),
    "coco_val2017": (("pycocotools", "pycocotools"),),
    "librispeech_test_clean": (("jiwer", "jiwer"), ("whisper_normalizer", "whisper-normalizer")),
    "coco_karpathy_test": (("pycocoevalcap", "pycocoevalcap"),),
}


class QualityRefused(UserInputError):
    """``quality`` cannot be run as asked (one line naming the input or what is missing)."""


@dataclass(frozen=True)
class QualitySpec:
    """What the user asked for; ``None`` means the default (the benchmark's data, the whole of it)."""

    model: str
    task: str
    revision: str | None = None
    model_id: str | None = None
    dataset: str | None = None
    limit: int | None = None
    device: str | None = None
    output_dir: Path = field(default_factory=lambda: Path("runs"))
    batch_size: int | None = None
    dtype: str | None = None
    reasoning_effort: str | None = None
    # generative benchmarks: the cap on new tokens per answer (default: the task's energy cap or lm-eval's)
    max_new_tokens: int | None = None
    # Open LLM Leaderboard v2: the model's chat template on or off (None: on when the model has one, as the
    # leaderboard's submitters mostly chose for instruct models; each entry recorded its choice)
    chat_template: bool | None = None
    # a queued request's quality step: the energy run it goes with, and the request
    run_id: str | None = None
    quality_id: str | None = None
    request: RequestRef | None = None
    hub_id_only: bool = False


def missing_libraries(benchmark: QualityBenchmark) -> list[str]:
    """The packages the benchmark's evaluator needs that are not installed here."""
    return [package for module, package in EVALUATOR_MODULES[benchmark.key] if importlib.util.find_spec(module) is None]


def check_quality_spec(spec: QualitySpec) -> tuple[TaskSpec, QualityBenchmark]:
    """The task and its declared benchmark, or a one-line ``UserInputError`` (nothing run or written)."""
    task = get_task(spec.task)
    benchmark = task.quality
    if benchmark is None:
        raise QualityRefused(f"task {task.key} declares no quality benchmark yet: there is nothing to measure")
    if spec.limit is not None and spec.limit <= 0:
        raise QualityRefused(f"--limit must be a positive number of examples, got {spec.limit}")
    if spec.batch_size is not None and spec.batch_size <= 0:
        raise QualityRefused(f"--batch-size must be a positive number, got {spec.batch_size}")
    if spec.max_new_tokens is not None and spec.max_new_tokens <= 0:
        raise QualityRefused(f"--max-new-tokens must be a positive number of tokens, got {spec.max_new_tokens}")
    if spec.device not in (None, *DEVICES):
        raise QualityRefused(f"--device must be cuda or cpu, got {spec.device!r}")
    if spec.chat_template is not None and benchmark.key != "open_llm_leaderboard_v2":
        raise QualityRefused(f"--chat-template applies to the Open LLM Leaderboard v2 (text generation), not "
                             f"{benchmark.name}")
    if spec.reasoning_effort is not None:
        if not task.reasoning:
            raise QualityRefused(f"--reasoning-effort applies to the reasoning task only, not {task.key}")
        if spec.reasoning_effort not in REASONING_EFFORTS:
            raise QualityRefused(f"--reasoning-effort: unknown level {spec.reasoning_effort!r}: "
                                 f"choose one of {', '.join(REASONING_EFFORTS)}")
    if spec.dataset and _looks_local(spec.dataset) and not Path(spec.dataset).expanduser().exists():
        raise QualityRefused(f"--dataset {spec.dataset!r}: no such file or folder")
    if not spec.hub_id_only and _looks_local(spec.model) and not Path(spec.model).expanduser().exists():
        raise QualityRefused(f"model {spec.model!r} cannot be loaded: no such folder")
    missing = missing_libraries(benchmark)
    if missing:
        raise QualityRefused(
            f"{benchmark.name} is scored with {', '.join(missing)}, not installed here: "
            "pip install -r requirements-quality.txt"
        )
    return task, benchmark


def _looks_local(value: str) -> bool:
    return value.startswith(("/", ".", "~")) or value.count("/") > 1 or Path(value).exists()
