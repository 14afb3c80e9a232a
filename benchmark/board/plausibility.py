"""Hostile or impossible records: what the loader drops, and which energies the rating refuses to rate.

Anyone who can write to the results dataset can write anything, so the loader treats every file
as hostile. Beyond the schema (``loader.parse_record``) a file is dropped when it is too large to
be a record (``MAX_RECORD_BYTES``: a real one is a few kB; a 10 MB notes field is an attack on the
page, not a result) or when it declares a schema version this code does not know. (Files repeating
a run are the loader's duplicates: one is kept per model, task and hardware.)

An energy that parses but cannot be real is kept and shown, flagged and left unrated
(``implausible_energy_reason``; the rating's ``FLAG_IMPLAUSIBLE``), so one bad record cannot stretch
a task's star bins and squeeze every other model into five stars:

- more GPU energy in a repeat than the GPUs' power limit allows over that repeat's measured time
  (where both are recorded), with ``POWER_LIMIT_SLACK`` for counter timing;
- or absurd by orders of magnitude: above ``ABSURD_GPU_WH_PER_1K_QUERIES`` (1 kWh per query,
  some 600× the most energy-hungry published figure).
"""

from __future__ import annotations

from benchmark.record import SCHEMA_VERSION, ResultRecord

MAX_RECORD_BYTES = 1_000_000
ABSURD_GPU_WH_PER_1K_QUERIES = 1e6
POWER_LIMIT_SLACK = 1.10

DROP_OVERSIZED = f"file over {MAX_RECORD_BYTES // 1_000_000} MB"
DROP_SCHEMA_VERSION = "unknown schema version"
DROP_REASONS = (DROP_OVERSIZED, DROP_SCHEMA_VERSION)


def file_drop_reason(data: bytes) -> str | None:
    """Why a file must be dropped before it is even parsed, or ``None``."""
    return DROP_OVERSIZED if len(data) > MAX_RECORD_BYTES else None


def record_drop_reason(record: ResultRecord) -> str | None:
    """Why a parsed record must be dropped anyway, or ``None``."""
    return DROP_SCHEMA_VERSION if record.schema_version != SCHEMA_VERSION else None


def max_physical_gpu_wh(record: ResultRecord, wall_time_s: float) -> float | None:
    """The most GPU energy (Wh) the record's GPUs can draw in ``wall_time_s`` at their power
    limit, or ``None`` when the power limit is not recorded."""
    hardware = record.hardware
    if hardware.device != "cuda" or not hardware.gpu_power_limit_w:
        return None
    return hardware.gpu_power_limit_w * max(hardware.gpu_count, 1) * wall_time_s / 3600


def implausible_energy_reason(record: ResultRecord) -> str | None:
    """Why the record's GPU energy cannot be real (one phrase), or ``None`` when it can."""
    if record.gpu_wh_per_1k_queries > ABSURD_GPU_WH_PER_1K_QUERIES:
        return f"over {ABSURD_GPU_WH_PER_1K_QUERIES:,.0f} Wh per 1,000 queries"
    for repeat in record.repeats:
        if not repeat.wall_time_s or repeat.wall_time_s <= 0:
            continue
        limit_wh = max_physical_gpu_wh(record, repeat.wall_time_s)
        repeat_wh = repeat.gpu_wh_per_1k_queries * record.settings.num_samples / 1000
        if limit_wh is not None and repeat_wh > limit_wh * POWER_LIMIT_SLACK:
            return f"repeat {repeat.index} used more GPU energy than the power limit allows in its time"
    return None
