"""The energy of a window of an engine run: GPU from the runner's own NVML reader, summed over every GPU
the server uses (AI Energy Score counts GPU 0 only), CPU and RAM from codecarbon over the same window
(machine-wide, as in every run), so a CPU run has an energy too.

A window is opened and closed by the protocol at its two ends; the NVML readings at each end (per GPU,
mJ, with the time they were read) are kept as evidence, so the window's GPU energy can be re-checked.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmark.engine.evidence import J_PER_KWH, Reading, WindowEnergy
from benchmark.runner import nvml

POWER_SAMPLING_S = 0.5  # codecarbon's power reading interval inside a window


def read_gpus(gpus: Sequence[int]) -> Reading:
    """NVML's energy counter of each GPU (mJ) and the time it was read."""
    values = {i: nvml.energy_counter_mj([i]) for i in gpus}
    return Reading(time.perf_counter(), values)


@dataclass
class Meter:
    """Open and close windows; ``gpus`` empty on a CPU. ``cpu_ram`` False leaves codecarbon out (a test)."""

    gpus: tuple[int, ...]
    cpu_ram: bool = True
    _tracker: Any = None
    _open: Reading | None = None
    windows: list[WindowEnergy] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.cpu_ram:
            self._tracker = _codecarbon(self.gpus)
            # codecarbon's first task finds the hardware (a second or two): never inside a measured window,
            # where it would stall the client's event loop at the steady state's start
            self._tracker.start_task("warm-up")
            self._tracker.stop_task()

    @property
    def is_open(self) -> bool:
        return self._open is not None

    def open(self) -> Reading:
        if self._tracker is not None:
            self._tracker.start_task("window")
        self._open = read_gpus(self.gpus)
        return self._open

    def close(self) -> WindowEnergy:
        if self._open is None:
            raise RuntimeError("no window is open")
        end = read_gpus(self.gpus)
        cpu_j = ram_j = None
        if self._tracker is not None:
            data = self._tracker.stop_task()
            cpu_j, ram_j = float(data.cpu_energy) * J_PER_KWH, float(data.ram_energy) * J_PER_KWH
        window = WindowEnergy(self._open, end, cpu_j, ram_j)
        self._open = None
        self.windows.append(window)
        return window


def _codecarbon(gpus: Sequence[int]) -> Any:
    """codecarbon as optimum-benchmark configures it (machine-wide, offline), quiet."""
    from codecarbon import OfflineEmissionsTracker

    logging.getLogger("codecarbon").setLevel(logging.ERROR)
    return OfflineEmissionsTracker(
        log_level="error",
        tracking_mode="machine",
        gpu_ids=list(gpus),
        allow_multiple_runs=True,
        output_methods=[],  # nothing written: the window's energy is read from stop_task
        measure_power_secs=POWER_SAMPLING_S,
        country_iso_code=os.environ.get("COUNTRY_ISO_CODE", "USA"),
    )
