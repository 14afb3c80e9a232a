"""The reasoning task's GPU check (issue 12), run by ``CHECK=scripts/speed/gpu_reasoning_check.py bash
scripts/speed/gpu_check.sh .whl`` on a GPU machine; prints the figures and PASS/FAIL.

The tiny chat LM (thinking template, 512 positions) on CUDA, cap 256, 3 repeats: GPU energy from NVML
per phase, output tokens per query (some answers stop early, some run to the cap), Wh per 1,000 output
tokens, and NVML's whole-launch delta ÷ the phases' GPU energy per repeat.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark  # noqa: E402
from benchmark.runs.files import RECORD_FILE  # noqa: E402
from scripts.speed.gpu_check import check_arguments, figure, work_folder  # noqa: E402
from tests.support.tiny_datasets import build_dataset  # noqa: E402
from tests.support.tiny_reasoning import build_reasoning  # noqa: E402

CAP = 256
NUM_SAMPLES = 8
REPEATS = 3


def main(argv: list[str] | None = None) -> int:
    parser = check_arguments(__doc__)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    work = work_folder(args, "gpu-reasoning-")
    model = build_reasoning(work / "models" / "reasoning", positions=512)
    data = build_dataset("reasoning", work, num_rows=NUM_SAMPLES)
    try:
        result = run_benchmark(RunSpec(model=str(model), task="reasoning", dataset=str(data), num_samples=NUM_SAMPLES,
                                       repeats=args.repeats, device=args.device, output_dir=work / "runs",
                                       warmup_runs=2, max_new_tokens=CAP))
    except BenchmarkError as exc:
        print(f"FAIL reasoning: {exc}")
        return 1
    record = result.record
    tokens = record.output_tokens
    print(f"reasoning: {record.gpu_wh_per_1k_queries:.6g} ± {record.gpu_wh_per_1k_queries_std:.2g} GPU Wh/1k queries, "
          f"{record.gpu_wh_per_1k_output_tokens:.6g} GPU Wh/1k output tokens on {record.hardware.label}, "
          f"dtype {record.settings.dtype}, torch {record.software.torch}")
    print(f"  output tokens per query: mean {tokens.per_query_mean:.1f}, median {tokens.per_query_median:g}, "
          f"p95 {tokens.per_query_p95:g}, {tokens.queries_at_cap} of {tokens.queries} at the cap of {CAP}")
    ok = record.gpu_wh_per_1k_queries > 0 and 0 < tokens.queries_at_cap < tokens.queries
    for repeat in record.repeats:
        phases = ", ".join(f"{name} {p.gpu_kwh:.3e}" for name, p in repeat.phases.items())
        ok = ok and repeat.nvml_to_phases_ratio is not None and all(p.gpu_kwh > 0 for p in repeat.phases.values())
        delta, scored = figure(repeat.nvml_gpu_energy_kwh, ".3e"), figure(repeat.phases_gpu_energy_kwh, ".3e")
        print(f"  repeat {repeat.index}: GPU kWh {phases}; NVML delta {delta} kWh / phases {scored} kWh = "
              f"{figure(repeat.nvml_to_phases_ratio, '.3f')}; "
              f"counted {repeat.output_tokens.total} tokens")
    print(f"{'PASS' if ok else 'FAIL'} reasoning: record {result.run_dir / RECORD_FILE}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
