"""The Admin tab's "run the queue on N GPUs": maintainers only (checked in the handler), through the
same Hugging Face Jobs code as ``dispatch --engine hf-jobs``."""

from __future__ import annotations

import pytest

from benchmark.hub_client import HubClient
from leaderboard.submission.admin import run_queue_message
from tests.support.doubles.jobs_double import FakeJobsHfApi
from tests.support.queue_helpers import REQUESTS_REPO, fake_hub_store

TOKEN = "hf_space_token_456"


@pytest.fixture
def space(monkeypatch):
    monkeypatch.setenv("MAINTAINERS", "alice")
    monkeypatch.setenv("REQUESTS_REPO", REQUESTS_REPO)
    monkeypatch.setenv("RESULTS_REPO", "energy/results")
    monkeypatch.setenv("SPACE_ID", "energy/leaderboard")
    monkeypatch.delenv("BENCHMARK_CODE_SPACE", raising=False)
    api = FakeJobsHfApi()
    store, _ = fake_hub_store(api, token=TOKEN)
    return store, HubClient(api=api, token=TOKEN), api


def test_a_maintainer_starts_n_draining_jobs_of_the_spaces_code(space):
    store, client, api = space
    answer = run_queue_message(store, client, "alice", "l40sx1", 3, watch=False)
    assert answer == f"✅ Started 3 job(s) on l40sx1 for alice: {', '.join(job.id for job in api.jobs)}"
    assert [job.kwargs["flavor"] for job in api.jobs] == ["l40sx1"] * 3
    assert all(job.kwargs["secrets"] == {"HF_TOKEN": TOKEN} for job in api.jobs)
    assert all("spaces/energy/leaderboard" in job.kwargs["command"][2] for job in api.jobs)
    assert all(TOKEN not in job.kwargs["command"][2] for job in api.jobs)


@pytest.mark.parametrize("username", [None, "mallory"])
def test_anyone_but_a_maintainer_is_refused_and_starts_no_job(space, username):
    store, client, api = space
    answer = run_queue_message(store, client, username, "h100", 8, watch=False)
    assert answer.startswith("❌ Reruns ") and api.jobs == []


def test_only_a_maintainer_reads_the_full_text_of_a_failed_load(tmp_path, monkeypatch):
    from benchmark.store import LocalStore
    from leaderboard.results.data import SNAPSHOT_DIR
    from leaderboard.results.live import LiveData
    from leaderboard.submission.admin import data_problems_message

    monkeypatch.setenv("MAINTAINERS", "boss")
    live = LiveData(LocalStore(tmp_path / "mistyped"), snapshot_dir=SNAPSHOT_DIR)
    visitor = data_problems_message("mallory", live.last_error, live.current.problems)
    assert visitor.startswith("❌") and str(tmp_path) not in visitor
    boss = data_problems_message("boss", live.last_error, ("records/t/m/r.json: malformed JSON",))
    assert f"FileNotFoundError: no results folder at {tmp_path / 'mistyped'}" in boss
    assert boss.endswith("1 dropped file(s):\n- records/t/m/r.json: malformed JSON")
