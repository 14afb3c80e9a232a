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


# Above this uncertainty (percent of the scored GPU energy) the runner says the figure is coarse.
COARSE_RESOLUTION_PCT = 5.0


def coarse_resolution_pct(resolutions_pct: list[float | None]) -> float | None:
    """The coarsest of the repeats' GPU energy resolutions when one is above ``COARSE_RESOLUTION_PCT`` (the
    runner then says the figure is coarse), else None."""
    coarse = [pct for pct in resolutions_pct if pct is not None and pct > COARSE_RESOLUTION_PCT]
    return max(coarse) if coarse else None


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


def scored_gpu_resolution_pct(phases: Mapping[str, Any], idle_power_w: float | None) -> float | None:
    """How coarsely NVML's counter resolves the scored phases' GPU energy, in percent of that energy.

    Each phase's figure is the difference of two counter readings, each up to one step late: at most
    two steps of ``COUNTER_STEP_S`` at the phase's power (its own mean, or the idle power when higher,
    as a phase of a step or two reads 0 or one step). The first GPU run (an H200, issue 23) showed it:
    a tiny classifier's 50 queries lasted about one step, and the same 36 J over all the phases read
    12 J or 24 J in the scored ones, repeat to repeat (a CV of 43 %). None when no GPU energy was scored.
    """
    scored_kwh, bound_j = 0.0, 0.0
    for phase in phases.values():
        scored_kwh += phase.gpu_kwh
        mean_power_w = phase.gpu_kwh * J_PER_KWH / phase.latency_s if phase.latency_s else 0.0
        bound_j += 2 * max(mean_power_w, idle_power_w or 0.0) * COUNTER_STEP_S
    if scored_kwh <= 0:
        return None
    return 100 * bound_j / (scored_kwh * J_PER_KWH)
