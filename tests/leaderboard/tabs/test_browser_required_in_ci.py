"""In CI the browser tests run or fail: a missing Chromium there is a failure, never a silent skip — for
every module with browser tests, found by what it uses (the ``page`` or ``browser`` fixture) as well as
by its ``browser`` mark, so a new module that forgets the guard fails here."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support.env import PYTHON, REPO_ROOT, subprocess_env

TESTS = REPO_ROOT / "tests"
USES_A_BROWSER = re.compile(r"def test_\w+\([^)]*\b(page|browser)\b")
GUARD = "pytest.mark.skipif(browser_skip_reason() is not None"
THIS_MODULE = Path(__file__).resolve()
# the browser modules today: the search must find at least these
KNOWN = {"test_browser.py", "test_hostile_browser.py", "test_links_browser.py", "test_models_browser.py",
         "test_release_browser.py"}


def browser_modules() -> list[Path]:
    found = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if path == THIS_MODULE:  # it names the mark and the fixtures; running itself would recurse
            continue
        text = path.read_text(encoding="utf-8")
        if "pytest.mark.browser" in text or USES_A_BROWSER.search(text):
            found.append(path)
    return found


def _pytest_without_chromium(tmp_path, modules: list[Path], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-rEs",
         *(str(m.relative_to(REPO_ROOT)) for m in modules)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env=subprocess_env(LEADERBOARD_CHROMIUM=str(tmp_path / "no-chromium"), GRADIO_ANALYTICS_ENABLED="False",
                           **env),
    )


def test_every_module_that_drives_a_browser_is_marked_and_guarded():
    modules = browser_modules()
    assert KNOWN <= {m.name for m in modules}  # the search itself works
    for module in modules:
        text = module.read_text(encoding="utf-8")
        assert "pytest.mark.browser" in text and GUARD in text, f"{module} lacks the browser mark or the guard"


def test_without_chromium_every_browser_test_fails_in_ci(tmp_path):
    modules = browser_modules()
    proc = _pytest_without_chromium(tmp_path, modules, CI="true")
    assert proc.returncode == 1, proc.stdout[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert "passed" not in summary and "skipped" not in summary, summary
    errored = {line.split("::")[0].removeprefix("ERROR ") for line in proc.stdout.splitlines()
               if line.startswith("ERROR ") and "the browser tests must run in CI" in line}
    assert errored == {str(m.relative_to(REPO_ROOT)) for m in modules}


def test_without_chromium_every_browser_test_skips_off_ci(tmp_path):
    modules = browser_modules()
    proc = _pytest_without_chromium(tmp_path, modules, CI="")
    assert proc.returncode == 0, proc.stdout[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert "skipped" in summary and "passed" not in summary and "error" not in summary, summary
