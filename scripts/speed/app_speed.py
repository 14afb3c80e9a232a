"""How much the leaderboard app costs over a bare Gradio app, measured side by side in one run.

    python scripts/speed/app_speed.py [--records 10000] [--starts 3] [--calls 50]

For 10,000 synthetic records across the ten tasks (written in the runner's record layout), and
again for the bundled snapshot, it prints:

- start-up, process start to the first HTTP 200: ours (``python app.py``) against a bare Gradio
  app serving one ``gr.Dataframe`` of the same rows read from a CSV (target: ≤ 1.5×);
- the task endpoint's round trip through ``gradio_client``, p95 over ``--calls`` calls, ours
  (``/task_rows``) against the bare app's endpoint returning the same rows (target: ≤ 1.3×);
- rating every record with ``star_ratings`` (target: ≤ 50 ms for 10,000).

Starts and calls alternate between the two apps so that machine noise hits both alike.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_STARTUP_RATIO = 1.5
TARGET_ROUNDTRIP_RATIO = 1.3
TARGET_RATING_MS = 50.0
ROUNDTRIP_TASK = "text_generation"

BARE_APP = """
import sys
import gradio as gr
{imports}

rows = {read_rows}
by_task = {{task: group.drop(columns=["task"]) for task, group in rows.groupby("task")}}

def task_rows(task: str):
    return by_task.get(task, rows.iloc[0:0])

with gr.Blocks(analytics_enabled=False) as demo:
    task = gr.Textbox(value="text_generation")
    table = gr.Dataframe(value=by_task.get("text_generation"))
    task.submit(task_rows, task, table, api_name="task_rows")

demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[2]))
"""


def bare_app(imports: str, read_rows: str) -> str:
    """The bare Gradio app we compare against: one ``gr.Dataframe`` and one ``/task_rows`` endpoint over
    the rows ``read_rows`` reads from the file named by its first argument (its port: the second)."""
    return BARE_APP.format(imports=imports, read_rows=read_rows)


BARE_CSV_APP = bare_app("import pandas as pd", "pd.read_csv(sys.argv[1])")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def synthetic_results(folder: Path, n_records: int, seed: int = 0) -> None:
    """``n_records`` runner-like records (3 repeats with phases each) spread over the ten tasks."""
    import numpy as np

    from benchmark.record import Hardware, PhaseMeasurement, Repeat, ResultRecord, Settings, record_path
    from benchmark.tasks import TASK_KEYS, TASKS

    rng = np.random.default_rng(seed)
    hardware = [
        Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1, driver_version="550.54"),
        Hardware(device="cuda", gpu_name="NVIDIA A100-SXM4-80GB", gpu_count=1, driver_version="550.54"),
    ]
    for i in range(n_records):
        task = TASK_KEYS[i % len(TASK_KEYS)]
        spec = TASKS[task]
        energy = float(rng.lognormal(1.0, 1.5))
        repeats_wh = [energy * float(f) for f in rng.normal(1.0, 0.03, 3)]
        phases = {
            p: PhaseMeasurement(cpu_kwh=1e-5, gpu_kwh=energy * 1e-6, ram_kwh=1e-6, latency_s=1.2)
            for p in ("preprocess", *spec.inference_phases)
        }
        record = ResultRecord(
            run_id=f"run-{i:06d}",
            model_id=f"org{i % 97}/model-{i}",
            task=task,
            created_at=f"2025-{1 + i % 12:02d}-01T00:00:00Z",
            hardware=hardware[i % 7 == 0],
            settings=Settings(dataset=spec.dataset_id, **spec.control_variables()),
            phases=phases,
            gpu_wh_per_1k_queries=float(np.mean(repeats_wh)),
            gpu_wh_per_1k_queries_std=float(np.std(repeats_wh, ddof=1)),
            total_wh_per_1k_queries=energy * 1.4,
            repeats=[
                Repeat(index=k, gpu_wh_per_1k_queries=v, total_wh_per_1k_queries=v * 1.4, phases=phases)
                for k, v in enumerate(repeats_wh)
            ],
            params=int(rng.lognormal(20.0, 2.0)),
            source="runner",
        )
        target = folder / record_path(record)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(record.to_json())


def same_rows_csv(results: Path | None, target: Path) -> int:
    """The rows our app serves (every task), as the CSV the bare app reads; returns the row count."""
    import pandas as pd

    from benchmark.store import LocalStore
    from benchmark.tasks import TASK_KEYS
    from leaderboard.results.live import LiveData
    from leaderboard.views.tables import api_rows

    live = LiveData(LocalStore(results)) if results else LiveData()
    frames = []
    for task in TASK_KEYS:
        frame = pd.DataFrame(api_rows(live.current.task_frame(task)))
        frame.insert(0, "task", task)
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    rows.to_csv(target, index=False)
    return len(rows)


def wait_for_200(url: str, process: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise TimeoutError(f"no HTTP 200 from {url} in {timeout_s} s")


class Server:
    """A server process; ``started_s`` is process start to first HTTP 200, ``rows_s`` to the first
    rows returned by the task endpoint through ``gradio_client`` (data loaded and served)."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, cwd: Path = ROOT) -> None:
        from gradio_client import Client

        self.url = f"http://127.0.0.1:{port}/"
        began = time.perf_counter()
        self.process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_200(self.url, self.process)
            self.started_s = time.perf_counter() - began
            client = Client(self.url, verbose=False)
            client.predict(ROUNDTRIP_TASK, api_name="/task_rows")
            self.rows_s = time.perf_counter() - began
            client.close()
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def ours(results: Path | None, root: Path = ROOT) -> Server:
    """The app of the checkout at ``root`` (default this one) on ``results`` (None: its bundled data)."""
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "RESULTS_REPO": "", "LOG_LEVEL": "WARNING"}
    env["RESULTS_DIR"] = str(results) if results else ""
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    env["PYTHONPATH"] = str(root)
    return Server([sys.executable, "app.py"], env, port, cwd=root)


def bare(rows_path: Path, script: Path) -> Server:
    """The bare app ``script`` (a ``bare_app``) serving the rows of ``rows_path``."""
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    return Server([sys.executable, str(script), str(rows_path), str(port)], env, port)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def measure(label: str, results: Path | None, work: Path, starts: int, calls: int) -> dict[str, float]:
    from gradio_client import Client

    csv_path = work / f"{label}-rows.csv"
    n_rows = same_rows_csv(results, csv_path)
    script = work / "bare_app.py"
    script.write_text(BARE_CSV_APP)

    ours_starts, bare_starts, ours_rows, bare_rows = [], [], [], []
    for _ in range(starts):  # alternate, so both see the same machine
        for start, sink, rows_sink in (
            (lambda: bare(csv_path, script), bare_starts, bare_rows),
            (lambda: ours(results), ours_starts, ours_rows),
        ):
            server = start()
            sink.append(server.started_s)
            rows_sink.append(server.rows_s)
            server.stop()

    our_server, bare_server = ours(results), bare(csv_path, script)
    try:
        our_client = Client(our_server.url, verbose=False)
        bare_client = Client(bare_server.url, verbose=False)
        our_rows = our_client.predict(ROUNDTRIP_TASK, api_name="/task_rows")
        bare_table = bare_client.predict(ROUNDTRIP_TASK, api_name="/task_rows")
        if [r["model_id"] for r in our_rows] != [row[0] for row in bare_table["data"]]:
            raise AssertionError("the two apps do not return the same rows")
        for _ in range(5):  # warm-up
            our_client.predict(ROUNDTRIP_TASK, api_name="/task_rows")
            bare_client.predict(ROUNDTRIP_TASK, api_name="/task_rows")
        our_times, bare_times = [], []
        for _ in range(calls):
            for client, sink in ((bare_client, bare_times), (our_client, our_times)):
                began = time.perf_counter()
                client.predict(ROUNDTRIP_TASK, api_name="/task_rows")
                sink.append(time.perf_counter() - began)
        our_client.close()
        bare_client.close()
    finally:
        our_server.stop()
        bare_server.stop()

    rating_ms = rating_time_ms(results)
    return {
        "records": n_rows,
        "rows_per_call": len(our_rows),
        "startup_ours_s": statistics.median(ours_starts),
        "startup_bare_s": statistics.median(bare_starts),
        "first_rows_ours_s": statistics.median(ours_rows),
        "first_rows_bare_s": statistics.median(bare_rows),
        "p95_ours_ms": p95(our_times) * 1000,
        "p95_bare_ms": p95(bare_times) * 1000,
        "median_ours_ms": statistics.median(our_times) * 1000,
        "median_bare_ms": statistics.median(bare_times) * 1000,
        "rating_ms": rating_ms,
    }


def rating_time_ms(results: Path | None, repeats: int = 30) -> float:
    """Median time of ``star_ratings`` over every loaded record."""
    from benchmark.board.rating import star_ratings
    from benchmark.store import LocalStore
    from leaderboard.results.live import LiveData

    frame = (LiveData(LocalStore(results)) if results else LiveData()).current.frame
    frame = frame[["task", "gpu_wh_per_1k_queries", "params", "size_class", "hardware"]]
    star_ratings(frame)
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        star_ratings(frame)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def report(label: str, m: dict[str, float]) -> None:
    startup = m["startup_ours_s"] / m["startup_bare_s"]
    roundtrip = m["p95_ours_ms"] / m["p95_bare_ms"]
    verdict = {True: "ok", False: "OVER"}
    print(f"\n== {label}: {m['records']} records, {m['rows_per_call']} rows per {ROUNDTRIP_TASK} call ==")
    print(
        f"start-up to first HTTP 200 (median): ours {m['startup_ours_s']:.2f} s, bare {m['startup_bare_s']:.2f} s "
        f"-> {startup:.2f}x (target <= {TARGET_STARTUP_RATIO}x: {verdict[startup <= TARGET_STARTUP_RATIO]})"
    )
    print(
        f"  (to the first rows through gradio_client: ours {m['first_rows_ours_s']:.2f} s, "
        f"bare {m['first_rows_bare_s']:.2f} s -> {m['first_rows_ours_s'] / m['first_rows_bare_s']:.2f}x; "
        "ours validates every record in the background after binding the port)"
    )
    print(
        f"task endpoint round trip p95: ours {m['p95_ours_ms']:.1f} ms, bare {m['p95_bare_ms']:.1f} ms "
        f"-> {roundtrip:.2f}x (target <= {TARGET_ROUNDTRIP_RATIO}x: {verdict[roundtrip <= TARGET_ROUNDTRIP_RATIO]}); "
        f"medians {m['median_ours_ms']:.1f} / {m['median_bare_ms']:.1f} ms"
    )
    print(
        f"rating all records (median of 30): {m['rating_ms']:.2f} ms "
        f"(target <= {TARGET_RATING_MS:.0f} ms for 10,000: {verdict[m['rating_ms'] <= TARGET_RATING_MS]})"
    )


def speed_parser(doc: str, records_default: int, records_help: str) -> argparse.ArgumentParser:
    """The options of a speed script that writes ``--records`` and starts each app ``--starts`` times."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--records", type=int, default=records_default,
                        help=f"{records_help} (default {records_default:,})")
    parser.add_argument("--starts", type=int, default=3, help="start-ups per app, alternating (default 3)")
    return parser


def write_timed(write: Callable[[], None], n_records: int) -> None:
    began = time.perf_counter()
    write()
    print(f"wrote {n_records} synthetic records in {time.perf_counter() - began:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = speed_parser(__doc__, 10_000, "synthetic records")
    parser.add_argument("--calls", type=int, default=50, help="round trips per app (default 50)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="app-speed-") as tmp:
        work = Path(tmp)
        results = work / "results"
        write_timed(lambda: synthetic_results(results, args.records), args.records)
        report("synthetic", measure("synthetic", results, work, args.starts, args.calls))
        report("bundled snapshot", measure("snapshot", None, work, args.starts, args.calls))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
