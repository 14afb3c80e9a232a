"""Runner-shaped results for the Models tab tests: phases, latency, three repeats, software versions.

Records are built the way the runner builds them — optimum-benchmark-shaped report dicts through
``benchmark.runs.scoring`` — so phases, means, spreads and latency per query are the runner's own.
Known answers (H100, summarization): stars 5/4/3/2/1 for published/frugal/balanced/fast/slow,
and the energy–latency frontier is fast → balanced → frugal (slow is beaten by both).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmark.record import Hardware, ResultRecord, Settings, Software
from benchmark.runs.files import LOADED_FILE, RECORD_FILE
from benchmark.runs.scoring import PREPROCESS_TARGET, repeat_from_report, summary
from benchmark.store import LocalStore
from benchmark.tasks import TASKS
from leaderboard.results.live import LiveData
from tests.support.leaderboard_fixtures import H100, SCRIPT_ID, make_record, write_record

A100 = Hardware(
    device="cuda", gpu_name="NVIDIA A100-SXM4-80GB", gpu_count=1, driver_version="550.54", cuda_version="12.4"
)
H100_DETAILED = H100.model_copy(update={"driver_version": "550.54.15", "cuda_version": "12.4", "gpu_memory_mib": 81559})
SOFTWARE = Software(
    optimum_benchmark="0.6.0", transformers="4.57.1", torch="2.13.0", codecarbon="3.0.4", python="3.11.9"
)
NUM_SAMPLES = 1000  # the task's full test set: fewer samples would make the records not comparable
REPEAT_FACTORS = (0.9, 1.0, 1.1)  # mean 1, sample std 0.1: the record's std is 10% of its energy
# Share of the GPU energy per phase, and of the latency per query per inference phase.
GPU_SHARES = {
    ("preprocess", "prefill", "decode"): (0.05, 0.25, 0.70),
    ("preprocess", "forward"): (0.10, 0.90),
}
LATENCY_SHARES = {("prefill", "decode"): (0.3, 0.7), ("forward",): (1.0,)}
PREPROCESS_LATENCY_S = 2.0


def _report(phases: tuple[str, ...], gpu_wh: float, latency_s_per_query: float, factor: float) -> dict[str, Any]:
    """One optimum-benchmark report: energy (kWh over ``NUM_SAMPLES``), latency and throughput."""
    gpu_kwh = gpu_wh * factor * NUM_SAMPLES / 1e6
    report: dict[str, Any] = {}
    latency_shares = dict(zip(phases[1:], LATENCY_SHARES[phases[1:]], strict=True))
    for phase, share in zip(phases, GPU_SHARES[phases], strict=True):
        latency = (
            PREPROCESS_LATENCY_S if phase == "preprocess" else latency_s_per_query * latency_shares[phase] * NUM_SAMPLES
        )
        report[PREPROCESS_TARGET if phase == "preprocess" else phase] = {
            "energy": {
                "unit": "kWh",
                "cpu": gpu_kwh * share * 0.2,
                "gpu": gpu_kwh * share,
                "ram": gpu_kwh * share * 0.05,
            },
            "latency": {"unit": "s", "total": latency},
            "throughput": {"unit": "samples/s", "value": NUM_SAMPLES / latency},
        }
    return report


def runner_reports(task: str, gpu_wh: float, latency_s_per_query: float) -> list[dict[str, Any]]:
    """The raw optimum-benchmark report of each repeat of ``runner_record``'s run."""
    phases = ("preprocess", *TASKS[task].inference_phases)
    return [_report(phases, gpu_wh, latency_s_per_query, factor) for factor in REPEAT_FACTORS]


def runner_record(
    model_id: str,
    task: str,
    gpu_wh: float,
    latency_s_per_query: float,
    *,
    params: int | None,
    hardware: Hardware = H100_DETAILED,
    created_at: datetime = datetime(2025, 3, 1, 12, tzinfo=UTC),
) -> ResultRecord:
    """A record as the runner writes it, whose mean GPU energy is ``gpu_wh`` per 1,000 queries."""
    spec = TASKS[task]
    repeats = [
        repeat_from_report(i, report, spec, NUM_SAMPLES)
        for i, report in enumerate(runner_reports(task, gpu_wh, latency_s_per_query), start=1)
    ]
    controls = {k: v for k, v in spec.control_variables().items() if k != "num_samples"}
    return ResultRecord(
        run_id=f"run-{created_at:%Y%m%dT%H%M%S}-{zlib.crc32(f'{model_id} {hardware.label}'.encode()):08x}",
        model_id=model_id,
        task=task,
        created_at=created_at,
        hardware=hardware,
        software=SOFTWARE,
        settings=Settings(dataset=spec.dataset_id, num_samples=NUM_SAMPLES, **controls),
        repeats=repeats,
        params=params,
        source="runner",
        **summary(repeats, spec, NUM_SAMPLES),
    )


def models_records() -> list[ResultRecord]:
    return [
        runner_record("org/frugal-sum", "summarization", 1.0, 0.050, params=60_000_000),
        runner_record("org/balanced-sum", "summarization", 1.5, 0.030, params=200_000_000),
        runner_record("org/fast-sum", "summarization", 2.0, 0.020, params=400_000_000),
        runner_record("org/slow-sum", "summarization", 3.0, 0.060, params=1_000_000_000),
        runner_record("org/fast-sum", "summarization", 2.6, 0.025, params=400_000_000, hardware=A100),
        # A published figure: no phases, latency or repeats.
        make_record("org/published-sum", "summarization", 0.5, params=70_000_000),
        runner_record("org/classifier", "text_classification", 0.2, 0.004, params=110_000_000),
        runner_record(SCRIPT_ID, "text_classification", 0.4, 0.008, params=300_000_000),
        runner_record("org/tiny-lm", "text_generation", 2.0, 0.1, params=100_000_000),
        # Text generation is rated by size class: without a parameter count there are no stars.
        runner_record("org/no-size-lm", "text_generation", 4.0, 0.2, params=None),
    ]


def write_models_folder(root: Path) -> list[ResultRecord]:
    records = models_records()
    for record in records:
        write_record(root, record)
    return records


# Run folders as ``benchmark run`` writes them on a GPU (no GPU here): the record, each repeat's raw report,
# codecarbon's file per phase naming the GPU, and the NVML counter read around the launch.
# ``gpu_run_folder`` makes one that passes every check of an upload; tests then break one piece at a time.

COUNTER_MARGIN = 1.05  # the launch's NVML delta: the phases, plus start-up and load
START_UP_S = 30.0  # the launch's time beyond the phases (process start, model load, warm-up)
H100_700W = H100_DETAILED.model_copy(update={"gpu_power_limit_w": 700.0})


UPLOAD_CREATED_AT = datetime(2026, 11, 2, 9, tzinfo=UTC)  # after the software it names (optimum-benchmark 0.6)


def gpu_run_folder(
    root: Path, model_id: str, task: str, gpu_wh: float, *, params: int | None = 1_000_000_000,
    hardware: Hardware = H100_700W, latency_s_per_query: float = 0.02, created_at: datetime = UPLOAD_CREATED_AT,
) -> Path:
    """A GPU run folder whose mean GPU energy is ``gpu_wh`` per 1,000 queries; each repeat's ``loaded.json``
    says the measured process held ``params`` parameters."""
    record = runner_record(model_id, task, gpu_wh, latency_s_per_query, params=params, hardware=hardware,
                           created_at=created_at)
    folder = Path(root) / record.run_id
    repeats = []
    for repeat, report in zip(record.repeats, runner_reports(task, gpu_wh, latency_s_per_query), strict=True):
        repeat_dir = folder / f"repeat-{repeat.index}"
        repeat_dir.mkdir(parents=True)
        (repeat_dir / "report.json").write_text(json.dumps(report))
        (repeat_dir / LOADED_FILE).write_text(json.dumps({"dtype": "float16", "params": params}))
        phases_kwh = 0.0
        for phase, target in report.items():
            phases_kwh += target["energy"]["gpu"]
            tracked = {"gpu_model": f"1 x {hardware.gpu_name}", "gpu_energy": target["energy"]["gpu"],
                       "cpu_energy": target["energy"]["cpu"], "ram_energy": target["energy"]["ram"]}
            (repeat_dir / f"{phase}_codecarbon.json").write_text(json.dumps(tracked))
        repeats.append(repeat.model_copy(update={
            "report_file": f"repeat-{repeat.index}/report.json", "nvml_gpu_energy_kwh": phases_kwh * COUNTER_MARGIN,
            "phases_gpu_energy_kwh": phases_kwh, "nvml_to_phases_ratio": COUNTER_MARGIN,
            "wall_time_s": START_UP_S + sum(target["latency"]["total"] for target in report.values())}))
    record = record.model_copy(update={"repeats": repeats})
    (folder / RECORD_FILE).write_text(record.to_json())
    return folder


def edit_json(path: Path, edit) -> None:
    """Rewrite the JSON file at ``path`` with ``edit(value)`` applied in place."""
    value = json.loads(path.read_text())
    edit(value)
    path.write_text(json.dumps(value))


LEADERBOARD_URL = "https://example.org/green-ai-leaderboard"


@contextmanager
def served_models_app(folder: Path, **live_options: Any) -> Iterator[tuple[str, LiveData]]:
    """The app on the models folder (written into ``folder``), served on localhost with
    ``LEADERBOARD_URL`` set: its address and its live data."""
    import pytest

    from leaderboard.app import build_demo

    write_models_folder(folder)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEADERBOARD_URL", LEADERBOARD_URL)
        live = LiveData(LocalStore(folder), **live_options)
        demo = build_demo(live=live, refresh_s=3600)
        _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
        try:
            yield url, live
        finally:
            demo.close()
