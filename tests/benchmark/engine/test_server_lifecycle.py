"""No server is ever left running: after Ctrl-C to the runner, after the server dies mid-run, and after a
runner killed outright (the next start reaps it). Then a server the user already runs (``--engine-url``),
shared by the tests that need one: measured without launching anything, refused when it does not serve
the model, and its port refused to a launch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmark.runner.engine import server as srv
from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark
from tests.benchmark.engine.conftest import needs_engine
from tests.benchmark.engine.helpers import servers_of
from tests.support.env import REPO_ROOT, subprocess_env

pytestmark = [pytest.mark.runner, pytest.mark.engine, needs_engine]
READY_S = 400.0


def cli_run(model: Path, prompts: Path, tmp_path: Path, state: Path, *extra: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "benchmark", "run", "--model", str(model), "--model-id", "test/tiny-llama",
            "--task", "text_generation", "--engine", "vllm", "--dataset", str(prompts), "--dataset-id",
            "EnergyStarAI/text_generation", "--num-samples", "40", "--repeats", "20", "--warmup-runs", "0",
            "--dtype", "bfloat16", "--output", str(tmp_path / "runs"), *extra]
    return subprocess.Popen(args, cwd=REPO_ROOT, env=subprocess_env(BENCHMARK_ENGINE_STATE=str(state)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_serving(runner: subprocess.Popen, state: Path) -> int:
    """The launched server's process group, once its log shows it answering requests."""
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        assert runner.poll() is None, runner.communicate()
        logs = list((state.parent).rglob(srv.SERVER_LOG))
        records = list((state / "servers").glob("*.json"))
        if records and logs and "POST /v1/chat/completions" in logs[0].read_text(errors="replace"):
            return int(json.loads(records[0].read_text())["pgid"])
        time.sleep(0.5)
    raise AssertionError("the server never answered a request")


def test_ctrl_c_to_the_runner_stops_the_server_and_publishes_nothing(tiny_llama, prompts, tmp_path, engine_state):
    runner = cli_run(tiny_llama, prompts, tmp_path, engine_state)
    wait_serving(runner, engine_state)
    os.kill(runner.pid, signal.SIGINT)
    runner.communicate(timeout=120)
    assert runner.returncode != 0
    assert servers_of(tiny_llama) == []
    assert list((engine_state / "servers").glob("*.json")) == []
    assert not list((tmp_path / "runs").rglob("record.json"))


def test_a_server_dying_mid_run_fails_the_run_in_one_line(tiny_llama, prompts, tmp_path, engine_state):
    runner = cli_run(tiny_llama, prompts, tmp_path, engine_state)
    pgid = wait_serving(runner, engine_state)
    os.killpg(pgid, signal.SIGKILL)
    _, err = runner.communicate(timeout=120)
    assert runner.returncode == 1
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: the vLLM server died mid-run (exit code -9)")
    assert servers_of(tiny_llama) == [] and list((engine_state / "servers").glob("*.json")) == []


def test_a_killed_runners_server_is_reaped_by_the_next_start(tiny_llama, prompts, tmp_path, engine_state):
    runner = cli_run(tiny_llama, prompts, tmp_path, engine_state)
    pgid = wait_serving(runner, engine_state)
    os.kill(runner.pid, signal.SIGKILL)  # no chance to stop its server
    runner.communicate(timeout=60)
    assert servers_of(tiny_llama) != []  # orphaned
    assert srv.reap_orphans() == [pgid]  # what every start does first
    assert servers_of(tiny_llama) == [] and list((engine_state / "servers").glob("*.json")) == []


@pytest.fixture(scope="module")
def users_server(tiny_llama, tmp_path_factory):
    """A server the user started (here: the test), serving the tiny model as "test/tiny-llama"."""
    folder = tmp_path_factory.mktemp("users-server")
    settings = srv.ServerSettings(model_path=str(tiny_llama), served_name="test/tiny-llama", dtype="bfloat16",
                                  max_model_len=512, max_num_seqs=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BENCHMARK_ENGINE_STATE", str(folder / "state"))  # its own record: not a run's to reap
        with srv.launched(settings, folder / srv.SERVER_LOG) as server:
            yield server


def external(prompts: Path, tmp_path: Path, url: str, **changes) -> RunSpec:
    base = dict(model="test/tiny-llama", task="text_generation", engine="vllm", engine_url=url, dataset=str(prompts),
                dataset_id="EnergyStarAI/text_generation", num_samples=3, repeats=1, warmup_runs=1,
                output_dir=tmp_path / "runs")
    return RunSpec(**{**base, **changes})


def test_a_server_at_engine_url_is_measured_and_nothing_is_launched(users_server, prompts, tmp_path, tiny_llama):
    before = servers_of(tiny_llama)
    record = run_benchmark(external(prompts, tmp_path, users_server.url)).record
    assert record.settings.engine.server == "external"
    assert (record.settings.engine.dtype, record.settings.engine.max_model_len) == (None, None)
    assert record.software.vllm == "0.32.0" and record.configuration.key == "engine=vllm"
    assert servers_of(tiny_llama) == before and users_server.alive()


def test_a_server_that_does_not_serve_the_model_is_refused(users_server, prompts, tmp_path):
    with pytest.raises(BenchmarkError) as caught:
        run_benchmark(external(prompts, tmp_path, users_server.url, model="org/other"))
    assert str(caught.value) == (f"--engine-url {users_server.url} does not serve 'org/other' (it serves: "
                                 "test/tiny-llama): pass --model as the served model name")


def test_a_launch_on_a_port_in_use_is_refused(users_server, prompts, tmp_path, tiny_llama):
    spec = RunSpec(model=str(tiny_llama), model_id="test/tiny-llama", task="text_generation", engine="vllm",
                   engine_port=users_server.port, dataset=str(prompts), dataset_id="EnergyStarAI/text_generation",
                   num_samples=2, repeats=1, output_dir=tmp_path / "runs")
    with pytest.raises(BenchmarkError) as caught:
        run_benchmark(spec)
    assert str(caught.value) == (f"port {users_server.port} is in use: choose another --engine-port or stop what "
                                 "listens there")
