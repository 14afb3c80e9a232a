"""What may import what is a fact of the folders, checked on every module's syntax tree.

- Gradio only in the Gradio modules: ``leaderboard/tabs/``, ``leaderboard/api.py``, the assembling
  ``leaderboard/app.py`` and the tab module of a feature folder (``leaderboard/submission/tabs.py``).
- The flow is one way: nothing under ``benchmark/`` imports ``leaderboard`` (inside functions neither).
- The leaderboard never imports the runner (``benchmark.runner``) or the queue's worker and CLI.
- Inside the leaderboard the flow is one way too: ``results`` (load, rate) → ``views`` (plain values) →
  ``tabs`` / ``api`` (Gradio); ``display`` (formats, strings, palette, plots) is used by the views and the
  tabs and imports neither.
- No module of either package imports another that imports it back, directly or through others (at any
  level, inside functions too).
- Only ``benchmark/runner/`` imports the runner's stack (torch, transformers, optimum-benchmark,
  pynvml, codecarbon, diffusers); outside it, ``benchmark.runner`` is imported only inside the
  functions of the two entry points that run benchmarks (the CLI's ``run`` and the worker's default
  run), never at a module's import time.
- Importing the Space, or the light contract, in a fresh interpreter loads none of that stack.
- The folders stay readable (tests and scripts too): at most a dozen modules a folder, none over 400
  lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.env import REPO_ROOT, subprocess_env

PACKAGES = ("benchmark", "leaderboard")
HEAVY = ("torch", "transformers", "optimum_benchmark", "pynvml", "codecarbon", "diffusers")
GRADIO_MODULES = {
    "leaderboard/app.py",
    "leaderboard/api.py",
    "leaderboard/submission/tabs.py",
}
GRADIO_FOLDERS = ("leaderboard/tabs/",)
RUNNER_CALLERS = {"benchmark/cli.py", "benchmark/queue/steps.py", "benchmark/uploads/cli.py"}  # in functions only
MAX_MODULES_PER_FOLDER = 12
MAX_MODULE_LINES = 400


def _modules() -> list[Path]:
    found = [path for package in PACKAGES for path in sorted((REPO_ROOT / package).rglob("*.py"))]
    return [*found, REPO_ROOT / "app.py"]


def _rel(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def _module_name(rel: str) -> str:
    name = rel.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Every module ``path`` imports, absolute, with whether the import runs at import time (not
    inside a function)."""
    rel = _rel(path)
    package = _module_name(rel) if rel.endswith("__init__.py") else _module_name(rel).rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=rel)
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = top_level and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((alias.name, top_level) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    module = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    module = child.module or ""
                found.append((module, top_level))
                found.extend((f"{module}.{alias.name}", top_level) for alias in child.names)
            visit(child, inner)

    visit(tree, True)
    return found


def _is(module: str, *names: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def _offending_imports(where: Callable[[str], bool], *names: str, top_level_only: bool = False) -> list[str]:
    """``path: module`` for each import of ``names`` by a module whose path satisfies ``where``."""
    return sorted(
        f"{_rel(path)}: {module}"
        for path in MODULES
        if where(_rel(path))
        for module, top_level in _imports(path)
        if _is(module, *names) and (top_level or not top_level_only)
    )


MODULES = _modules()


def test_the_rules_see_every_module():
    rels = {_rel(path) for path in MODULES}
    assert {"benchmark/runner/run.py", "leaderboard/app.py", "leaderboard/tabs/board.py", "app.py"} <= rels
    # the parser sees imports inside functions too (the CLI imports the runner lazily)
    assert ("benchmark.runner.run", False) in _imports(REPO_ROOT / "benchmark/cli.py")


def test_only_the_tab_and_api_modules_import_gradio():
    offenders = sorted(
        _rel(path)
        for path in MODULES
        if any(_is(module, "gradio") for module, _ in _imports(path))
        and _rel(path) not in GRADIO_MODULES
        and not _rel(path).startswith(GRADIO_FOLDERS)
    )
    assert offenders == []


def test_nothing_in_benchmark_imports_the_leaderboard_at_any_level():
    assert _offending_imports(lambda rel: rel.startswith("benchmark/"), "leaderboard") == []


def test_the_leaderboard_never_imports_the_runner_or_the_worker():
    forbidden = ("benchmark.runner", "benchmark.queue.worker", "benchmark.queue.cli", "benchmark.cli")
    assert _offending_imports(lambda rel: rel.startswith("leaderboard/"), *forbidden) == []


def test_only_the_runner_package_imports_the_runner_stack():
    assert _offending_imports(lambda rel: not rel.startswith("benchmark/runner/"), *HEAVY) == []


def test_light_modules_import_the_runner_package_only_inside_the_entry_points_functions():
    def outside(rel: str) -> bool:
        return not rel.startswith("benchmark/runner/")

    def not_an_entry_point(rel: str) -> bool:
        return outside(rel) and rel not in RUNNER_CALLERS

    assert _offending_imports(outside, "benchmark.runner", top_level_only=True) == []
    assert _offending_imports(not_an_entry_point, "benchmark.runner") == []


@pytest.mark.parametrize(
    "statement",
    [
        "import app",
        "import leaderboard.app, leaderboard.label.cli",
        "import benchmark.cli, benchmark.runs.publish, benchmark.store, benchmark.queue.cli",
    ],
)
def test_importing_the_space_or_the_light_contract_loads_none_of_the_runner_stack(statement):
    code = f"import sys; {statement}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    env = subprocess_env(RESULTS_REPO="", RESULTS_DIR="")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


ALL_PYTHON = [*MODULES, *sorted((REPO_ROOT / "tests").rglob("*.py")), *sorted((REPO_ROOT / "scripts").rglob("*.py"))]


def test_no_folder_holds_more_than_a_dozen_modules():
    folders: dict[str, int] = {}
    for path in ALL_PYTHON:
        if path.name != "__init__.py":
            folders[_rel(path.parent)] = folders.get(_rel(path.parent), 0) + 1
    assert {folder: n for folder, n in folders.items() if n > MAX_MODULES_PER_FOLDER} == {}


def test_no_module_is_over_400_lines():
    sizes = {_rel(path): len(path.read_text().splitlines()) for path in ALL_PYTHON}
    assert {rel: n for rel, n in sizes.items() if n > MAX_MODULE_LINES} == {}


# Each leaderboard layer, and the layers it must not import (inside functions neither).
LAYER_RULES = {
    "leaderboard/display/": ("leaderboard.results", "leaderboard.views", "leaderboard.tabs", "leaderboard.label",
                             "leaderboard.submission", "leaderboard.api", "leaderboard.app"),
    "leaderboard/results/": ("leaderboard.views", "leaderboard.display", "leaderboard.tabs", "leaderboard.label",
                             "leaderboard.submission", "leaderboard.api", "leaderboard.app"),
    "leaderboard/views/": ("leaderboard.tabs", "leaderboard.label", "leaderboard.submission", "leaderboard.api",
                           "leaderboard.app"),
}


@pytest.mark.parametrize("folder", sorted(LAYER_RULES))
def test_each_leaderboard_layer_imports_only_the_layers_before_it(folder):
    assert _offending_imports(lambda rel: rel.startswith(folder), *LAYER_RULES[folder]) == []


def _import_graph(package: str) -> dict[str, set[str]]:
    """Which module of ``package`` imports which (at any level, inside functions too), by module name."""
    names = {_module_name(_rel(path)) for path in MODULES if _rel(path).startswith(f"{package}/")}
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        rel = _rel(path)
        if rel.startswith(f"{package}/") and not rel.endswith("__init__.py"):
            imported = {module for module, _ in _imports(path)}
            graph[_module_name(rel)] = {name for name in names if name in imported and name != _module_name(rel)}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of ``graph``: its strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(found)


def test_the_circle_finder_finds_a_circle_and_nothing_else():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_another_that_imports_it_back(package):
    graph = _import_graph(package)
    assert _circles(graph) == []
    # the walk sees lazy imports (inside functions) and aliased ones
    assert "leaderboard.views.releases" in _import_graph("leaderboard")["leaderboard.views.model_page"]
    assert "benchmark.uploads.cli" in _import_graph("benchmark")["benchmark.cli"]
