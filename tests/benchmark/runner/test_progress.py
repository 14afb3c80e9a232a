"""Progress of a run: phases read from the files optimum-benchmark's child writes, shown as plain
lines off a terminal."""

from __future__ import annotations

import io
import time

from benchmark.runner.progress import PhaseWatcher, Progress, TerminalProgress, make_progress


def test_the_phase_watcher_follows_the_files_the_child_writes(tmp_path):
    seen: list[str] = []
    with PhaseWatcher(tmp_path, seen.append, interval_s=0.01):
        for name in ("load_dataset", "preprocess_dataset", "load_model", "prefill"):
            time.sleep(0.1)
            (tmp_path / f"{name}_codecarbon.json").write_text("{}")
        time.sleep(0.1)
    assert seen == ["start-up + load dataset", "preprocess", "load model + warm-up", "inference", "decode"]


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
