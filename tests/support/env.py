"""Paths and the subprocess environment the tests share (the repository root, Chromium, artifacts)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("LEADERBOARD_CHROMIUM") or "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("LEADERBOARD_ARTIFACTS") or REPO_ROOT / "artifacts")


def in_ci() -> bool:
    """``CI`` set (as CI services do, ``CI=true``): browser tests must run there, never skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def browser_skip_reason() -> str | None:
    """Why the browser tests are skipped here (Chromium missing, off CI), or ``None``: they run. In CI
    a missing Chromium is a failure (``tests/conftest.py``'s ``browser`` fixture), not a skip."""
    if CHROMIUM.exists() or in_ci():
        return None
    return f"headless browser tests need Debian's chromium at {CHROMIUM}"


def tool_skip_reason(tool: str, why: str) -> str | None:
    """Why a test needing the program ``tool`` is skipped here (missing, off CI), or ``None``: it runs. In CI
    it always runs, so a missing tool fails the suite instead of skipping silently (``scripts/test.sh``
    installs each one)."""
    if shutil.which(tool) is not None or in_ci():
        return None
    return f"{why}: {tool} is missing (bash scripts/test.sh installs it)"


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: offline, the repo importable, no colour codes."""
    env = {k: v for k, v in os.environ.items() if k not in ("RESULTS_REPO", "REQUESTS_REPO", "HF_TOKEN")}
    env.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        PYTHONPATH=str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",
        # optimum-benchmark's launcher spins a core while its child runs: on a 2-core machine one
        # torch thread in the child avoids fighting it (text-to-image runs 2x faster).
        OMP_NUM_THREADS="1",
    )
    env.update(extra)
    return env


PYTHON = sys.executable


@contextmanager
def cpu_hog(workers: int = 2, seconds: float = 600.0) -> Iterator[subprocess.Popen]:
    """Every core busy (``workers`` spinning processes) for the block, at most ``seconds``."""
    hog = subprocess.Popen([PYTHON, str(REPO_ROOT / "scripts" / "cpu_hog.py"), "--workers", str(workers),
                            "--seconds", str(seconds)], stdout=subprocess.PIPE, text=True)
    try:
        assert "busy workers" in hog.stdout.readline()  # spinning before the block starts
        yield hog
    finally:
        hog.send_signal(signal.SIGTERM)
        try:
            hog.wait(timeout=30)
        except subprocess.TimeoutExpired:
            hog.kill()
            hog.wait(timeout=30)
