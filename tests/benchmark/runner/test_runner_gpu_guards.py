"""The runner's GPU bookkeeping and guards, with ``pynvml`` faked at the library boundary (the real
function names and units: mW, mJ, bytes) and the launch simulated: this machine has no GPU.
``benchmark.runner.nvml`` itself runs unchanged. The real-GPU check is ``scripts/speed/gpu_check.sh``."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from benchmark.record import PhaseMeasurement
from benchmark.runner import crosscheck, nvml
from benchmark.runner import run as runner
from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark
from benchmark.runs import counter
from benchmark.tasks import get_task
from tests.support.doubles.fake_pynvml import FakeDevice, FakeNvml, install

KWH_TO_MJ = 3.6e9


def phase(gpu_kwh: float, latency_s: float = 0.5) -> dict:
    return {
        "energy": {"unit": "kWh", "cpu": 1e-6, "gpu": gpu_kwh, "ram": 2e-6, "total": 3e-6 + gpu_kwh},
        "latency": {"unit": "s", "values": [latency_s], "total": latency_s},
        "throughput": {"unit": "samples/s", "value": 4.0},
    }


@pytest.fixture
def fake_gpu(monkeypatch):
    """Install a fake NVML and a launch that returns ``report``; the counter steps per reading."""

    def setup(fake: FakeNvml, report: dict) -> FakeNvml:
        install(monkeypatch, fake)
        monkeypatch.setattr(runner, "build_config", lambda run, name: run)
        import optimum_benchmark

        monkeypatch.setattr(
            optimum_benchmark.Benchmark, "launch", staticmethod(lambda config: SimpleNamespace(to_dict=lambda: report))
        )
        return fake

    return setup


def spec(tiny, tmp_path, **overrides) -> RunSpec:
    task = "text_classification"
    return RunSpec(model=str(tiny.model(task)), task=task, dataset=str(tiny.dataset(task)), num_samples=2,
                   repeats=2, device="cuda", output_dir=tmp_path / "runs", **overrides)


def no_record(tmp_path) -> bool:
    return not list(tmp_path.glob("runs/*/record.json"))


def test_a_gpu_without_an_energy_counter_is_refused_before_running(tiny, tmp_path, fake_gpu):
    fake_gpu(FakeNvml(devices=[FakeDevice(name="Tesla K80", has_counter=False)]), {})
    with pytest.raises(BenchmarkError) as info:
        run_benchmark(spec(tiny, tmp_path))
    assert str(info.value) == (
        "GPU 0 (Tesla K80) has no NVML energy counter: Not Supported: GPU energy cannot be measured, refusing to run"
    )
    assert no_record(tmp_path)
    assert list(tmp_path.glob("runs/*/error.log"))


def test_a_gpu_run_that_measures_zero_gpu_energy_is_refused_instead_of_publishing_a_zero(tiny, tmp_path, fake_gpu):
    fake_gpu(FakeNvml(), {"preprocess_dataset": phase(0.0), "forward": phase(0.0)})
    with pytest.raises(BenchmarkError) as info:
        run_benchmark(spec(tiny, tmp_path))
    assert "measured GPU energy is 0.0 Wh" in str(info.value) and "refusing to publish a zero" in str(info.value)
    assert no_record(tmp_path)


def test_a_gpu_run_records_the_gpu_facts_in_their_units_and_the_counter_ratio(tiny, tmp_path, fake_gpu):
    # 36,000 mJ per counter reading = 1e-5 kWh between the readings around each launch
    fake_gpu(FakeNvml(energy_step_mj=36_000), {"preprocess_dataset": phase(1e-7), "forward": phase(4e-6)})
    record = run_benchmark(spec(tiny, tmp_path)).record
    assert record.hardware.device == "cuda"
    assert record.hardware.gpu_name == "NVIDIA H100 80GB HBM3" and record.hardware.gpu_count == 1
    assert record.hardware.driver_version == "550.54.15" and record.hardware.cuda_version == "12.4"
    assert record.hardware.gpu_power_limit_w == 700.0  # 700,000 mW
    assert record.hardware.gpu_memory_mib == 81559  # 85,520,809,984 bytes
    assert record.hardware.gpu_sharing_allowed is False
    for repeat in record.repeats:
        assert repeat.idle_power_w == 71.5  # 71,500 mW
        assert repeat.nvml_gpu_energy_kwh == pytest.approx(1e-5)
        assert repeat.phases_gpu_energy_kwh == pytest.approx(4.1e-6)
        assert repeat.nvml_to_phases_ratio == pytest.approx(1e-5 / 4.1e-6)
        assert repeat.gpu_wh_per_1k_queries == pytest.approx((1e-7 + 4e-6) * 1e6 / 2)
        assert repeat.other_gpu_pids == []
    assert record.gpu_wh_per_1k_queries == pytest.approx(2.05)
    assert record.gpu_wh_per_1k_queries_std == 0.0


def test_a_counter_delta_below_the_phases_beyond_its_granularity_is_refused(tiny, tmp_path, fake_gpu):
    # The phases report 0.02 kWh of GPU energy, the counter moved 0.01 kWh over the whole launch.
    fake_gpu(FakeNvml(energy_step_mj=int(0.01 * KWH_TO_MJ)),
             {"preprocess_dataset": phase(0.005), "forward": phase(0.015)})
    with pytest.raises(BenchmarkError) as info:
        run_benchmark(spec(tiny, tmp_path))
    message = str(info.value)
    assert message.startswith("repeat 1: NVML's energy counter moved 10 Wh over the whole launch, less than the 20 Wh")
    assert "(ratio 0.500)" in message and "refusing to publish" in message
    assert no_record(tmp_path)


def test_a_counter_delta_short_by_less_than_its_granularity_is_accepted_with_its_ratio(tiny, tmp_path, fake_gpu):
    phases_kwh = 0.02
    tolerance = counter.counter_tolerance_kwh(2, 700.0)
    delta_kwh = phases_kwh - tolerance / 2
    fake_gpu(FakeNvml(energy_step_mj=round(delta_kwh * KWH_TO_MJ)),
             {"preprocess_dataset": phase(0.005), "forward": phase(0.015)})
    record = run_benchmark(spec(tiny, tmp_path)).record
    assert record.repeats[0].nvml_to_phases_ratio == pytest.approx(delta_kwh / phases_kwh, rel=1e-6)
    assert record.repeats[0].nvml_to_phases_ratio < 1


def test_the_model_is_launched_with_hub_kernels_off_and_the_environment_restored_after(
    tiny, tmp_path, fake_gpu, monkeypatch
):
    # transformers 5 fetches kernels from the Hub on CUDA unless told not to: the GPU check's first run
    # failed to load every model with "Kernels are not available"; the child must inherit the switch.
    fake_gpu(FakeNvml(energy_step_mj=36_000), {"preprocess_dataset": phase(1e-7), "forward": phase(4e-6)})
    import optimum_benchmark

    seen: list[str | None] = []
    launch = optimum_benchmark.Benchmark.launch
    monkeypatch.setattr(optimum_benchmark.Benchmark, "launch",
                        staticmethod(lambda config: seen.append(os.environ.get("USE_HUB_KERNELS")) or launch(config)))
    monkeypatch.setenv("USE_HUB_KERNELS", "yes")
    run_benchmark(spec(tiny, tmp_path))
    assert seen == ["NO", "NO"]
    assert os.environ["USE_HUB_KERNELS"] == "yes"


def test_a_phase_of_one_counter_step_is_resolved_only_to_hundreds_of_percent():
    # The H200 check (issue 23): 50 tiny classifier queries lasted about one 0.1 s step at ~121 W, the
    # scored phases read 12 J (or 24 J, repeat to repeat) with the GPU idling at 120.8 W.
    joules = 1 / counter.J_PER_KWH
    tiny = {"preprocess": PhaseMeasurement(cpu_kwh=0, gpu_kwh=0, ram_kwh=0, latency_s=0.02),
            "forward": PhaseMeasurement(cpu_kwh=0, gpu_kwh=12.1 * joules, ram_kwh=0, latency_s=0.1)}
    # 2 readings x 0.1 s at 120.8 W (preprocess: idle) + at 121 W (forward's own mean) = 48.36 J over 12.1 J
    assert counter.scored_gpu_resolution_pct(tiny, idle_power_w=120.8) == pytest.approx(399.67, abs=0.01)
    # a reference-sized run: a minute of inference at 300 W
    real = {"preprocess": PhaseMeasurement(cpu_kwh=0, gpu_kwh=40 * joules, ram_kwh=0, latency_s=0.5),
            "forward": PhaseMeasurement(cpu_kwh=0, gpu_kwh=18_000 * joules, ram_kwh=0, latency_s=60.0)}
    # 2 x 0.1 x 80 W (preprocess's 80 W mean = idle) + 2 x 0.1 x 300 W = 76 J over 18,040 J
    assert counter.scored_gpu_resolution_pct(real, idle_power_w=80.0) == pytest.approx(0.4213, abs=1e-4)
    assert counter.scored_gpu_resolution_pct({"forward": tiny["preprocess"]}, idle_power_w=80.0) is None


def test_a_gpu_run_too_short_for_the_counter_records_its_resolution_and_says_so_once(tiny, tmp_path, fake_gpu, capfd):
    fake_gpu(FakeNvml(energy_step_mj=36_000), {"preprocess_dataset": phase(1e-7), "forward": phase(4e-6)})
    record = run_benchmark(spec(tiny, tmp_path)).record
    # preprocess 0.36 J and forward 14.4 J over 0.5 s each: both below the 71.5 W idle power, so
    # 2 x 2 x 0.1 s x 71.5 W = 28.6 J over the 14.76 J scored
    assert [r.gpu_resolution_pct for r in record.repeats] == pytest.approx([193.77, 193.77], abs=0.01)
    err = capfd.readouterr().err
    assert err.count("their GPU energy is known only to ±194 %") == 1


def test_the_counter_tolerance_is_one_refresh_step_at_the_power_limit_per_reading():
    # 2 phases: 4 codecarbon readings + 2 of the runner's, each up to 0.1 s at 700 W
    assert counter.counter_tolerance_kwh(2, 700.0) == pytest.approx(6 * 700 * 0.1 / 3.6e6)
    assert counter.counter_tolerance_kwh(2, None) == pytest.approx(6 * 1000 * 0.1 / 3.6e6)


def test_another_process_on_the_gpu_is_refused_before_running(tiny, tmp_path, fake_gpu):
    fake = FakeNvml(energy_step_mj=36_000, devices=[FakeDevice(processes=[(4242, 2 << 30)])])
    fake_gpu(fake, {"preprocess_dataset": phase(1e-7), "forward": phase(4e-6)})
    with pytest.raises(BenchmarkError) as info:
        run_benchmark(spec(tiny, tmp_path))
    assert str(info.value).startswith("another process uses the measured GPU (pid 4242 on GPU 0)")
    assert "--allow-shared-gpu" in str(info.value)
    assert no_record(tmp_path)


def test_a_maintainer_may_allow_a_shared_gpu_and_the_record_says_so(tiny, tmp_path, fake_gpu):
    fake = FakeNvml(energy_step_mj=36_000, devices=[FakeDevice(processes=[(4242, 2 << 30)])])
    fake_gpu(fake, {"preprocess_dataset": phase(1e-7), "forward": phase(4e-6)})
    record = run_benchmark(spec(tiny, tmp_path, allow_shared_gpu=True)).record
    assert record.hardware.gpu_sharing_allowed is True
    assert [r.other_gpu_pids for r in record.repeats] == [[4242], [4242]]


def test_the_benchmarks_own_processes_do_not_count_as_sharing(monkeypatch):
    import os

    install(monkeypatch, FakeNvml(devices=[FakeDevice(processes=[(os.getpid(), 1 << 20)])]))
    assert crosscheck.other_gpu_processes([0]) == []


def test_device_isolation_failing_the_child_becomes_one_clear_line():
    run = SimpleNamespace(model="m", spec=SimpleNamespace(key="text_classification"))
    exc = ChildProcessError("Traceback ...\noptimum_benchmark.launchers.device_isolation_utils.DeviceIsolationError: "
                            "Received an error signal from the device isolation process")
    assert runner._child_failure(exc, run).startswith("another process started using the measured GPU during the run")


def test_text_generation_keeps_float16_on_a_gpu_but_falls_back_to_float32_on_a_cpu(tiny):
    task = get_task("text_generation")
    on_gpu = runner.resolve(RunSpec(model=str(tiny.model("text_generation")), task="text_generation",
                                    device="cuda"), task)
    on_cpu = runner.resolve(RunSpec(model=str(tiny.model("text_generation")), task="text_generation",
                                    device="cpu"), task)
    assert (on_gpu.dtype, on_gpu.dtype_requested) == ("float16", "float16")
    assert (on_cpu.dtype, on_cpu.dtype_requested) == ("float32", "float16")


# The device layer itself, at the pynvml boundary.


def test_nvml_converts_milliwatts_millijoules_and_bytes(monkeypatch):
    install(monkeypatch, FakeNvml(devices=[FakeDevice(energy_mj=7_200_000), FakeDevice(energy_mj=3_600_000)]))
    facts = nvml.gpu_facts([0, 1])
    assert (facts.count, facts.power_limit_w, facts.memory_mib, facts.cuda_version) == (2, 700.0, 81559, "12.4")
    assert nvml.energy_counter_mj([0, 1]) == 10_800_000
    assert nvml.mj_to_kwh(nvml.energy_counter_mj([0, 1])) == pytest.approx(0.003)
    assert nvml.power_w([0, 1], seconds=0.0, samples=1) == pytest.approx(143.0)


def test_nvml_sees_no_gpu_when_the_library_cannot_start(monkeypatch):
    install(monkeypatch, FakeNvml(available=False))
    assert nvml.device_count() == 0
    with pytest.raises(nvml.NvmlUnavailable, match="NVML cannot start: Library Not Found"):
        nvml.gpu_facts([0])


def test_nvml_names_the_gpu_without_an_energy_counter(monkeypatch):
    install(monkeypatch, FakeNvml(devices=[FakeDevice(), FakeDevice(name="Tesla K80", has_counter=False)]))
    with pytest.raises(nvml.NoEnergyCounter, match=r"GPU 1 \(Tesla K80\) has no NVML energy counter: Not Supported"):
        nvml.energy_counter_mj([0, 1])


def test_nvml_lists_the_processes_on_the_measured_gpus_only(monkeypatch):
    fake = FakeNvml(devices=[FakeDevice(processes=[(11, 1 << 30)]), FakeDevice(processes=[(22, 5)])])
    install(monkeypatch, fake)
    assert nvml.compute_processes([1]) == [nvml.GpuProcess(gpu_index=1, pid=22, used_memory_bytes=5)]
    assert fake.init_calls == fake.shutdown_calls  # every call shuts NVML down again
