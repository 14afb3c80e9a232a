"""NVML's whole-launch counter against the phases: the measurement's own check, in the light contract so
an uploaded run can be checked with the runner's own tolerance anywhere (``benchmark.uploads``).

codecarbon computes each phase's GPU energy from NVML's total-energy counter (read at the phase's start
and end); the runner reads the same counter around the whole launch (process start, model load, warm-up
and every phase). So the launch's delta can never be below the sum of the GPU energy of all the phases
the report lists, except by the counter's granularity: NVML refreshes the counter in steps (about every
100 ms on recent data-centre GPUs; it is read in whole millijoules), so each reading can lag the true
energy by at most one step at the board's power limit. With ``n`` phases there are ``2n`` codecarbon
readings and 2 of ours, which gives the tolerance. A delta below the phases by more than that means the
phases counted energy the GPUs did not use (or another device's): the run is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The NVML energy counter's refresh period (s): one step of lag per reading at most.
COUNTER_STEP_S = 0.1
# When the power limit is unknown, assume a board that can draw this much (W).
FALLBACK_POWER_LIMIT_W = 1000.0
J_PER_KWH = 3.6e6


class CounterBelowPhases(RuntimeError):
    """The whole-launch NVML delta is below the GPU energy the phases reported."""


def all_phases_gpu_kwh(report: Mapping[str, Any]) -> tuple[float, int]:
    """GPU energy (kWh) of every phase in an optimum-benchmark report, and how many phases."""
    total, count = 0.0, 0
    for target in report.values():
        energy = target.get("energy") if isinstance(target, Mapping) else None
        if energy and energy.get("gpu") is not None:
            total += float(energy["gpu"])
            count += 1
    return total, count


def counter_tolerance_kwh(phase_count: int, power_limit_w: float | None) -> float:
    """How far below the phases the whole-launch delta may read, from the counter's granularity."""
    readings = 2 * phase_count + 2
    watts = power_limit_w or FALLBACK_POWER_LIMIT_W
    return readings * watts * COUNTER_STEP_S / J_PER_KWH


def check_counter(nvml_kwh: float, report: Mapping[str, Any], power_limit_w: float | None) -> float:
    """The ratio NVML delta ÷ phases' GPU energy; raise ``CounterBelowPhases`` if the delta is short."""
    phases_kwh, count = all_phases_gpu_kwh(report)
    if phases_kwh <= 0:
        return float("inf") if nvml_kwh > 0 else 0.0
    if nvml_kwh < phases_kwh - counter_tolerance_kwh(count, power_limit_w):
        raise CounterBelowPhases(
            f"NVML's energy counter moved {nvml_kwh * 1000:.4g} Wh over the whole launch, less than the "
            f"{phases_kwh * 1000:.4g} Wh the phases reported (ratio {nvml_kwh / phases_kwh:.3f}): "
            "the phases counted energy these GPUs did not use, refusing to publish"
        )
    return nvml_kwh / phases_kwh
