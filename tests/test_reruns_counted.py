"""Flakes are counted: only a real run (``runner``) may try twice, and in CI any other test that needed a
second try fails the run even though it passed then."""

from __future__ import annotations

import subprocess

from tests.support.env import PYTHON, REPO_ROOT, subprocess_env

FLAKY_ONCE = '''
import pathlib, pytest

@pytest.mark.flaky(reruns=1)
def test_passes_on_its_second_try(tmp_path_factory):
    marker = pathlib.Path(__file__).with_suffix(".tried")
    if not marker.exists():
        marker.write_text("once")
        raise AssertionError("first try")
'''


def _run(tmp_path, ci: str) -> subprocess.CompletedProcess:
    test = tmp_path / "test_flaky_once.py"
    test.write_text(FLAKY_ONCE)
    (tmp_path / "test_flaky_once.tried").unlink(missing_ok=True)
    return subprocess.run([PYTHON, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), str(test)], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120, env=subprocess_env(CI=ci))


def test_a_test_other_than_a_runner_test_that_needs_a_second_try_fails_ci(tmp_path):
    in_ci = _run(tmp_path, "true")
    assert in_ci.returncode == 1, in_ci.stdout
    assert "tests other than runner tests that needed a second try: " in in_ci.stdout
    assert "1 passed, 1 rerun" in in_ci.stdout
    elsewhere = _run(tmp_path, "")
    assert elsewhere.returncode == 0, elsewhere.stdout  # said, not failed, off CI
    assert "tests other than runner tests that needed a second try" in elsewhere.stdout
