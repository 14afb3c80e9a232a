"""Result records and results folders for the leaderboard tests (good and deliberately bad)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmark.record import Hardware, Repeat, ResultRecord, Settings, record_path
from benchmark.tasks import TASKS

H100 = Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1)
CPU = Hardware(device="cpu", cpu_model="Test CPU", cpu_count=2)
A10G = Hardware(device="cuda", gpu_name="NVIDIA A10G", gpu_count=1)
SCRIPT_ID = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'


def make_record(
    model_id: str,
    task: str,
    gpu_wh: float,
    *,
    params: int | None = None,
    hardware: Hardware = H100,
    created_at: datetime | None = None,
    run_id: str | None = None,
    repeats: list[float] | None = None,
) -> ResultRecord:
    spec = TASKS[task] if task in TASKS else TASKS["text_classification"]
    when = created_at or datetime(2025, 1, 1, tzinfo=UTC)
    repeat_rows = [
        Repeat(index=i, gpu_wh_per_1k_queries=value, total_wh_per_1k_queries=value * 1.5, phases={})
        for i, value in enumerate(repeats or [])
    ]
    std = 0.0
    if len(repeats or []) > 1:
        mean = sum(repeats) / len(repeats)
        std = (sum((v - mean) ** 2 for v in repeats) / (len(repeats) - 1)) ** 0.5
    return ResultRecord(
        run_id=run_id or f"run-{when:%Y%m%dT%H%M%S}",
        model_id=model_id,
        task=task,
        created_at=when,
        hardware=hardware,
        settings=Settings(dataset=spec.dataset_id, **spec.control_variables()),
        gpu_wh_per_1k_queries=gpu_wh,
        gpu_wh_per_1k_queries_std=std,
        repeats=repeat_rows,
        params=params,
    )


def write_record(root: Path, record: ResultRecord) -> Path:
    target = root / record_path(record)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(record.to_json(), encoding="utf-8")
    return target


def write_raw(root: Path, relative: str, text: str) -> Path:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def good_records() -> list[ResultRecord]:
    """Three summarization models and two text-generation ones, on the H100."""
    return [
        make_record("org/small-sum", "summarization", 1.0, params=60_000_000, repeats=[0.9, 1.1]),
        make_record("org/mid-sum", "summarization", 3.0, params=400_000_000),
        make_record("org/big-sum", "summarization", 9.0, params=3_000_000_000),
        make_record("org/tiny-lm", "text_generation", 2.0, params=100_000_000),
        make_record("org/large-lm", "text_generation", 30.0, params=13_000_000_000),
    ]


def write_good_folder(root: Path) -> list[ResultRecord]:
    records = good_records()
    for record in records:
        write_record(root, record)
    return records


def _raw_with_energy(model_id: str, energy_literal: str, run_id: str) -> tuple[str, str]:
    record = make_record(model_id, "summarization", 1.0, run_id=run_id)
    text = record.to_json().replace('"gpu_wh_per_1k_queries": 1.0', f'"gpu_wh_per_1k_queries": {energy_literal}')
    return record_path(record), text


def write_bad_folder(root: Path) -> dict[str, int]:
    """The good records plus one file of every kind of bad data; returns the expected drop counts."""
    write_good_folder(root)
    # An HTML/script model id is a valid record: it must be shown, as text.
    write_record(root, make_record(SCRIPT_ID, "summarization", 5.0, params=1_000_000_000))
    # Duplicates: an older run of org/mid-sum (dropped) and a newer one of org/big-sum (wins).
    write_record(
        root,
        make_record("org/mid-sum", "summarization", 99.0, created_at=datetime(2024, 1, 1, tzinfo=UTC), run_id="old"),
    )
    write_record(
        root,
        make_record(
            "org/big-sum", "summarization", 12.0, params=3_000_000_000, created_at=datetime(2025, 6, 1, tzinfo=UTC)
        ),
    )
    for model, literal in (("org/nan-energy", "NaN"), ("org/negative-energy", "-2.5"), ("org/null-energy", "null")):
        write_raw(root, *_raw_with_energy(model, literal, f"run-{model[4:]}"))
    unknown = json.loads(make_record("org/unknown-task", "summarization", 1.0).to_json())
    unknown["task"] = "telepathy"
    write_raw(root, "records/telepathy/org--unknown-task/run-1.json", json.dumps(unknown))
    write_raw(root, "records/summarization/org--broken/run-1.json", '{"run_id": "run-1", "model_id": ')
    no_settings = json.loads(make_record("org/no-settings", "summarization", 1.0).to_json())
    del no_settings["settings"]
    write_raw(root, "records/summarization/org--no-settings/run-1.json", json.dumps(no_settings))
    # A raw report beside a record: never read as a record.
    write_raw(root, "records/summarization/org--mid-sum/run-20250101T000000.reports/benchmark_report.json", "{}")
    return {
        "older duplicate run": 2,
        "missing, NaN or negative energy": 3,
        "unknown task": 1,
        "malformed JSON": 1,
        "schema violation": 1,
    }


# The stars of every published board row, written down once (tests/data/published_stars.csv): computed
# from the published energies by the rule's definition alone — five equal-width bins between the
# lowest and highest energy of each board, task and (text generation, reasoning) size class, the
# lowest bin 5 stars, inner edges going to the higher bin — not by benchmark/board/rating.py, so a
# change of the rule's code shows here instead of moving the expectation with it.
PUBLISHED_STARS = Path(__file__).resolve().parents[1] / "data" / "published_stars.csv"


def published_stars(release: str) -> list[dict[str, Any]]:
    """Each published row of ``release`` with its stars (energies as floats, stars as ints)."""
    import csv

    with PUBLISHED_STARS.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["release"] == release]
    return [{**r, "gpu_wh_per_1k_queries": float(r["gpu_wh_per_1k_queries"]), "stars": int(r["stars"])} for r in rows]
