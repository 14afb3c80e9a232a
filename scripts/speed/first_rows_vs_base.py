"""Time to the first task rows, this checkout against an earlier commit, measured side by side.

    python scripts/speed/first_rows_vs_base.py --base COMMIT [--head COMMIT] [--records 100000]
                                               [--since 1000] [--quality 10000] [--starts 5]

Checks out ``--base`` (and ``--head``, default: this working tree) in temporary git worktrees and
starts both apps alternately (process start to
the first ``/task_rows`` answer through ``gradio_client``), first on each one's own bundled data, then
on one store of ``--records`` synthetic records cut as a release by each version's own
``release cut``, plus ``--since`` records published after it and ``--quality`` quality records (which
the older code does not read). Prints the medians and their ratio (target: within 1.1x).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "scripts" / "speed"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from app_speed import ours, speed_parser, write_timed  # noqa: E402
from release_speed import RELEASE, first_rows, write_records  # noqa: E402

TARGET_RATIO = 1.1


def write_quality(folder: Path, n_records: int) -> None:
    """``n_records`` published quality records, one per model of the first synthetic records."""
    from benchmark.quality.record import QualityRecord, quality_path
    from benchmark.tasks import TASK_KEYS, TASKS

    for i in range(n_records):
        task = TASK_KEYS[i % len(TASK_KEYS)]
        declared = TASKS[task].quality
        if declared is None:
            continue
        record = QualityRecord(
            quality_id="published-speed", model_id=f"org{i % 97}/model-{i}", task=task, benchmark=declared.key,
            metric=declared.metric, value=float(i % 90), higher_is_better=declared.higher_is_better,
            source="https://example.org/speed", provenance="published",
        )
        target = folder / quality_path(record)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(record.to_json())


def cut_with(root: Path, results: Path) -> None:
    """``release cut`` of the checkout at ``root`` on ``results``."""
    env = {"PYTHONPATH": str(root), "RESULTS_DIR": str(results), "RESULTS_REPO": "", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "benchmark", "release", "cut", RELEASE, "--date", "2025-06-01"],
                   cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def compare(label: str, base_run, ours_run, starts: int) -> float:
    base_s, ours_s = first_rows([base_run, ours_run], starts)
    ratio = statistics.median(ours_s) / statistics.median(base_s)
    verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
    print(f"{label}: this checkout {statistics.median(ours_s):.2f} s, base {statistics.median(base_s):.2f} s "
          f"-> {ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict})")
    print(f"  all starts: this {[round(t, 2) for t in ours_s]}, base {[round(t, 2) for t in base_s]}")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = speed_parser(__doc__, 100_000, "records in the release")
    parser.add_argument("--base", required=True, help="the commit to compare with (e.g. the last one before a change)")
    parser.add_argument("--head", help="the commit to measure (default: this working tree as it is)")
    parser.add_argument("--since", type=int, default=1_000, help="records published after the release (1,000)")
    parser.add_argument("--quality", type=int, default=10_000, help="quality records (default 10,000)")
    parser.set_defaults(starts=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="first-rows-") as tmp:
        work = Path(tmp)
        base_root, head_root = work / "base", work / "head" if args.head else ROOT
        trees = [(base_root, args.base), *([(head_root, args.head)] if args.head else [])]
        for tree, commit in trees:
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            print(f"base {args.base}, head {args.head or 'the working tree'}")
            compare("bundled data", lambda: ours(None, base_root), lambda: ours(None, head_root), args.starts)

            results = work / "results"
            write_timed(lambda: write_records(results, args.records, first=0, month=1), args.records)
            base_results = work / "results-base"
            shutil.copytree(results, base_results)
            cut_with(base_root, base_results)
            cut_with(head_root, results)
            for folder in (results, base_results):
                write_records(folder, args.since, first=args.records, month=7)
                write_quality(folder, args.quality)
            print(json.dumps({"records": args.records, "since": args.since, "quality": args.quality}))
            compare(f"{args.records} records", lambda: ours(base_results, base_root),
                    lambda: ours(results, head_root), args.starts)
        finally:
            for tree, _ in trees:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
