"""The results store the upload tests attack: our measured H100 summarizers (stars 5, 3, 1)."""

from __future__ import annotations

import pytest

from benchmark.store import LocalStore
from leaderboard.results.live import LiveData
from tests.support.leaderboard_fixtures import write_record
from tests.support.models_fixtures import runner_record

TASK = "summarization"
MAINTAINER = "boss"


@pytest.fixture
def results(tmp_path, monkeypatch) -> LocalStore:
    """Our measured H100 summarizers at 1, 3 and 5 Wh per 1,000 queries (stars 5, 3, 1)."""
    monkeypatch.setenv("MAINTAINERS", MAINTAINER)
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    root = tmp_path / "results"
    for name, wh in (("org/frugal", 1.0), ("org/middle", 3.0), ("org/greedy", 5.0)):
        write_record(root, runner_record(name, TASK, wh, 0.02, params=60_000_000))
    return LocalStore(root)


def stars_of(store: LocalStore) -> dict[str, tuple[float, int | None, str]]:
    rows = LiveData(store).current.task_frame(TASK, "live")
    return {m: (round(e, 6), None if s is None or s != s else int(s), p)
            for m, e, s, p in zip(rows["model_id"], rows["gpu_wh_per_1k_queries"], rows["stars"].astype(object),
                                  rows["provenance"], strict=True)}


MEASURED_STARS = {"org/frugal": (1.0, 5, "measured"), "org/middle": (3.0, 3, "measured"),
                  "org/greedy": (5.0, 1, "measured")}
