"""Many visitors at once: read-only calls run side by side, writers one at a time, and Gradio's
per-event bookkeeping stays small."""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
from typing import Any

import pytest
from gradio_client import Client

import leaderboard.api
from benchmark.store import LocalStore
from leaderboard import serving
from leaderboard.app import build_demo
from leaderboard.results.live import LiveData
from tests.support.leaderboard_fixtures import write_bad_folder

CONCURRENT_CALLS = 3


@pytest.fixture
def served(tmp_path, monkeypatch):
    """The app on a small results folder, with ``/releases`` held until CONCURRENT_CALLS calls are in it."""
    meeting = threading.Barrier(CONCURRENT_CALLS, timeout=8)

    def releases_after_meeting(data):
        meeting.wait()  # BrokenBarrierError when the calls ran one after another
        return [{"name": "met"}]

    monkeypatch.setattr(leaderboard.api, "release_list", releases_after_meeting)
    write_bad_folder(tmp_path)
    live = LiveData(LocalStore(tmp_path), min_check_interval_s=0, min_force_interval_s=0)
    demo = build_demo(live=live, refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    yield demo, url
    demo.close()


def test_concurrent_api_calls_run_at_once_instead_of_queueing_behind_each_other(served):
    _, url = served
    answers: list = []
    failures: list[str] = []

    def call() -> None:
        client = Client(url, verbose=False)
        try:
            answers.append(client.predict(api_name="/releases"))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever a call raised
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            client.close()

    threads = [threading.Thread(target=call) for _ in range(CONCURRENT_CALLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert answers == [[{"name": "met"}]] * CONCURRENT_CALLS


def test_every_api_endpoint_is_unlimited_and_every_writer_goes_one_at_a_time(served):
    demo, _ = served
    fns = list(demo.fns.values())

    def limit(fn):  # what the running queue enforces for this handler ("default": the queue's default)
        return demo._queue.default_concurrency_limit if fn.concurrency_limit == "default" else fn.concurrency_limit

    api_limits = {fn.api_name: limit(fn) for fn in fns if fn.api_visibility == "public"}
    assert set(api_limits) >= {"task_rows", "releases", "energy_label", "model_page", "submit_run"}
    assert {name: n for name, n in api_limits.items() if n is not None} == {"submit_run": 1}  # the one public writer
    written = {"on_submit", "on_requeue", "on_run_queue", "on_submit_run", "on_approve", "on_reject", "on_reproduce"}
    writers = {fn.name: limit(fn) for fn in fns if fn.name in written}
    assert writers == dict.fromkeys(written, 1)


def test_gradio_monitoring_is_bounded_unless_the_deployment_set_its_own(monkeypatch):
    monkeypatch.delenv("GRADIO_ANALYTICS_MAX_EVENTS", raising=False)
    monkeypatch.setenv("GRADIO_ANALYTICS_CACHE_FREQUENCY", "7")  # the deployment's own choice
    serving.apply_gradio_environment_defaults()
    assert os.environ["GRADIO_ANALYTICS_MAX_EVENTS"] == "1000"
    assert os.environ["GRADIO_ANALYTICS_CACHE_FREQUENCY"] == "7"


def test_a_module_gradio_probes_for_is_marked_missing_only_when_it_cannot_be_found(monkeypatch):
    missing = "a_plotting_library_nobody_installed"
    monkeypatch.setattr(serving, "MODULES_GRADIO_PROBES", (missing, "json"))
    monkeypatch.delitem(sys.modules, missing, raising=False)
    serving.remember_missing_modules()
    assert sys.modules[missing] is None
    assert sys.modules["json"] is json
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(missing)
    monkeypatch.delitem(sys.modules, missing)


def test_the_server_runs_on_uvloop_and_httptools(served):
    demo, _ = served
    config = demo.server.config
    assert config.http_protocol_class.__module__ == "uvicorn.protocols.http.httptools_impl"
    loop = config.get_loop_factory()()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()


def test_handlers_annotations_are_types_so_gradio_does_not_evaluate_strings_on_every_call(served):
    demo, _ = served
    task_rows = next(fn.fn for fn in demo.fns.values() if fn.api_name == "task_rows")
    assert task_rows.__annotations__["return"] == list[dict[str, Any]]
    assert task_rows.__annotations__["task"] is str
    still_strings = [fn.name for fn in demo.fns.values()
                     if any(isinstance(a, str) for a in getattr(fn.fn, "__annotations__", {}).values())]
    assert still_strings == []
