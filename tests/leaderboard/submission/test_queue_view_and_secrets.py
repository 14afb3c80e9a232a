"""The queue view shows every status (failed ones with their error); the HF token never reaches a
user, a log or the store; the Hub is only reached through ``benchmark.hub_client``."""

from __future__ import annotations

import argparse
import io
import logging
import re
from datetime import timedelta

import pytest
from huggingface_hub.errors import HfHubHTTPError

from benchmark.hub_client import HubClient
from benchmark.queue.cli import cmd_requeue
from benchmark.queue.operations import read_requests
from benchmark.queue.request_record import RequestStatus
from benchmark.queue.steps import RunFailedError, WorkerConfig
from benchmark.queue.worker import RedactTokenFilter, Worker
from benchmark.store import LocalStore
from leaderboard.submission.queue_view import public_error, queue_tables
from leaderboard.submission.submit import SubmissionSettings, submit_message
from tests.support.doubles.hub_double import FakeHfApi, _response
from tests.support.queue_helpers import REPO_ROOT, T0, fake_hub_store, make_request, seed

SECRET = "hf_SuperSecretToken0123456789"


def test_queue_view_has_a_table_per_status_and_failed_rows_show_their_error(tmp_path):
    store = LocalStore(tmp_path)
    seed(store, [
        make_request("org/p", submitted_at=T0),
        make_request("org/retry", submitted_at=T0 + timedelta(minutes=1), attempts=1, error="CUDA OOM"),
        make_request("org/r", status=RequestStatus.RUNNING),
        make_request("org/c", status=RequestStatus.COMPLETED, run_id="run-42"),
        make_request("org/f", status=RequestStatus.FAILED, attempts=3, error="no tokenizer for org/f"),
    ])

    tables = queue_tables(store, now=T0)

    pending = tables[RequestStatus.PENDING]
    assert list(pending["Model"]) == ["org/p", "org/retry"]
    assert list(pending["Last error"]) == ["", "CUDA OOM"]
    assert list(tables[RequestStatus.RUNNING]["Model"]) == ["org/r"]
    assert tables[RequestStatus.RUNNING]["Lease"].iloc[0].startswith("expired")  # never leased in the seed
    assert list(tables[RequestStatus.COMPLETED]["Run id"]) == ["run-42"]
    failed = tables[RequestStatus.FAILED]
    assert failed[["Model", "Attempts", "Error"]].values.tolist() == [["org/f", 3, "no tokenizer for org/f"]]
    assert list(failed.columns) == [
        "Model", "Task", "Configuration", "Steps", "Revision", "Attempts", "Error", "Finished (UTC)"
    ]


def test_empty_queue_view_has_empty_tables_with_headers(tmp_path):
    tables = queue_tables(LocalStore(tmp_path / "nothing"))
    assert all(frame.empty for frame in tables.values())
    assert list(tables[RequestStatus.FAILED].columns) == [
        "Model", "Task", "Configuration", "Steps", "Revision", "Attempts", "Error", "Finished (UTC)"
    ]
    assert list(tables[RequestStatus.RUNNING]["Model"]) == []


@pytest.fixture
def secret_env(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", SECRET)


def _leaky_api() -> FakeHfApi:
    api = FakeHfApi()

    def model_info(repo_id, **_):
        raise HfHubHTTPError(f"500 Server Error for https://huggingface.co/api/models/{repo_id}?token={SECRET}",
                             response=_response(500))

    api.model_info = model_info
    return api


def test_token_in_a_hub_error_never_reaches_the_submitter_or_the_log(tmp_path, secret_env, caplog):
    store = LocalStore(tmp_path)
    client = HubClient(api=_leaky_api())
    caplog.set_level(logging.DEBUG)

    message = submit_message(store, client, username="alice", model_id="org/model", task="text_classification",
                             settings=SubmissionSettings())

    assert message == "❌ The Hub could not be reached to check or queue the model; please try again in a minute."
    assert SECRET not in caplog.text and "***" in caplog.text
    assert store.list() == []


def test_token_in_a_crash_never_reaches_the_submitter_or_the_log(tmp_path, secret_env, caplog):
    class BrokenStore(LocalStore):
        def local_folder(self, patterns):
            raise KeyError(f"weird state with {SECRET}")

    caplog.set_level(logging.DEBUG)
    message = submit_message(BrokenStore(tmp_path), HubClient(api=FakeHfApi()), username="alice",
                             model_id="org/model", task="text_classification", settings=SubmissionSettings())
    assert message == "❌ Something went wrong on our side; please try again later."
    assert SECRET not in caplog.text and "KeyError: 'weird state with ***'" in caplog.text


def test_token_in_a_run_error_never_reaches_the_queue_or_the_log(tmp_path, secret_env, caplog):
    store = LocalStore(tmp_path)
    (request,) = seed(store, [make_request("org/a")])

    def run(request, context):
        raise PermissionError(f"401 for https://huggingface.co/org/a (Authorization: Bearer {SECRET})")

    caplog.set_level(logging.DEBUG)
    Worker(store, run, WorkerConfig(device="cpu", max_attempts=1, worker_id="w")).process_one()

    saved = read_requests(store)[request.path]
    assert saved.status is RequestStatus.FAILED
    assert saved.error == (
        "worker error: PermissionError: 401 for https://huggingface.co/org/a (Authorization: Bearer ***)"
    )
    assert SECRET not in store.read(request.path).decode()
    assert SECRET not in caplog.text


def test_token_in_a_cli_error_never_reaches_stderr(secret_env, capsys):
    store, api = fake_hub_store(token=SECRET)

    def whoami(token=None):
        raise HfHubHTTPError(f"401 Unauthorized: token {SECRET} is invalid", response=_response(401))

    api.whoami = whoami
    code = cmd_requeue(argparse.Namespace(model=None, all_models=False, failed=True, task=None), store=store)
    err = capsys.readouterr().err
    assert code == 1 and "cannot identify the token's user" in err
    assert SECRET not in err


def test_log_filter_scrubs_the_token_from_messages_and_tracebacks(secret_env):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactTokenFilter())
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"bad token {SECRET}")
        except RuntimeError:
            logger.error("upload with %s failed", SECRET, exc_info=True)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert SECRET not in text
    assert "upload with *** failed" in text and "RuntimeError: bad token ***" in text


MY_MODULES = [
    "benchmark/queue/request_record.py", "benchmark/queue/operations.py", "benchmark/queue/worker.py",
    "benchmark/queue/cli.py", "benchmark/queue/steps.py", "leaderboard/submission/__init__.py",
    "benchmark/queue/checks.py", "leaderboard/submission/submit.py", "leaderboard/submission/admin.py",
    "leaderboard/submission/queue_view.py", "leaderboard/submission/tabs.py",
]


@pytest.mark.parametrize("module", MY_MODULES)
def test_queue_and_submission_modules_reach_the_hub_only_through_hub_client(module):
    source = (REPO_ROOT / module).read_text()
    assert not re.search(r"^\s*(from|import)\s+huggingface_hub\b", source, re.M)
    assert "HfApi" not in source and "requests.get" not in source


def test_the_public_queue_keeps_a_run_errors_cause_without_paths_hosts_or_tokens(tmp_path, secret_env):
    """A failing run planted with a snapshot path, the worker's host name and the token: the public
    tables keep the cause; the stored record (what maintainers read) keeps the path, never the token."""
    store = LocalStore(tmp_path)
    (request,) = seed(store, [make_request("org/a")])
    snapshot = "/home/ops/.cache/huggingface/hub/models--org--a/snapshots/0a1b2c"

    def run(request, context):
        raise RunFailedError(f"model 'org/a' cannot be loaded: OSError: {snapshot}/config.json missing on "
                             f"gpu-node-7 (token {SECRET})")

    Worker(store, run, WorkerConfig(device="cpu", max_attempts=1, worker_id="gpu-node-7-4242-beef")).process_one()

    saved = read_requests(store)[request.path]
    assert saved.error == (f"model 'org/a' cannot be loaded: OSError: {snapshot}/config.json missing on gpu-node-7 "
                           "(token ***)")
    (public,) = queue_tables(store)[RequestStatus.FAILED]["Error"]
    assert public == "model 'org/a' cannot be loaded: OSError: <path> missing on <worker> (token ***)"


def test_the_public_queue_names_running_workers_by_a_pseudonym_not_their_host(tmp_path):
    store = LocalStore(tmp_path)
    seed(store, [make_request("org/r", status=RequestStatus.RUNNING).model_copy(
        update={"worker_id": "gpu-node-7-4242-beef"})])
    (worker,) = queue_tables(store, now=T0)[RequestStatus.RUNNING]["Worker"]
    assert worker.startswith("worker ") and "gpu-node" not in worker and len(worker) == len("worker ") + 6


@pytest.mark.parametrize(("text", "public"), [
    ("see https://huggingface.co/org/a/tree/main", "see https://huggingface.co/org/a/tree/main"),
    ("org/a has no tokenizer", "org/a has no tokenizer"),
    ("cannot open ~/runs/x/error.log", "cannot open <path>"),
    ("OSError: [Errno 2] No such file: '/srv/hf/cache/x.bin'", "OSError: [Errno 2] No such file: '<path>'"),
    ("token hf_abcdefghijklmnopqrstuvwxyz0 refused", "token *** refused"),
])
def test_public_errors_drop_local_paths_and_token_shapes_but_keep_urls_and_model_ids(text, public):
    assert public_error(text) == public
