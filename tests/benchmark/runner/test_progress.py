"""Progress of a run: phases read from the files optimum-benchmark's child writes, shown as plain
lines off a terminal."""

from __future__ import annotations

import io
import threading

from benchmark.runner.progress import PhaseWatcher, Progress, TerminalProgress, make_progress

PHASE_FILES = ("load_dataset", "preprocess_dataset", "load_model", "prefill")
PHASES = ["start-up + load dataset", "preprocess", "load model + warm-up", "inference", "decode"]


def test_the_phase_watcher_follows_the_files_the_child_writes(tmp_path):
    seen: list[str] = []
    watcher = PhaseWatcher(tmp_path, seen.append)  # polled by hand: no thread, no timing
    watcher.poll()
    for name in PHASE_FILES:
        (tmp_path / f"{name}_codecarbon.json").write_text("{}")
        watcher.poll()
        watcher.poll()  # nothing new: reported once
    assert seen == PHASES


def test_the_running_phase_watcher_reports_each_phase_from_its_thread(tmp_path):
    seen: list[str] = []
    reached = {phase: threading.Event() for phase in PHASES}

    def on_phase(phase: str) -> None:
        seen.append(phase)
        reached[phase].set()

    with PhaseWatcher(tmp_path, on_phase, interval_s=0.01):
        assert reached[PHASES[0]].wait(10)
        for name, phase in zip(PHASE_FILES, PHASES[1:], strict=True):
            (tmp_path / f"{name}_codecarbon.json").write_text("{}")
            assert reached[phase].wait(10), phase
    assert seen == PHASES


def test_off_a_terminal_progress_is_plain_lines_naming_model_task_repeat_and_phase():
    stream = io.StringIO()
    progress = make_progress(stream)
    assert type(progress) is Progress
    progress.start("org/model", "text_classification", 3)
    progress.repeat_started(2)
    progress.phase(2, "inference")
    progress.repeat_done(2, 1.5, 2.25)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "[benchmark] org/model · text_classification: 3 repeat(s)",
        "[benchmark] org/model · text_classification: repeat 2/3 started",
        "[benchmark] org/model · text_classification: repeat 2/3: inference",
        "[benchmark] org/model · text_classification: repeat 2/3 done: GPU 1.5 Wh, total 2.25 Wh per 1,000 queries",
    ]


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_progress_is_one_bar_whose_description_shows_the_phase():
    stream = FakeTty()
    progress = make_progress(stream)
    assert isinstance(progress, TerminalProgress)
    progress.start("org/model", "summarization", 2)
    progress.phase(1, "decode")
    progress.repeat_done(1, 0.5, 0.75)
    progress.close()
    shown = stream.getvalue()
    assert "org/model · summarization · repeat 1/2 · decode" in shown and "1/2" in shown
