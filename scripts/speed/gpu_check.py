"""Run by ``scripts/speed/gpu_check.sh`` on a GPU machine; prints the figures and PASS/FAIL per check."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmark.run_files import RECORD_FILE  # noqa: E402
from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark
from tests.support.tiny_assets import build_model
from tests.support.tiny_datasets import build_dataset

TASKS = ("text_classification", "text_generation")
NUM_SAMPLES = 50


def check(task: str, work: Path) -> bool:
    model, data = build_model(task, work), build_dataset(task, work, num_rows=NUM_SAMPLES)
    try:
        result = run_benchmark(RunSpec(model=str(model), task=task, dataset=str(data), num_samples=NUM_SAMPLES,
                                       repeats=2, device="cuda", output_dir=work / "runs", warmup_runs=2))
    except BenchmarkError as exc:
        print(f"FAIL {task}: {exc}")
        return False
    record = result.record
    ok = record.gpu_wh_per_1k_queries > 0 and bool(record.hardware.gpu_name)
    print(f"{task}: {record.gpu_wh_per_1k_queries:.6g} ± {record.gpu_wh_per_1k_queries_std:.2g} GPU Wh/1k "
          f"(total {record.total_wh_per_1k_queries:.6g}) on {record.hardware.label}, dtype {record.settings.dtype}, "
          f"driver {record.hardware.driver_version}, CUDA {record.hardware.cuda_version}")
    for repeat in record.repeats:
        report = json.loads((result.run_dir / repeat.report_file).read_text())
        phases_gpu_kwh = sum(t["energy"]["gpu"] for t in report.values() if isinstance(t, dict) and t.get("energy"))
        delta_ok = repeat.nvml_gpu_energy_kwh is not None and repeat.nvml_gpu_energy_kwh >= phases_gpu_kwh
        ok = ok and delta_ok
        print(f"  repeat {repeat.index}: idle {repeat.idle_power_w:.1f} W, NVML whole-run delta "
              f"{repeat.nvml_gpu_energy_kwh:.3e} kWh >= sum of all phases {phases_gpu_kwh:.3e} kWh: "
              f"{'yes' if delta_ok else 'NO'}; scored GPU {repeat.gpu_wh_per_1k_queries:.6g} Wh/1k")
    print(f"{'PASS' if ok else 'FAIL'} {task}: record {result.run_dir / RECORD_FILE}")
    return ok


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    results = [check(task, work) for task in TASKS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
