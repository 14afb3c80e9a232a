"""Run a model on a task of the registry with optimum-benchmark, R times, and make one record.

Each repeat is one ``Benchmark.launch`` (a fresh child process) in its own folder of the run
folder, whose output and codecarbon files land there. On a GPU the runner also reads NVML's
energy counter around each launch, as a cross-check of the phases optimum-benchmark measured.
Any failure leaves a traceback in the run folder and raises ``BenchmarkError`` with one line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from optimum_benchmark import Benchmark

from benchmark.configuration import (
    RunConfiguration,
    applied_dtype,
    check_device,
    check_requested,
    effective_task,
    resolve_configuration,
)
from benchmark.errors import UserInputError
from benchmark.record import Repeat, ResultRecord, Settings, utc_now
from benchmark.run_spec import RunSpec, check_run_spec, has_flash_attn
from benchmark.runner import crosscheck, environment, loaded, nvml, preflight
from benchmark.runner.model_source import resolve_model
from benchmark.runner.ob_config import DEFAULT_WARMUP_RUNS, ResolvedRun, build_config
from benchmark.runner.params import UnreadableWeights, count_params
from benchmark.runner.progress import PhaseWatcher, Progress, make_progress
from benchmark.runner.reasoning import prepare, thinking
from benchmark.runs import counter, quiet
from benchmark.runs.files import LOG_FILE, REPORT_FILE, repeat_dir_name
from benchmark.runs.outcome import (  # noqa: F401 - BenchmarkError, RunResult and new_run_id are this module's API too
    BenchmarkError,
    RunResult,
    failures_in_one_line,
    finish,
    new_run_dir,
    new_run_id,
)
from benchmark.runs.scoring import repeat_from_report, summary
from benchmark.tasks import TaskSpec

LOGGER = logging.getLogger("benchmark")
# The environment optimum-benchmark's child process runs in. transformers 5 swaps layers for kernels
# fetched from the Hub by default (``use_kernels`` unset means on): that needs the network and the
# `kernels` package — the first run on a GPU failed to load every model without it — and would measure
# a kernel downloaded at run time rather than the model as transformers defines it.
CHILD_ENVIRONMENT: Mapping[str, str] = MappingProxyType({"USE_HUB_KERNELS": "NO"})


def validate(spec: RunSpec) -> TaskSpec:
    """The checks that need no model or data; raise ``BenchmarkError`` naming the bad input. The
    light ones are ``check_run_spec``'s (the CLI makes them before importing this module)."""
    try:
        task = check_run_spec(spec)
        if spec.device is None:
            check_device(check_requested(task, spec.requested_options()), _default_device(), has_flash_attn())
    except UserInputError as exc:
        raise BenchmarkError(str(exc)) from None
    return task


def _default_device() -> str:
    return "cuda" if nvml.device_count() > 0 else "cpu"


def resolve(spec: RunSpec, task: TaskSpec) -> ResolvedRun:
    device = spec.device or _default_device()
    configuration: RunConfiguration = resolve_configuration(task, spec.requested_options(), device)
    dtype_requested = spec.dtype or task.dtype
    dtype = applied_dtype(task, configuration, device)
    source = resolve_model(spec.model, spec.revision, spec.model_id, hub_id_only=spec.hub_id_only)
    return ResolvedRun(
        spec=prepare.with_cap(effective_task(task, configuration), spec.max_new_tokens),
        model_id=source.model_id,
        model=source.path,
        revision=source.revision,
        dataset=spec.dataset or task.dataset_id,
        dataset_split=spec.dataset_split or task.dataset_split,
        num_samples=spec.num_samples or task.num_samples,
        device=device,
        device_ids=tuple(spec.device_ids) if device == "cuda" else (),
        dtype=dtype,
        dtype_requested=dtype_requested,
        warmup_runs=DEFAULT_WARMUP_RUNS if spec.warmup_runs is None else spec.warmup_runs,
        allow_shared_gpu=spec.allow_shared_gpu,
        configuration=configuration,
        dataset_id=spec.dataset_id,
    )


def settings_of(run: ResolvedRun) -> Settings:
    controls = run.spec.control_variables()
    return Settings(
        dataset=run.dataset,
        dataset_id=run.dataset_id,
        dataset_split=run.dataset_split,
        num_samples=run.num_samples,
        batch_size=run.spec.batch_size,
        dtype=run.dtype,
        dtype_requested=run.dtype_requested,
        new_tokens=controls.get("new_tokens"),
        reasoning=True if run.thinking is not None else None,
        reasoning_effort=run.thinking.effort if run.thinking is not None else None,
        max_new_tokens=controls.get("max_new_tokens"),
        denoising_steps=controls.get("denoising_steps"),
        image_height_px=controls.get("image_height_px"),
        image_width_px=controls.get("image_width_px"),
        sampling_rate_hz=controls.get("sampling_rate_hz"),
    )


def _child_failure(exc: BaseException, run: ResolvedRun) -> str:
    """One line from a failure inside optimum-benchmark's child process."""
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    last = lines[-1] if lines else type(exc).__name__
    if "DeviceIsolationError" in text:
        return (
            "another process started using the measured GPU during the run: its energy would be counted as "
            "the model's, refusing to publish (--allow-shared-gpu to measure anyway)"
        )
    if any(marker in text for marker in ("from_pretrained", "load_transformers_model", "load_diffusers_model")):
        return f"model {run.model!r} cannot be loaded for task {run.spec.key}: {last}"
    if isinstance(exc, (EOFError, ConnectionError, BrokenPipeError)):  # the pipe closed: the child is gone
        return ("optimum-benchmark's child process exited before it answered (killed, or it could not start: "
                "its traceback is in benchmark.log)")
    return f"the benchmark failed inside optimum-benchmark: {last}"


@contextlib.contextmanager
def child_environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in ``os.environ`` while a launch spawns its child, the previous values back after."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def launch_repeat(
    run: ResolvedRun, config: Any, index: int, folder: Path, progress: Progress, power_limit_w: float | None = None
) -> Repeat:
    """One ``Benchmark.launch`` in ``folder``; the parsed repeat, with NVML's cross-check on GPUs."""
    folder.mkdir(parents=True)
    on_gpu = run.device == "cuda"
    other_pids = _gpu_sharers(run) if on_gpu else []
    idle_power_w = nvml.power_w(run.device_ids) if on_gpu else None
    counter_before_mj = nvml.energy_counter_mj(run.device_ids) if on_gpu else None
    started = time.perf_counter()
    with (
        contextlib.chdir(folder),
        child_environment(CHILD_ENVIRONMENT),
        quiet.stack_output(folder / LOG_FILE),
        PhaseWatcher(folder, lambda phase: progress.phase(index, phase)),
    ):
        try:
            report = Benchmark.launch(config)
        except Exception as exc:  # noqa: BLE001 - the child's failures arrive as many types
            raise BenchmarkError(_child_failure(exc, run)) from exc
    wall_time_s = time.perf_counter() - started
    nvml_kwh = nvml.mj_to_kwh(nvml.energy_counter_mj(run.device_ids) - counter_before_mj) if on_gpu else None

    report_dict = report.to_dict()
    (folder / REPORT_FILE).write_text(json.dumps(report_dict, indent=2))
    ratio = None
    if on_gpu:
        try:
            ratio = counter.check_counter(nvml_kwh, report_dict, power_limit_w)
        except counter.CounterBelowPhases as exc:
            raise BenchmarkError(f"repeat {index}: {exc}") from exc
    repeat = repeat_from_report(
        index,
        report_dict,
        run.spec,
        run.num_samples,
        device=run.device,
        wall_time_s=wall_time_s,
        nvml_gpu_energy_kwh=nvml_kwh,
        phases_gpu_energy_kwh=counter.all_phases_gpu_kwh(report_dict)[0] if on_gpu else None,
        nvml_to_phases_ratio=ratio,
        idle_power_w=idle_power_w,
        other_gpu_pids=other_pids,
        report_file=f"{repeat_dir_name(index)}/{REPORT_FILE}",
        loaded=loaded.read(folder),
    )
    if on_gpu:
        resolution = counter.scored_gpu_resolution_pct(repeat.phases, idle_power_w)
        repeat = repeat.model_copy(update={"gpu_resolution_pct": resolution})
    if on_gpu and repeat.gpu_wh_per_1k_queries <= 0:
        raise BenchmarkError(
            f"measured GPU energy is {repeat.gpu_wh_per_1k_queries} Wh on {run.spec.key}: "
            "the energy counter did not move, refusing to publish a zero"
        )
    return repeat


def _gpu_sharers(run: ResolvedRun) -> list[int]:
    """Other processes on the measured GPUs: refused unless the run allows sharing."""
    if not run.allow_shared_gpu:
        try:
            crosscheck.require_idle(run.device_ids)
        except crosscheck.GpuInUse as exc:
            raise BenchmarkError(str(exc)) from exc
        return []
    return sorted({p.pid for p in crosscheck.other_gpu_processes(run.device_ids)})


def _check_engine() -> None:
    """optimum-benchmark must import on this transformers before anything is measured."""
    from benchmark.runner.compat import CompatError, check

    try:
        check()
    except CompatError as exc:
        raise BenchmarkError(str(exc)) from exc


def _measure(spec: RunSpec, task: TaskSpec, run_id: str, run_dir: Path, progress: Progress) -> ResultRecord:
    created_at = utc_now()
    _check_engine()
    run = resolve(spec, task)
    if spec.device is None and run.device == "cpu":
        progress.note(NOTE_CPU)
    if run.device == "cuda":
        if nvml.device_count() == 0:
            raise BenchmarkError("--device cuda was asked for but NVML sees no NVIDIA GPU")
        try:
            nvml.energy_counter_mj(run.device_ids)
        except nvml.NoEnergyCounter as exc:
            raise BenchmarkError(f"{exc}: GPU energy cannot be measured, refusing to run") from exc
    preflight.check_model(run.model, run.spec, run.revision)
    try:
        run = prepare.prepare(run, spec.reasoning_effort)
    except thinking.ReasoningRefused as exc:
        raise BenchmarkError(str(exc)) from exc
    preflight.check_dataset(run.dataset, run.dataset_split, run.spec, run.num_samples)

    config = build_config(run, name=f"{task.key}-{run_id}")
    hardware = environment.hardware(run.device, run.device_ids)
    if run.device == "cuda" and run.allow_shared_gpu:
        hardware = hardware.model_copy(update={"gpu_sharing_allowed": True})
    software = environment.software_versions()

    try:
        params = count_params(run.model, task.library)
    except UnreadableWeights as exc:
        raise BenchmarkError(f"model {run.model!r} cannot be loaded for task {run.spec.key}: {exc}") from exc
    if params is None:
        unrated = NOTE_UNRATED_WITHOUT_SIZE.format(task=task.display_name) if task.size_classes else ""
        progress.note(NOTE_NO_SAFETENSORS + unrated)
    progress.start(run.model_id, task.key, spec.repeats)
    repeats = []
    for index in range(1, spec.repeats + 1):
        progress.repeat_started(index)
        repeat = launch_repeat(
            run, config, index, run_dir / repeat_dir_name(index), progress, hardware.gpu_power_limit_w
        )
        progress.repeat_done(index, repeat.gpu_wh_per_1k_queries, repeat.total_wh_per_1k_queries)
        repeats.append(repeat)

    coarse = counter.coarse_resolution_pct([r.gpu_resolution_pct for r in repeats])
    if coarse is not None:
        progress.note(NOTE_COARSE_COUNTER.format(pct=coarse))
    unmeasured = sorted({name for r in repeats for name in run.spec.inference_phases
                         if name in r.phases and r.phases[name].latency_s is None})
    if unmeasured:
        progress.note(NOTE_LATENCY_NOT_MEASURABLE.format(phases=" and ".join(unmeasured)))
    return ResultRecord(
        run_id=run_id,
        model_id=run.model_id,
        model_revision=run.revision,
        task=task.key,
        created_at=created_at,
        hardware=hardware,
        software=software,
        settings=settings_of(run),
        configuration=run.configuration,
        repeats=repeats,
        params=params,
        request=spec.request,
        reproduces=spec.reproduces,
        **summary(repeats, run.spec, run.num_samples),
    )


NOTE_CPU = ("no NVIDIA GPU found: measuring on the CPU (its energy is codecarbon's estimate, and a CPU run "
            "is shown but never rated)")
NOTE_COARSE_COUNTER = ("the measured phases were too short for NVML's energy counter (it moves in steps of "
                       "about 0.1 s): their GPU energy is known only to ±{pct:.0f} %; more samples give a "
                       "figure that can be compared")
NOTE_NO_SAFETENSORS = "the model has no safetensors weights, so its parameter count is unknown"
NOTE_LATENCY_NOT_MEASURABLE = ("{phases} latency not measurable: a query's own prefill took longer than its whole "
                               "generation (a busy machine); the energy is unaffected, the latency left out")
NOTE_UNRATED_WITHOUT_SIZE = " ({task} is rated by size class: this run will be shown unrated)"


def run_benchmark(spec: RunSpec, progress: Progress | None = None) -> RunResult:
    """Measure ``spec`` and write ``<output_dir>/<run_id>/record.json``; raise ``BenchmarkError``."""
    task = validate(spec)
    if spec.engine:  # measured as served: the engine's own run (its server, its protocols)
        from benchmark.runner.engine.run import run_engine

        return run_engine(spec, task, progress)
    run_id, run_dir = new_run_dir(spec.output_dir, spec.run_id)
    progress = progress or make_progress()  # the terminal, before the stack's output goes to the folder
    with failures_in_one_line(run_dir, progress, refusals=(preflight.PreflightError,)):
        record = _measure(spec, task, run_id, run_dir, progress)
    return finish(run_dir, record)
