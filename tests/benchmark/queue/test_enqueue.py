"""``python -m benchmark enqueue``: maintainers fill the queue through the form's rules, online
against the Hub double, offline from a tiny model in a Hugging Face cache layout."""

from __future__ import annotations

import argparse
import getpass

import pytest

from benchmark.hub_client import HubClient
from benchmark.queue.dispatch_cli import cmd_enqueue
from benchmark.queue.operations import read_requests
from benchmark.queue.request_record import RequestStatus
from benchmark.store import LocalStore
from tests.benchmark.queue.test_worker_end_to_end import cache_model
from tests.support.doubles.hub_double import FakeHfApi
from tests.support.queue_helpers import tree_digest


def _args(**fields) -> argparse.Namespace:
    defaults = {"model": [], "models_file": None, "task": ["text_classification"], "revision": None, "dtype": None}
    return argparse.Namespace(**{**defaults, **fields})


@pytest.fixture
def hub():
    api = FakeHfApi()
    shas = {model: api.add_model(model, params=5_000_000) for model in ("org/alpha", "org/beta")}
    return api, shas


def test_a_models_file_with_one_bad_line_queues_the_others_and_names_the_line(hub, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    api, shas = hub
    store = LocalStore(tmp_path / "requests")
    models = tmp_path / "models.txt"
    models.write_text("# maintainers' batch\norg/alpha\n\nnot a model id\norg/beta  # second\n")

    code = cmd_enqueue(_args(models_file=models), store=store, client=HubClient(api=api, token="hf_x"))

    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {models}:4: ") and "spaces" in err[0]
    queued = sorted(read_requests(store).values(), key=lambda r: r.model_id)
    assert [(r.model_id, r.revision, r.task, r.params, r.status) for r in queued] == [
        ("org/alpha", shas["org/alpha"], "text_classification", 5_000_000, RequestStatus.PENDING),
        ("org/beta", shas["org/beta"], "text_classification", 5_000_000, RequestStatus.PENDING),
    ]
    assert {r.submitter for r in queued} == {f"local:{getpass.getuser()}"}


def test_enqueue_on_several_tasks_refuses_a_model_already_queued_for_that_commit(hub, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    api, _ = hub
    store = LocalStore(tmp_path / "requests")
    client = HubClient(api=api, token="hf_x")
    assert cmd_enqueue(_args(model=["org/alpha"]), store=store, client=client) == 0
    before = tree_digest(store.root)

    code = cmd_enqueue(_args(model=["org/alpha"], task=["text_classification"]), store=store, client=client)

    assert code == 1 and "already requested" in capsys.readouterr().err
    assert tree_digest(store.root) == before


def test_offline_enqueue_takes_the_cached_commit_of_a_tiny_model_in_the_hf_cache(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    sha = cache_model(tiny, tmp_path / "hub", "tiny-org/bert-classifier", "text_classification")
    store = LocalStore(tmp_path / "requests")

    code = cmd_enqueue(_args(model=["tiny-org/bert-classifier"]), store=store, client=HubClient(api=FakeHfApi()))

    assert code == 0
    [request] = read_requests(store).values()
    assert (request.model_id, request.revision, request.revision_requested) == ("tiny-org/bert-classifier", sha, "main")


def test_offline_enqueue_of_a_model_not_in_the_cache_is_refused_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    store = LocalStore(tmp_path / "requests")
    before = tree_digest(store.root) if store.root.exists() else {}

    code = cmd_enqueue(_args(model=["org/nowhere"]), store=store, client=HubClient(api=FakeHfApi()))

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert "org/nowhere at main is not in the local Hugging Face cache" in err[0]
    assert (tree_digest(store.root) if store.root.exists() else {}) == before
