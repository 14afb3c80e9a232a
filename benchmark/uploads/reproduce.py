"""Reproduce any entry: run it again exactly as its record says, and say whether the figures agree.

``reproduction_spec`` turns a record into the ``RunSpec`` of the same run: the model at its recorded
revision, the task, the dataset, the configuration's overrides, the effort level and cap, the samples and
repeats; the new record names the entry it ``reproduces`` (it verifies that entry and is never a board row
of its own). ``agreement`` is the one rule for "the same figure", used by ``benchmark reproduce`` and by the
board's **verified** badge: the new figure lies within the original's spread, mean ± 2 standard deviations
over its repeats, and never closer than a stated tolerance (5 % of the original on a GPU; 50 % for a
CPU-only run, whose energy is codecarbon's TDP × load estimate and moves with the machine's load).
Energies compared are GPU Wh per 1,000 queries, or the total on CPU-only hardware (no GPU energy there).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmark.configuration import record_configuration
from benchmark.errors import UserInputError
from benchmark.queue.checks import SubmissionRefused, check_model_id
from benchmark.queue.operations import update_requests
from benchmark.queue.request_record import RequestRecord, RequestStatus, new_request_id
from benchmark.record import SELF_REPORTED, ResultRecord, Software, record_provenance, utc_now
from benchmark.run_spec import RunSpec
from benchmark.runs.files import RECORD_FILE
from benchmark.store import Store
from benchmark.tasks import TASKS

SPREAD_SIGMAS = 2.0
TOLERANCE_GPU = 0.05
TOLERANCE_CPU = 0.50
VERIFIED, DISPUTED = "verified", "disputed"


class ReproduceRefused(UserInputError):
    pass


@dataclass(frozen=True)
class Agreement:
    basis: str  # "GPU Wh per 1,000 queries" or the total on a CPU
    original_wh: float
    new_wh: float
    ratio: float
    allowed_wh: float  # how far the new figure may be from the original's
    within: bool

    def sentence(self) -> str:
        verdict = "within" if self.within else "OUTSIDE"
        return (f"original {self.original_wh:.6g}, reproduction {self.new_wh:.6g} {self.basis}: "
                f"ratio {self.ratio:.3f}, {verdict} the original's spread (±{self.allowed_wh:.3g})")


def _figure(record: ResultRecord) -> tuple[float, float, str]:
    if record.hardware.device == "cpu":
        return float(record.total_wh_per_1k_queries or 0.0), float(record.total_wh_per_1k_queries_std or 0.0), \
            "total Wh per 1,000 queries (CPU)"
    return record.gpu_wh_per_1k_queries, record.gpu_wh_per_1k_queries_std, "GPU Wh per 1,000 queries"


def agreement_of(mean: float, std: float, repeats: int, on_cpu: bool, value: float, basis: str) -> Agreement:
    """The rule on plain figures: the original's mean, spread (sample std over ``repeats``) and device, and
    the new figure."""
    std = std if repeats > 1 and std == std else 0.0
    allowed = max(SPREAD_SIGMAS * std, (TOLERANCE_CPU if on_cpu else TOLERANCE_GPU) * abs(mean))
    ratio = value / mean if mean else float("inf")
    return Agreement(basis, mean, value, ratio, allowed, abs(value - mean) <= allowed)


def agreement(original: ResultRecord, new: ResultRecord) -> Agreement:
    """Whether ``new`` reproduces ``original`` (see the module's doc)."""
    mean, std, basis = _figure(original)
    value, _, _ = _figure(new)
    return agreement_of(mean, std, len(original.repeats), original.hardware.device == "cpu", value, basis)


def version_differences(original: Software, new: Software) -> list[str]:
    """Each package whose version differs between the two runs: "transformers 5.23.0 → 5.24.0"."""
    before, after = original.model_dump(), new.model_dump()
    return [f"{name} {before.get(name) or '?'} → {after.get(name) or '?'}"
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def load_entry(reference: str, store: Store | None = None) -> tuple[ResultRecord, Path | None]:
    """The record ``reference`` names: a run folder, a record JSON file, or a run id in ``store``."""
    path = Path(reference).expanduser()
    if path.exists():
        file = path / RECORD_FILE if path.is_dir() else path
        try:
            return ResultRecord.model_validate_json(file.read_bytes()), file.parent
        except (OSError, ValueError) as exc:
            raise ReproduceRefused(f"{file} is not a result record: {str(exc).splitlines()[0]}") from None
    if store is None:
        raise ReproduceRefused(f"{reference!r} is not a run folder or a record file")
    return find_record(store, reference), None


def find_record(store: Store, run_id: str) -> ResultRecord:
    """The published record of ``run_id`` in ``store`` (only the store is read: never a local path)."""
    run_id = (run_id or "").strip()
    found = [p for p in store.list("records/") if p.count("/") == 3 and p.rsplit("/", 1)[1] == f"{run_id}.json"]
    if not run_id or not found:
        raise ReproduceRefused(f"no run {run_id!r} in {store.public_name}: give a run id, a run folder or a record")
    try:
        return ResultRecord.model_validate_json(store.read(found[0]))
    except ValueError as exc:
        raise ReproduceRefused(f"{found[0]} is not a readable result record: {str(exc).splitlines()[0]}") from None


def reproduction_spec(
    record: ResultRecord, output_dir: Path, device: str | None = None, model: str | None = None,
    dataset: str | None = None,
) -> RunSpec:
    """The run ``record`` describes, again (``model``/``dataset``: local copies of what it names)."""
    if record.task not in TASKS:
        raise ReproduceRefused(f"unknown task {record.task!r}")
    if record.reproduces:
        raise ReproduceRefused(f"run {record.run_id} is itself a reproduction (of {record.reproduces})")
    settings = record.settings
    if model is None:
        _check_hub_source(record)
    if dataset is None and record_provenance(record) == SELF_REPORTED:
        try:
            check_model_id(settings.dataset)  # a dataset id has the same shape: never a path on this machine
        except SubmissionRefused:
            raise ReproduceRefused(f"run {record.run_id} names the dataset {settings.dataset!r}, not a Hub id: give "
                                   "a local copy with --dataset") from None
    overrides = record_configuration(record, TASKS[record.task]).overrides()
    return RunSpec(
        model=model or record.model_id, task=record.task, revision=None if model else record.model_revision,
        model_id=record.model_id, dataset=dataset or settings.dataset,
        dataset_id=settings.dataset_id or (settings.dataset if dataset else None),
        dataset_split=settings.dataset_split, num_samples=settings.num_samples,
        repeats=max(len(record.repeats), 1), device=device, output_dir=output_dir,
        reasoning_effort=settings.reasoning_effort,
        max_new_tokens=settings.max_new_tokens if settings.reasoning else None,
        reproduces=record.run_id, **overrides,
        # a steady state is judged stable by the same minimum window as the run it reproduces
        min_window_s=record.steady_state.min_window_s if record.steady_state else None,
    )


def _check_hub_source(record: ResultRecord) -> None:
    """Without ``--model`` the weights come from the Hub, by the id the record names: that must be a Hub id
    (never a folder on this machine, whatever an uploader wrote), pinned to a commit for an upload."""
    try:
        check_model_id(record.model_id)
    except SubmissionRefused:
        raise ReproduceRefused(f"run {record.run_id} names the model {record.model_id!r}, not a Hub id: give a local "
                               "copy with --model") from None
    pinned = record.model_revision and len(record.model_revision) == 40
    if record_provenance(record) == SELF_REPORTED and not pinned:
        raise ReproduceRefused(f"run {record.run_id} is an upload with no pinned model revision: give the weights "
                               "with --model")


def reproduction_request(record: ResultRecord, by: str) -> RequestRecord:
    """A queued reproduction of ``record`` (its model at its pinned revision, its configuration)."""
    if not record.model_revision or len(record.model_revision) != 40:
        raise ReproduceRefused(f"run {record.run_id} names no pinned model revision: the queue cannot fetch the same "
                               "weights (reproduce it by hand with --model)")
    now = utc_now()
    configuration = record_configuration(record, TASKS[record.task]).overrides()
    dtype = configuration.pop("dtype", None)
    return RequestRecord(
        request_id=new_request_id(now), model_id=record.model_id, revision=record.model_revision, task=record.task,
        dtype=dtype, configuration=configuration or None, reasoning_effort=record.settings.reasoning_effort,
        params=record.params, submitter=by, submitted_at=now, queued_at=now, status=RequestStatus.PENDING,
        steps=["energy"], reproduces=record.run_id,
    )


_OPEN = (RequestStatus.PENDING, RequestStatus.RUNNING)


def enqueue_reproduction(requests: Store, record: ResultRecord, by: str) -> RequestRecord:
    """Queue a reproduction of ``record`` (one write), refused while one is already pending or running."""
    request = reproduction_request(record, by)

    def mutate(current: dict[str, RequestRecord]) -> tuple[dict[str, RequestRecord], RequestRecord]:
        waiting = [r for r in current.values() if r.reproduces == record.run_id and r.status in _OPEN]
        if waiting:
            raise ReproduceRefused(f"a reproduction of {record.run_id} is already {waiting[0].status.value} "
                                   f"({waiting[0].request_id})")
        return {request.path: request}, request

    return update_requests(requests, mutate, f"Reproduce {record.run_id} ({record.model_id} on {record.task}, by {by})")
