"""Bad input gets one clear line on stderr, a non-zero exit, no record, and (once it ran) a traceback kept.

The refusals run ``main`` in this process; one test runs the real command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.cli import main
from tests.support.env import PYTHON, subprocess_env


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "benchmark", "run", *args, "--device", "cpu", "--warmup-runs", "1",
         "--output", str(tmp_path / "runs"), "--push"],
        env=subprocess_env(RESULTS_DIR=str(tmp_path / "results")),
        capture_output=True, text=True, timeout=300,
    )


def run_in_process(capsys, monkeypatch, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``run_cli`` as ``main`` in this process (no interpreter to start, the runner imported once)."""
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # as subprocess_env: one torch thread in the child
    argv = ["run", *args, "--device", "cpu", "--warmup-runs", "1", "--output", str(tmp_path / "runs"), "--push"]
    code = main(argv)
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(argv, code, captured.out, captured.err)


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


def assert_refused(proc: subprocess.CompletedProcess, tmp_path: Path, *needles: str) -> str:
    assert proc.returncode != 0
    errors = error_lines(proc)
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    assert not list(tmp_path.glob("runs/*/record.json")), "a failed run wrote a record"
    assert not list(tmp_path.glob("results/records/**/*.json")), "a failed run published a record"
    return errors[0]


def assert_traceback_kept(tmp_path: Path) -> str:
    logs = list(tmp_path.glob("runs/*/error.log"))
    assert len(logs) == 1
    text = logs[0].read_text()
    assert "Traceback" in text
    return text


def test_the_real_command_refuses_bad_input_with_one_line_a_non_zero_exit_and_no_record(tmp_path):
    proc = run_cli(tmp_path, "--model", "org/model", "--task", "text_classification", "--num-samples", "0")
    assert_refused(proc, tmp_path, "--num-samples", "got 0")
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--task", "translation"], ["unknown task 'translation'", "text_generation"]),
        (["--task", "text_classification", "--num-samples", "0"], ["--num-samples", "got 0"]),
        (["--task", "text_classification", "--num-samples", "-3"], ["--num-samples", "got -3"]),
        (["--task", "text_classification", "--repeats", "0"], ["--repeats must be from 1 to 20", "got 0"]),
        (["--task", "text_classification", "--repeats", "21"], ["--repeats must be from 1 to 20", "got 21"]),
        (["--task", "text_classification", "--gpus", "-1"], ["GPU indices must be 0 or more"]),
        (["--task", "text_to_image", "--zero-shot"], ["--zero-shot"]),
        (["--task", "text_classification", "--reasoning-effort", "high"],
         ["--reasoning-effort applies to the reasoning task only, not text_classification"]),
        (["--task", "reasoning", "--reasoning-effort", "extreme"], ["--reasoning-effort: unknown level 'extreme'"]),
        (["--task", "reasoning", "--max-new-tokens", "0"], ["--max-new-tokens must be a positive number", "got 0"]),
    ],
    ids=["unknown-task", "zero-samples", "negative-samples", "zero-repeats", "too-many-repeats", "negative-gpu",
         "option-not-admitted", "effort-off-reasoning", "unknown-effort", "zero-cap"],
)
def test_invalid_arguments_are_refused_before_the_runner_is_imported(args, needles, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "benchmark.runner.run", None)  # importing it now would raise ImportError
    proc = run_in_process(capsys, monkeypatch, tmp_path, "--model", "org/model", *args)
    assert_refused(proc, tmp_path, *needles)
    assert not (tmp_path / "runs").exists()


def test_a_model_folder_that_does_not_exist_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "benchmark.runner.run", None)
    proc = run_in_process(capsys, monkeypatch, tmp_path, "--model", str(tmp_path / "no-such-model"),
                          "--task", "text_classification")
    assert_refused(proc, tmp_path, "no-such-model", "cannot be loaded", "no such folder")
    assert not (tmp_path / "runs").exists()


def test_a_model_of_the_wrong_kind_for_the_task_is_refused(tiny, tmp_path, capsys, monkeypatch):
    vit = tiny.model("image_classification")
    proc = run_in_process(capsys, monkeypatch, tmp_path, "--model", str(vit), "--task", "text_generation",
                          "--dataset", str(tiny.dataset("text_generation")))
    assert_refused(proc, tmp_path, "cannot be loaded for task text_generation", "ViTConfig")
    assert_traceback_kept(tmp_path)


def test_a_transformers_model_for_the_diffusion_task_is_refused(tiny, tmp_path, capsys, monkeypatch):
    proc = run_in_process(capsys, monkeypatch, tmp_path, "--model", str(tiny.model("text_classification")),
                          "--task", "text_to_image", "--dataset", str(tiny.dataset("text_to_image")))
    assert_refused(proc, tmp_path, "cannot be loaded for task text_to_image", "model_index.json")


def test_a_dataset_missing_the_tasks_columns_is_refused(tiny, tmp_path, capsys, monkeypatch):
    proc = run_in_process(capsys, monkeypatch, tmp_path, "--model", str(tiny.model("question_answering")),
                          "--task", "question_answering", "--dataset", str(tiny.dataset("text_classification")))
    assert_refused(proc, tmp_path, "lacks the column(s) question, context", "question_answering")
    assert_traceback_kept(tmp_path)


def test_asking_for_more_samples_than_the_dataset_has_is_refused(tiny, tmp_path, capsys, monkeypatch):
    proc = run_in_process(capsys, monkeypatch, tmp_path, "--model", str(tiny.model("text_classification")),
                          "--task", "text_classification",
                          "--dataset", str(tiny.dataset("text_classification")), "--num-samples", "50")
    assert_refused(proc, tmp_path, "usable rows", "fewer than the 50 samples")


def test_a_run_that_fails_inside_optimum_benchmark_is_reported_in_one_line_with_its_traceback(
    tiny, tmp_path, capsys, monkeypatch
):
    # Numbers where text should be: the columns exist, but tokenisation fails in the child process.
    data = tmp_path / "numbers"
    data.mkdir()
    (data / "data.jsonl").write_text("\n".join(json.dumps({"text": [1.5, 2.5]}) for _ in range(4)) + "\n")
    proc = run_in_process(capsys, monkeypatch, tmp_path, "--model", str(tiny.model("text_classification")),
                          "--task", "text_classification", "--dataset", str(data), "--num-samples", "2",
                          "--repeats", "1")
    message = assert_refused(proc, tmp_path, "failed inside optimum-benchmark")
    assert "Traceback" not in message
    text = assert_traceback_kept(tmp_path)
    assert "traceback from optimum-benchmark's process" in text


CHILD_CANNOT_START = """\
import sys
if __name__ == "__mp_main__":  # optimum-benchmark's spawned child imports this file first: it dies here
    raise SystemExit(3)
from benchmark.cli import main
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.runner
def test_a_child_process_that_dies_before_it_answers_fails_the_run_instead_of_hanging(tiny, tmp_path):
    """optimum-benchmark 0.6.0's launcher waited for ever on a child that died before its first answer
    (it kept the child's end of their pipe open); the run now fails in one line."""
    script = tmp_path / "launch.py"
    script.write_text(CHILD_CANNOT_START)
    proc = subprocess.run(
        [PYTHON, str(script), "run", "--model", str(tiny.model("text_classification")), "--task",
         "text_classification", "--dataset", str(tiny.dataset("text_classification")), "--num-samples", "2",
         "--repeats", "1", "--device", "cpu", "--output", str(tmp_path / "runs")],
        env=subprocess_env(), capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 1
    assert error_lines(proc) == [
        "error: optimum-benchmark's child process exited before it answered (killed, or it could not start: its "
        f"traceback is in benchmark.log) (details in {next((tmp_path / 'runs').iterdir())})"]


def test_a_model_whose_weights_are_corrupt_fails_to_load_in_the_run(tiny, tmp_path, capsys, monkeypatch):
    broken = tmp_path / "broken"
    shutil.copytree(tiny.model("text_classification"), broken)
    (broken / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{bad json")
    proc = run_in_process(capsys, monkeypatch, tmp_path, "--model", str(broken),
                          "--task", "text_classification",
                          "--dataset", str(tiny.dataset("text_classification")), "--num-samples", "2",
                          "--repeats", "1")
    assert_refused(proc, tmp_path, "cannot be loaded for task text_classification")
    assert_traceback_kept(tmp_path)


SECRET = "hf_PlantedSecretToken0123456789"


def test_every_file_of_a_failing_run_and_its_message_are_token_redacted(tmp_path, monkeypatch):
    """A token planted in what the run (and the libraries under it) write: none of it survives."""
    import benchmark.runner.run as run

    monkeypatch.setenv("HF_TOKEN", SECRET)
    planted = "/home/worker/.cache/huggingface/hub/models--org--a/snapshots/abc"

    def failing_measure(spec, task, run_id, run_dir, progress):
        (run_dir / "repeat-1").mkdir()
        (run_dir / "repeat-1" / "benchmark.log").write_text(f"loading {planted} with token={SECRET}\n")
        (run_dir / "repeat-1" / "benchmark_config.json").write_text(json.dumps({"token": SECRET}))
        os.write(2, f"a library warns with token={SECRET}\n".encode())  # the stack's output: stack.log
        raise OSError(f"{planted}/config.json unreadable (Authorization: Bearer {SECRET})")

    monkeypatch.setattr(run, "_measure", failing_measure)
    with pytest.raises(run.BenchmarkError) as failed:
        run.run_benchmark(run.RunSpec(model="org/a", task="text_classification", output_dir=tmp_path / "runs"))

    assert str(failed.value) == f"the run failed: OSError: {planted}/config.json unreadable (Authorization: Bearer ***)"
    files = {p.relative_to(failed.value.run_dir).as_posix(): p.read_text() for p in failed.value.run_dir.rglob("*")
             if p.is_file()}
    assert sorted(files) == ["error.log", "repeat-1/benchmark.log", "repeat-1/benchmark_config.json", "stack.log"]
    assert files["stack.log"].endswith("a library warns with token=***\n")
    assert all(SECRET not in text for text in files.values())
    assert "Bearer ***" in files["error.log"] and "Traceback" in files["error.log"]
    assert files["repeat-1/benchmark.log"] == f"loading {planted} with token=***\n"
