"""``push``: publish run folders (and quality run folders) to the configured results store, printing one line
each, as the CLI's ``run --push``, ``push``, ``quality --push`` and ``reproduce --push`` do. A refusal is one
line on stderr and a non-zero exit code (the publishing rules are ``benchmark.runs.publish``'s)."""

from __future__ import annotations

import sys
from pathlib import Path


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def push_runs(paths: list[Path]) -> int:
    from benchmark.hub_client import HubError
    from benchmark.runs.publish import PublishError, publish_run_folder
    from benchmark.store import results_store

    store = results_store()
    for path in paths:
        try:
            published = publish_run_folder(path, store)
        except (PublishError, HubError, OSError) as exc:
            return _error(f"cannot publish {path}: {exc}")
        if published.written:
            print(f"published {published.path} to {store.name}")
        else:
            print(f"{published.path} is already in {store.name}: nothing to publish")
    return 0



def push_quality(path: Path) -> int:
    from benchmark.hub_client import HubError
    from benchmark.runs.publish import PublishError, load_quality_run, publish_quality
    from benchmark.store import results_store

    store = results_store()
    try:
        published = publish_quality(load_quality_run(path), store)
    except (PublishError, HubError, OSError) as exc:
        return _error(f"cannot publish {path}: {exc}")
    verb = "published" if published.written else "already published"
    print(f"{verb} {published.path} to {store.name}")
    return 0
