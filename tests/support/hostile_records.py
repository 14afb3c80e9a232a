"""A results folder of 1,000 records of which 100 are hostile (for the loader, the app and the browser)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmark.record import record_path
from tests.support.leaderboard_fixtures import SCRIPT_ID, make_record, write_raw, write_record

N_RECORDS, N_HOSTILE = 1000, 100
TASKS = ("summarization", "text_classification", "text_generation", "image_classification")
SCRIPT_NOTE = '<script>window.__pwned = 3</script><svg onload="window.__pwned=4">'
# The 100 hostile files, by kind, and how the loader must count them.
HOSTILE_KINDS = {
    "nan": 12, "negative": 12, "huge": 12, "script_id": 12, "script_note": 12, "big_note": 4,
    "deep": 10, "truncated": 10, "duplicate": 10, "schema_version": 6,
}
EXPECTED_DROPS = {
    "missing, NaN or negative energy": 24,
    "file over 1 MB": 4,
    "malformed JSON": 20,  # deeply nested and truncated
    "older duplicate run": 10,
    "unknown schema version": 6,
}
EXPECTED_KEPT = N_RECORDS - sum(EXPECTED_DROPS.values())  # the huge and script ones are kept
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _good(i: int, when: datetime = T0):
    task = TASKS[i % len(TASKS)]
    params = 50_000_000 + 1_000_000 * i
    return make_record(f"org/model-{i:04d}", task, 0.5 + (i % 97) * 0.1, params=params, created_at=when,
                       run_id=f"run-{i:04d}")


def _raw(i: int, change) -> tuple[str, str]:
    record = _good(i)
    data = json.loads(record.to_json())
    change(data)
    return record_path(record), json.dumps(data)


def write_hostile_folder(root: Path) -> None:
    assert sum(HOSTILE_KINDS.values()) == N_HOSTILE
    n_good = N_RECORDS - N_HOSTILE
    for i in range(n_good):
        write_record(root, _good(i))
    i = n_good
    for kind, count in HOSTILE_KINDS.items():
        for _ in range(count):
            i += 1
            if kind in ("nan", "negative", "huge"):
                energy = {"nan": float("nan"), "negative": -3.5, "huge": 1e308}[kind]
                write_raw(root, *_raw(i, lambda d, e=energy: d.update(gpu_wh_per_1k_queries=e)))
            elif kind == "script_id":
                record = _good(i).model_copy(update={"model_id": f"{SCRIPT_ID}-{i}"})
                write_raw(root, f"records/{record.task}/evil--{i}/{record.run_id}.json", record.to_json())
            elif kind == "script_note":
                write_record(root, _good(i).model_copy(update={"notes": SCRIPT_NOTE}))
            elif kind == "big_note":
                write_record(root, _good(i).model_copy(update={"notes": "x" * 10_000_000}))
            elif kind == "deep":
                write_raw(root, *_raw(i, lambda d: d.update(notes="@DEEP@")))
                path = root / record_path(_good(i))
                path.write_text(path.read_text().replace('"@DEEP@"', "[" * 100_000 + "]" * 100_000))
            elif kind == "truncated":
                path, text = _raw(i, lambda d: None)
                write_raw(root, path, text[: len(text) // 2])
            elif kind == "duplicate":
                # the same run id and model as a kept record, older: a copy that must not count twice
                copy = _good(i % 50, when=T0 - timedelta(days=1))
                write_raw(root, record_path(copy).replace(".json", f"-copy{i}.json"), copy.to_json())
            elif kind == "schema_version":
                write_raw(root, *_raw(i, lambda d: d.update(schema_version=99)))
