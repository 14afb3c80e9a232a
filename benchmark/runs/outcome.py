"""What a run ends with, whichever way it measured (optimum-benchmark or a serving engine): its result, or
``BenchmarkError`` with one line for the user and the run folder that holds the details."""

from __future__ import annotations

import contextlib
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.hub_client import redact, redact_file
from benchmark.record import ResultRecord, utc_now
from benchmark.runs import quiet
from benchmark.runs.files import ERROR_FILE, RECORD_FILE


class BenchmarkError(RuntimeError):
    """A run could not be made; ``str()`` is one line for the user (token redacted), ``run_dir`` holds
    the details."""

    def __init__(self, message: str, run_dir: Path | None = None) -> None:
        super().__init__(redact(message))
        self.run_dir = run_dir


@dataclass(frozen=True)
class RunResult:
    record: ResultRecord
    run_dir: Path


def new_run_id() -> str:
    return f"{utc_now():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def new_run_dir(output_dir: Path, run_id: str | None) -> tuple[str, Path]:
    """A fresh run folder: ``run_id`` (a queued attempt's) or a new id; a stopped try of the same attempt
    keeps its folder and the new try gets a suffix."""
    chosen = run_id or new_run_id()
    if run_id and (Path(output_dir).absolute() / chosen).exists():
        chosen = f"{run_id}-{uuid.uuid4().hex[:4]}"
    run_dir = Path(output_dir).absolute() / chosen
    run_dir.mkdir(parents=True)
    return chosen, run_dir


def redact_run_folder(run_dir: Path) -> None:
    """Scrub the token from every file of the run folder — ours (error.log, reports) and what
    optimum-benchmark and the libraries it runs wrote there (logs, configs) — before anyone reads or
    publishes them."""
    for path in sorted(run_dir.rglob("*")):
        if path.is_file() and not path.is_symlink():
            redact_file(path)


def keep_traceback(run_dir: Path, exc: BaseException) -> None:
    text = "".join(traceback.format_exception(exc))
    cause = exc.__cause__
    if cause is not None and str(cause) and "Traceback" in str(cause):
        text += "\n--- traceback from optimum-benchmark's process ---\n" + str(cause)
    (run_dir / ERROR_FILE).write_text(redact(text))


@contextlib.contextmanager
def failures_in_one_line(
    run_dir: Path, progress: Any, refusals: tuple[type[BaseException], ...] = ()
) -> Iterator[None]:
    """The body of a run in its folder (the stack's output to its ``stack.log``): any failure becomes a
    ``BenchmarkError`` of one line naming the folder — ``refusals`` with their own message, anything else as
    "the run failed: …" — its traceback kept in the folder; the progress closed and the folder redacted
    whatever happens."""
    try:
        with quiet.into_run_folder(run_dir):
            yield
    except BenchmarkError as exc:
        keep_traceback(run_dir, exc)
        exc.run_dir = run_dir
        raise
    except refusals as exc:
        keep_traceback(run_dir, exc)
        raise BenchmarkError(str(exc), run_dir) from exc
    except Exception as exc:  # noqa: BLE001 - anything else is reported in one line, kept in full
        keep_traceback(run_dir, exc)
        raise BenchmarkError(f"the run failed: {type(exc).__name__}: {exc}".splitlines()[0], run_dir) from exc
    finally:
        progress.close()
        redact_run_folder(run_dir)


def finish(run_dir: Path, record: ResultRecord) -> RunResult:
    """Write the run's record into its folder (token redacted)."""
    (run_dir / RECORD_FILE).write_text(redact(record.to_json()))
    return RunResult(record=record, run_dir=run_dir)
