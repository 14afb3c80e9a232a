"""The engine's energy meter sums every GPU of the server, and every engine refusal is one line, before
anything is launched or published (no server needed)."""

from __future__ import annotations

import pytest

from benchmark.cli import main
from benchmark.runner.engine.meter import Meter
from tests.support.doubles.fake_pynvml import FakeDevice, FakeNvml, install


def test_the_window_energy_sums_every_gpu_the_server_uses(monkeypatch):
    fake = install(monkeypatch, FakeNvml(devices=[FakeDevice(), FakeDevice(energy_mj=5_000_000_000)],
                                         energy_step_mj=250_000))
    meter = Meter((0, 1), cpu_ram=False)
    meter.open()
    window = meter.close()
    # each GPU's counter moved by one step (250 J) between the two readings: 500 J, not GPU 0's 250 J
    assert window.gpu_j == pytest.approx(500.0)
    assert set(window.start.gpu_mj) == {0, 1}
    assert fake.init_calls == fake.shutdown_calls


def test_a_cpu_window_has_no_gpu_energy_but_codecarbons_cpu_and_ram():
    meter = Meter(())
    meter.open()
    window = meter.close()
    assert window.gpu_j is None
    assert window.cpu_j is not None and window.ram_j is not None and window.ram_j > 0


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(["run", "--model", "org/model", *args])
    return code, capsys.readouterr().err.strip()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "summarization", "--engine", "vllm"],
         "--engine: task summarization does not admit this option"),
        (["--task", "text_generation", "--max-num-seqs", "8"], "--max-num-seqs: is the serving engine's batch"),
        (["--task", "text_generation", "--engine", "vllm", "--protocol", "steady-state"],
         "--protocol steady-state needs --max-num-seqs"),
        (["--task", "text_generation", "--engine", "vllm", "--protocol", "one-at-a-time", "--max-num-seqs", "8"],
         "--max-num-seqs is the steady state's batch"),
        (["--task", "text_generation", "--engine", "vllm", "--batch-size", "4"],
         "--batch-size cannot be combined with it"),
        (["--task", "text_generation", "--engine-url", "http://127.0.0.1:9"], "--engine-url applies to runs with"),
        (["--task", "text_generation", "--engine", "vllm", "--engine-url", "ftp://x"], "--engine-url must be an http"),
        (["--task", "text_generation", "--protocol", "steady-state"], "--protocol applies to runs with --engine"),
    ],
)
def test_each_engine_refusal_is_one_line(capsys, args, message):
    code, err = run(capsys, *args)
    assert code == 1
    assert message in err and len(err.splitlines()) == 1


def test_the_engine_not_set_up_is_refused_naming_the_command(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("BENCHMARK_ENGINE_VENV", str(tmp_path / "nowhere"))
    code, err = run(capsys, "--task", "text_generation", "--engine", "vllm")
    assert code == 1
    assert err == (f"error: --engine vllm: the serving engine is not set up ({tmp_path / 'nowhere'} has no vLLM): "
                   "run `bash scripts/engine.sh` first")


def test_an_external_url_that_does_not_answer_is_refused_and_nothing_is_written(capsys, tmp_path, prompts):
    from benchmark.runner.engine.server import free_port

    port = free_port()  # nothing listens there
    code, err = run(capsys, "--task", "text_generation", "--engine", "vllm", "--engine-url",
                    f"http://127.0.0.1:{port}", "--dataset", str(prompts), "--num-samples", "2",
                    "--output", str(tmp_path / "runs"))
    assert code == 1
    assert f"--engine-url http://127.0.0.1:{port} does not answer: ConnectError" in err
    assert len(err.splitlines()) == 1
    assert not list((tmp_path / "runs").rglob("record.json"))


def test_the_engines_own_error_is_read_from_its_log_root_cause_first_mid_run(tmp_path):
    from benchmark.runner.engine.server import last_error_line

    log = tmp_path / "engine_server.log"
    log.write_text(
        "(APIServer pid=1) INFO 12-07 [api.py:1] starting\n"
        "(Worker pid=2) ERROR [executor.py:9] RuntimeError: Unsupported CPU attention configuration: head_dim=16\n"
        "(EngineCore pid=3) ERROR 12-07 [core.py:1] RuntimeError: Worker failed, please check the stack trace above\n"
        "(APIServer pid=1) ERROR [serving.py:9] vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered "
        "an issue. See stack trace (above) for the root cause.\n"
        "(APIServer pid=1) ERROR 12-07 [a.py:1] pydantic_core._pydantic_core.ValidationError: 1 validation error\n"
        "  Value error, Model architectures ['X'] are not supported for now. Supported architectures: dict_keys([])\n"
    )
    assert last_error_line(log, first=True) == "RuntimeError: Unsupported CPU attention configuration: head_dim=16"
    assert last_error_line(log) == "Model architectures ['X'] are not supported for now"


def test_a_launched_server_runs_on_gpu_0_by_default_and_a_users_server_is_measured_on_every_gpu(monkeypatch):
    from benchmark.run_spec import RunSpec
    from benchmark.runner.engine.run import _gpus

    install(monkeypatch, FakeNvml(devices=[FakeDevice(), FakeDevice(), FakeDevice()]))
    launched = RunSpec(model="m", task="text_generation", engine="vllm", gpus_all=True)
    external = RunSpec(model="m", task="text_generation", engine="vllm", engine_url="http://127.0.0.1:8000",
                       gpus_all=True)
    named = RunSpec(model="m", task="text_generation", engine="vllm", engine_url="http://127.0.0.1:8000",
                    device_ids=(1, 2))
    assert (_gpus(launched, "cuda"), _gpus(external, "cuda"), _gpus(named, "cuda")) == ((0,), (0, 1, 2), (1, 2))
    assert _gpus(external, "cpu") == ()
