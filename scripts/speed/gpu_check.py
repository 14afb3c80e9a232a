"""Run by ``scripts/speed/gpu_check.sh`` on a GPU machine; prints the figures and PASS/FAIL per check.

text_classification and text_generation on tiny random models on CUDA, 3 repeats each: GPU energy
from NVML (> 0), the GPU's name in the record, NVML's whole-launch delta ÷ the phases' GPU energy
per repeat (the runner refuses a repeat below 1 beyond the counter's granularity), and the
coefficient of variation of the score over the repeats.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark  # noqa: E402
from benchmark.runs.files import RECORD_FILE  # noqa: E402
from tests.support.tiny_assets import build_model  # noqa: E402
from tests.support.tiny_datasets import build_dataset  # noqa: E402

TASKS = ("text_classification", "text_generation")
NUM_SAMPLES = 50
REPEATS = 3


def check(task: str, work: Path) -> bool:
    model, data = build_model(task, work), build_dataset(task, work, num_rows=NUM_SAMPLES)
    try:
        result = run_benchmark(RunSpec(model=str(model), task=task, dataset=str(data), num_samples=NUM_SAMPLES,
                                       repeats=REPEATS, device="cuda", output_dir=work / "runs", warmup_runs=2))
    except BenchmarkError as exc:
        print(f"FAIL {task}: {exc}")
        return False
    record = result.record
    scores = [r.gpu_wh_per_1k_queries for r in record.repeats]
    cv = statistics.stdev(scores) / statistics.fmean(scores) if len(scores) > 1 and statistics.fmean(scores) else 0.0
    ok = record.gpu_wh_per_1k_queries > 0 and bool(record.hardware.gpu_name)
    print(f"{task}: {record.gpu_wh_per_1k_queries:.6g} ± {record.gpu_wh_per_1k_queries_std:.2g} GPU Wh/1k "
          f"(CV {cv:.1%} over {len(scores)} repeats; total {record.total_wh_per_1k_queries:.6g}) on "
          f"{record.hardware.label}, dtype {record.settings.dtype}, driver {record.hardware.driver_version}, "
          f"CUDA {record.hardware.cuda_version}, transformers {record.software.transformers}, "
          f"torch {record.software.torch}")
    for repeat in record.repeats:
        ratio_ok = repeat.nvml_to_phases_ratio is not None
        ok = ok and ratio_ok
        print(f"  repeat {repeat.index}: idle {repeat.idle_power_w:.1f} W, NVML whole-launch delta "
              f"{repeat.nvml_gpu_energy_kwh:.3e} kWh / phases {repeat.phases_gpu_energy_kwh:.3e} kWh = "
              f"{repeat.nvml_to_phases_ratio:.3f}; scored GPU {repeat.gpu_wh_per_1k_queries:.6g} Wh/1k")
    print(f"{'PASS' if ok else 'FAIL'} {task}: record {result.run_dir / RECORD_FILE}")
    return ok


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    results = [check(task, work) for task in TASKS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
