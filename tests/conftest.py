"""Shared fixtures: no test reaches the network; tiny assets are built once per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("LEADERBOARD_ARTIFACTS") or REPO_ROOT / "artifacts")

# The Hub cannot be reached here or in CI: fail fast instead of waiting on timeouts.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


class TinyAssets:
    """Tiny random models and datasets per task, built on first use and reused."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._models: dict[str, Path] = {}
        self._datasets: dict[str, Path] = {}

    def model(self, task: str) -> Path:
        from tests.tiny_assets import build_model

        if task not in self._models:
            self._models[task] = build_model(task, self.root)
        return self._models[task]

    def dataset(self, task: str) -> Path:
        from tests.tiny_assets import build_dataset

        if task not in self._datasets:
            self._datasets[task] = build_dataset(task, self.root)
        return self._datasets[task]


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> TinyAssets:
    return TinyAssets(tmp_path_factory.mktemp("tiny"))


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


# Headless Chromium for the browser tests. A module using ``page`` defines ``app_url``.


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    page.goto(app_url)
    yield page
    page.close()
