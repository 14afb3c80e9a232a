"""In CI the browser tests run or fail: a missing Chromium there is a failure, never a silent skip."""

from __future__ import annotations

import subprocess

from tests.support.env import PYTHON, REPO_ROOT, subprocess_env

ONE_BROWSER_TEST = "tests/leaderboard/tabs/test_browser.py::test_a_task_without_results_says_how_to_submit"


def _pytest_without_chromium(tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", ONE_BROWSER_TEST],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env=subprocess_env(LEADERBOARD_CHROMIUM=str(tmp_path / "no-chromium"), GRADIO_ANALYTICS_ENABLED="False",
                           **env),
    )


def test_without_chromium_the_browser_tests_fail_in_ci(tmp_path):
    proc = _pytest_without_chromium(tmp_path, CI="true")
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "1 error" in proc.stdout and "the browser tests must run in CI" in proc.stdout


def test_without_chromium_the_browser_tests_skip_off_ci(tmp_path):
    proc = _pytest_without_chromium(tmp_path, CI="")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "1 skipped" in proc.stdout
