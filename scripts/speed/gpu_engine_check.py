"""Issue 32's GPU check: a tiny language model served by vLLM against its transformers reference, on CUDA.

    FIGURES=$OUT bash scripts/speed/gpu_all.sh .whl          (section 4, when the engine is set up there)
    python scripts/speed/gpu_engine_check.py --device cpu --samples 24 --batches 4   # smoke test here

Runs, on one tiny random Llama and one tiny prompt set: the transformers reference (one repeat), the engine
one query at a time (AI Energy Score's protocol), and the steady state at each ``--batches`` B (ML.ENERGY's).
Prints each run's GPU Wh per 1,000 queries (on a CPU, its total), the engine's ratio to the reference, and at
steady state the J per output token, median ITL, occupancy and whether it was stable. vLLM must be set up
where it runs (``bash scripts/engine.sh``, or ``BENCHMARK_ENGINE_VENV`` naming an environment with the CUDA
build: the wheel is far over what a device call can carry, so a machine without vLLM says so and stops).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmark.engine.arguments import positive_list  # noqa: E402
from benchmark.engine.environment import engine_version  # noqa: E402
from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark  # noqa: E402
from scripts.speed.gpu_check import check_arguments, work_folder  # noqa: E402
from tests.benchmark.engine.helpers import build_tiny_llama  # noqa: E402
from tests.support.tiny_datasets import build_dataset  # noqa: E402

TASK = "text_generation"


def energy(record) -> float:  # noqa: ANN001 - a ResultRecord
    return record.gpu_wh_per_1k_queries if record.hardware.device == "cuda" else record.total_wh_per_1k_queries


def main(argv: list[str] | None = None) -> int:
    parser = check_arguments(__doc__)
    parser.add_argument("--samples", type=int, default=200, help="prompts per run (default 200)")
    parser.add_argument("--batches", type=positive_list, default=(8, 32), help="steady-state B values (8,32)")
    parser.add_argument("--min-window-s", type=float, default=None, help="steady state's minimum window (20 s)")
    args = parser.parse_args(argv)
    if engine_version() is None:
        print("engine not set up here (bash scripts/engine.sh, or BENCHMARK_ENGINE_VENV): nothing measured")
        return 2
    work = work_folder(args, "gpu-engine-check-")
    model = build_tiny_llama(work / "tiny-llama")
    data = build_dataset(TASK, work, num_rows=args.samples)
    base = dict(model=str(model), model_id="test/tiny-llama", task=TASK, dataset=str(data),
                dataset_id="EnergyStarAI/text_generation", num_samples=args.samples, repeats=1, dtype="bfloat16",
                device=args.device, output_dir=work / "runs")
    runs = {"reference": {}, "one-at-a-time": {"engine": "vllm"}}
    runs.update({f"steady state B={b}": {"engine": "vllm", "max_num_seqs": b, "min_window_s": args.min_window_s}
                 for b in args.batches})
    records = {}
    for name, options in runs.items():
        try:
            records[name] = run_benchmark(RunSpec(**base, **options)).record
        except BenchmarkError as exc:
            print(f"{name}: FAILED: {exc}", flush=True)
            continue
        record = records[name]
        line = f"{name}: {energy(record):.6g} Wh per 1,000 queries ({record.hardware.label})"
        if "reference" in records and name != "reference":
            line += f", {energy(record) / energy(records['reference']):.3f}x the transformers reference"
        if record.serving is not None:
            line += f", median ITL {record.serving.itl_median_ms:.2f} ms, TTFT {record.serving.ttft_median_ms:.1f} ms"
        state = record.steady_state
        if state is not None:
            verdict = "stable" if state.stable else f"unstable: {state.unstable_because}"
            line += (f"; steady state {state.duration_s:.1f} s, {state.energy_per_output_token_j:.4g} J per output "
                     f"token, occupancy {state.occupancy:.0%}, {verdict}")
        print(line, flush=True)
    return 0 if len(records) == len(runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
