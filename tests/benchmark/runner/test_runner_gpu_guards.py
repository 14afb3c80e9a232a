"""The runner's GPU bookkeeping and guards, with the device layer (``benchmark.runner.nvml``) and the launch
simulated: this machine has no GPU. The real-GPU check is ``scripts/speed/gpu_check.sh``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from benchmark.runner import nvml
from benchmark.runner import run as runner
from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark


def phase(gpu_kwh: float, latency_s: float = 0.5) -> dict:
    return {
        "energy": {"unit": "kWh", "cpu": 1e-6, "gpu": gpu_kwh, "ram": 2e-6, "total": 3e-6 + gpu_kwh},
        "latency": {"unit": "s", "values": [latency_s], "total": latency_s},
        "throughput": {"unit": "samples/s", "value": 4.0},
    }


class FakeGpu:
    """A GPU whose NVML counter advances by ``counter_step_mj`` per reading."""

    def __init__(self, counter_step_mj: float, has_counter: bool = True) -> None:
        self.counter_mj = 1_000_000.0
        self.step = counter_step_mj
        self.has_counter = has_counter

    def energy_counter_mj(self, indices) -> float:
        if not self.has_counter:
            raise nvml.NoEnergyCounter("GPU 0 (Tesla K80) has no NVML energy counter: Not Supported")
        self.counter_mj += self.step
        return self.counter_mj


@pytest.fixture
def fake_gpu(monkeypatch):
    def install(gpu: FakeGpu, report: dict) -> None:
        monkeypatch.setattr(nvml, "device_count", lambda: 1)
        monkeypatch.setattr(nvml, "energy_counter_mj", gpu.energy_counter_mj)
        monkeypatch.setattr(nvml, "power_w", lambda indices, **_: 71.5)
        monkeypatch.setattr(
            nvml, "gpu_facts",
            lambda indices: nvml.GpuFacts("NVIDIA H100 80GB HBM3", 1, "550.54", "12.4", 81559, 700.0),
        )
        monkeypatch.setattr(runner, "build_config", lambda run, name: run)
        import optimum_benchmark

        monkeypatch.setattr(optimum_benchmark.Benchmark, "launch", staticmethod(lambda config: SimpleNamespace(
            to_dict=lambda: report)))

    return install


def spec(tiny, tmp_path, **overrides) -> RunSpec:
    task = "text_classification"
    return RunSpec(model=str(tiny.model(task)), task=task, dataset=str(tiny.dataset(task)), num_samples=2,
                   repeats=2, device="cuda", output_dir=tmp_path / "runs", **overrides)


def test_a_gpu_without_an_energy_counter_is_refused_before_running(tiny, tmp_path, fake_gpu):
    fake_gpu(FakeGpu(0, has_counter=False), {})
    with pytest.raises(BenchmarkError) as info:
        run_benchmark(spec(tiny, tmp_path))
    assert "no NVML energy counter" in str(info.value) and "refusing to run" in str(info.value)
    assert not list(tmp_path.glob("runs/*/record.json"))
    assert list(tmp_path.glob("runs/*/error.log"))


def test_a_gpu_run_that_measures_zero_gpu_energy_is_refused_instead_of_publishing_a_zero(tiny, tmp_path, fake_gpu):
    fake_gpu(FakeGpu(0), {"preprocess_dataset": phase(0.0), "forward": phase(0.0)})
    with pytest.raises(BenchmarkError) as info:
        run_benchmark(spec(tiny, tmp_path))
    assert "measured GPU energy is 0.0 Wh" in str(info.value) and "refusing to publish a zero" in str(info.value)
    assert not list(tmp_path.glob("runs/*/record.json"))


def test_a_gpu_run_records_the_gpu_its_idle_power_and_the_nvml_counter_delta(tiny, tmp_path, fake_gpu):
    # 36,000 mJ between the readings around each launch = 1e-5 kWh for the whole run
    fake_gpu(FakeGpu(36_000.0), {"preprocess_dataset": phase(1e-7), "forward": phase(4e-6)})
    record = run_benchmark(spec(tiny, tmp_path)).record
    assert record.hardware.device == "cuda"
    assert record.hardware.gpu_name == "NVIDIA H100 80GB HBM3" and record.hardware.gpu_count == 1
    assert record.hardware.driver_version == "550.54" and record.hardware.cuda_version == "12.4"
    assert record.hardware.gpu_power_limit_w == 700.0 and record.hardware.gpu_memory_mib == 81559
    assert record.settings.dtype == "float32"
    for repeat in record.repeats:
        assert repeat.idle_power_w == 71.5
        assert repeat.nvml_gpu_energy_kwh == pytest.approx(1e-5)
        assert repeat.gpu_wh_per_1k_queries == pytest.approx((1e-7 + 4e-6) * 1e6 / 2)
    assert record.gpu_wh_per_1k_queries == pytest.approx(2.05)
    assert record.gpu_wh_per_1k_queries_std == 0.0


def test_text_generation_keeps_float16_on_a_gpu_but_falls_back_to_float32_on_a_cpu(tiny):
    task = runner.get_task("text_generation")
    on_gpu = runner.resolve(RunSpec(model=str(tiny.model("text_generation")), task="text_generation",
                                    device="cuda"), task)
    on_cpu = runner.resolve(RunSpec(model=str(tiny.model("text_generation")), task="text_generation",
                                    device="cpu"), task)
    assert (on_gpu.dtype, on_gpu.dtype_requested) == ("float16", "float16")
    assert (on_cpu.dtype, on_cpu.dtype_requested) == ("float32", "float16")
