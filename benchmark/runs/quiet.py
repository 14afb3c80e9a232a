"""The runner's stack talks to the run folder, not to the terminal.

Importing torch, torchao, transformers, optimum-benchmark and codecarbon prints a dozen lines nobody
asked for (torchao's missing compiled kernels, "no triton", torch's pytree deprecations, transformers'
torchvision fallbacks), and loading a dataset draws progress bars: from Python's ``warnings``, from
``logging`` handlers each library installs, from plain prints and from C code. Only the file descriptors
catch them all, so while the stack is imported or prepares a run (``stack_output()``) descriptors 1 and
2 are pointed at a file; the runner then moves what was caught into the run folder's ``stack.log``
(``into_run_folder``). What the user must know is said once, in our words, on the terminal handle the
progress keeps (``benchmark.runner.progress.console_stream``): a refusal is one line.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

STACK_LOG = "stack.log"

_lock = threading.Lock()
_caught: Path | None = None  # what imports said before a run folder existed


def _buffer() -> Path:
    global _caught
    if _caught is None:
        handle, name = tempfile.mkstemp(prefix="benchmark-stack-", suffix=".log")
        os.close(handle)
        _caught = Path(name)
        atexit.register(_caught.unlink, missing_ok=True)
    return _caught


@contextlib.contextmanager
def stack_output(into: Path | None = None) -> Iterator[None]:
    """Send this process's stdout and stderr (and its children's) to ``into`` — by default a buffer that
    ``into_run_folder`` empties into the run folder — for the time of the block."""
    target = Path(into) if into is not None else _buffer()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        saved = (os.dup(1), os.dup(2))
    except OSError:  # no descriptors to point elsewhere (an embedded interpreter): say nothing more
        yield
        return
    with open(target, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _move_into(path: Path) -> None:
    """Append what was caught before the run folder existed to ``path`` and forget it."""
    with _lock:
        if _caught is None or not _caught.exists() or not _caught.stat().st_size:
            return
        with open(path, "ab") as log:
            log.write(_caught.read_bytes())
        _caught.write_bytes(b"")


@contextlib.contextmanager
def into_run_folder(run_dir: Path) -> Iterator[None]:
    """The run folder's ``stack.log`` gets what was caught so far, then the stack's output for the block."""
    log = Path(run_dir) / STACK_LOG
    _move_into(log)
    with stack_output(log):
        yield
