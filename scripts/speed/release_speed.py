"""Releases at scale, measured side by side in one run.

    python scripts/speed/release_speed.py [--records 100000] [--since 1000] [--starts 3]

Writes ``--records`` synthetic runner-like records (3 repeats with phases each, the ten tasks, two
GPUs) in the runner's layout, cuts them as one release, then publishes ``--since`` more, and prints:

- ``release cut`` over all the records: read, validate, rate, write the parquet board (target:
  ≤ 60 s on this machine);
- time to the first task rows, process start to the first ``/task_rows`` answer through
  ``gradio_client`` (median of ``--starts``, the two apps alternating): ours (``python app.py`` on
  that store: the release read as one parquet table, only the ``--since`` records read as JSON)
  against a bare Gradio app that reads the same rows from the same ``board.parquet`` with pyarrow
  and serves them from one endpoint (target: ≤ 1.3×).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "scripts" / "speed"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from app_speed import bare, bare_app, ours, speed_parser, write_timed  # noqa: E402

TARGET_CUT_S = 60.0
TARGET_FIRST_ROWS_RATIO = 1.3
RELEASE = "speed-1"

BARE_PARQUET_APP = bare_app("import pyarrow.parquet as pq", "pq.read_table(sys.argv[1]).to_pandas()")


def write_records(folder: Path, n_records: int, first: int, month: int) -> None:
    """``n_records`` records numbered from ``first``: one validated template, its fields varied (fast)."""
    import numpy as np

    from benchmark.record import Hardware, PhaseMeasurement, Repeat, ResultRecord, Settings, model_slug
    from benchmark.tasks import TASK_KEYS, TASKS

    rng = np.random.default_rng(first)
    gpus = [
        Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1).model_dump(mode="json"),
        Hardware(device="cuda", gpu_name="NVIDIA A100-SXM4-80GB", gpu_count=1).model_dump(mode="json"),
    ]
    templates = {}
    for task in TASK_KEYS:
        spec = TASKS[task]
        phases = {
            p: PhaseMeasurement(cpu_kwh=1e-5, gpu_kwh=1e-6, ram_kwh=1e-6, latency_s=1.2)
            for p in ("preprocess", *spec.inference_phases)
        }
        templates[task] = ResultRecord(
            run_id="x",
            model_id="x/x",
            task=task,
            created_at="2025-01-01T00:00:00Z",
            hardware=Hardware(device="cuda", gpu_name="x", gpu_count=1),
            settings=Settings(dataset=spec.dataset_id, **spec.control_variables()),
            phases=phases,
            gpu_wh_per_1k_queries=1.0,
            repeats=[
                Repeat(index=k, gpu_wh_per_1k_queries=1.0, total_wh_per_1k_queries=1.4, phases=phases) for k in range(3)
            ],
            source="runner",
        ).model_dump(mode="json")
    energies = rng.lognormal(1.0, 1.5, n_records)
    params = rng.lognormal(20.0, 2.0, n_records).astype(int)
    for k in range(n_records):
        i = first + k
        task = TASK_KEYS[i % len(TASK_KEYS)]
        record = dict(templates[task])
        energy = float(energies[k])
        record.update(
            run_id=f"run-{i:07d}",
            model_id=f"org{i % 97}/model-{i}",
            created_at=f"2025-{month:02d}-01T00:00:00Z",
            hardware=gpus[i % 7 == 0],
            gpu_wh_per_1k_queries=energy,
            gpu_wh_per_1k_queries_std=energy * 0.03,
            total_wh_per_1k_queries=energy * 1.4,
            params=int(params[k]),
        )
        target = folder / "records" / task / model_slug(record["model_id"]) / f"{record['run_id']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(record))


def first_rows(servers: list, starts: int) -> list[list[float]]:
    times: list[list[float]] = [[] for _ in servers]
    for _ in range(starts):  # alternate, so both see the same machine
        for start, sink in zip(servers, times, strict=True):
            server = start()
            sink.append(server.rows_s)
            server.stop()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = speed_parser(__doc__, 100_000, "records in the release")
    parser.add_argument("--since", type=int, default=1_000, help="records published after it (default 1,000)")
    args = parser.parse_args(argv)

    from benchmark.release import board_path, cut_release
    from benchmark.store import LocalStore

    with tempfile.TemporaryDirectory(prefix="release-speed-") as tmp:
        work = Path(tmp)
        results = work / "results"
        write_timed(lambda: write_records(results, args.records, first=0, month=1), args.records)

        began = time.perf_counter()
        cut = cut_release(LocalStore(results), RELEASE, date="2025-06-01")
        cut_s = time.perf_counter() - began
        write_records(results, args.since, first=args.records, month=7)

        board = results / board_path(RELEASE)
        script = work / "bare_app.py"
        script.write_text(BARE_PARQUET_APP)
        bare_s, ours_s = first_rows([lambda: bare(board, script), lambda: ours(results)], args.starts)
        ratio = statistics.median(ours_s) / statistics.median(bare_s)
        verdict = {True: "ok", False: "OVER"}
        print(f"\n== {args.records} records in release {RELEASE} ({cut.n_entries} entries) + {args.since} since ==")
        print(f"release cut: {cut_s:.1f} s (target <= {TARGET_CUT_S:.0f} s: {verdict[cut_s <= TARGET_CUT_S]})")
        print(
            f"time to the first task rows (median of {args.starts}): ours {statistics.median(ours_s):.2f} s, "
            f"bare Gradio on the same parquet {statistics.median(bare_s):.2f} s -> {ratio:.2f}x "
            f"(target <= {TARGET_FIRST_ROWS_RATIO}x: {verdict[ratio <= TARGET_FIRST_ROWS_RATIO]})"
        )
        print(f"  all starts: ours {[round(t, 2) for t in ours_s]}, bare {[round(t, 2) for t in bare_s]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
