"""Rebuild the app's bundled snapshot (``data/records/...``) from published AI Energy Score figures.

    python scripts/build_snapshot.py [--published CSV] [--params CSV] [--out data]

Input: a CSV of published figures with columns ``task, model, gpu_wh_per_1k_queries, release,
source, note`` (GPU Wh per 1,000 queries measured by AI Energy Score on one NVIDIA H100, batch
size 1, 1,000 samples) and a CSV of parameter counts (``model, params``; blank where unknown).
Output: one ``ResultRecord`` per model and task, in exactly the layout the runner writes
(``records/<task>/<org--name>/<run_id>.json``), so the app reads the snapshot like any results store.

Choices, so the snapshot says only what was published:

- Duplicates: some 2024 models appear more than once for a task (runs repeated minutes apart).
  The **latest run** is kept (by the run timestamp in the ``note``), not an average, because each
  published row is one run. For text generation the February 2025 re-measurement (``release``
  2025-02) is later than, and so supersedes, the 2024 run of the same model.
- ``created_at`` is the run timestamp from the note ("run timestamp 2024-09-06-18-40-32", UTC);
  rows without one get the first day of their ``release`` month.
- Settings come from the task registry (dataset, 1,000 samples, batch size 1, dtype, new tokens,
  steps...); hardware is one "NVIDIA H100 80GB HBM3". There are no repeats or phases (only the
  total was published), so the spread over repeats is unknown, not zero.
- ``source`` is the row's own source (the published file it was read from); the note goes to
  ``notes``. No stars are copied: the app computes them.

Re-running the script replaces ``<out>/records`` entirely, so it is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmark.record import Hardware, ResultRecord, Settings, record_path  # noqa: E402
from benchmark.tasks import TASKS, get_task  # noqa: E402

DEFAULT_PUBLISHED = Path("/work/shared/reference/aies_published.csv")
DEFAULT_PARAMS = Path("/work/shared/reference/params.csv")
REFERENCE_GPU = Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1)
_RUN_TIMESTAMP = re.compile(r"run timestamp (\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class PublishedRow:
    task: str
    model_id: str
    gpu_wh_per_1k_queries: float
    release: str
    source: str
    note: str
    created_at: datetime


def run_time(note: str, release: str) -> datetime:
    """The run timestamp in ``note`` (UTC), else the first day of the ``release`` month (YYYY-MM)."""
    match = _RUN_TIMESTAMP.search(note)
    if match:
        return datetime(*(int(part) for part in match.groups()), tzinfo=UTC)
    year, month = (int(part) for part in release.split("-")[:2])
    return datetime(year, month, 1, tzinfo=UTC)


def read_published(path: Path) -> list[PublishedRow]:
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            get_task(raw["task"])  # an unknown task stops the build with its name
            energy = float(raw["gpu_wh_per_1k_queries"])
            if not energy > 0:
                raise ValueError(f"{path}:{line}: gpu_wh_per_1k_queries must be > 0, got {energy}")
            rows.append(
                PublishedRow(
                    task=raw["task"],
                    model_id=raw["model"].strip(),
                    gpu_wh_per_1k_queries=energy,
                    release=raw["release"].strip(),
                    source=raw["source"].strip(),
                    note=(raw.get("note") or "").strip(),
                    created_at=run_time(raw.get("note") or "", raw["release"]),
                )
            )
    return rows


def read_params(path: Path) -> dict[str, int]:
    """Parameter counts by model id, where one is given."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return {row["model"].strip(): int(float(row["params"])) for row in rows if row["params"].strip()}


def latest_runs(rows: list[PublishedRow]) -> list[PublishedRow]:
    """One row per (task, model): the latest run."""
    latest: dict[tuple[str, str], PublishedRow] = {}
    for row in rows:
        key = (row.task, row.model_id)
        if key not in latest or row.created_at > latest[key].created_at:
            latest[key] = row
    return sorted(latest.values(), key=lambda r: (r.task, r.model_id))


def to_record(row: PublishedRow, params: dict[str, int]) -> ResultRecord:
    spec = TASKS[row.task]
    return ResultRecord(
        run_id=f"aies-{row.created_at:%Y%m%dT%H%M%SZ}",
        model_id=row.model_id,
        task=row.task,
        created_at=row.created_at,
        hardware=REFERENCE_GPU,
        settings=Settings(dataset=spec.dataset_id, dataset_split=spec.dataset_split, **spec.control_variables()),
        gpu_wh_per_1k_queries=row.gpu_wh_per_1k_queries,
        params=params.get(row.model_id),
        source=row.source,
        notes=f"AI Energy Score, {row.release} release. {row.note}".strip(),
    )


def build_snapshot(published: Path, params_csv: Path, out: Path) -> list[Path]:
    """Write the snapshot under ``out/records`` (replacing it); returns the files written."""
    rows = read_published(published)
    params = read_params(params_csv)
    records = [to_record(row, params) for row in latest_runs(rows)]
    shutil.rmtree(out / "records", ignore_errors=True)
    written = []
    for record in records:
        target = out / record_path(record)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(record.to_json() + "\n", encoding="utf-8")
        written.append(target)
    print(f"{len(rows)} published rows → {len(records)} records (latest run per task and model) in {out / 'records'}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--published", type=Path, default=DEFAULT_PUBLISHED, help="published figures CSV")
    parser.add_argument("--params", type=Path, default=DEFAULT_PARAMS, help="parameter counts CSV")
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="snapshot folder (default: data/)")
    args = parser.parse_args(argv)
    try:
        build_snapshot(args.published, args.params, args.out)
    except (OSError, ValueError, KeyError) as exc:
        print(f"build_snapshot: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
