"""A refusal is one line on stderr, whatever the command loaded before refusing: the real commands
(``run``, ``push``, ``enqueue``, ``release``, ``quality``, ``submit-run``, ``reproduce``) on bad input print
at most two lines there, never a library's warning; the stack's own noise (torchao, triton, torch,
transformers) is kept in the run folder's ``stack.log``. A run's terminal shows our progress lines only."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.env import PYTHON, subprocess_env
from tests.support.leaderboard_fixtures import CPU
from tests.support.models_fixtures import runner_record

LIBRARY_NOISE = ("torchao", "triton", "pytree", "torchvision", "codecarbon", "optimum", "Generating train split")


def bad_columns(tmp_path: Path) -> Path:
    folder = tmp_path / "bad-columns"
    folder.mkdir()
    (folder / "data.jsonl").write_text("".join(json.dumps({"wrong": f"row {i}"}) + "\n" for i in range(4)))
    return folder


def benchmark(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "benchmark", *args], capture_output=True, text=True, timeout=300,
                          env=subprocess_env(RESULTS_DIR=str(tmp_path / "results"),
                                             REQUESTS_DIR=str(tmp_path / "requests")))


def assert_one_refusal(proc: subprocess.CompletedProcess, expected: str) -> list[str]:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) <= 2, proc.stderr
    assert lines[-1].startswith("error: ") and expected in lines[-1], lines[-1]
    assert not [noise for noise in LIBRARY_NOISE if noise in proc.stderr], proc.stderr
    return lines


@pytest.mark.runner  # imports the whole stack (torch, transformers, optimum-benchmark) before it refuses
def test_run_on_a_dataset_without_the_tasks_columns_says_so_in_one_line_and_keeps_the_noise_in_the_folder(
    tiny, tmp_path
):
    proc = benchmark(tmp_path, "run", "--model", str(tiny.model("text_classification")), "--task",
                     "text_classification", "--dataset", str(bad_columns(tmp_path)), "--num-samples", "2",
                     "--device", "cpu", "--output", str(tmp_path / "runs"))
    [line] = assert_one_refusal(proc, "lacks the column(s) text that task text_classification reads (it has: wrong)")
    [run_dir] = (tmp_path / "runs").iterdir()
    assert line.endswith(f"(details in {run_dir})")
    kept = (run_dir / "stack.log").read_text()
    assert "torchao" in kept  # what the terminal was spared: torchao's missing kernels, kept for whoever needs it
    assert proc.stdout == ""


@pytest.mark.runner
def test_quality_and_reproduce_refuse_a_dataset_without_its_columns_in_at_most_two_lines(tiny, tmp_path):
    data = bad_columns(tmp_path)
    quality = benchmark(tmp_path, "quality", "--model", str(tiny.model("text_classification")), "--task",
                        "text_classification", "--dataset", str(data), "--limit", "2", "--device", "cpu",
                        "--output", str(tmp_path / "quality"))
    first, _ = assert_one_refusal(quality, f"dataset '{data}' lacks SST-2's column(s) sentence, label")
    assert first.startswith("[quality] ") and first.endswith("stack.log)")  # where the libraries' output went

    record = tmp_path / "record.json"
    record.write_text(runner_record("org/m", "text_classification", 0.2, 0.004, params=1, hardware=CPU).to_json())
    reproduce = benchmark(tmp_path, "reproduce", str(record), "--model", str(tiny.model("text_classification")),
                          "--dataset", str(data), "--device", "cpu", "--output", str(tmp_path / "again"))
    assert_one_refusal(reproduce, "lacks the column(s) text that task text_classification reads (it has: wrong)")


@pytest.mark.parametrize(("args", "expected"), [
    (("push", "{tmp}/no-run"), "cannot publish {tmp}/no-run: {tmp}/no-run holds no record.json"),
    (("enqueue", "--model", "bad!id", "--task", "text_classification"), "The model id needs its owner"),
    (("release", "cut", "../x"), "invalid release name '../x'"),
    (("submit-run", "{tmp}/no-run", "--attest"), "{tmp}/no-run is not a run folder or a zip of one"),
    (("reproduce", "no-such-run"), "no run 'no-such-run' in local folder results"),
    (("quality", "--model", "org/m", "--task", "text_classification", "--limit", "0"), "--limit"),
])
def test_every_other_refusal_is_one_line(tmp_path, args, expected):
    proc = benchmark(tmp_path, *(a.format(tmp=tmp_path) for a in args))
    assert len(assert_one_refusal(proc, expected.format(tmp=tmp_path))) == 1


@pytest.mark.runner
def test_a_runs_terminal_shows_our_progress_lines_and_the_cpu_fallback_said_once(tiny, tmp_path):
    proc = benchmark(tmp_path, "run", "--model", str(tiny.model("text_classification")), "--task",
                     "text_classification", "--dataset", str(tiny.dataset("text_classification")), "--num-samples",
                     "2", "--repeats", "1", "--output", str(tmp_path / "runs"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert [line for line in lines if not line.startswith("[benchmark] ")] == []
    assert lines[0] == ("[benchmark] note: no NVIDIA GPU found: measuring on the CPU (its energy is codecarbon's "
                        "estimate, and a CPU run is shown but never rated)")
    assert sum("note:" in line for line in lines) == 1
    done = "[benchmark] models/text_classification · text_classification: repeat 1/1 done: GPU 0 Wh"
    assert lines[-1].startswith(done)
