"""Run by ``scripts/speed/gpu_check.sh`` on a GPU machine; prints the figures and PASS/FAIL per check.

text_classification and text_generation on tiny random models on CUDA, 3 repeats each: GPU energy
from NVML (> 0), the GPU's name in the record, NVML's whole-launch delta ÷ the phases' GPU energy
per repeat (the runner refuses a repeat below 1 beyond the counter's granularity), and the
coefficient of variation of the score over the repeats.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark  # noqa: E402
from benchmark.runs.files import RECORD_FILE  # noqa: E402
from tests.support.tiny_assets import build_model  # noqa: E402
from tests.support.tiny_datasets import build_dataset  # noqa: E402

TASKS = ("text_classification", "text_generation")
NUM_SAMPLES = 50
REPEATS = 3


def check(task: str, work: Path, device: str, reproduce: bool) -> bool:
    model, data = build_model(task, work), build_dataset(task, work, num_rows=NUM_SAMPLES)
    try:
        result = run_benchmark(RunSpec(model=str(model), task=task, dataset=str(data), num_samples=NUM_SAMPLES,
                                       repeats=REPEATS, device=device, output_dir=work / "runs", warmup_runs=2))
    except BenchmarkError as exc:
        print(f"FAIL {task}: {exc}", flush=True)
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
        delta, phases = figure(repeat.nvml_gpu_energy_kwh, ".3e"), figure(repeat.phases_gpu_energy_kwh, ".3e")
        print(f"  repeat {repeat.index}: idle {figure(repeat.idle_power_w, '.1f')} W, NVML whole-launch delta "
              f"{delta} kWh / phases {phases} kWh = {figure(repeat.nvml_to_phases_ratio, '.3f')}; scored GPU "
              f"{repeat.gpu_wh_per_1k_queries:.6g} Wh/1k, resolved to ±{figure(repeat.gpu_resolution_pct, '.1f')} %")
    print(f"{'PASS' if ok else 'FAIL'} {task}: record {result.run_dir / RECORD_FILE}", flush=True)
    if reproduce:
        ok = reproduce_run(result.run_dir, model, data, work, device) and ok
    return ok


def figure(value: float | None, spec: str) -> str:
    """``value`` formatted by ``spec``, or n/a (a CPU smoke test has no NVML figures)."""
    return "n/a" if value is None else format(value, spec)


def reproduce_run(run_dir: Path, model: Path, data: Path, work: Path, device: str) -> bool:
    """``python -m benchmark reproduce`` on the run just measured (a new process, as a user runs it)."""
    command = [sys.executable, "-m", "benchmark", "reproduce", str(run_dir), "--device", device, "--model", str(model),
               "--dataset", str(data), "--output", str(work / "reproductions")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": _path()})
    print(f"$ python -m benchmark reproduce {run_dir.name} --device {device} (exit {done.returncode})")
    print(done.stdout + done.stderr, end="", flush=True)
    copies = sorted((work / "reproductions").glob(f"*/{RECORD_FILE}"))
    if done.returncode != 0 or not copies:
        print(f"FAIL reproduce: exit {done.returncode}")
        return False
    original = json.loads((run_dir / RECORD_FILE).read_text())
    again = json.loads(copies[-1].read_text())
    key = "gpu_wh_per_1k_queries" if device == "cuda" else "total_wh_per_1k_queries"
    ratio = again[key] / original[key] if original[key] else float("nan")
    print(f"reproduce {original['task']}: {original[key]:.6g} then {again[key]:.6g} {key}, ratio {ratio:.3f}",
          flush=True)
    return True


def _path() -> str:
    return os.pathsep.join(p for p in (os.environ.get("PYTHONPATH", ""), str(ROOT)) if p)


def check_arguments(doc: str) -> argparse.ArgumentParser:
    """A GPU check's command line: ``--device`` and ``--work``, which every check takes."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="cuda (the check) or cpu (a smoke test of the script)")
    parser.add_argument("--work", help="folder for models, data and run folders (default: a temporary one)")
    return parser


def work_folder(args: argparse.Namespace, prefix: str) -> Path:
    """``--work``, created, or a new temporary folder."""
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    return work


def main(argv: list[str] | None = None) -> int:
    args = check_arguments(__doc__).parse_args(argv)
    work = work_folder(args, "gpu-check-")
    results = [check(task, work, args.device, reproduce=task == "text_generation") for task in TASKS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
