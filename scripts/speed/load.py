"""The app under load: many concurrent ``gradio_client`` clients on ``/task_rows``, against one client,
and the same load on a bare Gradio app serving the same answers, side by side.

    python scripts/speed/load.py [--clients 50] [--seconds 60] [--single-seconds 15] [--no-bare]

Starts the app (``python app.py``) on the bundled data, measures one client calling ``/task_rows``
in a loop for ``--single-seconds``, then ``--clients`` clients (each its own ``gradio_client.Client``,
in threads of ``--processes`` processes so the clients' own work is spread like real users') for
``--seconds``, cycling through the tasks. Then it does the same against a bare Gradio app: one
``gr.api`` endpoint returning the very answers our app gave (read once from it), with the same
event settings. Prints, for both, the p95 latencies, their ratio, the throughput and the errors (a
client that cannot even connect counts as one); exits 1 when a target is missed (targets: zero
errors, p95 under load ≤ 3× the single client's).

It also prints where the CPU went: the server's and the clients' CPU milliseconds per call. When
the clients run on the same machine as the app, N closed-loop clients on C cores cannot see a
latency under N × (client + server CPU per call) / C, whatever the app does; and with the clients
elsewhere, one server process cannot answer faster than N × its own CPU per call. The script
prints both floors beside the measured p95, so a missed ratio says whether our app, Gradio or the
machine is short.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import ssl
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from app_speed import bare, ours, p95  # noqa: E402 - a sibling script (it puts the repository on the path)

from benchmark.tasks import TASK_KEYS  # noqa: E402
from leaderboard.serving import READ_ONLY_EVENT, apply_gradio_environment_defaults  # noqa: E402

TARGET_P95_RATIO = 3.0
TASKS = TASK_KEYS

# The bare app: the answers our app gave, per task, from a JSON file; the same event settings.
BARE_JSON_APP = f"""
import json
import sys
import gradio as gr

answers = json.loads(open(sys.argv[1]).read())

def task_rows(task: str) -> list:
    return answers.get(task, [])

with gr.Blocks(analytics_enabled=False) as demo:
    gr.api(task_rows, api_name="task_rows", **{READ_ONLY_EVENT!r})

demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[2]))
"""


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client of this process. gradio_client opens a new httpx
    client for each request of each call, and each builds its own context from the CA bundle by
    default (about 45 ms of CPU, twice per call): on a shared machine that is CPU taken from the app."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def call_loop(url: str, seconds: float, start_at: float, out: list, errors: list, offset: int) -> None:
    """One client: call ``/task_rows`` until ``seconds`` after ``start_at``; latencies into ``out``."""
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, ssl_verify=shared_ssl_context())
    except Exception as exc:  # noqa: BLE001 - a client that cannot connect is an error too
        errors.append(f"connecting: {type(exc).__name__}: {exc}")
        return
    i = offset
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < start_at + seconds:
        began = time.perf_counter()
        try:
            client.predict(TASKS[i % len(TASKS)], api_name="/task_rows")
        except Exception as exc:  # noqa: BLE001 - every failure is counted, whatever its kind
            errors.append(f"{type(exc).__name__}: {exc}")
        else:
            out.append(time.perf_counter() - began)
        i += 1
    client.close()


def client_process(url: str, n_threads: int, seconds: float, start_at: float, first: int, results) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    threads = [threading.Thread(target=call_loop, args=(url, seconds, start_at, latencies, errors, first + k))
               for k in range(n_threads)]
    for thread in threads:
        thread.start()
    while time.time() < start_at:
        time.sleep(0.001)
    cpu_at_start = time.process_time()  # every thread of this process, from when the clock starts
    for thread in threads:
        thread.join()
    results.put((latencies, errors, time.process_time() - cpu_at_start))


def concurrent(url: str, clients: int, processes: int, seconds: float) -> tuple[list[float], list[str], float]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 10 + clients * 0.1  # every client connected before the clock starts
    shares = [clients // processes + (1 if k < clients % processes else 0) for k in range(processes)]
    procs = [context.Process(target=client_process, args=(url, n, seconds, start_at, sum(shares[:k]), results))
             for k, n in enumerate(shares) if n]
    for proc in procs:
        proc.start()
    latencies: list[float] = []
    errors: list[str] = []
    client_cpu_s = 0.0
    for _ in procs:
        got, failed, cpu_s = results.get(timeout=seconds + 300)
        latencies += got
        errors += failed
        client_cpu_s += cpu_s
    for proc in procs:
        proc.join()
    return latencies, errors, client_cpu_s


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """One app measured: a single client, then ``clients`` at once."""

    single: list[float]
    many: list[float]
    errors: list[str]
    server_alone_ms: float  # server CPU per call with one client
    server_loaded_ms: float  # ... with all the clients
    client_ms: float  # the clients' CPU per call under load

    @property
    def ratio(self) -> float:
        return p95(self.many) / p95(self.single)


def load(server, args: argparse.Namespace) -> Load:
    """The single client, then the concurrent clients, against ``server`` (stopped afterwards)."""
    try:
        single: list[float] = []
        errors: list[str] = []
        cpu_s = process_cpu_s(server.process.pid)
        call_loop(server.url, args.single_seconds, time.time(), single, errors, 0)
        server_alone_ms = (process_cpu_s(server.process.pid) - cpu_s) / max(len(single), 1) * 1000
        cpu_s = process_cpu_s(server.process.pid)
        many, failed, client_cpu_s = concurrent(server.url, args.clients, args.processes, args.seconds)
        server_loaded_ms = (process_cpu_s(server.process.pid) - cpu_s) / max(len(many), 1) * 1000
    finally:
        server.stop()
    return Load(single, many, errors + failed, server_alone_ms, server_loaded_ms,
                client_cpu_s / max(len(many), 1) * 1000)


def every_answer(url: str) -> dict[str, list]:
    """What ``/task_rows`` answers for each task (what the bare app will serve)."""
    from gradio_client import Client

    client = Client(url, verbose=False, ssl_verify=shared_ssl_context())
    try:
        return {task: client.predict(task, api_name="/task_rows") for task in TASKS}
    finally:
        client.close()


def report(name: str, m: Load, args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    single_p95, many_p95 = p95(m.single), p95(m.many)
    print(f"{name}:")
    print(f"  single client:  {len(m.single)} calls in {args.single_seconds:.0f} s, p95 {single_p95 * 1000:.0f} ms")
    print(f"  {args.clients} clients:     {len(m.many)} calls in {args.seconds:.0f} s "
          f"({len(m.many) / args.seconds:.1f}/s), p95 {many_p95 * 1000:.0f} ms")
    print(f"  p95 ratio:      {m.ratio:.2f}× (target ≤ {TARGET_P95_RATIO:.0f}×)")
    print(f"  errors:         {len(m.errors)} (target 0)" + (f"; first: {m.errors[0]}" if m.errors else ""))
    print(f"  CPU per call:   server {m.server_alone_ms:.1f} ms alone, {m.server_loaded_ms:.1f} ms under load; "
          f"clients {m.client_ms:.1f} ms (same machine)")
    shared_s = args.clients * (m.client_ms + m.server_loaded_ms) / 1000 / cores
    server_s = args.clients * m.server_loaded_ms / 1000
    print(f"  floor, clients here:     {args.clients} × {m.client_ms + m.server_loaded_ms:.1f} ms CPU / {cores} cores"
          f" = {shared_s * 1000:.0f} ms per call, {shared_s / single_p95:.1f}× the single client's p95")
    print(f"  floor, clients elsewhere: {args.clients} × {m.server_loaded_ms:.1f} ms of one server process"
          f" = {server_s * 1000:.0f} ms per call, {server_s / single_p95:.1f}× the single client's p95")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--single-seconds", type=float, default=15.0)
    parser.add_argument("--no-bare", action="store_true", help="measure our app only")
    args = parser.parse_args(argv)
    apply_gradio_environment_defaults()  # the bare app runs with the settings ours starts with

    server = ours(None)  # the bundled snapshot
    answers = every_answer(server.url)
    ours_load = load(server, args)
    report("our app (bundled data)", ours_load, args)
    if not args.no_bare:
        with tempfile.TemporaryDirectory() as work:
            answers_path, script = Path(work) / "answers.json", Path(work) / "bare_json_app.py"
            answers_path.write_text(json.dumps(answers))
            script.write_text(BARE_JSON_APP)
            bare_load = load(bare(answers_path, script), args)
        report("bare Gradio app, same answers", bare_load, args)
        print(f"ours / bare under load: p95 {p95(ours_load.many) / p95(bare_load.many):.2f}×, "
              f"p95 ratio {ours_load.ratio / bare_load.ratio:.2f}×")
    return 0 if not ours_load.errors and ours_load.ratio <= TARGET_P95_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
