"""Build optimum-benchmark's ``BenchmarkConfig`` for a task of the registry.

The registry entry supplies everything task-specific (optimum-benchmark task name, library,
dataset columns, generate / call kwargs); this module has no per-task branches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optimum_benchmark import EnergyStarConfig, ProcessConfig, PyTorchConfig

from benchmark.configuration import RunConfiguration
from benchmark.runner.compat import benchmark_config
from benchmark.runner.reasoning.scenario import reasoning_config
from benchmark.runner.reasoning.thinking import ThinkingPlan
from benchmark.tasks import TaskSpec

# Energy-star runs 10 warm-up passes by default; a tiny CPU test set does not need them, but the
# registry's 1,000-sample runs keep optimum-benchmark's default.
DEFAULT_WARMUP_RUNS = 10


@dataclass(frozen=True)
class ResolvedRun:
    """A run with every choice made: what the record's ``settings`` will say."""

    spec: TaskSpec
    model_id: str
    model: str  # a local folder: the model as given, or its Hub snapshot
    revision: str | None
    dataset: str
    dataset_split: str
    num_samples: int
    device: str
    device_ids: tuple[int, ...]
    dtype: str
    dtype_requested: str
    warmup_runs: int = DEFAULT_WARMUP_RUNS
    allow_shared_gpu: bool = False
    configuration: RunConfiguration = field(default_factory=RunConfiguration)
    dataset_id: str | None = None
    # reasoning: how the model's chat template turns thinking on (None for every other task)
    thinking: ThinkingPlan | None = None


# optimum-benchmark's quantization scheme (it quantizes only when one is set) and transformers'
# quantization_config, per method of the registry
QUANTIZATION_SCHEMES = {"bnb-4bit": "bnb", "bnb-8bit": "bnb", "torchao-int8wo": "torchao"}
QUANTIZATION_CONFIGS: dict[str, dict[str, Any]] = {
    "bnb-4bit": {"quant_method": "bitsandbytes", "load_in_4bit": True},
    "bnb-8bit": {"quant_method": "bitsandbytes", "load_in_8bit": True},
    "torchao-int8wo": {
        "quant_method": "torchao",
        "quant_type": {"default": {"_type": "Int8WeightOnlyConfig", "_version": 2, "_data": {}}},
    },
}


def scenario_kwargs(run: ResolvedRun) -> dict[str, Any]:
    spec = run.spec
    return {
        "dataset_name": run.dataset,
        "dataset_split": run.dataset_split,
        "num_samples": run.num_samples,
        "input_shapes": {"batch_size": spec.batch_size},
        "energy": True,
        "latency": True,
        "memory": False,
        "warmup_runs": run.warmup_runs,
        "generate_kwargs": dict(spec.generate_kwargs),
        "call_kwargs": dict(spec.call_kwargs),
        **dict(spec.columns),
        **dict(spec.scenario_options),
    }


def backend_kwargs(run: ResolvedRun) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "model": run.model,
        "task": run.spec.ob_task,
        "library": run.spec.library,
        "device": run.device,
        "torch_dtype": run.dtype,
        "no_weights": False,
    }
    configuration = run.configuration
    if configuration.attn_implementation:
        kwargs["attn_implementation"] = configuration.attn_implementation
    if configuration.torch_compile:
        kwargs["torch_compile"] = True
    if configuration.quantization:
        kwargs["quantization_scheme"] = QUANTIZATION_SCHEMES[configuration.quantization]
        kwargs["quantization_config"] = dict(QUANTIZATION_CONFIGS[configuration.quantization])
    if run.device == "cuda":
        kwargs["device_ids"] = ",".join(str(i) for i in run.device_ids)
        if len(run.device_ids) > 1:
            kwargs["device_map"] = "auto"
    return kwargs


def build_config(run: ResolvedRun, name: str) -> Any:
    """An optimum-benchmark ``BenchmarkConfig`` with the ``energy_star`` scenario, in a process."""
    return benchmark_config(
        name=name,
        # A fresh process per repeat. Device isolation watches the measured GPUs for other processes
        # during the run and makes the child fail ("error") unless sharing was allowed.
        launcher=ProcessConfig(
            device_isolation=run.device == "cuda",
            device_isolation_action="warn" if run.allow_shared_gpu else "error",
        ),
        backend=PyTorchConfig(**backend_kwargs(run)),
        scenario=_scenario(run),
        print_report=False,
        log_report=False,
    )


def _scenario(run: ResolvedRun) -> Any:
    """energy_star, or its natural-length reasoning subclass when the run has a thinking plan."""
    if run.thinking is not None:
        return reasoning_config(run.thinking, **scenario_kwargs(run))
    return EnergyStarConfig(**scenario_kwargs(run))
