"""Rebuild the app's bundled data (``data/records``, ``data/releases``, ``data/quality``) from published figures.

    python scripts/build_snapshot.py [--boards CSV] [--params CSV] [--quality CSV] [--out data]

Input: ``aies_boards.csv`` (``task, model, gpu_wh_per_1k_queries, size_class, reasoning, release,
source, note``: every published board figure, GPU Wh per 1,000 queries measured by AI Energy Score
on one NVIDIA H100, batch size 1, 1,000 samples) and ``model_params.csv`` (``model, params``; blank
where unknown). Output: one ``ResultRecord`` per published row, in the layout the runner writes
(``records/<task>/<org--name>/<run_id>.json``), then one release per board, cut by the same code as
``python -m benchmark release cut`` (``releases/<release>/board.parquet`` and ``release.json``), so
the app reads the bundled data like any results store.

Choices, so the data says only what was published:

- Every row of a board is kept, repeated runs included (two v1 models appear twice): the release
  rates all of them, as the published board did. Their run ids are ``aies-<release>`` and
  ``aies-<release>-2``.
- A release rates the cohort it includes: ``2025-02`` the whole v1 board, ``2025-12`` the 22 v2
  text-generation rows and the 18 v2 reasoning rows, each task among itself (reasoning per size
  class, like text generation); the app keeps showing the February rows of every other model with
  their February stars (``leaderboard.results.releases``).
- ``reasoning`` says how the model ran: ``on`` / ``off`` / ``off (n/a)`` → ``settings.reasoning``
  true / false / false; ``on (low|medium|high)`` also sets ``settings.reasoning_effort``, and each
  level is its own record (run id ``aies-<release>-<level>``) and its own rated row, as published.
  Reasoning records say their new-token cap (``settings.max_new_tokens``): they generate at natural
  length, so there is no fixed ``new_tokens``. No output-token counts were published.
- ``size_class`` is kept as published (the v2 classes follow deployment, not only size); other
  tasks have none. ``params`` come from the parameter CSV where it has a count.
- ``created_at`` is the run timestamp of the note where there is one, else the first day of the
  release month; the release date is the first day of its month too.
- Settings come from the task registry; hardware is one "NVIDIA H100 80GB HBM3". There are no
  repeats or phases (only the total was published), so the spread over repeats is unknown, not zero.
- ``source`` is the row's own source; the note goes to ``notes``. No stars are copied (the CSV has
  none): the releases compute them with the rating rule.
- The T5 rows of the February 2025 text-classification and question-answering boards were measured
  by text-to-text prompting (zero-shot: "sst2 sentence: …", "question: … context: …"), the finding
  the project started from (Luccioni et al. 2024): their settings say so (``prompting: zero-shot``,
  ``ZERO_SHOT_ROWS``). They stay in the board's reference cohort, so the published stars are unchanged.

Quality (``quality.csv``: ``task, model, reasoning, benchmark, metric, value, higher_is_better, source,
note``): one ``QualityRecord`` per row, ``provenance: published``, its source and note kept, its date
left empty (the file gives none), ``reasoning`` as for the boards (``on (high)`` → thinking on at high
effort). Figures on another benchmark or metric than the task's declared one are written too: the
model page shows them under their own names, the boards never compare them. Nothing is estimated.

Re-running the script replaces ``<out>/records``, ``<out>/releases`` and ``<out>/quality`` entirely: it is
deterministic.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmark.quality.record import QualityRecord, QualitySettings, quality_path  # noqa: E402
from benchmark.record import Hardware, ResultRecord, Settings, record_path  # noqa: E402
from benchmark.release import cut_release  # noqa: E402
from benchmark.store import LocalStore  # noqa: E402
from benchmark.tasks import TASKS, get_task  # noqa: E402

REFERENCE = ROOT / "data" / "published"  # copies of the project's reference CSVs
DEFAULT_BOARDS = REFERENCE / "aies_boards.csv"
DEFAULT_PARAMS = REFERENCE / "model_params.csv"
DEFAULT_QUALITY = REFERENCE / "quality.csv"
REFERENCE_GPU = Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1)
# (release, task, model id prefix) of the published rows measured by zero-shot text-to-text prompting
ZERO_SHOT_ROWS = (("2025-02", "text_classification", "google-t5/"), ("2025-02", "question_answering", "google-t5/"))
_RUN_TIMESTAMP = re.compile(r"run timestamp (\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})")
_REASONING = re.compile(r"^(on|off)(?: \((low|medium|high|n/a)\))?$")


@dataclass(frozen=True)
class BoardRow:
    task: str
    model_id: str
    gpu_wh_per_1k_queries: float
    size_class: str | None
    release: str
    source: str
    note: str
    created_at: datetime
    run_id: str
    reasoning: bool | None = None
    reasoning_effort: str | None = None


def run_time(note: str, release: str) -> datetime:
    """The run timestamp in ``note`` (UTC), else the first day of the ``release`` month (YYYY-MM)."""
    match = _RUN_TIMESTAMP.search(note)
    if match:
        return datetime(*(int(part) for part in match.groups()), tzinfo=UTC)
    year, month = (int(part) for part in release.split("-")[:2])
    return datetime(year, month, 1, tzinfo=UTC)


def reasoning_state(text: str, where: str) -> tuple[bool | None, str | None]:
    """``settings.reasoning`` and ``reasoning_effort`` of a board's ``reasoning`` cell (blank: unknown)."""
    text = text.strip().lower()
    if not text:
        return None, None
    match = _REASONING.match(text)
    if match is None:
        raise ValueError(f"{where}: reasoning must be on, off, 'on (low|medium|high)' or 'off (n/a)', got {text!r}")
    state, level = match.groups()
    if (state == "off" and level not in (None, "n/a")) or (state == "on" and level == "n/a"):
        raise ValueError(f"{where}: reasoning {text!r} mixes a state and a level that do not go together")
    return state == "on", level if state == "on" else None


def read_boards(path: Path) -> list[BoardRow]:
    """Every row of the boards (an unknown task stops the build with its name)."""
    rows: list[BoardRow] = []
    seen: Counter[tuple[str, str, str, str | None]] = Counter()
    with path.open(newline="", encoding="utf-8") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            get_task(raw["task"])
            energy = float(raw["gpu_wh_per_1k_queries"])
            if not energy > 0:
                raise ValueError(f"{path}:{line}: gpu_wh_per_1k_queries must be > 0, got {energy}")
            release, model = raw["release"].strip(), raw["model"].strip()
            reasoning, effort = reasoning_state(raw.get("reasoning") or "", f"{path}:{line}")
            seen[(release, raw["task"], model, effort)] += 1
            n = seen[(release, raw["task"], model, effort)]
            rows.append(
                BoardRow(
                    task=raw["task"],
                    model_id=model,
                    gpu_wh_per_1k_queries=energy,
                    size_class=(raw.get("size_class") or "").strip() or None,
                    release=release,
                    source=raw["source"].strip(),
                    note=(raw.get("note") or "").strip(),
                    created_at=run_time(raw.get("note") or "", release),
                    run_id=f"aies-{release}" + (f"-{effort}" if effort else "") + (f"-{n}" if n > 1 else ""),
                    reasoning=reasoning,
                    reasoning_effort=effort,
                )
            )
    return rows


def read_params(path: Path) -> dict[str, int]:
    """Parameter counts by model id, where one is given."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return {row["model"].strip(): int(float(row["params"])) for row in rows if row["params"].strip()}


def zero_shot(row: BoardRow) -> bool:
    return any((row.release, row.task) == (release, task) and row.model_id.startswith(prefix)
               for release, task, prefix in ZERO_SHOT_ROWS)


def settings(row: BoardRow) -> Settings:
    """The registry's settings of the row's task, how the model reasoned, and whether it was prompted
    zero-shot."""
    spec = TASKS[row.task]
    controls = spec.control_variables()  # a natural-length task says its cap (max_new_tokens), not new_tokens
    return Settings(
        dataset=spec.dataset_id,
        dataset_split=spec.dataset_split,
        reasoning=row.reasoning,
        reasoning_effort=row.reasoning_effort,
        prompting="zero-shot" if zero_shot(row) else None,
        **controls,
    )


def to_record(row: BoardRow, params: dict[str, int]) -> ResultRecord:
    extra = {"size_class": row.size_class} if row.size_class else {}
    return ResultRecord(
        run_id=row.run_id,
        model_id=row.model_id,
        task=row.task,
        created_at=row.created_at,
        hardware=REFERENCE_GPU,
        settings=settings(row),
        gpu_wh_per_1k_queries=row.gpu_wh_per_1k_queries,
        params=params.get(row.model_id),
        source=row.source,
        notes=f"AI Energy Score, {row.release} board. {row.note}".strip(),
        **extra,
    )


def quality_records(path: Path) -> list[QualityRecord]:
    """One published quality record per row of ``quality.csv`` (an unknown task stops the build)."""
    records = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            task = get_task(raw["task"]).key
            reasoning, effort = reasoning_state(raw.get("reasoning") or "", f"{path}:{line}")
            benchmark, metric = raw["benchmark"].strip(), raw["metric"].strip()
            records.append(
                QualityRecord(
                    quality_id="published-" + "-".join(p for p in (benchmark, metric, effort) if p),
                    model_id=raw["model"].strip(),
                    task=task,
                    benchmark=benchmark,
                    metric=metric,
                    value=float(raw["value"]),
                    higher_is_better=raw["higher_is_better"].strip().lower() == "true",
                    source=raw["source"].strip(),
                    provenance="published",
                    settings=QualitySettings(reasoning=reasoning, reasoning_effort=effort),
                    notes=(raw.get("note") or "").strip() or None,
                )
            )
    return records


def write_quality(records: list[QualityRecord], out: Path) -> list[Path]:
    written = []
    for record in records:
        target = out / quality_path(record)
        if target.exists():
            raise ValueError(f"two quality rows for {quality_path(record)}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(record.to_json() + "\n", encoding="utf-8")
        written.append(target)
    return written


def build_snapshot(boards: Path, params_csv: Path, out: Path, quality_csv: Path | None = None) -> list[Path]:
    """Write the records, the releases and the quality records under ``out`` (replacing them); returns
    the files written."""
    rows = read_boards(boards)
    params = read_params(params_csv)
    for folder in ("records", "releases", "quality"):
        shutil.rmtree(out / folder, ignore_errors=True)
    written = []
    for row in rows:
        record = to_record(row, params)
        target = out / record_path(record)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(record.to_json() + "\n", encoding="utf-8")
        written.append(target)
    store = LocalStore(out)
    for release in sorted({row.release for row in rows}):
        include = [f"records/*/*/aies-{release}.json", f"records/*/*/aies-{release}-*.json"]
        cut = cut_release(store, release, include=include, date=f"{release}-01", latest_only=False)
        written += [out / "releases" / release / name for name in ("board.parquet", "release.json")]
        print(f"release {release}: {cut.n_entries} entries, {cut.meta['n_rated']} rated")
    for name in (".store-version", ".store-lock"):  # the local store's bookkeeping, not data
        (out / name).unlink(missing_ok=True)
    print(f"{len(rows)} board rows → {len(rows)} records in {out / 'records'}")
    if quality_csv is not None:
        quality = quality_records(quality_csv)
        written += write_quality(quality, out)
        print(f"{len(quality)} published quality figures → {out / 'quality'}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=Path, default=DEFAULT_BOARDS, help="published boards CSV")
    parser.add_argument("--params", type=Path, default=DEFAULT_PARAMS, help="parameter counts CSV")
    parser.add_argument("--quality", type=Path, default=DEFAULT_QUALITY, help="published quality figures CSV")
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="bundled data folder (default: data/)")
    args = parser.parse_args(argv)
    try:
        build_snapshot(args.boards, args.params, args.out, args.quality)
    except (OSError, ValueError, KeyError) as exc:
        print(f"build_snapshot: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
