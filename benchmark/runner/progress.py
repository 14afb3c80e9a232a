"""Progress of a run: a live bar on a terminal, plain log lines elsewhere (CI, workers).

optimum-benchmark runs each repeat in a child process whose output goes to the run folder; the
current phase is read from the ``<phase>_codecarbon.json`` files the child writes as each
phase ends, polled by a small thread.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

LOGGER = logging.getLogger("benchmark")

# codecarbon task names optimum-benchmark's energy_star scenario uses, in order
_PHASE_FILES = ("load_dataset", "preprocess_dataset", "load_model", "prefill", "generate", "forward", "call")
_NEXT_PHASE = {
    None: "start-up + load dataset",
    "load_dataset": "preprocess",
    "preprocess_dataset": "load model + warm-up",
    "load_model": "inference",
    "prefill": "decode",
}


class Progress:
    """Plain lines: one per event, nothing that redraws."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = ""
        self.repeats = 0

    def _line(self, text: str) -> None:
        print(f"[benchmark] {text}", file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """Something the user must know about the run, said once in our words (the libraries' own
        warnings go to the run folder's ``stack.log``)."""
        self._line(f"note: {text}")

    def start(self, model: str, task: str, repeats: int) -> None:
        self.label, self.repeats = f"{model} · {task}", repeats
        self._line(f"{self.label}: {repeats} repeat(s)")

    def repeat_started(self, index: int) -> None:
        self._line(f"{self.label}: repeat {index}/{self.repeats} started")

    def phase(self, index: int, phase: str) -> None:
        self._line(f"{self.label}: repeat {index}/{self.repeats}: {phase}")

    def repeat_done(self, index: int, gpu_wh: float, total_wh: float) -> None:
        self._line(
            f"{self.label}: repeat {index}/{self.repeats} done: "
            f"GPU {gpu_wh:.6g} Wh, total {total_wh:.6g} Wh per 1,000 queries"
        )

    def close(self) -> None:
        pass


class TerminalProgress(Progress):
    """A tqdm bar over repeats whose description shows model, task, repeat and phase."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self.bar = None

    def start(self, model: str, task: str, repeats: int) -> None:
        from tqdm import tqdm

        self.label, self.repeats = f"{model} · {task}", repeats
        self.bar = tqdm(total=repeats, desc=self.label, unit="repeat", file=self.stream, leave=True)

    def _describe(self, index: int, phase: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(f"{self.label} · repeat {index}/{self.repeats} · {phase}")

    def repeat_started(self, index: int) -> None:
        self._describe(index, "starting")

    def phase(self, index: int, phase: str) -> None:
        self._describe(index, phase)

    def repeat_done(self, index: int, gpu_wh: float, total_wh: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"GPU {gpu_wh:.4g} Wh/1k")
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def console_stream() -> TextIO:
    """A handle on the terminal that stays put while a repeat's output is sent to its log file."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return sys.stderr
    return os.fdopen(os.dup(fd), "w", buffering=1)


def make_progress(stream: TextIO | None = None) -> Progress:
    stream = stream or console_stream()
    return TerminalProgress(stream) if stream.isatty() else Progress(stream)


class PhaseWatcher:
    """Calls ``on_phase(name)`` when the child process moves to a new phase."""

    def __init__(self, folder: Path, on_phase: Callable[[str], None], interval_s: float = 0.2) -> None:
        self.folder = folder
        self.on_phase = on_phase
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._last: str | None = "unset"
        self._thread = threading.Thread(target=self._run, daemon=True, name="phase-watcher")

    def __enter__(self) -> PhaseWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def poll(self) -> None:
        """Look at the folder once and report a phase change (the thread does this every interval)."""
        done = [p for p in _PHASE_FILES if (self.folder / f"{p}_codecarbon.json").exists()]
        current = done[-1] if done else None
        if current != self._last:
            if current in _NEXT_PHASE or current is None:
                self.on_phase(_NEXT_PHASE[current])
            self._last = current

    def _run(self) -> None:
        while True:
            self.poll()
            if self._stop.wait(self.interval_s):
                return
