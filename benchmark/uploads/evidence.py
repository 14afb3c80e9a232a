"""A run measured elsewhere, checked from its own evidence, never taken on trust.

The folder is what ``benchmark run`` writes: ``record.json`` and, per repeat, optimum-benchmark's raw
report, codecarbon's file per phase, what the child loaded and the log. Each check is a function that
raises ``EvidenceRefused`` with one line naming it; ``check_run`` runs them in order and stops at the
first that fails, so nothing is stored on failure:

1. ``record``: it parses as a result record of a known task, with at most ``MAX_REPEATS`` repeats, a model
   id the board can show (the submission form's rules; the owner may be left out for a private model), a
   date that is neither in the future nor before the software it names (``limits.date_problem``), no size
   class of its own (the board derives it from the parameter count), and claims neither to reproduce an
   entry nor to answer a queued request (only our workers' runs do);
2. ``recomputed``: every repeat has its own raw report (distinct files with distinct contents), scored
   again with the runner's own code (``benchmark.runs.scoring``), which must give the record's figures, and
   so must the mean and spread;
3. ``configuration``: the settings are the task's reference or a configuration it admits (a run on fewer
   samples or another dataset is accepted but not comparable, like any such run of ours: never rated);
4. ``plausible``: the energy passes the board's plausibility rules (power limit × time, orders of magnitude);
5. ``counter``: on a GPU, each repeat's NVML counter delta covers its phases within the runner's own
   tolerance (``benchmark.runs.counter``);
6. ``hardware``: on a GPU, codecarbon's files name the very GPU the record names (the whole name, after
   normalising case, spaces and codecarbon's "N x " prefix), and their phase energies are the report's;
7. ``software``: the versions of the stack are recorded;
8. ``size``: a size-classed task (text generation, reasoning) has a parameter count, and it is in the same
   size class as the parameters each repeat's measured process loaded (``loaded.json``).

Evidence of an unexpected shape (a list where an object belongs, a string for an energy) fails the check
that read it, in one line, like any other failure.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmark.board.plausibility import implausible_energy_reason
from benchmark.configuration import (
    ConfigurationError,
    check_device,
    check_requested,
    configuration_key,
    effective_task,
    not_comparable_reason,
    record_configuration,
)
from benchmark.errors import UserInputError
from benchmark.queue.checks import SubmissionRefused, check_upload_model_id
from benchmark.record import ResultRecord, utc_now
from benchmark.runs.counter import CounterBelowPhases, check_counter
from benchmark.runs.files import LOADED_FILE, RECORD_FILE
from benchmark.runs.scoring import ReportError, repeat_from_report, summary
from benchmark.tasks import TASKS, size_class
from benchmark.uploads.archive import ArchiveRefused, check_json
from benchmark.uploads.limits import MAX_REPEATS, date_problem

CODECARBON_SUFFIX = "_codecarbon.json"
STACK = ("optimum_benchmark", "transformers", "torch", "codecarbon")
_REL_TOL, _ABS_TOL = 1e-9, 1e-12


class EvidenceRefused(UserInputError):
    """One check of an upload failed; the message names it."""

    def __init__(self, check: str, detail: str) -> None:
        super().__init__(f"check {check!r} failed: {detail}")
        self.check = check


@dataclass(frozen=True)
class CheckedRun:
    """An upload that passed every check: its record, its raw reports by repeat index, and why it is not
    comparable (None when it is)."""

    record: ResultRecord
    reports: dict[int, dict[str, Any]]
    not_comparable_because: str | None


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=_ABS_TOL)


def check_record(folder: Path, now: datetime | None = None) -> ResultRecord:
    path = folder / RECORD_FILE
    if not path.is_file() or path.is_symlink():
        raise EvidenceRefused("record", f"the run folder holds no {RECORD_FILE}")
    try:
        raw = check_json(path)
        declared = raw.get("repeats") if isinstance(raw, dict) else None
        if isinstance(declared, list) and len(declared) > MAX_REPEATS:  # counted before anything is validated
            raise EvidenceRefused("record", f"the record lists {len(declared)} repeats; a run has at most "
                                  f"{MAX_REPEATS}")
        record = ResultRecord.model_validate(raw)
    except ArchiveRefused as exc:
        raise EvidenceRefused("record", str(exc)) from None
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        raise EvidenceRefused("record", f"{'.'.join(map(str, error['loc']))}: {error['msg']}") from None
    if record.task not in TASKS:
        raise EvidenceRefused("record", f"unknown task {record.task!r}")
    if not record.repeats:
        raise EvidenceRefused("record", "the record lists no repeat: there is nothing to check it against")
    try:
        check_upload_model_id(record.model_id)
    except SubmissionRefused as refusal:
        raise EvidenceRefused("record", f"model id {record.model_id!r}: {refusal.message}") from None
    problem = date_problem(record.created_at, record.software.model_dump(), now or utc_now())
    if problem:
        raise EvidenceRefused("record", problem)
    if record.size_class is not None:
        raise EvidenceRefused("record", "the record sets its own size class; the board derives it from the "
                              "parameter count (remove size_class)")
    if record.reproduces or record.request:
        claim = f"reproduces run {record.reproduces}" if record.reproduces else "answers a queued request"
        raise EvidenceRefused("record", f"the record {claim}: only our workers' runs can (upload the run itself)")
    return record


def _report(folder: Path, file: str | None, index: int, seen: dict[str, int]) -> dict[str, Any]:
    """Repeat ``index``'s raw report, read once; ``seen`` maps each report's path and content hash already
    read to its repeat, so two repeats can never stand on one report."""
    if not file:
        raise EvidenceRefused("recomputed", f"repeat {index} names no raw report")
    path = (folder / file).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file() or (folder / file).is_symlink():
        raise EvidenceRefused("recomputed", f"repeat {index}'s raw report {file!r} is not a file of the run folder")
    for key in (f"path:{path}", f"sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}"):
        if key in seen:
            raise EvidenceRefused("recomputed", f"repeats {seen[key]} and {index} give the same raw report "
                                  f"{'file' if key.startswith('path') else 'content'}: each repeat is its own run")
        seen[key] = index
    try:
        report = check_json(path)
    except ArchiveRefused as exc:
        raise EvidenceRefused("recomputed", f"repeat {index}: {exc}") from None
    if not isinstance(report, dict):
        raise EvidenceRefused("recomputed", f"repeat {index}'s raw report is not an optimum-benchmark report")
    return report


def check_recomputed(folder: Path, record: ResultRecord) -> dict[int, dict[str, Any]]:
    if record.settings.engine is not None:  # measured as served: re-checked from its request traces
        return _check_served(folder, record)
    spec = effective_task(TASKS[record.task], record_configuration(record, TASKS[record.task]))
    if record.settings.max_new_tokens and "max_new_tokens" in spec.generate_kwargs:
        from dataclasses import replace
        from types import MappingProxyType

        spec = replace(spec, generate_kwargs=MappingProxyType({**spec.generate_kwargs,
                                                               "max_new_tokens": record.settings.max_new_tokens}))
    reports, again, seen = {}, [], {}
    if len({repeat.index for repeat in record.repeats}) != len(record.repeats):
        raise EvidenceRefused("recomputed", "two repeats have the same index")
    for repeat in record.repeats:
        report = _report(folder, repeat.report_file, repeat.index, seen)
        try:
            scored = repeat_from_report(repeat.index, report, spec, record.settings.num_samples,
                                        device=record.hardware.device)
        except (ReportError, KeyError, TypeError, ValueError) as exc:
            raise EvidenceRefused("recomputed", f"repeat {repeat.index}'s raw report cannot be scored: {exc}") from None
        for field in ("gpu_wh_per_1k_queries", "total_wh_per_1k_queries"):
            if not _same(getattr(scored, field), getattr(repeat, field)):
                raise EvidenceRefused("recomputed", f"repeat {repeat.index}: {field} is "
                                      f"{getattr(repeat, field):.6g} in the record but {getattr(scored, field):.6g} "
                                      "from its raw report")
        reports[repeat.index] = report
        again.append(scored)
    headline = summary(again, spec, record.settings.num_samples)
    for field in ("gpu_wh_per_1k_queries", "gpu_wh_per_1k_queries_std", "total_wh_per_1k_queries"):
        if not _same(headline[field], getattr(record, field)):
            raise EvidenceRefused("recomputed", f"{field} is {getattr(record, field)} in the record but "
                                  f"{headline[field]:.6g} from the raw reports")
    return reports


def _check_served(folder: Path, record: ResultRecord) -> dict[int, dict[str, Any]]:
    from benchmark.engine.evidence import EvidenceMismatch, recheck

    if len({repeat.index for repeat in record.repeats}) != len(record.repeats):
        raise EvidenceRefused("recomputed", "two repeats have the same index")
    seen: dict[str, int] = {}
    texts = {repeat.report_file: json.dumps(_report(folder, repeat.report_file, repeat.index, seen))
             for repeat in record.repeats}
    try:
        recheck(texts.__getitem__, record)
    except EvidenceMismatch as exc:
        raise EvidenceRefused("recomputed", str(exc)) from None
    return {}


def check_configuration(record: ResultRecord) -> str | None:
    spec = TASKS[record.task]
    configuration = record_configuration(record, spec)
    try:
        chosen = check_requested(spec, configuration.overrides())
        check_device(chosen, record.hardware.device, has_flash_attn=True)
    except ConfigurationError as exc:
        raise EvidenceRefused("configuration", str(exc)) from None
    if configuration.key != configuration_key(configuration.overrides()):
        raise EvidenceRefused("configuration", f"key {configuration.key!r} does not name its overrides")
    return not_comparable_reason(record, spec)


def check_plausible(record: ResultRecord) -> None:
    reason = implausible_energy_reason(record)
    if reason:
        raise EvidenceRefused("plausible", reason)


def check_counter_covers_phases(record: ResultRecord, reports: dict[int, dict[str, Any]]) -> None:
    # a served run has no phases: its NVML readings per GPU are its evidence, re-checked with it
    if record.hardware.device != "cuda" or record.settings.engine is not None:
        return
    for repeat in record.repeats:
        if repeat.nvml_gpu_energy_kwh is None:
            raise EvidenceRefused("counter", f"repeat {repeat.index} of a GPU run has no NVML counter reading")
        try:
            check_counter(repeat.nvml_gpu_energy_kwh, reports[repeat.index], record.hardware.gpu_power_limit_w)
        except CounterBelowPhases as exc:
            raise EvidenceRefused("counter", f"repeat {repeat.index}: {exc}") from None


def check_hardware(folder: Path, record: ResultRecord, reports: dict[int, dict[str, Any]]) -> None:
    if record.hardware.device != "cuda":
        return
    if record.settings.engine is not None:
        if len(record.settings.engine.gpus) != record.hardware.gpu_count:
            raise EvidenceRefused("hardware", f"the record names {record.hardware.gpu_count} GPU(s), its energy covers "
                                  f"{len(record.settings.engine.gpus)}")
        return
    for repeat in record.repeats:
        repeat_dir = (folder / repeat.report_file).parent if repeat.report_file else folder
        files = sorted(repeat_dir.glob(f"*{CODECARBON_SUFFIX}"))
        if not files:
            raise EvidenceRefused("hardware", f"repeat {repeat.index} has no codecarbon file naming its GPU")
        for file in files:
            tracked = check_json(file)
            if not isinstance(tracked, dict):
                raise EvidenceRefused("hardware", f"repeat {repeat.index}'s {file.name} is not a codecarbon record")
            named = str(tracked.get("gpu_model") or "")
            if not record.hardware.gpu_name or gpu_name_key(record.hardware.gpu_name) != gpu_name_key(named):
                raise EvidenceRefused("hardware", f"the record names {record.hardware.gpu_name!r} but NVML named "
                                      f"{named!r} for repeat {repeat.index}")
            phase = file.name.removesuffix(CODECARBON_SUFFIX)
            reported = (reports[repeat.index].get(phase) or {}).get("energy") or {}
            if reported.get("gpu") is not None and not _same(float(tracked.get("gpu_energy", -1)),
                                                             float(reported["gpu"])):
                raise EvidenceRefused("hardware", f"repeat {repeat.index}, {phase}: codecarbon measured "
                                      f"{tracked.get('gpu_energy')} kWh, the report says {reported['gpu']}")


_COUNT_PREFIX = re.compile(r"^\s*\d+\s*x\s+", re.IGNORECASE)


def gpu_name_key(name: str) -> str:
    """A GPU name as compared: codecarbon's "1 x " prefix dropped, case and runs of spaces ignored."""
    return " ".join(_COUNT_PREFIX.sub("", name).split()).casefold()


def check_software(record: ResultRecord) -> None:
    stack = ("vllm", "codecarbon") if record.settings.engine is not None else STACK
    missing = [name for name in stack if not getattr(record.software, name)]
    if missing:
        raise EvidenceRefused("software", f"the record does not say which {', '.join(missing)} it ran")


def check_size(folder: Path, record: ResultRecord) -> None:
    # a served run is never rated (not the reference configuration): its size class moves no stars
    if not TASKS[record.task].size_classes or record.settings.engine is not None:
        return
    if record.params is None:
        raise EvidenceRefused("size", f"{TASKS[record.task].display_name} is rated by size class: "
                              "give the model's parameter count (params)")
    claimed = size_class(record.params)
    for repeat in record.repeats:
        loaded_file = (folder / repeat.report_file).parent / LOADED_FILE
        loaded = check_json(loaded_file) if loaded_file.is_file() and not loaded_file.is_symlink() else None
        held = loaded.get("params") if isinstance(loaded, dict) else None
        if not isinstance(held, int) or isinstance(held, bool) or held <= 0:
            raise EvidenceRefused("size", f"repeat {repeat.index} has no {LOADED_FILE} giving the parameters the "
                                  "measured process loaded (run with the current runner)")
        if size_class(held) != claimed:
            raise EvidenceRefused("size", f"the record's {record.params:,} parameters (class {claimed}) are not "
                                  f"what repeat {repeat.index} loaded: {held:,} (class {size_class(held)})")


# what reading evidence of an unexpected shape raises (a list for an object, a string for a number)
_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError, ArithmeticError)


def check_run(folder: Path, now: datetime | None = None) -> CheckedRun:
    """Every check, in order; the first to fail is raised (nothing stored)."""
    folder = Path(folder)
    record = _checked("record", check_record, folder, now)
    reports = _checked("recomputed", check_recomputed, folder, record)
    not_comparable = _checked("configuration", check_configuration, record)
    _checked("plausible", check_plausible, record)
    _checked("counter", check_counter_covers_phases, record, reports)
    _checked("hardware", check_hardware, folder, record, reports)
    _checked("software", check_software, record)
    _checked("size", check_size, folder, record)
    return CheckedRun(record, reports, not_comparable)


def _checked(name: str, check: Any, *args: Any) -> Any:
    """``check(*args)``; evidence of a shape it cannot read fails that check in one line."""
    try:
        return check(*args)
    except EvidenceRefused:
        raise
    except ArchiveRefused as exc:
        raise EvidenceRefused(name, str(exc)) from None
    except _SHAPE_ERRORS as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise EvidenceRefused(name, f"the evidence has an unexpected shape ({type(exc).__name__}: {detail})"
                              ) from None
