"""STSBenchmark, run by mteb: the model wrapped as a sentence-transformers encoder, mteb's own STS
evaluation on the test split, its main score (cosine Spearman) ×100. Offline, the split comes from the
local copy (``test.jsonl`` rows of ``sentence1``, ``sentence2``, ``score``) and is handed to mteb's task
in place of its Hub download."""

from __future__ import annotations

from benchmark.runner.quality.data import load_rows
from benchmark.runner.quality.pipelines import Evaluation, Job, ModelRefused

TASK_NAME = "STSBenchmark"
MAIN_SCORE = "cosine_spearman"


def stsbenchmark(job: Job) -> Evaluation:
    import mteb
    from datasets import Dataset, DatasetDict
    from sentence_transformers import SentenceTransformer

    data = load_rows(job.benchmark, job.dataset, job.limit)
    try:
        model = SentenceTransformer(job.model_dir, device=job.device)
    except (ValueError, OSError, KeyError) as exc:
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
    })


EVALUATORS = {"mteb_stsbenchmark": stsbenchmark}
