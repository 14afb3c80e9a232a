"""A queued request's model is a Hub id at its recorded commit: a folder of the same name beside the
worker (a planted ``org/name``) is never what gets measured."""

from __future__ import annotations

import threading

import pytest
from huggingface_hub import constants

from benchmark.queue.steps import RunContext, RunFailedError, WorkerConfig, benchmark_and_publish
from benchmark.runner.model_source import resolve_model
from benchmark.runner.preflight import PreflightError
from benchmark.tasks import get_task
from tests.support.queue_helpers import make_request

SHA = "a" * 40


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """A decoy ``org/name`` folder in the worker's directory and a Hub cache holding org/name@SHA."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "org" / "name").mkdir(parents=True)
    (tmp_path / "org" / "name" / "config.json").write_text('{"decoy": true}')
    snapshot = tmp_path / "hub" / "models--org--name" / "snapshots" / SHA
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return snapshot


def test_a_hub_id_only_model_resolves_to_the_cached_commit_not_the_local_folder(planted):
    source = resolve_model("org/name", SHA, hub_id_only=True)
    assert (source.model_id, source.revision) == ("org/name", SHA)
    assert source.path == str(planted)


def test_a_hub_id_only_model_missing_from_the_hub_is_refused_even_with_a_local_folder(planted):
    with pytest.raises(PreflightError, match="'org/name' cannot be loaded"):
        resolve_model("org/name", "b" * 40, hub_id_only=True)


def test_the_local_cli_still_measures_an_existing_folder_as_given(planted):
    assert resolve_model("org/name").path == "org/name"


def test_the_worker_runs_every_request_as_a_hub_id(planted, tmp_path, monkeypatch):
    import benchmark.runner.run

    specs = []

    def stop_after_resolve(spec):
        specs.append(spec)
        raise benchmark.runner.run.BenchmarkError("stop")

    monkeypatch.setattr(benchmark.runner.run, "run_benchmark", stop_after_resolve)
    request = make_request("org/name", "text_classification", revision=SHA)
    context = RunContext(config=WorkerConfig(device="cpu", output_dir=tmp_path / "runs"), lease_lost=threading.Event())
    with pytest.raises(RunFailedError, match="stop"):
        benchmark_and_publish(request, context)
    (spec,) = specs
    assert spec.hub_id_only is True
    source = benchmark.runner.run.resolve(spec, get_task(spec.task))
    assert (source.model, source.revision) == (str(planted), SHA)
