"""STSBenchmark, run by mteb: the model loaded the way mteb loads it (its registry's loader and per-model
prompts, e5's "query: " among them: ``mteb.get_model_meta``; a model mteb does not list is its plain
sentence-transformers wrapper, as the MTEB leaderboard runs such a model), mteb's own STS evaluation on the test
split, its main score (cosine Spearman) ×100. Offline, the weights are the local copy and the split comes from
the local copy too (``test.jsonl`` rows of ``sentence1``, ``sentence2``, ``score``), handed to mteb's task in
place of its Hub download."""

from __future__ import annotations

from typing import Any

from benchmark.runner.quality.data import load_rows
from benchmark.runner.quality.pipelines import Evaluation, Job, ModelRefused

TASK_NAME = "STSBenchmark"
MAIN_SCORE = "cosine_spearman"


def stsbenchmark(job: Job) -> Evaluation:
    import mteb
    from datasets import Dataset, DatasetDict

    data = load_rows(job.benchmark, job.dataset, job.limit)
    loader, loader_kwargs = mteb_loader(job.model_id)
    try:
        model = loader(job.model_dir, device=job.device, **loader_kwargs)
    except (ValueError, OSError, KeyError, TypeError) as exc:
        raise ModelRefused(f"model {job.model_id!r} cannot be loaded as a text encoder for mteb: "
                           f"{str(exc).splitlines()[0]}") from None
    task = mteb.get_task(TASK_NAME)
    rows = [{"sentence1": r["sentence1"], "sentence2": r["sentence2"], "score": float(r["score"])} for r in data.rows]
    task.dataset = DatasetDict({job.benchmark.dataset_split: Dataset.from_list(rows)})
    task.data_loaded = True
    result = mteb.evaluate(model, task, cache=None, show_progress_bar=False,
                           encode_kwargs={"batch_size": job.batch_size, "show_progress_bar": False})
    scores = result.task_results[0].scores[job.benchmark.dataset_split][0]
    return Evaluation(float(scores[MAIN_SCORE]) * 100.0, len(rows), {
        "library": "mteb", "library_version": mteb.__version__, "task_version": task.metadata.dataset["revision"],
        "dataset": data.source, "dataset_rows": data.total, "batch_size": job.batch_size,
        "model_prompts": loader_kwargs.get("model_prompts"), "mteb_loader": loader.__name__,
    })


def mteb_loader(model_id: str) -> tuple[Any, dict[str, Any]]:
    """mteb's loader for ``model_id`` and its arguments (the per-model prompts); the plain sentence-transformers
    wrapper for a model mteb's registry does not list."""
    import mteb
    from mteb.models.sentence_transformer_wrapper import SentenceTransformerEncoderWrapper

    try:
        meta = mteb.get_model_meta(model_id)
    except KeyError:
        return SentenceTransformerEncoderWrapper, {}
    if meta.loader is None:
        return SentenceTransformerEncoderWrapper, {}
    return meta.loader, dict(meta.loader_kwargs or {})


EVALUATORS = {"mteb_stsbenchmark": stsbenchmark}
