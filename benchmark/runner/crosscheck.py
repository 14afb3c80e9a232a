"""The measurement's checks that need the GPU: isolation (no other process on a measured GPU). The
counter-against-phases check is ``benchmark.runs.counter`` (light: uploads are checked with it too).

It uses only the device layer (``benchmark.nvml``), so it is tested with a fake ``pynvml`` on a machine
without a GPU.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from . import nvml


class GpuInUse(RuntimeError):
    """Another process holds a context on a measured GPU."""


def _own_pids() -> set[int]:
    """This process and its descendants: the benchmark's own GPU contexts."""
    pids = {os.getpid()}
    try:
        import psutil

        pids |= {child.pid for child in psutil.Process().children(recursive=True)}
    except Exception:  # noqa: BLE001 - without psutil only this process is ours
        pass
    return pids


def other_gpu_processes(indices: Sequence[int]) -> list[nvml.GpuProcess]:
    """Processes on the measured GPUs that are not this benchmark's."""
    own = _own_pids()
    return [proc for proc in nvml.compute_processes(indices) if proc.pid not in own]


def require_idle(indices: Sequence[int]) -> None:
    """Raise ``GpuInUse`` naming the processes if another process uses a measured GPU."""
    others = other_gpu_processes(indices)
    if others:
        listed = ", ".join(f"pid {p.pid} on GPU {p.gpu_index}" for p in others)
        raise GpuInUse(
            f"another process uses the measured GPU ({listed}): its energy would be counted as the model's; "
            "free the GPU, or pass --allow-shared-gpu to measure anyway (the record will say so)"
        )
