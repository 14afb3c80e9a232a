"""``benchmark run --engine vllm``: a language model measured as it is served, one record per configuration.

The server is launched from the engine's environment (or reached at ``--engine-url``: nothing launched),
the task's prompts are sent by the run's protocol, each repeat's raw evidence is written to its folder and
the record's figures are computed from it (``benchmark.engine.evidence``). The server is always stopped,
whatever happens (``server.launched``); a failure is a ``BenchmarkError`` with one line.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from benchmark.configuration import applied_dtype, resolve_configuration
from benchmark.engine import evidence as ev
from benchmark.engine.environment import engine_version, installed_version
from benchmark.engine.record import EXTERNAL, LAUNCHED, ONE_AT_A_TIME, STEADY_STATE, EngineSettings, ServingLatency
from benchmark.engine.traces import TokenMismatch, check_output_tokens
from benchmark.errors import UserInputError
from benchmark.record import ResultRecord, Settings, Software, mean_and_std, utc_now
from benchmark.run_spec import RunSpec
from benchmark.runner import environment, nvml, preflight
from benchmark.runner.engine import server as srv
from benchmark.runner.engine.client import Endpoint, Generation
from benchmark.runner.engine.meter import Meter
from benchmark.runner.engine.protocols import RequestFailed, one_at_a_time, steady_state
from benchmark.runner.engine.server import last_error_line
from benchmark.runner.model_source import resolve_model
from benchmark.runner.params import UnreadableWeights, count_params
from benchmark.runner.progress import Progress, make_progress
from benchmark.runner.reasoning import prepare, thinking
from benchmark.runs.files import repeat_dir_name
from benchmark.runs.outcome import BenchmarkError, RunResult, failures_in_one_line, finish, new_run_dir
from benchmark.runs.scoring import mean_phases, output_token_summary
from benchmark.tasks import TaskSpec

DEFAULT_WARMUP_REQUESTS = 5
# a request cut off may arrive before its dying server's exit is visible: how long to look for that exit
SERVER_EXIT_GRACE_S = 3.0


def run_engine(spec: RunSpec, task: TaskSpec, progress: Progress | None = None) -> RunResult:
    """Measure ``spec`` through the engine and write ``<output_dir>/<run_id>/record.json``."""
    run_id, run_dir = new_run_dir(spec.output_dir, spec.run_id)
    progress = progress or make_progress()
    refusals = (UserInputError, srv.ServerFailed, RequestFailed, TokenMismatch, preflight.PreflightError)
    with failures_in_one_line(run_dir, progress, refusals), _sigterm_as_interrupt():
        record = _measure(spec, task, run_id, run_dir, progress)
    return finish(run_dir, record)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """A SIGTERM (a worker stopped, a job cancelled) unwinds like Ctrl-C, so the server is stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _device(spec: RunSpec) -> str:
    return spec.device or ("cuda" if nvml.device_count() > 0 else "cpu")


def _gpus(spec: RunSpec, device: str) -> tuple[int, ...]:
    if device != "cuda":
        return ()
    if spec.gpus_all and spec.engine_url is not None:  # a user's server: every visible GPU unless --gpus says
        return tuple(range(nvml.device_count()))
    return tuple(spec.device_ids)  # a launched server runs on --gpus (default GPU 0), tensor-parallel over them


def load_prompts(dataset: str, split: str, task: TaskSpec, count: int) -> list[str]:
    """The first ``count`` non-empty prompts of the task's dataset, in its order (the transformers run's rows)."""
    from datasets import load_dataset

    preflight.check_dataset(dataset, split, task, count)
    column = task.columns["text_column_name"]
    rows = load_dataset(dataset, split=split).select_columns([column])
    prompts: list[str] = []
    for row in rows:
        text = row[column]
        if isinstance(text, str) and text.strip():
            prompts.append(text)
            if len(prompts) == count:
                break
    return prompts


def _context_length(model_dir: str) -> int | None:
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text())
    except (OSError, ValueError):
        return None
    config = config.get("text_config", config)
    value = config.get("max_position_embeddings")
    return int(value) if isinstance(value, int) and value > 0 else None


def _generation(task: TaskSpec, spec: RunSpec, model_dir: str, model_id: str) -> tuple[Generation, str | None, int]:
    """What each request asks for, the effort level, and the cap on new tokens."""
    capped = prepare.with_cap(task, spec.max_new_tokens)
    cap = prepare.cap_of(capped)
    if not task.reasoning:
        tokens = int(task.control_variables()["new_tokens"])
        return Generation(max_tokens=tokens, min_tokens=tokens), None, tokens
    plan = thinking.plan(model_dir, model_id, spec.reasoning_effort)
    thinking.check_room(_context_length(model_dir), cap, model_id)
    return Generation(max_tokens=cap, template_kwargs=plan.template_kwargs, system_prompt=plan.system_prompt), \
        plan.effort, cap


def _external(spec: RunSpec, served_name: str) -> str:
    """The version of the vLLM server at ``--engine-url``, once it is seen to serve ``served_name``."""
    url = spec.engine_url.rstrip("/")
    try:
        with httpx.Client(timeout=10.0) as client:
            if client.get(f"{url}/health").status_code != 200:
                raise BenchmarkError(f"--engine-url {url}: /health does not answer 200")
            served = [m.get("id") for m in client.get(f"{url}/v1/models").json().get("data", [])]
            version = client.get(f"{url}/version").json().get("version") if served_name in served else None
    except (httpx.HTTPError, ValueError) as exc:
        raise BenchmarkError(f"--engine-url {url} does not answer: {type(exc).__name__}: {exc}".splitlines()[0]) \
            from exc
    if served_name not in served:
        raise BenchmarkError(f"--engine-url {url} does not serve {served_name!r} (it serves: "
                             f"{', '.join(map(str, served)) or 'nothing'}): pass --model as the served model name")
    return str(version) if version else "unknown"


def _measure(spec: RunSpec, task: TaskSpec, run_id: str, run_dir: Path, progress: Progress) -> ResultRecord:
    created_at = utc_now()
    device = _device(spec)
    gpus = _gpus(spec, device)
    if device == "cuda":
        try:
            nvml.energy_counter_mj(gpus)
        except (nvml.NoEnergyCounter, nvml.NvmlUnavailable, IndexError) as exc:
            raise BenchmarkError(f"{exc}: GPU energy cannot be measured, refusing to run") from exc
    configuration = resolve_configuration(task, spec.requested_options(), device)
    dtype = applied_dtype(task, configuration, device)
    external = spec.engine_url is not None
    version = None
    if external:
        model_id, model_dir, revision = spec.model_id or spec.model, None, spec.revision
        version = _external(spec, model_id)  # before anything else: the server answers and serves the model
    else:
        source = resolve_model(spec.model, spec.revision, spec.model_id, hub_id_only=spec.hub_id_only)
        model_id, model_dir, revision = source.model_id, source.path, source.revision
    if model_dir:
        generation, effort, cap = _generation(task, spec, model_dir, model_id)
    else:
        generation, effort, cap = _external_generation(task, spec)
    dataset = spec.dataset or task.dataset_id
    split = spec.dataset_split or task.dataset_split
    num_samples = spec.num_samples or task.num_samples
    prompts = load_prompts(dataset, split, task, num_samples)
    warmup = prompts[: DEFAULT_WARMUP_REQUESTS if spec.warmup_runs is None else spec.warmup_runs]
    protocol = STEADY_STATE if spec.max_num_seqs else ONE_AT_A_TIME
    repeats = 1 if protocol == STEADY_STATE else spec.repeats  # ML.ENERGY: one run per batch size
    params = None
    if model_dir:
        try:
            params = count_params(model_dir, task.library)
        except UnreadableWeights as exc:
            raise BenchmarkError(f"model {model_dir!r} cannot be loaded for task {task.key}: {exc}") from exc
    api = "chat" if (model_dir is None or thinking.chat_template(model_dir)) else "completions"
    settings = srv.ServerSettings(
        model_path=model_dir or "", served_name=model_id, dtype=dtype, max_model_len=_context_length(model_dir or ""),
        max_num_seqs=spec.max_num_seqs, tensor_parallel_size=max(len(gpus), 1), gpus=gpus, port=spec.engine_port,
    )
    engine = EngineSettings(
        protocol=protocol, max_num_seqs=spec.max_num_seqs, server=EXTERNAL if external else LAUNCHED,
        dtype=None if external else dtype, max_model_len=None if external else settings.max_model_len,
        tensor_parallel_size=None if external else settings.tensor_parallel_size, gpus=list(gpus),
        warmup_requests=len(warmup), api=api,
    )
    progress.start(model_id, f"{task.key} served by vLLM ({protocol}"
                   f"{f', max_num_seqs {spec.max_num_seqs}' if spec.max_num_seqs else ''})", repeats)
    meter = Meter(gpus)
    evidences: list[ev.Evidence] = []
    done = []
    min_window_s = spec.min_window_s if spec.min_window_s is not None else ev.MIN_WINDOW_S
    with _server(spec, settings, run_dir, progress, version) as (url, server, version):
        endpoint = Endpoint(url, model_id, api)
        for index in range(1, repeats + 1):
            progress.repeat_started(index)
            folder = run_dir / repeat_dir_name(index)
            folder.mkdir(parents=True)
            try:
                if protocol == STEADY_STATE:
                    measured = steady_state(endpoint, prompts, generation, meter, int(spec.max_num_seqs))
                else:
                    measured = one_at_a_time(endpoint, prompts, generation, meter, warmup if index == 1 else ())
            except RequestFailed as exc:
                if server is not None and server.exited_within(SERVER_EXIT_GRACE_S):
                    raise server.failure(f"the vLLM server died mid-run (exit code {server.process.returncode})") \
                        from exc
                if server is not None and last_error_line(server.log_path, first=True):
                    raise server.failure(f"{exc} (the engine failed mid-run)", root_cause=True) from exc
                raise
            evidence = ev.Evidence(protocol, measured.traces, measured.window, measured.sent_s, spec.max_num_seqs,
                                   measured.running_samples, min_window_s)
            evidence.write(folder)
            check_output_tokens(measured.traces, None if task.reasoning else generation.max_tokens, cap)
            repeat = ev.repeat_from_evidence(index, evidence, cap, f"{repeat_dir_name(index)}/{ev.EVIDENCE_FILE}",
                                             fixed_length=not task.reasoning)
            progress.repeat_done(index, repeat.gpu_wh_per_1k_queries, repeat.total_wh_per_1k_queries)
            evidences.append(evidence)
            done.append(repeat)
    runner = environment.software_versions()
    software = Software(python=runner.python, codecarbon=runner.codecarbon,
                        vllm=version, **({} if spec.engine_url else {
                            "torch": installed_version("torch"), "transformers": installed_version("transformers")}))
    hardware = environment.hardware(device, gpus)
    gpu_mean, gpu_std = mean_and_std([r.gpu_wh_per_1k_queries for r in done])
    total_mean, total_std = mean_and_std([r.total_wh_per_1k_queries for r in done])
    figures = {
        **output_token_summary(done, task), "phases": mean_phases(done), "gpu_wh_per_1k_queries": gpu_mean,
        "gpu_wh_per_1k_queries_std": gpu_std, "total_wh_per_1k_queries": total_mean,
        "total_wh_per_1k_queries_std": total_std,
        # under load a query's latency is the batch's, not the model's: one at a time only
        "latency_s_per_query": None if protocol == STEADY_STATE else ev.latency_s_per_query(evidences),
    }
    serving = ev.serving_figures(evidences)
    return ResultRecord(
        run_id=run_id, model_id=model_id, model_revision=revision, task=task.key, created_at=created_at,
        hardware=hardware, software=software,
        settings=Settings(dataset=dataset, dataset_id=spec.dataset_id, dataset_split=split, num_samples=num_samples,
                          batch_size=1, dtype=dtype, dtype_requested=spec.dtype or task.dtype,
                          new_tokens=None if task.reasoning else cap, reasoning=True if task.reasoning else None,
                          reasoning_effort=effort, max_new_tokens=cap if task.reasoning else None, engine=engine),
        configuration=configuration, repeats=done, params=params, request=spec.request, reproduces=spec.reproduces,
        serving=ServingLatency(**serving) if serving["ttft_median_ms"] is not None else None,
        steady_state=ev.steady_from_evidence(evidences[0]) if protocol == STEADY_STATE else None,
        **figures,
    )


def _external_generation(task: TaskSpec, spec: RunSpec) -> tuple[Generation, str | None, int]:
    """An external server's model is not here to read: fixed-length tasks only (no template to inspect)."""
    if task.reasoning:
        raise BenchmarkError("--engine-url: the reasoning task needs the model's chat template to turn thinking on: "
                             "run it with a launched server (--model as a local folder or Hub id)")
    tokens = int(task.control_variables()["new_tokens"])
    return Generation(max_tokens=tokens, min_tokens=tokens), None, tokens


@contextlib.contextmanager
def _server(spec: RunSpec, settings: srv.ServerSettings, run_dir: Path, progress: Progress,
            external_version: str | None) -> Iterator[tuple[str, srv.Server | None, str]]:
    """The URL to send requests to, the launched server (None for ``--engine-url``) and the engine's version."""
    if spec.engine_url is not None:
        yield spec.engine_url.rstrip("/"), None, external_version or "unknown"
        return
    progress.note("starting the vLLM server (about a minute on a CPU; its log: "
                  f"{run_dir / srv.SERVER_LOG})")
    try:
        with srv.launched(settings, run_dir / srv.SERVER_LOG) as server:
            yield server.url, server, engine_version() or "unknown"
    except srv.PortInUse:
        raise
    except srv.ServerFailed as exc:
        if "while starting" in str(exc) or "did not answer" in str(exc):
            raise srv.ServerFailed(f"model {settings.served_name!r} cannot be served by vLLM: {exc}") from exc
        raise
