"""Facts about the machine and software a run used, for the record."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from benchmark.record import Hardware, Software
from benchmark.runner import nvml

_PACKAGES = {
    "optimum_benchmark": "optimum-benchmark",
    "transformers": "transformers",
    "torch": "torch",
    "codecarbon": "codecarbon",
    "diffusers": "diffusers",
    "datasets": "datasets",
}


def cpu_model() -> str | None:
    """The CPU's marketing name, read from /proc/cpuinfo (py-cpuinfo takes a second; this doesn't)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def software_versions() -> Software:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for field, dist in _PACKAGES.items():
        try:
            versions[field] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[field] = None
    return Software(**versions)


def hardware(device: str, gpu_indices: Sequence[int]) -> Hardware:
    common = {"cpu_model": cpu_model(), "cpu_count": os.cpu_count()}
    if device != "cuda":
        return Hardware(device="cpu", **common)
    facts = nvml.gpu_facts(gpu_indices)
    return Hardware(
        device="cuda",
        gpu_name=facts.name,
        gpu_count=facts.count,
        gpu_memory_mib=facts.memory_mib,
        gpu_power_limit_w=facts.power_limit_w,
        driver_version=facts.driver_version,
        cuda_version=facts.cuda_version,
        **common,
    )
