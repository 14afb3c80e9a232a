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
from tests.support.queue_helpers import T0, make_request, one_error_line, seed, tree_digest

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

    assert words in one_error_line(capsys)
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


# --- the reasoning task's effort level ---------------------------------------------------------------


@pytest.fixture
def thinker(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    api = FakeHfApi()
    sha = api.add_model("org/thinker", pipeline_tag="text-generation", params=20_000_000)
    return LocalStore(tmp_path / "requests"), HubClient(api=api, token="hf_x"), sha


def enqueue_thinker(store, client, *flags: str) -> int:
    args = build_parser().parse_args(["enqueue", "--model", "org/thinker", *flags])
    return cmd_enqueue(args, store=store, client=client)


def test_run_and_enqueue_take_the_same_reasoning_effort_flag():
    parser = build_parser()
    run = parser.parse_args(["run", "--model", "m", "--task", "reasoning", "--reasoning-effort", "low"])
    queued = parser.parse_args(["enqueue", "--model", "m", "--task", "reasoning", "--reasoning-effort", "low"])
    assert run.reasoning_effort == queued.reasoning_effort == "low"
    subcommands = parser._subparsers._group_actions[0].choices
    helps = [next(a.help for a in subcommands[name]._actions if a.dest == "reasoning_effort")
             for name in ("run", "enqueue")]
    assert helps[0] == helps[1] and "low, medium, high" in helps[0]


def test_enqueue_writes_each_effort_level_as_its_own_request_and_refuses_a_level_twice(thinker, capsys):
    store, client, sha = thinker
    for flags in (("--reasoning-effort", "high"), ("--reasoning-effort", "low"), ()):
        assert enqueue_thinker(store, client, "--task", "reasoning", *flags) == 0
    assert "on reasoning (reference · effort high)" in capsys.readouterr().out

    queued = read_requests(store).values()
    assert sorted((r.revision, r.reasoning_effort or "", r.run_label) for r in queued) == [
        (sha, "", "reference"), (sha, "high", "reference · effort high"), (sha, "low", "reference · effort low")]
    before = tree_digest(store.root)
    assert enqueue_thinker(store, client, "--task", "reasoning", "--reasoning-effort", "high") == 1
    assert "already requested for Reasoning at high effort" in capsys.readouterr().err
    assert tree_digest(store.root) == before


@pytest.mark.parametrize(
    ("tasks", "effort", "words"),
    [
        (("text_generation",), "high", "An effort level applies to the reasoning task only, not Text Generation."),
        (("reasoning", "text_generation"), "high", "applies to the reasoning task only, not Text Generation."),
        (("reasoning",), "extreme", "Choose an effort level among low, medium, high, or none."),
    ],
    ids=["other-task", "one-of-two-tasks", "unknown-level"],
)
def test_enqueue_with_a_refused_effort_names_it_in_one_line_and_writes_nothing(thinker, capsys, tasks, effort, words):
    store, client, _ = thinker
    enqueue_thinker(store, client, "--task", "reasoning")
    capsys.readouterr()
    before = tree_digest(store.root)
    task_flags = [flag for task in tasks for flag in ("--task", task)]

    assert enqueue_thinker(store, client, *task_flags, "--reasoning-effort", effort) == 1

    assert words in one_error_line(capsys)
    assert tree_digest(store.root) == before


@pytest.fixture
def finished_levels(tmp_path, monkeypatch):
    """org/t's reasoning requests at low and at high effort, both completed."""
    monkeypatch.setenv("MAINTAINERS", "boss")
    store = LocalStore(tmp_path / "queue")
    low, high = (
        make_request("org/t", "reasoning", status=RequestStatus.COMPLETED, run_id=f"r-{level}",
                     submitted_at=T0 + timedelta(hours=hour)).model_copy(update={"reasoning_effort": level})
        for hour, level in ((0, "low"), (1, "high"))
    )
    seed(store, [low, high])
    return store, low, high


def test_a_maintainer_rerun_of_one_model_puts_back_each_effort_level_with_its_own(finished_levels):
    store, low, high = finished_levels
    message = requeue_message(store, "boss", ONE_MODEL, "org/t", "reasoning")

    assert "configuration reference · effort high" in message and "configuration reference · effort low" in message
    back = {path: r for path, r in read_requests(store).items() if r.status is RequestStatus.PENDING}
    assert {path: r.reasoning_effort for path, r in back.items()} == {low.path: "low", high.path: "high"}
    assert "configuration reference · effort high" in back[high.path].history[-1].detail


def test_the_cli_rerun_keeps_the_effort_and_names_it(finished_levels, capsys, monkeypatch):
    store, low, high = finished_levels
    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    args = build_parser().parse_args(["requeue", "--model", "org/t", "--task", "reasoning"])

    assert cmd_requeue(args, store=store) == 0

    out = capsys.readouterr().out
    assert f"requeued {high.request_id}: org/t on reasoning (reference · effort high)" in out
    assert sorted(r.reasoning_effort for r in read_requests(store).values()
                  if r.status is RequestStatus.PENDING) == ["high", "low"]
