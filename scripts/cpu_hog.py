"""Keep every core busy for a while: the busy machine CI may be, made on purpose.

    python scripts/cpu_hog.py [--workers N] [--seconds S]     # N = cores by default, S = 3,600 at most

Each worker is a process spinning a tight loop until the time is up or the hog is stopped (SIGTERM or
Ctrl-C stops them all). Used to run the whole suite beside a hog (``python scripts/cpu_hog.py & bash
scripts/test.sh; kill %1``) and by the tests that must hold on a busy machine (``tests/support/env.py``'s ``cpu_hog``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import sys
import time

MAX_SECONDS = 3600.0


def spin(until: float) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    x = 0
    while time.monotonic() < until:
        for _ in range(100_000):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=float, default=MAX_SECONDS)
    args = parser.parse_args()
    until = time.monotonic() + min(args.seconds, MAX_SECONDS)
    workers = [multiprocessing.Process(target=spin, args=(until,), daemon=True) for _ in range(args.workers)]
    for worker in workers:
        worker.start()

    def stop(*_: object) -> None:
        for worker in workers:
            worker.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"cpu hog: {args.workers} busy workers for up to {min(args.seconds, MAX_SECONDS):.0f} s", flush=True)
    for worker in workers:
        worker.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
