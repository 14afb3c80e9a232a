"""Maintainer reruns: refused for everyone else with nothing changed; for maintainers, exactly the
requests asked for go back to the queue, with who asked and when recorded. Same on the CLI."""

from __future__ import annotations

import argparse
from datetime import timedelta

import pytest

from benchmark.queue.checks import NotAuthorizedError, maintainers
from benchmark.queue.cli import cmd_requeue, register
from benchmark.queue.operations import read_requests
from benchmark.queue.request_record import RequestStatus
from benchmark.store import LocalStore
from leaderboard.submission.admin import (
    ALL_FAILED,
    ALL_MODELS_OF_TASK,
    ONE_MODEL,
    requeue_as,
    requeue_message,
)
from tests.support.queue_helpers import T0, fake_hub_store, hub_digest, make_request, seed, tree_digest

TC, TG = "text_classification", "text_generation"
DONE, FAILED, PENDING, RUNNING = (RequestStatus.COMPLETED, RequestStatus.FAILED, RequestStatus.PENDING,
                                  RequestStatus.RUNNING)


@pytest.fixture(autouse=True)
def _maintainers(monkeypatch):
    monkeypatch.setenv("MAINTAINERS", "Boss, maintainer")


def _queue() -> dict[str, object]:
    """A queue with one request of each interesting kind, by name."""
    t = T0
    return {
        "a_tc_old": make_request("org/a", TC, status=DONE, run_id="r0", revision="a" * 40, submitted_at=t),
        "a_tc": make_request("org/a", TC, status=DONE, run_id="r1", submitted_at=t + timedelta(hours=1)),
        "a_tg": make_request("org/a", TG, status=FAILED, error="OOM", submitted_at=t + timedelta(hours=2)),
        "b_tc": make_request("org/b", TC, status=FAILED, error="no tokenizer", submitted_at=t + timedelta(hours=3)),
        "c_tc": make_request("org/c", TC, status=PENDING, submitted_at=t + timedelta(hours=4)),
        "d_tc": make_request("org/d", TC, status=RUNNING, submitted_at=t + timedelta(hours=5)),
        "e_tg": make_request("org/e", TG, status=DONE, run_id="r2", submitted_at=t + timedelta(hours=6)),
    }


@pytest.fixture
def local(tmp_path):
    store = LocalStore(tmp_path / "queue")
    named = _queue()
    seed(store, list(named.values()))
    return store, named


ACTIONS = [(ONE_MODEL, "org/a", TC), (ALL_MODELS_OF_TASK, None, TC), (ALL_FAILED, None, None)]


@pytest.mark.parametrize("username", [None, "", "mallory", "boss-impostor"])
@pytest.mark.parametrize(("action", "model_id", "task"), ACTIONS)
def test_rerun_by_anonymous_or_non_maintainer_is_refused_and_changes_nothing(local, username, action, model_id, task):
    store, _ = local
    before = tree_digest(store.root)

    with pytest.raises(NotAuthorizedError):
        requeue_as(store, username, action, model_id, task)
    message = requeue_message(store, username, action, model_id, task)

    assert message.startswith("❌ ") and ("sign in" in message or "maintainers only" in message)
    assert tree_digest(store.root) == before


def _changed(store, named, before_bytes) -> set[str]:
    after = {path: store.read(path) for path in store.list("requests/")}
    by_path = {r.path: name for name, r in named.items()}
    assert set(after) == set(before_bytes)
    return {by_path[path] for path in after if after[path] != before_bytes[path]}


@pytest.mark.parametrize(
    ("action", "model_id", "task", "expected"),
    [
        (ONE_MODEL, "org/a", TC, {"a_tc"}),  # the latest request of that model on that task only
        (ALL_MODELS_OF_TASK, None, TC, {"a_tc", "b_tc"}),  # c (pending) and d (running) left alone
        (ALL_MODELS_OF_TASK, None, TG, {"a_tg", "e_tg"}),
        (ALL_FAILED, None, None, {"a_tg", "b_tc"}),
        (ALL_FAILED, None, TG, {"a_tg"}),
    ],
)
def test_maintainer_rerun_changes_exactly_the_requests_asked_for(local, action, model_id, task, expected):
    store, named = local
    before = {path: store.read(path) for path in store.list("requests/")}

    changed = requeue_as(store, "Boss", action, model_id, task)

    assert {r.request_id for r in changed} == {named[name].request_id for name in expected}
    assert _changed(store, named, before) == expected
    saved = read_requests(store)
    for name in expected:
        record = saved[named[name].path]
        assert (record.status, record.attempts, record.error, record.run_id) == (PENDING, 0, None, None)
        assert record.queued_at > named[name].submitted_at  # back of the queue
        last = record.history[-1]
        assert (last.action, last.by) == ("requeued", "Boss")
        assert f"was {named[name].status.value}" in last.detail


def test_rerun_of_something_already_queued_says_so_and_changes_nothing(local):
    store, _ = local
    before = tree_digest(store.root)
    message = requeue_message(store, "maintainer", ONE_MODEL, "org/c", TC)
    assert message == "❌ everything matching org/c on text_classification is already pending or running"
    assert requeue_message(store, "maintainer", ONE_MODEL, "org/zzz", TC) == (
        "❌ no request matches org/zzz on text_classification"
    )
    assert requeue_message(store, "maintainer", ONE_MODEL, "<script>", TC).startswith("❌ The model id holds HTML")
    assert tree_digest(store.root) == before


def test_maintainer_rerun_message_lists_what_went_back(local):
    store, _ = local
    message = requeue_message(store, "maintainer", ALL_FAILED)
    assert message.splitlines()[0] == "✅ Requeued 2 request(s), recorded as asked by maintainer:"
    assert sorted(message.splitlines()[1:]) == [
        f"- org/a on Text Generation, configuration reference ({local[1]['a_tg'].request_id})",
        f"- org/b on Text Classification, configuration reference ({local[1]['b_tc'].request_id})",
    ]


def test_no_configured_maintainers_means_nobody_reruns(local, monkeypatch):
    monkeypatch.setenv("MAINTAINERS", "")
    store, _ = local
    assert maintainers() == frozenset()
    with pytest.raises(NotAuthorizedError):
        requeue_as(store, "boss", ALL_FAILED)


def _cli_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["requeue", *argv])


def test_cli_requeue_on_the_hub_is_for_a_maintainer_token(capsys):
    store, api = fake_hub_store()
    named = _queue()
    seed(store, list(named.values()))
    api.user = "mallory"
    before = hub_digest(api)

    assert cmd_requeue(_cli_args("--failed"), store=store) == 1
    assert "mallory is not one" in capsys.readouterr().err
    assert hub_digest(api) == before

    anonymous, _ = fake_hub_store(api, token="")
    assert cmd_requeue(_cli_args("--failed"), store=anonymous) == 1
    assert "needs HF_TOKEN of a maintainer" in capsys.readouterr().err
    assert hub_digest(api) == before

    api.user = "maintainer"
    assert cmd_requeue(_cli_args("--model", "org/a", "--task", TC), store=store) == 0
    assert "1 request(s) requeued by maintainer" in capsys.readouterr().out
    saved = read_requests(store)
    assert saved[named["a_tc"].path].status is PENDING
    assert saved[named["a_tc"].path].history[-1].by == "maintainer"
    assert [p for p, r in saved.items() if r.status is PENDING] == sorted(
        [named["a_tc"].path, named["c_tc"].path]
    )


def test_cli_requeue_on_a_local_folder_records_the_os_user(local, capsys, monkeypatch):
    store, named = local
    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    assert cmd_requeue(_cli_args("--all-models", "--task", TG), store=store) == 0
    assert "2 request(s) requeued by local:ops" in capsys.readouterr().out
    assert {h.by for r in read_requests(store).values() for h in r.history if h.action == "requeued"} == {"local:ops"}
    assert cmd_requeue(_cli_args("--all-models"), store=store) == 2  # a task is required


def test_admin_endpoint_gets_the_profile_from_the_session_not_from_inputs(local):
    """Calling the Space's requeue endpoint without a login session injects no profile: refused."""
    import gradio as gr
    from gradio.helpers import special_args

    from leaderboard.submission.tabs import add_submission_tabs

    store, _ = local
    before = tree_digest(store.root)
    with gr.Blocks() as demo, gr.Tabs():
        add_submission_tabs(store=store, hub_client=object(), login=False)
    endpoint = next(f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "on_requeue")
    inputs, *_ = special_args(endpoint.fn, inputs=[ALL_FAILED, "", ""], request=None)

    assert inputs[-1] is None  # the OAuthProfile slot, filled by Gradio, empty without a session
    assert endpoint.fn(*inputs).startswith("❌ Reruns need a login")
    assert endpoint.fn(ALL_FAILED, "", "", gr.OAuthProfile({"preferred_username": "mallory", "name": "M",
                                                             "profile": "", "picture": ""})).startswith("❌")
    assert tree_digest(store.root) == before
    ok = endpoint.fn(ALL_FAILED, "", "", gr.OAuthProfile({"preferred_username": "boss", "name": "B",
                                                           "profile": "", "picture": ""}))
    assert ok.startswith("✅ Requeued 2 request(s)")


def test_sign_in_button_only_where_oauth_can_work(monkeypatch):
    from leaderboard.submission.tabs import login_available

    monkeypatch.delenv("SYSTEM", raising=False)
    monkeypatch.delenv("LEADERBOARD_LOCAL_LOGIN", raising=False)
    assert login_available() is False
    monkeypatch.setenv("SYSTEM", "spaces")
    monkeypatch.setenv("SPACE_ID", "org/space")
    assert login_available() is True
