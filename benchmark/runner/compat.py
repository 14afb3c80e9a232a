"""optimum-benchmark 0.6.0 on transformers 5: the one module that knows what it needs.

optimum-benchmark 0.6.0 (its last release) was written against transformers 4.x and reads three
names that transformers 5 removed. ``install()`` restores exactly those, and only where they are
missing, so it does nothing on transformers 4.57 or on an optimum-benchmark that no longer needs
them:

- ``transformers.SpecialTokensMixin``: only used in a type alias (``PretrainedProcessor``); the
  tokenizer base class stands in for it.
- ``transformers.AutoModelForVision2Seq``: image-to-text's auto class; 5.x renamed it
  ``AutoModelForImageTextToText``.
- ``ProcessorMixin.attributes``: read when optimum-benchmark flattens a processor (speech,
  captioning); 5.x has the class method ``get_attributes()`` instead.

optimum-benchmark runs every benchmark in a *spawned* child process, which imports its own modules
by name and never runs this one unless something makes it. ``benchmark_config()`` returns the
``BenchmarkConfig`` as an instance of a subclass defined here: unpickling it in the child imports
this module, which installs the aliases before the child builds its backend.

One more thing 0.6.0 does that this project cannot measure with: its process launcher waits for
the child in a busy loop (``while child.is_alive() and not pipe.poll(): pass``), which keeps one
core at 100 % for the whole benchmark. codecarbon's CPU energy is machine-wide, so that spinning
core was counted in every phase's CPU (and total) energy, and on a small machine it takes a core
from the model. ``quiet_launcher()`` hands the launcher a pipe end whose bare ``poll()`` blocks up
to ``LAUNCHER_WAIT_S`` for the child's answer instead of returning at once: the same loop, asleep.
The same pipe end also closes the launcher's copy of the child's end once the child has started
(at the first exchange): 0.6.0 keeps it open, so a child that dies before it answers (a main module
it cannot import, the OOM killer while it loads) left the parent in ``recv()`` for ever; now that
``recv()`` sees the pipe closed and the run fails with the child's log.

Written for optimum-benchmark 0.6.0 with transformers 4.57 and 5.x (checked up to 5.24). If a later
release breaks it in another way, ``install()`` raises ``CompatError`` with one line naming both
versions and the missing piece instead of a traceback from inside optimum-benchmark.
"""

from __future__ import annotations

import sys
from importlib import metadata
from typing import Any

WRITTEN_FOR = "optimum-benchmark 0.6.0 with transformers 4.57 and 5.x (checked up to 5.24)"


class CompatError(RuntimeError):
    """optimum-benchmark cannot run on the installed transformers; ``str()`` is one line."""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _fail(what: str) -> CompatError:
    return CompatError(
        f"optimum-benchmark {_version('optimum-benchmark')} cannot run on transformers {_version('transformers')}: "
        f"{what} (benchmark/runner/compat.py was written for {WRITTEN_FOR})"
    )


def _processor_attributes(self: Any) -> list[str]:
    return list(type(self).get_attributes())


def install() -> list[str]:
    """Restore what optimum-benchmark 0.6.0 needs from transformers; the names restored."""
    # Importing these re-creates the lazy top-level ``transformers`` module in ``sys.modules``:
    # aliases set on the module object before that would be lost, so set them after, on the
    # module ``sys.modules`` holds.
    import transformers  # noqa: F401
    import transformers.models.auto  # noqa: F401
    import transformers.processing_utils as processing_utils

    module = sys.modules["transformers"]
    restored = []
    if not _has(module, "SpecialTokensMixin"):
        base = _first(module, ("PreTrainedTokenizerBase", "PythonBackend", "TokenizersBackend"))
        if base is None:
            raise _fail("no tokenizer base class to stand in for SpecialTokensMixin")
        module.SpecialTokensMixin = base
        restored.append("SpecialTokensMixin")
    if not _has(module, "AutoModelForVision2Seq"):
        successor = _first(module, ("AutoModelForImageTextToText",))
        if successor is None:
            raise _fail("neither AutoModelForVision2Seq nor its successor AutoModelForImageTextToText exists")
        module.AutoModelForVision2Seq = successor
        restored.append("AutoModelForVision2Seq")
    mixin = processing_utils.ProcessorMixin
    if not hasattr(mixin, "attributes"):
        if not hasattr(mixin, "get_attributes"):
            raise _fail("ProcessorMixin has neither .attributes nor .get_attributes()")
        mixin.attributes = property(_processor_attributes)
        restored.append("ProcessorMixin.attributes")
    _refresh_task_mapping(module)
    return restored


def _has(module: Any, name: str) -> bool:
    try:
        return getattr(module, name) is not None
    except (AttributeError, ImportError):
        return False


def _first(module: Any, names: tuple[str, ...]) -> Any:
    for name in names:
        if _has(module, name):
            return getattr(module, name)
    return None


def _refresh_task_mapping(module: Any) -> None:
    """optimum-benchmark builds its task → model-type table at import; if it was imported before
    the alias existed, image-to-text's row is empty. Fill it, so task inference works too."""
    task_utils = sys.modules.get("optimum_benchmark.task_utils")
    table = getattr(task_utils, "TASKS_TO_MODEL_TYPES_TO_MODEL_CLASS_NAMES", None)
    if table is not None and not table.get("image-to-text"):
        table["image-to-text"] = dict(module.AutoModelForVision2Seq._model_mapping._model_mapping)


def check() -> None:
    """Import what a benchmark's child imports; raise ``CompatError`` (one line) if it fails.

    Importing optimum-benchmark's transformers modules while the aliases are in place binds them
    there for good: a later import that re-creates the lazy ``transformers`` module cannot undo it.
    """
    install()
    try:
        import optimum_benchmark.backends.pytorch.backend  # noqa: F401
        import optimum_benchmark.backends.transformers_utils  # noqa: F401
    except (ImportError, AttributeError) as exc:
        raise _fail(f"{type(exc).__name__}: {exc}".splitlines()[0]) from exc


LAUNCHER_WAIT_S = 0.05


class _WaitingConnection:
    """The launcher's end of its pipe to the child; a bare ``poll()`` waits for data (at most
    ``LAUNCHER_WAIT_S``) instead of returning at once, and the first exchange (the launcher only talks
    to the child after starting it) closes this process's copy of the child's end, so the pipe reads as
    closed when the child dies. Everything else is the connection's own."""

    def __init__(self, connection: Any, child_end: Any) -> None:
        self._connection = connection
        self._child_end = child_end

    def _child_started(self) -> None:
        if self._child_end is not None:
            self._child_end.close()
            self._child_end = None

    def poll(self, timeout: float | None = LAUNCHER_WAIT_S) -> bool:
        self._child_started()
        return self._connection.poll(timeout)

    def send(self, obj: Any) -> None:
        self._child_started()
        self._connection.send(obj)

    def recv(self) -> Any:
        self._child_started()
        return self._connection.recv()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def quiet_launcher() -> bool:
    """Make optimum-benchmark's process launcher wait for its child without spinning a core; True
    when installed now, False when it already was or the launcher no longer has that loop."""
    from optimum_benchmark.launchers.process import launcher

    raw_pipe = launcher.Pipe
    if getattr(raw_pipe, "quiet", False) or "parent_connection.poll()" not in _source(launcher.ProcessLauncher.launch):
        return False

    def pipe(duplex: bool = True) -> tuple[Any, Any]:
        child_end, parent_end = raw_pipe(duplex)
        return child_end, _WaitingConnection(parent_end, child_end)

    pipe.quiet = True  # type: ignore[attr-defined]
    launcher.Pipe = pipe
    return True


def _source(function: Any) -> str:
    import inspect

    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


# What this process needed restored (empty on a transformers that still has the names).
RESTORED: tuple[str, ...] = tuple(install())
check()
quiet_launcher()

from optimum_benchmark import BenchmarkConfig as _BenchmarkConfig  # noqa: E402 - after install()

from benchmark.runner import latency  # noqa: E402 - after install()
from benchmark.runner.loaded import install_probe  # noqa: E402 - after install()

# the child reports what it really loaded (this module is imported there first, see above), and computes
# each query's decode latency from its own prefill (a stalled prefill cannot end a run)
install_probe()
latency.install()


class CompatBenchmarkConfig(_BenchmarkConfig):
    """optimum-benchmark's ``BenchmarkConfig``, unchanged but for where its class lives: a spawned
    child that unpickles it imports this module first, and with it the aliases."""


def benchmark_config(**kwargs: Any) -> _BenchmarkConfig:
    """A ``BenchmarkConfig`` whose child process runs with the aliases installed."""
    return CompatBenchmarkConfig(**kwargs)
