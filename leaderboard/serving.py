"""How the Space serves many visitors at once: the event settings its read-only handlers share, and
the Gradio settings the server starts with.

Gradio runs one event of each listener at a time unless told otherwise, and while events wait it
sends every waiting client a new queue estimate each time one starts: under 50 concurrent API
clients that serial queue and its O(waiting) messages were most of the server's time
(``scripts/speed/load.py``). The board's handlers only read an immutable ``LeaderboardData`` (its
derived-view cache is locked) or write content-addressed files atomically, so they may all run at
once. Handlers that commit to a store keep Gradio's default of one at a time.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import typing
from typing import Any

# Read-only handlers (every API endpoint, every redraw of a view): no per-listener queue.
READ_ONLY_EVENT: dict[str, Any] = {"concurrency_limit": None}
# Handlers that write (submissions, reruns, runs of the queue): one at a time, as Gradio's default.
WRITING_EVENT: dict[str, Any] = {"concurrency_limit": "default"}

# Gradio keeps its monitoring records of the last 10,000 events, copies them into a list after every
# event and, by default, rebuilds a pandas summary of them after every event too: under load that
# was a fifth of the server's time per API call, and still a tenth when rebuilt every 100 events.
# The last 1,000 events, summarised every 1,000, keep Gradio's monitoring page meaningful at a
# hundredth of the cost. A deployment may still set its own values.
GRADIO_ENVIRONMENT_DEFAULTS: dict[str, str] = {
    "GRADIO_ANALYTICS_MAX_EVENTS": "1000",
    "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000",
}


def apply_gradio_environment_defaults() -> None:
    """Set the Gradio settings above unless the deployment set them (before the server starts), and
    remember that matplotlib is absent when it is (see ``remember_missing_modules``)."""
    for name, value in GRADIO_ENVIRONMENT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    remember_missing_modules()


# Gradio imports matplotlib around every event (to switch its backend) and passes on ImportError.
# Python does not remember a failed import, so where matplotlib is not installed (the Space's own
# requirements have none) each API call searched the whole path for it twice: 4 % of the server's
# time under load. ``None`` in ``sys.modules`` is Python's own mark for "not importable"; it is set
# only for a module that cannot be found.
MODULES_GRADIO_PROBES: tuple[str, ...] = ("matplotlib",)


def remember_missing_modules() -> None:
    """Mark each module of ``MODULES_GRADIO_PROBES`` that cannot be found as not importable."""
    for name in MODULES_GRADIO_PROBES:
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            sys.modules[name] = None  # type: ignore[assignment] - documented: import raises ModuleNotFoundError


def resolve_handler_annotations(demo: Any) -> None:
    """Turn the string annotations of every handler of ``demo`` into the types they name, once.

    Our modules use ``from __future__ import annotations``, so a handler's annotations are strings,
    and Gradio calls ``typing.get_type_hints`` on the handler before every call (to find its special
    arguments): evaluating those strings again was 4 % of the server's time per API call under load.
    A handler whose annotations cannot be evaluated is left as it is (Gradio then finds none either).
    """
    for block_fn in demo.fns.values():
        fn = block_fn.fn
        if not inspect.isfunction(fn) or not any(isinstance(a, str) for a in fn.__annotations__.values()):
            continue
        try:
            fn.__annotations__ = typing.get_type_hints(fn)
        except (NameError, TypeError):
            continue
