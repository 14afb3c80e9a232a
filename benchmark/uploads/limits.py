"""What a genuine run folder can be, declared once: an upload outside these bounds is refused unread.

``benchmark run`` writes ``record.json`` and, per repeat, a folder holding optimum-benchmark's report, its
log, what the child loaded and codecarbon's file per phase (at most five phases): about ten files a repeat,
at most ``MAX_REPEATS`` repeats (the runner refuses more). So an upload may hold at most ``MAX_FILES`` files
and ``MAX_ENTRIES`` archive entries (files and folders), each file at most ``MAX_FILE_BYTES`` and all of
them ``MAX_TOTAL_BYTES``; JSON files at most ``MAX_JSON_BYTES``. The counts are read from the zip's end
record or the folder's listing before any member is parsed.

Dates: a record's ``created_at`` is the submitter's to write, so it must not lie in the future (beyond
``CLOCK_SKEW``) nor before the software it names existed (``FIRST_RELEASED``: the month each version
series first appeared on the package registry).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from benchmark.run_spec import MAX_REPEATS

FILES_PER_REPEAT = 10
MAX_FILES = 1 + FILES_PER_REPEAT * MAX_REPEATS  # 201: record.json and ten files a repeat
MAX_ENTRIES = MAX_FILES + 2 * MAX_REPEATS + 10  # files, the repeat folders and a zipped top folder
MAX_ZIP_BYTES = 50_000_000
MAX_FILE_BYTES = 50_000_000
MAX_TOTAL_BYTES = 200_000_000
MAX_JSON_BYTES = 10_000_000
MAX_JSON_DEPTH = 64
MAX_NAME_BYTES = 255  # one path component (the file systems' limit)
MAX_PATH_CHARS = 1024

CLOCK_SKEW = timedelta(hours=1)
# (distribution as the record's ``software`` names it, version prefix) → the first day that series could
# have run. optimum-benchmark 0.6 and transformers 5 are what the runner needs (benchmark/runner/compat.py).
FIRST_RELEASED: dict[tuple[str, str], datetime] = {
    ("optimum_benchmark", "0.6"): datetime(2025, 8, 1, tzinfo=UTC),
    ("transformers", "5."): datetime(2025, 12, 1, tzinfo=UTC),
}


def date_problem(created_at: datetime, software: dict[str, str | None], now: datetime) -> str | None:
    """Why ``created_at`` cannot be a real run's date, or None."""
    if created_at > now + CLOCK_SKEW:
        return f"created_at {created_at:%Y-%m-%d %H:%M} UTC lies in the future"
    for (name, prefix), first in FIRST_RELEASED.items():
        version = software.get(name) or ""
        if version.startswith(prefix) and created_at < first:
            return (f"created_at {created_at:%Y-%m-%d} is before {name} {version} existed "
                    f"(its series first appeared in {first:%Y-%m})")
    return None
