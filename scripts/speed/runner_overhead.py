"""How much wall time the runner adds over calling ``optimum_benchmark.Benchmark.launch`` directly.

Both sides run the same energy_star config (a tiny random BERT on text classification, CPU) in
this one process, alternating, so machine noise hits both alike. The runner side is the whole
``run_benchmark`` with one repeat (checks, NVML/hardware facts, output capture, progress, parsing,
record writing); the direct side is ``Benchmark.launch`` alone. Target: median ratio ≤ 1.05.

    python scripts/speed/runner_overhead.py [--rounds 5] [--num-samples 20]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmark.runner.ob_config import build_config
from benchmark.runner.progress import Progress
from benchmark.runner.run import RunSpec, resolve, run_benchmark
from benchmark.runs.files import LOG_FILE
from benchmark.runs.quiet import stack_output as output_to
from benchmark.tasks import get_task
from tests.support.tiny_assets import build_model
from tests.support.tiny_datasets import build_dataset

TASK = "text_classification"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--num-samples", type=int, default=20)
    args = parser.parse_args()

    from optimum_benchmark import Benchmark

    work = Path(tempfile.mkdtemp(prefix="runner-overhead-"))
    model, data = build_model(TASK, work), build_dataset(TASK, work, num_rows=args.num_samples)
    spec = RunSpec(model=str(model), task=TASK, dataset=str(data), num_samples=args.num_samples, repeats=1,
                   device="cpu", output_dir=work / "runs", warmup_runs=1)
    config = build_config(resolve(spec, get_task(TASK)), name="direct")
    quiet = Progress(open(os.devnull, "w"))

    def direct(i: int) -> float:
        folder = work / f"direct-{i}"
        folder.mkdir()
        started = time.perf_counter()
        with contextlib.chdir(folder), output_to(folder / LOG_FILE):
            Benchmark.launch(config)
        return time.perf_counter() - started

    def via_runner(i: int) -> float:
        started = time.perf_counter()
        run_benchmark(spec, progress=quiet)
        return time.perf_counter() - started

    direct(0)  # warm the dataset cache and the page cache for both sides
    ratios = []
    print(f"{'round':>5} {'direct s':>9} {'runner s':>9} {'ratio':>7}")
    for i in range(1, args.rounds + 1):
        # alternate which side goes first so drift does not favour one
        if i % 2:
            d, r = direct(i), via_runner(i)
        else:
            r, d = via_runner(i), direct(i)
        ratios.append(r / d)
        print(f"{i:>5} {d:>9.2f} {r:>9.2f} {r / d:>7.3f}")
    median = statistics.median(ratios)
    print(f"median ratio runner / direct Benchmark.launch: {median:.3f} (target ≤ 1.05): "
          f"{'PASS' if median <= 1.05 else 'FAIL'}")


if __name__ == "__main__":
    main()
