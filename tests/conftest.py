"""Shared fixtures: no test reaches the network; tiny assets are built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.env import CHROMIUM, in_ci

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
        from tests.support.tiny_assets import build_model

        if task not in self._models:
            self._models[task] = build_model(task, self.root)
        return self._models[task]

    def dataset(self, task: str) -> Path:
        from tests.support.tiny_datasets import build_dataset

        if task not in self._datasets:
            self._datasets[task] = build_dataset(task, self.root)
        return self._datasets[task]


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> TinyAssets:
    return TinyAssets(tmp_path_factory.mktemp("tiny"))


# Headless Chromium for the browser tests. A module using ``page`` defines ``app_url``.


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():  # only reached in CI (elsewhere the browser modules skip)
        pytest.fail(f"CI is set but Chromium is missing at {CHROMIUM}: the browser tests must run in CI")
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


# Real optimum-benchmark runs (``runner``) drive a spawned child, codecarbon and the tiny models on a
# shared 2-core machine. One of them failed once in about seven whole-suite runs on 2026-12-01 and
# passed in every run after, standalone and under load. Such a test runs once more after a failure:
# a broken runner fails twice and still fails the suite, and the first failure's traceback is printed
# at the end (below), so a flake is seen and can be chased, not hidden.
RUNNER_RERUNS = 1
_first_failures: list[tuple[str, str]] = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("runner") and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=RUNNER_RERUNS))


_non_runner_reruns: list[str] = []


def pytest_runtest_logreport(report):
    if report.outcome == "rerun":
        _first_failures.append((report.nodeid, report.longreprtext))
        if "runner" not in report.keywords:  # only real runs may try twice: any other flake is a failure
            _non_runner_reruns.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _non_runner_reruns and in_ci() and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    for nodeid, text in _first_failures:
        terminalreporter.section(f"first failure of {nodeid} (then run again)")
        terminalreporter.write_line(text[-6000:])
    # said every time, so a suite that passed only on second tries cannot look clean
    terminalreporter.write_line(f"runner tests run again after a failure: {len(_first_failures)}"
                                + (f" ({', '.join(n for n, _ in _first_failures)})" if _first_failures else ""))
    if _non_runner_reruns:
        terminalreporter.write_line(f"tests other than runner tests that needed a second try: "
                                    f"{', '.join(_non_runner_reruns)}" + (" (a failure in CI)" if in_ci() else ""))
