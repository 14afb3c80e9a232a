"""Real optimum-benchmark runs through the runner's CLI, for every task of the registry, on tiny
random models and tiny local datasets, on the CPU."""

from __future__ import annotations

import json
import subprocess

import pytest

from benchmark.configuration import reference_dtype
from benchmark.record import ResultRecord
from benchmark.store import LocalStore
from benchmark.tasks import TASK_KEYS, get_task
from tests.support.env import PYTHON, subprocess_env
from tests.support.tiny_reasoning import REASONING_TEST_CAP

pytestmark = pytest.mark.runner

NUM_SAMPLES = 2
REQUIRED = (
    "run_id", "model_id", "model_revision", "task", "created_at", "hardware", "software", "settings",
    "phases", "gpu_wh_per_1k_queries", "total_wh_per_1k_queries", "repeats", "gpu_wh_per_1k_queries_std", "params",
)
# Written down here, not read from the registry or the runner: the parameters each tiny model holds
# (the shapes in its safetensors files; text_to_image counts its denoiser, the UNet) and the
# optimum-benchmark targets each task's score is made of, besides dataset preprocessing.
PARAMS = {
    "text_generation": 37792, "reasoning": 37792, "summarization": 52793, "question_answering": 22124,
    "text_classification": 23180, "sentence_similarity": 23114, "image_classification": 20460,
    "object_detection": 25873, "automatic_speech_recognition": 60660, "image_to_text": 52250, "text_to_image": 12584,
}
GENERATION = ("prefill", "decode")
INFERENCE_PHASES = {
    "text_generation": GENERATION, "reasoning": GENERATION, "summarization": GENERATION,
    "question_answering": ("forward",), "text_classification": ("forward",), "sentence_similarity": ("forward",),
    "image_classification": ("forward",), "object_detection": ("forward",),
    "automatic_speech_recognition": GENERATION, "image_to_text": GENERATION, "text_to_image": ("call",),
}
# a task's own run options here: the tiny chat LM's context (128 positions) needs a small cap
TASK_ARGS = {"reasoning": ("--max-new-tokens", str(REASONING_TEST_CAP))}


def run_cli(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "benchmark", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def scaled(kwh: float, n: int) -> float:
    return kwh * 1000 * 1000 / n


@pytest.mark.parametrize("task", TASK_KEYS)
def test_a_real_run_publishes_a_record_whose_score_is_the_measured_phases_per_1k_queries(task, tiny, tmp_path):
    repeats = 2 if task == "text_classification" else 1
    results = tmp_path / "results"
    proc = run_cli(
        "run", "--model", str(tiny.model(task)), "--task", task, "--dataset", str(tiny.dataset(task)),
        "--num-samples", str(NUM_SAMPLES), "--repeats", str(repeats), "--device", "cpu",
        "--warmup-runs", "1", "--output", str(tmp_path / "runs"), "--push", *TASK_ARGS.get(task, ()),
        env=subprocess_env(RESULTS_DIR=str(results)),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # not a terminal: plain progress lines, one per event
    assert f"repeat {repeats}/{repeats} done: GPU 0 Wh, total" in proc.stderr

    store = LocalStore(results)
    paths = [p for p in store.list("records/") if p.endswith(".json") and ".reports/" not in p]
    assert len(paths) == 1 and paths[0].startswith(f"records/{task}/")
    raw = json.loads(store.read(paths[0]))
    for name in REQUIRED:
        assert name in raw, name
    record = ResultRecord.model_validate(raw)
    spec = get_task(task)

    assert record.task == task and record.hardware.device == "cpu" and record.hardware.cpu_model
    assert record.software.optimum_benchmark == "0.6.0" and record.software.torch and record.software.codecarbon
    assert record.settings.num_samples == NUM_SAMPLES and record.settings.batch_size == 1
    assert record.settings.dtype == reference_dtype(spec, "cpu")  # float16 falls back to float32 on a CPU
    assert record.settings.dtype_requested == spec.dtype
    assert record.params == PARAMS[task]
    assert set(record.phases) == {"preprocess", *INFERENCE_PHASES[task]}
    assert len(record.repeats) == repeats

    for repeat in record.repeats:
        # the raw optimum-benchmark report sits beside the record in the store
        report = json.loads(store.read(paths[0].rsplit("/", 1)[0] + "/" + repeat.report_file))
        targets = ["preprocess_dataset", *INFERENCE_PHASES[task]]
        gpu_kwh = sum(report[t]["energy"]["gpu"] for t in targets)
        total_kwh = sum(report[t]["energy"]["cpu"] + report[t]["energy"]["gpu"] + report[t]["energy"]["ram"]
                        for t in targets)
        assert total_kwh > 0
        assert repeat.gpu_wh_per_1k_queries == pytest.approx(scaled(gpu_kwh, NUM_SAMPLES), rel=1e-9, abs=1e-15)
        assert repeat.total_wh_per_1k_queries == pytest.approx(scaled(total_kwh, NUM_SAMPLES), rel=1e-9)
        assert all(p.cpu_kwh > 0 and p.ram_kwh > 0 for p in repeat.phases.values())
        assert all(p.latency_s and p.latency_s > 0 for p in repeat.phases.values())

    mean_total = sum(r.total_wh_per_1k_queries for r in record.repeats) / repeats
    assert record.total_wh_per_1k_queries == pytest.approx(mean_total, rel=1e-9)
    assert record.total_wh_per_1k_queries > 0
    assert record.gpu_wh_per_1k_queries == 0.0  # no GPU here: nothing measured, nothing invented
    if repeats > 1:
        totals = [r.total_wh_per_1k_queries for r in record.repeats]
        assert totals[0] != totals[1] and record.total_wh_per_1k_queries_std > 0
    # the inference phases' latency (mean over the repeats) per query; preprocessing is not a query's
    inference_s = sum(sum(r.phases[name].latency_s for r in record.repeats) / repeats
                      for name in INFERENCE_PHASES[task])
    assert record.latency_s_per_query == pytest.approx(inference_s / NUM_SAMPLES, rel=1e-9)

    if "decode" in INFERENCE_PHASES[task]:  # every generation task: energy per 1,000 output tokens
        counted = record.output_tokens
        # fixed-length tasks generate exactly new_tokens per query; reasoning counts its answers
        per_query = counted.per_query_mean if counted else record.settings.new_tokens
        assert (counted is not None) == (task == "reasoning")
        assert record.total_wh_per_1k_output_tokens == pytest.approx(record.total_wh_per_1k_queries / per_query)
        assert record.gpu_wh_per_1k_output_tokens == 0.0
    else:
        assert record.gpu_wh_per_1k_output_tokens is None and record.output_tokens is None
