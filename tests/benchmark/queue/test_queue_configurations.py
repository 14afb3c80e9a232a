"""Run configurations in the queue: ``enqueue`` takes the run CLI's option flags and writes them into
the request (another configuration is not a duplicate; a refused option writes nothing), and a
maintainer's rerun keeps the configuration of each request it puts back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benchmark.cli import build_parser
from benchmark.hub_client import HubClient
from benchmark.queue.cli import cmd_requeue
from benchmark.queue.dispatch_cli import cmd_enqueue
from benchmark.queue.operations import read_requests
from benchmark.queue.request_record import RequestStatus
from benchmark.store import LocalStore
from leaderboard.submission.admin import ONE_MODEL, requeue_message
from tests.support.doubles.hub_double import FakeHfApi
from tests.support.queue_helpers import T0, make_request, seed, tree_digest

TC = "text_classification"


@pytest.fixture
def online(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    api = FakeHfApi()
    sha = api.add_model("org/alpha", params=5_000_000)
    return LocalStore(tmp_path / "requests"), HubClient(api=api, token="hf_x"), sha


def enqueue(store, client, *flags: str) -> int:
    args = build_parser().parse_args(["enqueue", "--model", "org/alpha", "--task", TC, *flags])
    return cmd_enqueue(args, store=store, client=client)


def test_enqueue_batch_size_8_writes_it_beside_the_reference_and_refuses_it_twice(online, capsys):
    store, client, sha = online
    assert enqueue(store, client) == 0
    assert enqueue(store, client, "--batch-size", "8", "--attn-implementation", "sdpa") == 0
    assert "(batch_size=8+attn=sdpa)" in capsys.readouterr().out

    queued = sorted(read_requests(store).values(), key=lambda r: r.configuration_key)
    assert [(r.model_id, r.revision, r.configuration, r.configuration_key) for r in queued] == [
        ("org/alpha", sha, {"batch_size": 8, "attn_implementation": "sdpa"}, "batch_size=8+attn=sdpa"),
        ("org/alpha", sha, None, "reference"),
    ]
    before = tree_digest(store.root)
    assert enqueue(store, client, "--attn-implementation", "sdpa", "--batch-size", "8") == 1
    assert "already requested" in capsys.readouterr().err
    assert tree_digest(store.root) == before


def test_enqueue_takes_every_option_flag_of_benchmark_run(online):
    store, client, _ = online
    flags = ("--dtype", "bfloat16", "--torch-compile", "--quantization", "torchao-int8wo", "--zero-shot")
    assert enqueue(store, client, *flags) == 0
    (request,) = read_requests(store).values()
    assert (request.dtype, request.configuration) == (
        "bfloat16", {"torch_compile": True, "quantization": "torchao-int8wo", "zero_shot": True}
    )
    assert request.configuration_key == "dtype=bfloat16+torch_compile+quant=torchao-int8wo+zero_shot"


@pytest.mark.parametrize(
    ("task", "flags", "words"),
    [
        ("text_to_image", ("--zero-shot",), "--zero-shot: task text_to_image does not admit this option"),
        (TC, ("--quantization", "int3"), "--quantization: unknown value 'int3'"),
        (TC, ("--batch-size", "0"), "--batch-size: must be a positive integer, got 0"),
    ],
    ids=["not-admitted", "bad-value", "zero-batch"],
)
def test_enqueue_with_a_refused_option_names_it_in_one_line_and_writes_nothing(online, capsys, task, flags, words):
    store, client, _ = online
    enqueue(store, client)
    before = tree_digest(store.root)
    args = build_parser().parse_args(["enqueue", "--model", "org/alpha", "--task", task, *flags])

    assert cmd_enqueue(args, store=store, client=client) == 1

    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1 and words in errors[0]
    assert tree_digest(store.root) == before


@pytest.fixture
def finished(tmp_path, monkeypatch):
    """org/a's reference and batch-size-8 requests, both completed, and org/b's reference."""
    monkeypatch.setenv("MAINTAINERS", "boss")
    store = LocalStore(tmp_path / "queue")
    reference = make_request("org/a", TC, status=RequestStatus.COMPLETED, run_id="r-ref", submitted_at=T0)
    batch_8 = make_request("org/a", TC, status=RequestStatus.COMPLETED, run_id="r-b8",
                           submitted_at=T0 + timedelta(hours=1)).model_copy(update={"configuration": {"batch_size": 8}})
    other = make_request("org/b", TC, status=RequestStatus.COMPLETED, run_id="r-b", submitted_at=T0)
    seed(store, [reference, batch_8, other])
    return store, reference, batch_8


def test_a_maintainer_rerun_of_one_model_puts_back_each_configuration_with_its_own(finished):
    store, reference, batch_8 = finished
    message = requeue_message(store, "boss", ONE_MODEL, "org/a", TC)

    assert "configuration batch_size=8" in message and "configuration reference" in message
    saved = read_requests(store)
    back = {path: r for path, r in saved.items() if r.status is RequestStatus.PENDING}
    assert set(back) == {reference.path, batch_8.path}
    assert back[batch_8.path].configuration == {"batch_size": 8} and back[reference.path].configuration is None
    assert "configuration batch_size=8" in back[batch_8.path].history[-1].detail


def test_the_cli_rerun_can_narrow_to_one_configuration(finished, capsys, monkeypatch):
    store, reference, batch_8 = finished
    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    args = build_parser().parse_args(["requeue", "--all-models", "--task", TC, "--configuration", "batch_size=8"])

    assert cmd_requeue(args, store=store) == 0

    assert f"requeued {batch_8.request_id}: org/a on {TC} (batch_size=8)" in capsys.readouterr().out
    pending = [r for r in read_requests(store).values() if r.status is RequestStatus.PENDING]
    assert [(r.request_id, r.configuration) for r in pending] == [(batch_8.request_id, {"batch_size": 8})]
