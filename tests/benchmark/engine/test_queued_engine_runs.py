"""Engine runs through the queue: ``enqueue --engine vllm --max-num-seqs 8,64`` writes one request per batch
size (the same request twice is refused), a non-language task refuses the engine in one line and writes
nothing, and the worker runs the engine configuration a request carries, with the exactly-once rules of any
request."""

from __future__ import annotations

import pytest

from benchmark.cli import build_parser
from benchmark.hub_client import HubClient
from benchmark.queue.dispatch_cli import cmd_enqueue
from benchmark.queue.operations import read_requests
from benchmark.queue.worker import Worker, WorkerConfig
from benchmark.store import LocalStore
from tests.benchmark.queue.test_default_run import _fake_runner
from tests.support.doubles.hub_double import FakeHfApi
from tests.support.queue_helpers import make_request, seed, tree_digest


@pytest.fixture
def online(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    api = FakeHfApi()
    api.add_model("org/llm", params=5_000_000, pipeline_tag="text-generation")
    return LocalStore(tmp_path / "requests"), HubClient(api=api, token="hf_x")


def enqueue(store, client, task: str, *flags: str) -> int:
    args = build_parser().parse_args(["enqueue", "--model", "org/llm", "--task", task, *flags])
    return cmd_enqueue(args, store=store, client=client)


def test_a_steady_state_sweep_is_one_request_per_batch_size_and_each_only_once(online, capsys):
    store, client = online
    assert enqueue(store, client, "text_generation", "--engine", "vllm") == 0
    assert enqueue(store, client, "text_generation", "--engine", "vllm", "--max-num-seqs", "8,64") == 0
    keys = sorted(r.configuration_key for r in read_requests(store).values())
    assert keys == ["engine=vllm", "engine=vllm+max_num_seqs=64", "engine=vllm+max_num_seqs=8"]
    before = tree_digest(store.root)
    assert enqueue(store, client, "text_generation", "--engine", "vllm", "--max-num-seqs", "64") == 1
    assert "already requested" in capsys.readouterr().err
    assert tree_digest(store.root) == before


def test_the_engine_on_a_task_that_is_not_a_language_models_is_refused_and_nothing_is_written(online, capsys):
    store, client = online
    before = tree_digest(store.root) if store.root.exists() else None
    assert enqueue(store, client, "text_classification", "--engine", "vllm") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--engine: task text_classification does not admit this option" in err[0]
    assert (tree_digest(store.root) if store.root.exists() else None) == before


def test_the_worker_runs_the_engine_configuration_a_request_carries(tmp_path, monkeypatch):
    import benchmark.runner.run

    queue_store = LocalStore(tmp_path / "queue")
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    (request,) = seed(queue_store, [make_request("org/llm", "text_generation")])
    request = request.model_copy(update={"configuration": {"engine": "vllm", "max_num_seqs": 64}})
    queue_store.commit({request.path: request.to_bytes()}, queue_store.head(), "engine")
    calls = []
    monkeypatch.setattr(benchmark.runner.run, "run_benchmark", _fake_runner(tmp_path, calls))

    Worker(queue_store, config=WorkerConfig(device="cpu", output_dir=tmp_path / "runs", worker_id="w")).process_one()

    (spec,) = calls
    assert (spec.engine, spec.max_num_seqs, spec.batch_size) == ("vllm", 64, None)
    assert request.configuration_key == "engine=vllm+max_num_seqs=64"
