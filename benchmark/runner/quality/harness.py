"""The language-model benchmarks, run by lm-evaluation-harness (``lm_eval.simple_evaluate`` on its own
``HFLM``): the Open LLM Leaderboard v2 (its ``leaderboard`` group, normalised as the leaderboard did) for
text generation, and GPQA Diamond (``gpqa_diamond_cot_zeroshot``, thinking on) for reasoning.

Offline, ``--dataset`` is a folder of local copies in the Hub's own layout: a snapshot of each dataset
repository the tasks load (``<folder>/<org>/<name>/``, or the folder itself for a one-dataset benchmark
such as GPQA's ``Idavidrein/gpqa``). lm-evaluation-harness then loads its data from there: its calls to
``datasets.load_dataset`` are pointed at the copy for the duration of the run.

The Open LLM Leaderboard's normalisation (its documentation, "Scores normalization", and lm-evaluation-harness
0.4.13's ``lm_eval/tasks/leaderboard/{gpqa,math}/_leaderboard_*.yaml``, whose groups set ``weight_by_size:
true``): each sub-benchmark's score is rescaled between the random baseline (1 / number of choices) and 100,
negative values set to 0; BBH and MuSR average their subtasks after rescaling; GPQA is the group's
size-weighted ``acc_norm`` (diamond, extended, main) rescaled with the baseline 0.25; MATH Lvl 5 is the group's
size-weighted exact match, no baseline; MMLU-Pro's baseline is 0.1; IFEval (the mean of prompt- and
instruction-level strict accuracy) has none; the figure is the mean of the six. lm-evaluation-harness 0.4.13
puts each group's figure in ``results`` beside its subtasks (``leaderboard_gpqa``, ``leaderboard_math_hard``);
a results file without them is weighted here by each subtask's ``n-samples``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from benchmark.runner.quality.pipelines import Evaluation, Job, ModelRefused
from benchmark.runner.reasoning import thinking

LEADERBOARD_GROUP = "leaderboard"
GPQA_TASK = "gpqa_diamond_cot_zeroshot"
GPQA_METRIC = "exact_match,flexible-extract"
# the number of choices of the sub-benchmarks whose every subtask has the same (the leaderboard's table)
CHOICES = {"leaderboard_gpqa": 4, "leaderboard_mmlu_pro": 10}
MUSR_CHOICES = {"leaderboard_musr_murder_mysteries": 2, "leaderboard_musr_object_placements": 5,
                "leaderboard_musr_team_allocation": 3}
PERCENT = 100.0


def normalized(score: float, choices: int | None) -> float:
    """A 0–1 score rescaled between the random baseline (1 / ``choices``) and 100, floored at 0."""
    baseline = 1.0 / choices if choices else 0.0
    return max((score - baseline) / (1.0 - baseline), 0.0) * PERCENT


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


GPQA_GROUP, MATH_GROUP = "leaderboard_gpqa", "leaderboard_math_hard"


class ResultsShapeError(ValueError):
    """An lm-evaluation-harness results file lacks what a sub-benchmark's figure needs."""


def group_figure(results: Mapping[str, Mapping[str, float]], group: str, prefix: str, name: str,
                 n_samples: Mapping[str, Mapping[str, int]] | None = None) -> float:
    """A group's size-weighted 0–1 figure: the one lm-evaluation-harness wrote for the group, else its subtasks'
    figures weighted by their number of samples (never their plain mean)."""
    if group in results and f"{name},none" in results[group]:
        return float(results[group][f"{name},none"])
    subtasks = [t for t in sorted(results) if t.startswith(prefix) and t != group]
    sizes = {t: (n_samples or {}).get(t, {}).get("effective") or (n_samples or {}).get(t, {}).get("original")
             for t in subtasks}
    if not subtasks or not all(sizes.values()):
        raise ResultsShapeError(f"the results hold neither {group}'s {name} nor each of its subtasks' sample counts")
    total = sum(sizes.values())
    return sum(float(results[t][f"{name},none"]) * sizes[t] for t in subtasks) / total


def leaderboard_average(results: Mapping[str, Mapping[str, float]], bbh_choices: Mapping[str, int],
                        n_samples: Mapping[str, Mapping[str, int]] | None = None) -> dict[str, float]:
    """The Open LLM Leaderboard v2 figures from lm-evaluation-harness's per-task results (``"acc_norm,none"``...):
    each of the six sub-benchmarks normalised, and ``average_normalized``, their mean."""

    def metric(task: str, name: str) -> float:
        return float(results[task][f"{name},none"])

    bbh = [normalized(metric(t, "acc_norm"), bbh_choices[t])
           for t in sorted(results) if t.startswith("leaderboard_bbh_")]
    musr = [normalized(metric(t, "acc_norm"), n) for t, n in MUSR_CHOICES.items()]
    gpqa = normalized(group_figure(results, GPQA_GROUP, "leaderboard_gpqa_", "acc_norm", n_samples),
                      CHOICES["leaderboard_gpqa"])
    math_hard = group_figure(results, MATH_GROUP, "leaderboard_math_", "exact_match", n_samples) * PERCENT
    figures = {
        "ifeval": _mean([metric("leaderboard_ifeval", "prompt_level_strict_acc"),
                         metric("leaderboard_ifeval", "inst_level_strict_acc")]) * PERCENT,
        "bbh": _mean(bbh),
        "math_lvl5": math_hard,
        "gpqa": gpqa,
        "musr": _mean(musr),
        "mmlu_pro": normalized(metric("leaderboard_mmlu_pro", "acc"), CHOICES["leaderboard_mmlu_pro"]),
    }
    return {**figures, "average_normalized": _mean(list(figures.values()))}


@contextlib.contextmanager
def local_copies(folder: str | None, default_path: str) -> Iterator[None]:
    """While lm-evaluation-harness runs, its ``datasets.load_dataset(path, …)`` reads ``folder/<path>`` (or
    ``folder`` itself for ``default_path``) where that local copy exists."""
    if not folder:
        yield
        return
    import datasets
    import lm_eval.api.task as task_module

    root = Path(folder).expanduser()
    original = datasets.load_dataset

    def load_dataset(path: str, *args: Any, **kwargs: Any) -> Any:
        local = root / path
        if local.is_dir():
            path = str(local)
        elif path == default_path:
            path = str(root)
        return original(path, *args, **kwargs)

    task_module.datasets.load_dataset = load_dataset
    try:
        yield
    finally:
        task_module.datasets.load_dataset = original


def _model(job: Job, chat_template_args: dict[str, Any] | None = None, think_end_token: str | None = None) -> Any:
    from lm_eval.models.huggingface import HFLM

    try:
        return HFLM(pretrained=job.model_dir, device=job.device, dtype=job.dtype or "auto", batch_size=job.batch_size,
                    chat_template_args=chat_template_args, think_end_token=think_end_token)
    except (ValueError, OSError, KeyError, TypeError) as exc:
        raise ModelRefused(f"model {job.model_id!r} cannot be run by lm-evaluation-harness as a causal language "
                           f"model: {str(exc).splitlines()[0]}") from None


def _run(job: Job, model: Any, tasks: list[str], **kwargs: Any) -> dict[str, Any]:
    import lm_eval

    with local_copies(job.dataset, job.benchmark.dataset_id):
        try:
            return lm_eval.simple_evaluate(model=model, tasks=tasks, limit=job.limit, log_samples=False,
                                           random_seed=0, numpy_random_seed=0, torch_random_seed=0,
                                           fewshot_random_seed=0, **kwargs)
        except (OSError, ValueError, ConnectionError) as exc:
            raise ModelRefused(f"lm-evaluation-harness could not run {', '.join(tasks)}: "
                               f"{str(exc).splitlines()[0]} (offline, pass --dataset with local copies)") from None


def _library_settings(output: Mapping[str, Any], tasks: list[str]) -> dict[str, Any]:
    import lm_eval

    versions = output.get("versions", {})
    return {"library": "lm-evaluation-harness", "library_version": lm_eval.__version__,
            "task_version": ", ".join(f"{t} {versions.get(t)}" for t in tasks if t in versions) or None}


def gpqa_diamond(job: Job) -> Evaluation:
    """GPQA Diamond, zero-shot chain of thought, thinking on through the model's own chat template (its
    switch and effort level, as the energy run uses them); accuracy of the last (A)–(D) the answer names."""
    plan = thinking.plan(job.model_dir, job.model_id, job.reasoning_effort)
    template = thinking.chat_template(job.model_dir) or ""
    end = "</think>" if "<think>" in template or "</think>" in template else None
    model = _model(job, chat_template_args=dict(plan.template_kwargs) or None, think_end_token=end)
    max_tokens = job.max_new_tokens or job.task.generate_kwargs.get("max_new_tokens")
    output = _run(job, model, [GPQA_TASK], apply_chat_template=True, system_instruction=plan.system_prompt,
                  gen_kwargs=f"max_gen_toks={max_tokens}" if max_tokens else None)
    value = float(output["results"][GPQA_TASK][GPQA_METRIC]) * PERCENT
    samples = int(output.get("n-samples", {}).get(GPQA_TASK, {}).get("effective", 0)) or (job.limit or 0)
    return Evaluation(value, samples, {
        **_library_settings(output, [GPQA_TASK]), "num_fewshot": 0, "chat_template": True, "reasoning": True,
        "reasoning_effort": plan.effort, "thinking_switch": plan.family, "filter": "flexible-extract",
        # not a model card's protocol ("Answer: $LETTER", sampling, several repeats): labelled, kept apart
        "prompt": GPQA_TASK, "decoding": "greedy, one run",
        "max_new_tokens": max_tokens, "dataset": job.dataset or job.benchmark.dataset_id,
    })


def chat_choice(model_dir: str, model_id: str, requested: bool | None) -> bool:
    """Whether the chat template applies: as requested, by default when the model has one."""
    has_template = bool(thinking.chat_template(model_dir))
    if requested and not has_template:
        raise ModelRefused(f"--chat-template on: model {model_id!r} has no chat template")
    return has_template if requested is None else requested


def open_llm_leaderboard(job: Job) -> Evaluation:
    """The ``leaderboard`` group as the Open LLM Leaderboard v2 ran it (its own few-shot counts, the model's
    chat template on or off as its submitter chose — ``--chat-template``; by default on when the model has one —
    few-shot turns as a conversation with it), normalised as it did. The choice is recorded with the figure."""
    chat = chat_choice(job.model_dir, job.model_id, job.chat_template)
    model = _model(job)
    output = _run(job, model, [LEADERBOARD_GROUP], apply_chat_template=chat, fewshot_as_multiturn=chat)
    results = output["results"]
    configs = output.get("configs", {})
    bbh_choices = {task: len(configs[task]["doc_to_choice"]) for task in results if task.startswith("leaderboard_bbh_")}
    figures = leaderboard_average(results, bbh_choices, output.get("n-samples"))
    if not all(math.isfinite(v) for v in figures.values()):
        raise ModelRefused(f"lm-evaluation-harness returned no usable score for {job.model_id!r}")
    return Evaluation(figures["average_normalized"], job.limit or 0, {
        **_library_settings(output, sorted(results)), "chat_template": chat, "fewshot_as_multiturn": chat,
        "sub_benchmarks": {k: round(v, 4) for k, v in figures.items() if k != "average_normalized"},
        "dataset": job.dataset or "the leaderboard group's Hub datasets",
    })


EVALUATORS = {"open_llm_leaderboard_v2": open_llm_leaderboard, "gpqa_diamond": gpqa_diamond}
