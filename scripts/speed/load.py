"""The app under load: many concurrent ``gradio_client`` clients on ``/task_rows``, against one client.

    python scripts/speed/load.py [--clients 50] [--seconds 60] [--single-seconds 15]

Starts the app (``python app.py``) on the bundled data, measures one client calling ``/task_rows``
in a loop for ``--single-seconds``, then ``--clients`` clients (each its own ``gradio_client.Client``,
in threads of ``--processes`` processes so the clients' own work is spread like real users') for
``--seconds``, cycling through the tasks. Prints both p95 latencies, their ratio and the error
count; exits 1 when a target is missed (targets: zero errors, p95 ≤ 3× the single client's).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from app_speed import ours, p95  # noqa: E402 - a sibling script (it puts the repository on the path)

from benchmark.tasks import TASK_KEYS  # noqa: E402

TARGET_P95_RATIO = 3.0
TASKS = TASK_KEYS


def call_loop(url: str, seconds: float, start_at: float, out: list, errors: list, offset: int) -> None:
    """One client: call ``/task_rows`` until ``seconds`` after ``start_at``; latencies into ``out``."""
    from gradio_client import Client

    client = Client(url, verbose=False)
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
    for thread in threads:
        thread.join()
    results.put((latencies, errors))


def concurrent(url: str, clients: int, processes: int, seconds: float) -> tuple[list[float], list[str]]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 10  # every client connected before the clock starts
    shares = [clients // processes + (1 if k < clients % processes else 0) for k in range(processes)]
    procs = [context.Process(target=client_process, args=(url, n, seconds, start_at, sum(shares[:k]), results))
             for k, n in enumerate(shares) if n]
    for proc in procs:
        proc.start()
    latencies: list[float] = []
    errors: list[str] = []
    for _ in procs:
        got, failed = results.get(timeout=seconds + 300)
        latencies += got
        errors += failed
    for proc in procs:
        proc.join()
    return latencies, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--single-seconds", type=float, default=15.0)
    args = parser.parse_args(argv)

    server = ours(None)  # the bundled snapshot
    try:
        single: list[float] = []
        single_errors: list[str] = []
        call_loop(server.url, args.single_seconds, time.time(), single, single_errors, 0)
        many, errors = concurrent(server.url, args.clients, args.processes, args.seconds)
    finally:
        server.stop()
    errors += single_errors
    single_p95, many_p95 = p95(single), p95(many)
    ratio = many_p95 / single_p95
    print(f"single client:  {len(single)} calls in {args.single_seconds:.0f} s, p95 {single_p95 * 1000:.0f} ms")
    print(f"{args.clients} clients:     {len(many)} calls in {args.seconds:.0f} s "
          f"({len(many) / args.seconds:.1f}/s), p95 {many_p95 * 1000:.0f} ms")
    print(f"p95 ratio:      {ratio:.2f}× (target ≤ {TARGET_P95_RATIO:.0f}×)")
    print(f"errors:         {len(errors)} (target 0)" + (f"; first: {errors[0]}" if errors else ""))
    return 0 if not errors and ratio <= TARGET_P95_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
