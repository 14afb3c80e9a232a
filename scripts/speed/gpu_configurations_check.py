"""Issue 10's GPU check: what each way of running a tiny text-generation model costs on CUDA.

    CHECK=scripts/speed/gpu_configurations_check.py bash scripts/speed/gpu_check.sh .whl
    python scripts/speed/gpu_configurations_check.py --device cpu --samples 8 --repeats 1   # smoke test here

Runs the reference configuration, bfloat16, batch size 8, eager against sdpa attention, and
bitsandbytes 4-bit (CUDA only, when the package imports) of one tiny random model on one tiny
dataset, then prints each run's GPU energy from NVML (or, on a CPU, its total energy) and its
ratio to the reference — through ``/what_helps``'s own function when the runs are comparable (the
task's 1,000 samples, the default here), directly from the two records otherwise.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark  # noqa: E402
from benchmark.store import LocalStore  # noqa: E402
from scripts.speed.gpu_check import check_arguments, work_folder  # noqa: E402
from tests.support.tiny_assets import build_model  # noqa: E402
from tests.support.tiny_datasets import build_dataset  # noqa: E402

TASK = "text_generation"
CONFIGURATIONS: dict[str, dict] = {
    "reference": {},
    "dtype=bfloat16": {"dtype": "bfloat16"},
    "batch_size=8": {"batch_size": 8},
    "attn=eager": {"attn_implementation": "eager"},
    "attn=sdpa": {"attn_implementation": "sdpa"},
    "bnb-4bit": {"quantization": "bnb-4bit"},
}


def main(argv: list[str] | None = None) -> int:
    parser = check_arguments(__doc__)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", help="comma-separated configuration names to run (default: all)")
    args = parser.parse_args(argv)
    work = work_folder(args, "gpu-configurations-")
    model, data = build_model(TASK, work), build_dataset(TASK, work, num_rows=args.samples)
    store = LocalStore(work / "results")
    on_gpu = args.device == "cuda"
    energy: dict[str, float] = {}
    ok = True
    chosen = args.only.split(",") if args.only else list(CONFIGURATIONS)
    for name, options in ((name, CONFIGURATIONS[name]) for name in chosen):
        bnb_ready = on_gpu and importlib.util.find_spec("bitsandbytes") is not None
        if options.get("quantization", "").startswith("bnb") and not bnb_ready:
            print(f"skip {name}: bitsandbytes needs CUDA and its package")
            continue
        try:
            result = run_benchmark(RunSpec(model=str(model), task=TASK, dataset=str(data), num_samples=args.samples,
                                           repeats=args.repeats, device=args.device, output_dir=work / "runs",
                                           **options))
        except BenchmarkError as exc:
            print(f"FAIL {name}: {exc}")
            ok = False
            continue
        record = result.record
        store.add({f"records/{TASK}/tiny/{record.run_id}.json": record.to_json().encode()}, name)
        energy[name] = record.gpu_wh_per_1k_queries if on_gpu else (record.total_wh_per_1k_queries or 0.0)
        ratios = [f"{r.nvml_to_phases_ratio:.3f}" for r in record.repeats if r.nvml_to_phases_ratio is not None]
        print(f"{name:>16}: key {record.configuration.key if record.configuration else 'reference'}, "
              f"{energy[name]:.6g} {'GPU' if on_gpu else 'total'} Wh/1k ± {record.gpu_wh_per_1k_queries_std:.2g}, "
              f"loaded {record.repeats[0].loaded}, NVML delta ÷ phases {ratios or 'n/a'}")
    reference = energy.get("reference")
    if reference:
        for name, value in energy.items():
            print(f"ratio {name} / reference (direct): {value / reference:.3f}×")
    if args.samples >= 1000:  # comparable runs: the leaderboard's own computation
        from leaderboard.results.data import LeaderboardData
        from leaderboard.results.loader import read_folder
        from leaderboard.views.what_helps import what_helps

        view = what_helps(LeaderboardData.from_load(read_folder(work / "results")), TASK)
        for row in view["configurations"]:
            print(f"/what_helps {row['configuration_key']}: median {row['median_ratio']:.3f}× ({row['basis']})")
    print("PASS" if ok and reference else "FAIL")
    return 0 if ok and reference else 1


if __name__ == "__main__":
    sys.exit(main())
