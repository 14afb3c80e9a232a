"""A fake ``pynvml`` module: the real function names, argument shapes and units of nvidia-ml-py.

Units as NVML gives them: power in milliwatts, energy in millijoules, memory in bytes, the CUDA
driver version as an int (12040 = 12.4), names and versions as ``str`` (nvidia-ml-py ≥ 12).
Install it with ``install(monkeypatch, FakeNvml(...))``: ``sys.modules["pynvml"]`` is replaced, so
``benchmark.nvml`` (and anything else) talks to it exactly as it would to the real library.
"""

from __future__ import annotations

import importlib.machinery
import types
from dataclasses import dataclass, field

NVML_ERROR_NOT_SUPPORTED = 3
NVML_ERROR_LIBRARY_NOT_FOUND = 12


class NVMLError(Exception):
    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.value = value

    def __str__(self) -> str:
        return {NVML_ERROR_NOT_SUPPORTED: "Not Supported", NVML_ERROR_LIBRARY_NOT_FOUND: "Library Not Found"}.get(
            self.value, f"NVML error {self.value}"
        )


@dataclass
class FakeDevice:
    name: str = "NVIDIA H100 80GB HBM3"
    memory_total_bytes: int = 85_520_809_984  # 81,559 MiB
    power_limit_mw: int = 700_000
    power_mw: int = 71_500
    energy_mj: int = 1_000_000_000
    has_counter: bool = True
    processes: list[tuple[int, int]] = field(default_factory=list)  # (pid, used bytes)


@dataclass
class FakeNvml:
    devices: list[FakeDevice] = field(default_factory=lambda: [FakeDevice()])
    driver: str = "550.54.15"
    cuda_driver: int = 12040
    available: bool = True
    # millijoules the counter advances at each reading, per device: a GPU that is busy
    energy_step_mj: int = 0
    init_calls: int = 0
    shutdown_calls: int = 0

    def module(self) -> types.ModuleType:
        fake = self
        mod = types.ModuleType("pynvml")
        # importlib.util.find_spec("pynvml") (optimum-benchmark's availability checks) needs a spec
        mod.__spec__ = importlib.machinery.ModuleSpec("pynvml", loader=None)
        mod.NVMLError = NVMLError
        mod.NVML_ERROR_NOT_SUPPORTED = NVML_ERROR_NOT_SUPPORTED

        def nvmlInit() -> None:
            if not fake.available:
                raise NVMLError(NVML_ERROR_LIBRARY_NOT_FOUND)
            fake.init_calls += 1

        def nvmlShutdown() -> None:
            fake.shutdown_calls += 1

        def handle(index: int) -> FakeDevice:
            return fake.devices[index]

        def energy(device: FakeDevice) -> int:
            if not device.has_counter:
                raise NVMLError(NVML_ERROR_NOT_SUPPORTED)
            device.energy_mj += fake.energy_step_mj
            return device.energy_mj

        def processes(device: FakeDevice) -> list[types.SimpleNamespace]:
            return [types.SimpleNamespace(pid=pid, usedGpuMemory=used) for pid, used in device.processes]

        mod.nvmlInit = nvmlInit
        mod.nvmlShutdown = nvmlShutdown
        mod.nvmlDeviceGetCount = lambda: len(fake.devices)
        mod.nvmlDeviceGetHandleByIndex = handle
        mod.nvmlDeviceGetName = lambda device: device.name
        mod.nvmlSystemGetDriverVersion = lambda: fake.driver
        mod.nvmlSystemGetCudaDriverVersion_v2 = lambda: fake.cuda_driver
        mod.nvmlDeviceGetMemoryInfo = lambda device: types.SimpleNamespace(
            total=device.memory_total_bytes, free=device.memory_total_bytes, used=0
        )
        mod.nvmlDeviceGetEnforcedPowerLimit = lambda device: device.power_limit_mw
        mod.nvmlDeviceGetPowerUsage = lambda device: device.power_mw
        mod.nvmlDeviceGetTotalEnergyConsumption = energy
        mod.nvmlDeviceGetComputeRunningProcesses = processes
        mod.nvmlDeviceGetGraphicsRunningProcesses = lambda device: []
        return mod


def install(monkeypatch, fake: FakeNvml) -> FakeNvml:
    import sys

    monkeypatch.setitem(sys.modules, "pynvml", fake.module())
    return fake
