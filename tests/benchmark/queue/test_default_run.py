"""The worker's default run: the runner on the request's pinned revision, then publishing the record
to the results store (the runner itself replaced by a fake that writes a run folder)."""

from __future__ import annotations

import json
import threading

import pytest

from benchmark.queue.operations import (
    LeaseLostError,
)
from benchmark.queue.request_record import RequestRecord, RequestStatus
from benchmark.queue.steps import RunContext, WorkerConfig
from benchmark.queue.worker import Worker
from benchmark.store import LocalStore
from tests.support.queue_helpers import make_request, seed


def _fake_runner(tmp_path, calls, fail_with=None):
    from benchmark.record import Hardware, ResultRecord, Settings, utc_now
    from benchmark.runner.run import BenchmarkError, RunResult

    def run_benchmark(spec):
        calls.append(spec)
        if fail_with:
            raise BenchmarkError(fail_with, run_dir=tmp_path / "failed-run")
        run_dir = tmp_path / "runs" / "run-1"
        run_dir.mkdir(parents=True)
        record = ResultRecord(
            run_id="run-1", model_id=spec.model, model_revision=spec.revision, task=spec.task,
            created_at=utc_now(), hardware=Hardware(device="cpu"),
            settings=Settings(dataset="d", num_samples=10, dtype="float32"), gpu_wh_per_1k_queries=1.5,
        )
        (run_dir / "record.json").write_text(record.to_json())
        return RunResult(record=record, run_dir=run_dir)

    return run_benchmark


def test_default_run_runs_the_pinned_revision_and_publishes_to_the_results_store(tmp_path, monkeypatch):
    import benchmark.runner.run

    queue_store, results_dir = LocalStore(tmp_path / "queue"), tmp_path / "results"
    monkeypatch.setenv("RESULTS_DIR", str(results_dir))
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    (request,) = seed(queue_store, [make_request("org/a", "text_classification")])
    request = request.model_copy(update={"dtype": "float16"})
    queue_store.commit({request.path: request.to_bytes()}, queue_store.head(), "dtype")
    calls = []
    monkeypatch.setattr(benchmark.runner.run, "run_benchmark", _fake_runner(tmp_path, calls))

    final = Worker(queue_store, config=WorkerConfig(device="cpu", repeats=2, output_dir=tmp_path / "runs",
                                                    worker_id="w")).process_one()

    (spec,) = calls
    assert (spec.model, spec.task, spec.revision, spec.dtype, spec.device, spec.repeats, spec.num_samples) == (
        "org/a", "text_classification", request.revision, "float16", "cpu", 2, None)
    assert final.status is RequestStatus.COMPLETED and final.run_id == "run-1"
    assert final.result_path == "records/text_classification/org--a/run-1.json"
    assert (results_dir / final.result_path).is_file()


def test_default_run_turns_a_benchmark_error_into_the_requests_error(tmp_path, monkeypatch):
    import benchmark.runner.run

    store = LocalStore(tmp_path / "queue")
    (request,) = seed(store, [make_request("org/a")])
    monkeypatch.setattr(benchmark.runner.run, "run_benchmark",
                        _fake_runner(tmp_path, [], fail_with="org/a: no safetensors weights at this revision"))

    final = Worker(store, config=WorkerConfig(device="cpu", max_attempts=1, worker_id="w")).process_one()

    assert final.status is RequestStatus.FAILED
    assert final.error == "org/a: no safetensors weights at this revision"


def test_default_run_does_not_publish_after_losing_its_lease(tmp_path, monkeypatch):
    import benchmark.runner.run
    from benchmark.queue.steps import benchmark_and_publish

    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    monkeypatch.setattr(benchmark.runner.run, "run_benchmark", _fake_runner(tmp_path, []))
    lost = threading.Event()
    lost.set()

    with pytest.raises(LeaseLostError):
        benchmark_and_publish(make_request("org/a"), RunContext(config=WorkerConfig(device="cpu"), lease_lost=lost))
    assert not (tmp_path / "results").exists()


def test_the_worker_runs_the_configuration_the_request_carries(tmp_path, monkeypatch):
    import benchmark.runner.run

    queue_store = LocalStore(tmp_path / "queue")
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    (request,) = seed(queue_store, [make_request("org/a", "text_classification")])
    request = request.model_copy(update={"configuration": {"batch_size": 8, "attn_implementation": "sdpa"}})
    queue_store.commit({request.path: request.to_bytes()}, queue_store.head(), "configuration")
    calls = []
    monkeypatch.setattr(benchmark.runner.run, "run_benchmark", _fake_runner(tmp_path, calls))

    Worker(queue_store, config=WorkerConfig(device="cpu", output_dir=tmp_path / "runs", worker_id="w")).process_one()

    (spec,) = calls
    assert (spec.batch_size, spec.attn_implementation, spec.zero_shot) == (8, "sdpa", False)
    assert request.configuration_key == "batch_size=8+attn=sdpa"
    assert make_request("org/b").configuration_key == "reference"  # a request without one: the reference


def _queued_reasoning(tmp_path, effort):
    store = LocalStore(tmp_path / "queue")
    (request,) = seed(store, [make_request("org/thinker", "reasoning")])
    request = request.model_copy(update={"reasoning_effort": effort})
    store.commit({request.path: request.to_bytes()}, store.head(), "effort")
    return store, request


def test_the_worker_runs_the_effort_level_the_request_carries(tmp_path, monkeypatch):
    import benchmark.runner.run

    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    store, request = _queued_reasoning(tmp_path, "high")
    calls = []
    monkeypatch.setattr(benchmark.runner.run, "run_benchmark", _fake_runner(tmp_path, calls))

    final = Worker(store, config=WorkerConfig(device="cpu", output_dir=tmp_path / "runs", worker_id="w")).process_one()

    (spec,) = calls
    assert (spec.task, spec.reasoning_effort, spec.max_new_tokens) == ("reasoning", "high", None)  # the task's cap
    assert final.status is RequestStatus.COMPLETED and final.reasoning_effort == "high"
    written_before = json.loads(request.to_json())
    del written_before["reasoning_effort"]  # a request written before effort levels reads as none
    assert RequestRecord.from_json(json.dumps(written_before)).reasoning_effort is None


def test_a_model_whose_template_takes_no_effort_fails_with_the_runners_refusal_as_its_error(tmp_path, monkeypatch):
    """The runner's own check (its template's thinking switch, read from the model folder) raises
    inside the fake run exactly as ``run_benchmark`` turns it into a ``BenchmarkError``."""
    import benchmark.runner.run
    from benchmark.runner.reasoning import thinking
    from benchmark.runner.run import BenchmarkError

    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "chat_template.jinja").write_text("{% if enable_thinking %}<think>{% endif %}{{ messages }}")

    def run_benchmark(spec):
        try:
            thinking.plan(str(model_dir), spec.model, spec.reasoning_effort)
        except thinking.ReasoningRefused as exc:
            raise BenchmarkError(str(exc)) from exc
        raise AssertionError("a template without effort levels took one")

    store, request = _queued_reasoning(tmp_path, "high")
    monkeypatch.setattr(benchmark.runner.run, "run_benchmark", run_benchmark)

    final = Worker(store, config=WorkerConfig(device="cpu", max_attempts=1, worker_id="w")).process_one()

    assert final.status is RequestStatus.FAILED
    assert final.error == (
        "--reasoning-effort high: model 'org/thinker' takes no effort level "
        "(its template: enable_thinking (Qwen3, SmolLM3))"
    )
