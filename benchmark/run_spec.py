"""What a run is asked for (``RunSpec``), and the checks of it that need no model, data or runner stack.

``check_run_spec`` is declared once: ``python -m benchmark run`` calls it before it imports the
runner (torch, transformers, optimum-benchmark), so a bad argument is refused in a fraction of a
second, and the runner's ``validate`` calls it again (for callers of ``run_benchmark``) before the
one check that needs the stack: what the default device (found through NVML) can run. Each refusal
is a ``UserInputError`` with one line naming the input at fault.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.configuration import check_device, check_requested
from benchmark.errors import UserInputError
from benchmark.record import RequestRef
from benchmark.tasks import THINKING_SWITCHES, TaskSpec, get_task

DEVICES = ("cuda", "cpu")
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")  # the record's ``Segment`` rule
EFFORT_FLAG = "--reasoning-effort"
CAP_FLAG = "--max-new-tokens"


class RunArgumentError(UserInputError):
    """An argument of ``run`` that no run can take (a count out of range, a folder that is not there)."""


class ReasoningRefused(UserInputError):
    pass


@dataclass(frozen=True)
class RunSpec:
    """What the user asked for; ``None`` means the task's default from the registry."""

    model: str
    task: str
    dataset: str | None = None
    dataset_split: str | None = None
    num_samples: int | None = None
    repeats: int = 3
    device: str | None = None
    device_ids: tuple[int, ...] = (0,)
    dtype: str | None = None
    revision: str | None = None
    model_id: str | None = None
    output_dir: Path = field(default_factory=lambda: Path("runs"))
    warmup_runs: int | None = None
    # A maintainer's choice: measure a GPU that other processes use (the record says so).
    allow_shared_gpu: bool = False
    # Queued requests: ``model`` is a Hub id at ``revision`` even if a folder of that name exists here.
    hub_id_only: bool = False
    # the Hub id a local ``dataset`` copy stands for (recorded; the task's id keeps it comparable)
    dataset_id: str | None = None
    # run options (``benchmark.configuration.OPTIONS``); None / False: the task's reference
    batch_size: int | None = None
    attn_implementation: str | None = None
    torch_compile: bool = False
    quantization: str | None = None
    zero_shot: bool = False
    # reasoning: the effort level (models whose template takes one) and the cap on new tokens
    reasoning_effort: str | None = None
    max_new_tokens: int | None = None
    # a queued request's run: its run id (``worker.queued_run_id``) and the request it is for
    run_id: str | None = None
    request: RequestRef | None = None
    # ``benchmark reproduce``: the run id of the entry this run reproduces
    reproduces: str | None = None
    # measured as served (``benchmark.runner.engine``): the engine, at steady state its batch (one record
    # per value); a server the user runs (``--engine-url``: nothing launched); the port of a launched
    # one (None: a free one); the GPUs the energy covers when ``device_ids`` was not given (all visible)
    engine: str | None = None
    max_num_seqs: int | None = None
    engine_url: str | None = None
    engine_port: int | None = None
    gpus_all: bool = False
    # steady state: the shortest window that is stable (ML.ENERGY's 20 s; less only for tests)
    min_window_s: float | None = None

    def requested_options(self) -> dict[str, object]:
        return {
            "dtype": self.dtype,
            "batch_size": self.batch_size,
            "attn_implementation": self.attn_implementation,
            "torch_compile": self.torch_compile,
            "quantization": self.quantization,
            "zero_shot": self.zero_shot,
            "engine": self.engine,
            "max_num_seqs": self.max_num_seqs,
        }


def check_reasoning_options(spec: TaskSpec, effort: str | None, max_new_tokens: int | None) -> None:
    """The reasoning options' own rules (no model needed)."""
    if not spec.reasoning:
        for flag, value in ((EFFORT_FLAG, effort), (CAP_FLAG, max_new_tokens)):
            if value is not None:
                raise ReasoningRefused(f"{flag} applies to the reasoning task only, not {spec.key}")
        return
    if max_new_tokens is not None and max_new_tokens <= 0:
        raise ReasoningRefused(f"{CAP_FLAG} must be a positive number of tokens, got {max_new_tokens}")
    efforts = sorted({level for switch in THINKING_SWITCHES for level in switch.efforts})
    if effort is not None and effort not in efforts:
        raise ReasoningRefused(f"{EFFORT_FLAG}: unknown level {effort!r}: choose one of {', '.join(efforts)}")


def looks_like_a_path(model: str) -> bool:
    """A model argument no Hub id can be (``/abs``, ``./rel``, ``~/x``, ``a/b/c``): a folder."""
    return model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model


def check_model_folder(model: str, hub_id_only: bool = False) -> None:
    """A model given as a path must be a folder that exists (a Hub id is the runner's to fetch)."""
    if hub_id_only or not looks_like_a_path(model):
        return
    if not Path(model).expanduser().exists():
        raise RunArgumentError(f"model {model!r} cannot be loaded: no such folder")


# A run's repeats: three by default; more than this adds nothing to the spread, and an upload declaring
# more than a run can have is refused unread (benchmark.uploads).
MAX_REPEATS = 20


URL = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+(:\d{1,5})?(/[^\s]*)?$")


def check_engine_spec(spec: RunSpec) -> None:
    """The engine's own arguments (``check_requested`` has checked the engine and batch options)."""
    given = {"--engine-url": spec.engine_url, "--engine-port": spec.engine_port, "--min-window-s": spec.min_window_s}
    engine_only = [flag for flag, value in given.items() if value is not None]
    if not spec.engine:
        if engine_only:
            raise RunArgumentError(f"{engine_only[0]} applies to runs with --engine vllm only")
        return
    if spec.engine_url is not None:
        if not URL.match(spec.engine_url):
            raise RunArgumentError(f"--engine-url must be an http(s) URL such as http://127.0.0.1:8000, "
                                   f"got {spec.engine_url!r}")
        if spec.engine_port is not None:
            raise RunArgumentError("--engine-port is for a server the run launches, not one at --engine-url")
    else:
        from benchmark.engine.environment import engine_python

        engine_python()  # refuses when the engine is not set up, naming the command that sets it up
    if spec.engine_port is not None and not 1024 <= spec.engine_port <= 65535:
        raise RunArgumentError(f"--engine-port must be from 1024 to 65535, got {spec.engine_port}")
    if spec.min_window_s is not None and spec.min_window_s < 0:
        raise RunArgumentError(f"--min-window-s must be 0 or more seconds, got {spec.min_window_s}")


def has_flash_attn() -> bool:
    return importlib.util.find_spec("flash_attn") is not None


def check_run_spec(spec: RunSpec) -> TaskSpec:
    """The checks that need no model, data or stack, in order; the task of ``spec``, or a ``UserInputError``."""
    task = get_task(spec.task)
    if spec.num_samples is not None and spec.num_samples <= 0:
        raise RunArgumentError(f"--num-samples must be a positive number of samples, got {spec.num_samples}")
    if not 1 <= spec.repeats <= MAX_REPEATS:
        raise RunArgumentError(f"--repeats must be from 1 to {MAX_REPEATS}, got {spec.repeats}")
    if spec.device not in (None, *DEVICES):
        raise RunArgumentError(f"--device must be cuda or cpu, got {spec.device!r}")
    if spec.warmup_runs is not None and spec.warmup_runs < 0:
        raise RunArgumentError(f"warm-up runs must be 0 or more, got {spec.warmup_runs}")
    if not spec.device_ids or any(i < 0 for i in spec.device_ids):
        raise RunArgumentError(f"GPU indices must be 0 or more, got {spec.device_ids}")
    requested = check_requested(task, spec.requested_options())
    if spec.device is not None:  # the default device is NVML's to tell: the runner checks that one
        check_device(requested, spec.device, has_flash_attn())
    check_reasoning_options(task, spec.reasoning_effort, spec.max_new_tokens)
    check_model_folder(spec.model, spec.hub_id_only)
    check_engine_spec(spec)
    if spec.run_id is not None and not RUN_ID.match(spec.run_id):
        raise RunArgumentError(f"run id {spec.run_id!r} must be one path segment of letters, digits, '.', '_' or '-'")
    return task
