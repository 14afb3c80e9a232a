"""The vLLM servers running on this machine for a model folder, read from ``/proc`` (what a test asserts
is gone)."""

from __future__ import annotations

from pathlib import Path

from benchmark.runner.engine.server import MODULE


def servers_of(model: Path) -> list[int]:
    """The pids of live processes serving ``model`` (the API server; its engine core shares its group)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and MODULE.encode() in args and str(model).encode() in args:
            found.append(int(entry.name))
    return found
