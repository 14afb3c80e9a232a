"""``python -m benchmark quality`` for real, on the CPU: tiny random-weight models and tiny local copies of
each benchmark's data in its own layout, scored by the field's library; then the refusals, each one line
with nothing written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from benchmark.quality.record import QualityRecord
from tests.support.env import PYTHON, REPO_ROOT, subprocess_env
from tests.support.tiny_datasets import build_quality_data


def quality(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "benchmark", "quality", "--device", "cpu", "--output", str(tmp_path / "runs"),
                           *args], cwd=REPO_ROOT, env=subprocess_env(RESULTS_DIR=str(tmp_path / "results")),
                          capture_output=True, text=True, timeout=600)


def the_record(tmp_path: Path) -> QualityRecord:
    (path,) = (tmp_path / "runs").glob("*/quality.json")
    return QualityRecord.model_validate_json(path.read_text())


CASES = [
    # task, benchmark, metric, library, extra arguments
    ("question_answering", "squad_v2", "f1_pct", "torchmetrics", ()),
    ("sentence_similarity", "mteb_stsbenchmark", "cos_sim_spearman_x100", "mteb", ()),
    ("automatic_speech_recognition", "librispeech_test_clean", "wer_pct", "jiwer", ("--max-new-tokens", "8")),
    ("object_detection", "coco_val2017", "box_ap_pct", "pycocotools", ()),
    ("reasoning", "gpqa_diamond", "accuracy_pct", "lm-evaluation-harness", ("--max-new-tokens", "16")),
]


@pytest.mark.runner
@pytest.mark.parametrize(("task", "benchmark", "metric", "library", "extra"), CASES, ids=[c[0] for c in CASES])
def test_the_command_scores_a_tiny_model_with_the_benchmark_s_library(tiny, tmp_path, task, benchmark, metric,
                                                                       library, extra):
    data = build_quality_data(task, tmp_path)
    done = quality(tmp_path, "--model", str(tiny.model(task)), "--model-id", f"tiny/{task}", "--task", task,
                   "--dataset", str(data), "--limit", "2", "--push", *extra)
    assert done.returncode == 0, done.stderr[-3000:]
    record = the_record(tmp_path)
    assert (record.model_id, record.task, record.benchmark, record.metric) == (f"tiny/{task}", task, benchmark, metric)
    assert record.provenance == "measured" and record.settings.library == library and record.settings.library_version
    assert record.settings.limit == 2 and record.settings.samples == 2 and not record.comparable  # --limit
    assert record.settings.dataset == str(data)
    # what a random-weight model scores on two examples, worked out from the metric: no answer span, box or
    # letter of a random model matches (0); two pairs are always perfectly rank-correlated, one way or the
    # other (Spearman ±100); eight random tokens normalise to no word, every reference word deleted (WER 100)
    expected = {"question_answering": {0.0}, "sentence_similarity": {100.0, -100.0},
                "automatic_speech_recognition": {100.0}, "object_detection": {0.0}, "reasoning": {0.0}}[task]
    assert record.value in expected
    published = tmp_path / "results" / "quality" / task / f"tiny--{task}" / f"{record.quality_id}.json"
    assert json.loads(published.read_text())["value"] == record.value  # --push: beside the results
    assert f"{record.value:.6g} {benchmark} {metric} on the first 2 examples (not comparable)" in done.stdout


@pytest.mark.runner
def test_the_reasoning_benchmark_keeps_its_thinking_settings(tiny, tmp_path):
    data = build_quality_data("reasoning", tmp_path)
    done = quality(tmp_path, "--model", str(tiny.model("reasoning")), "--task", "reasoning", "--dataset", str(data),
                   "--limit", "1", "--max-new-tokens", "8")
    assert done.returncode == 0, done.stderr[-3000:]
    settings = the_record(tmp_path).settings
    assert settings.reasoning is True and settings.chat_template is True and settings.num_fewshot == 0
    assert (settings.model_extra["thinking_switch"], settings.model_extra["max_new_tokens"]) == (
        "enable_thinking (Qwen3, SmolLM3)", 8)
    assert settings.task_version == "gpqa_diamond_cot_zeroshot 2.2"


def one_error_line(done: subprocess.CompletedProcess) -> str:
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert done.returncode == 1 and len(errors) == 1, done.stderr[-2000:]
    return errors[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--model", "org/m", "--task", "telepathy"),
         "error: unknown task 'telepathy': choose one of text_generation, reasoning, summarization, "
         "question_answering, text_classification, sentence_similarity, image_classification, object_detection, "
         "automatic_speech_recognition, image_to_text, text_to_image"),
        (("--model", "org/m", "--task", "text_to_image"),
         "error: task text_to_image declares no quality benchmark yet: there is nothing to measure"),
        (("--model", "org/m", "--task", "question_answering", "--limit", "0"),
         "error: --limit must be a positive number of examples, got 0"),
        (("--model", "org/m", "--task", "question_answering", "--dataset", "./nowhere/squad"),
         "error: --dataset './nowhere/squad': no such file or folder"),
        (("--model", "org/m", "--task", "text_classification", "--reasoning-effort", "high"),
         "error: --reasoning-effort applies to the reasoning task only, not text_classification"),
    ],
)
def test_bad_input_is_refused_in_one_line_before_anything_runs(tmp_path, args, message):
    done = quality(tmp_path, *args)
    assert done.stderr.strip().splitlines() == [message]
    assert not (tmp_path / "runs").exists() and not (tmp_path / "results").exists()


def test_a_benchmark_whose_library_is_missing_is_refused_naming_it(tmp_path, monkeypatch, capsys):
    import importlib.util

    from benchmark.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mteb" else real(name, *a))
    assert main(["quality", "--model", "org/m", "--task", "sentence_similarity", "--output", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: STSBenchmark (MTEB) is scored with mteb, not installed here: pip install -r requirements-quality.txt"
    )


@pytest.mark.runner
def test_data_without_the_benchmark_s_columns_or_a_model_without_its_head_is_refused_in_one_line(tiny, tmp_path):
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "validation.jsonl").write_text(json.dumps({"text": "no question here"}) + "\n")
    no_columns = quality(tmp_path, "--model", str(tiny.model("question_answering")), "--task", "question_answering",
                         "--dataset", str(wrong))
    assert one_error_line(no_columns).startswith(
        f"error: dataset '{wrong}' lacks SQuAD v2's column(s) question, context, answers")
    data = build_quality_data("question_answering", tmp_path)
    no_head = quality(tmp_path, "--model", str(tiny.model("image_classification")), "--task", "question_answering",
                      "--dataset", str(data))
    assert one_error_line(no_head).startswith("error: model ")
    assert "has no QuestionAnswering head for SQuAD v2" in one_error_line(no_head)
    assert not list((tmp_path / "runs").glob("*/quality.json")) and not (tmp_path / "results").exists()
