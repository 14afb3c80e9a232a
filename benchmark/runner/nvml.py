"""The one module that talks to NVML (``pynvml`` from ``nvidia-ml-py``).

Everything else asks this layer for GPU facts and energy counter readings. Indices are NVML
indices (they ignore ``CUDA_VISIBLE_DEVICES``). Energy is in millijoules as NVML reports it;
``mj_to_kwh`` converts.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MJ_PER_KWH = 3.6e9


class NvmlUnavailable(RuntimeError):
    """No NVIDIA driver / NVML on this machine."""


class NoEnergyCounter(RuntimeError):
    """The GPU does not expose NVML's total-energy counter (pre-Volta, some virtual GPUs)."""


@dataclass(frozen=True)
class GpuFacts:
    """What the record says about the GPUs of a run."""

    name: str
    count: int
    driver_version: str
    cuda_version: str | None
    memory_mib: int
    power_limit_w: float | None


def mj_to_kwh(millijoules: float) -> float:
    return millijoules / MJ_PER_KWH


def _nvml() -> Any:
    try:
        import pynvml
    except ImportError as exc:
        raise NvmlUnavailable("nvidia-ml-py is not installed") from exc
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        raise NvmlUnavailable(f"NVML cannot start: {exc}") from exc
    return pynvml


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def device_count() -> int:
    """Number of NVIDIA GPUs NVML sees; 0 when there is no driver."""
    try:
        nvml = _nvml()
    except NvmlUnavailable:
        return 0
    try:
        return nvml.nvmlDeviceGetCount()
    finally:
        nvml.nvmlShutdown()


def gpu_facts(indices: Sequence[int]) -> GpuFacts:
    nvml = _nvml()
    try:
        handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in indices]
        first = handles[0]
        try:
            cuda = nvml.nvmlSystemGetCudaDriverVersion_v2()
            cuda_version = f"{cuda // 1000}.{(cuda % 1000) // 10}"
        except nvml.NVMLError:
            cuda_version = None
        try:
            power_limit_w = nvml.nvmlDeviceGetEnforcedPowerLimit(first) / 1000.0
        except nvml.NVMLError:
            power_limit_w = None
        return GpuFacts(
            name=_text(nvml.nvmlDeviceGetName(first)),
            count=len(handles),
            driver_version=_text(nvml.nvmlSystemGetDriverVersion()),
            cuda_version=cuda_version,
            memory_mib=int(nvml.nvmlDeviceGetMemoryInfo(first).total // (1024 * 1024)),
            power_limit_w=power_limit_w,
        )
    finally:
        nvml.nvmlShutdown()


def energy_counter_mj(indices: Sequence[int]) -> float:
    """NVML's total-energy counter (mJ since driver load), summed over ``indices``."""
    nvml = _nvml()
    try:
        total = 0.0
        for i in indices:
            handle = nvml.nvmlDeviceGetHandleByIndex(i)
            try:
                total += nvml.nvmlDeviceGetTotalEnergyConsumption(handle)
            except nvml.NVMLError as exc:
                name = _text(nvml.nvmlDeviceGetName(handle))
                raise NoEnergyCounter(f"GPU {i} ({name}) has no NVML energy counter: {exc}") from exc
        return total
    finally:
        nvml.nvmlShutdown()


@dataclass(frozen=True)
class GpuProcess:
    """A process holding a context on a GPU, as NVML lists it."""

    gpu_index: int
    pid: int
    used_memory_bytes: int | None


def compute_processes(indices: Sequence[int]) -> list[GpuProcess]:
    """The processes running on the GPUs ``indices`` (compute and graphics contexts)."""
    nvml = _nvml()
    try:
        found: dict[tuple[int, int], GpuProcess] = {}
        for i in indices:
            handle = nvml.nvmlDeviceGetHandleByIndex(i)
            for getter in ("nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetGraphicsRunningProcesses"):
                try:
                    listed = getattr(nvml, getter)(handle)
                except (nvml.NVMLError, AttributeError):
                    continue
                for proc in listed:
                    used = getattr(proc, "usedGpuMemory", None)
                    found[(i, int(proc.pid))] = GpuProcess(i, int(proc.pid), int(used) if used is not None else None)
        return list(found.values())
    finally:
        nvml.nvmlShutdown()


def power_w(indices: Sequence[int], seconds: float = 0.5, samples: int = 5) -> float:
    """Mean power draw (W) summed over ``indices``, sampled over ``seconds``: the idle power
    just before a run, so a reader can tell a busy or throttled GPU from a quiet one."""
    nvml = _nvml()
    try:
        handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in indices]
        readings = []
        for n in range(samples):
            readings.append(sum(nvml.nvmlDeviceGetPowerUsage(h) for h in handles) / 1000.0)
            if n < samples - 1:
                time.sleep(seconds / max(samples - 1, 1))
        return sum(readings) / len(readings)
    finally:
        nvml.nvmlShutdown()
