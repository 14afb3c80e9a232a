"""Every named API endpoint, registered in one place, for ``gradio_client`` users: the data the
tabs show, as plain JSON.

    from gradio_client import Client
    client = Client("http://127.0.0.1:7860")
    client.predict("text_generation", api_name="/task_rows")
    client.predict("org/name", "world", api_name="/model_page")
    client.predict(["org/a", "org/b"], "", "", "world", api_name="/compare")
    client.predict("summarization", "", api_name="/tradeoff")
    client.predict("text_classification", api_name="/what_helps")
    client.predict("latest", api_name="/reasoning_on_off")
    path = client.predict("org/name", "summarization", "", api_name="/energy_label")  # a PNG file

Rows come in leaderboard order (rated first, least GPU energy first), with ``stars`` as an
integer (``None`` when unrated, ``rating_flag`` saying why) and energies at full precision.
Refused inputs (a ``UserInputError``: unknown model, task or grid; a wrong number of models) are
one-line ``gr.Error`` messages, never tracebacks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import gradio as gr
from gradio.data_classes import FileData

from benchmark.configuration import check_configuration
from benchmark.errors import UserInputError
from benchmark.record import MEASURED
from benchmark.tasks import TASKS, get_task
from leaderboard.label.facts import cached_label_path, label_facts, label_file_name, label_markdown
from leaderboard.results.live import LiveData
from leaderboard.serving import READ_ONLY_EVENT
from leaderboard.views.choose import choose
from leaderboard.views.compare import compare
from leaderboard.views.model_page import model_page
from leaderboard.views.reasoning import reasoning_on_off
from leaderboard.views.releases import release_list
from leaderboard.views.summary import summarize
from leaderboard.views.tables import api_rows, filter_mask, frontier_rows, overview_rows
from leaderboard.views.tradeoff import tradeoff
from leaderboard.views.what_helps import what_helps, zero_shot_summary

F = TypeVar("F", bound=Callable[..., Any])
MAX_DROPPED_LISTED = 100


def user_errors(fn: F) -> F:
    """Turn refused inputs into one-line ``gr.Error`` messages (no traceback for the user)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UserInputError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return wrapper  # type: ignore[return-value]


def _task_key(task: str) -> str:
    return get_task(task.strip()).key


class ProvenanceChoiceError(UserInputError):
    pass


def check_provenance(provenance: str | None) -> bool:
    """Whether ``/task_rows`` keeps our workers' rows only ("measured"), or every row ("all", default)."""
    chosen = (provenance or "all").strip()
    if chosen not in ("all", MEASURED):
        raise ProvenanceChoiceError(f"unknown provenance {chosen!r}: choose all or measured")
    return chosen == MEASURED


def _choices(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def register_api(live: LiveData) -> None:
    """Declare every endpoint (call inside the app's ``gr.Blocks`` context)."""

    def tasks() -> list[dict[str, Any]]:
        """Every task: its key, name, dataset and how many results it has."""
        data = live.current
        return [
            {
                "key": key,
                "name": spec.display_name,
                "dataset": spec.dataset_id,
                "n_results": len(data.task_frame(key)),
                "control_variables": spec.control_variables(),
            }
            for key, spec in TASKS.items()
        ]

    @user_errors
    def task_rows(
        task: str,
        query: str = "",
        hardware: str = "",
        size_class: str = "",
        release: str = "latest",
        configuration: str = "reference",
        min_quality: float | None = None,
        provenance: str = "all",
    ) -> list[dict[str, Any]]:
        """The rows of one task with their stars, most efficient first; each says its `release`, its
        quality figure on the task's declared benchmark (`quality`, `quality_metric`, `quality_benchmark`,
        `quality_source`, `quality_provenance`) and whether it is `on_frontier` (no other row of its
        hardware beats it on both energy and quality).
        Optional filters: part of a model id (`;` separates alternatives), hardware names and size
        classes (comma separated), `min_quality` (at least this good in the benchmark's direction: a
        WER of at most it; rows without a figure are left out). `release`: "latest" (default: the current
        board, the latest release's rows rated together per task, hardware and size class), a release name
        (see `/releases`: that board as published, each row's `rated_among` naming its cohort), "live"
        (everything rated now) or "since" (runs after the latest release, provisional stars).
        `configuration`: "reference" (the default, the rated board), a configuration
        key (e.g. "batch_size=8", never in a release: shown live and unrated) or "all". Every row says its
        `provenance` ("measured" by our workers, "self-reported" by an approved upload, "published" by
        another board) and `verification` ("verified" when every reproduction on the same GPU model agreed,
        "disputed" when one did not); `provenance`: "all" (default) or "measured" (ours only)."""
        key = _task_key(task)
        data = live.current
        name = data.release_name(release)
        chosen = check_configuration(configuration)
        only_measured = check_provenance(provenance)
        if not (query.strip() or hardware.strip() or size_class.strip()) and min_quality is None and not only_measured:
            return data.cached(
                ("api_rows", key, name, chosen), lambda: api_rows(data.task_frame(key, name, chosen))
            )
        rows = data.task_frame(key, name, chosen)
        mask = filter_mask(rows, query, _choices(hardware), _choices(size_class), min_quality, key)
        if only_measured:
            mask &= rows["provenance"] == MEASURED
        return api_rows(rows[mask.to_numpy()])

    @user_errors
    def choose_endpoint(
        task: str,
        max_wh_per_1k: float | None = None,
        max_latency_s: float | None = None,
        min_quality: float | None = None,
        configuration: str = "any",
        release: str = "latest",
        max_itl_ms: float | None = None,
        max_j_per_output_token: float | None = None,
    ) -> dict[str, Any]:
        """The least energy that meets your needs: the models of a task that meet every given limit (GPU
        Wh per 1,000 queries at most, latency per query in seconds at most, quality on the task's
        benchmark at least as good; for language models measured as served, ML.ENERGY's median inter-token
        latency deadline in ms and GPU J per output token at most: an unstable steady state is never
        chosen), each at its cheapest measured configuration that meets them
        (`configuration`: "any", "reference" or a key), least energy first (`chosen`); the others
        (`excluded`) with the limit that stopped each, its figure and why, counted in `excluded_by` and
        said in `summary` ("12 excluded: 8 by quality, 4 by latency")."""
        return choose(live.current, _task_key(task), max_wh_per_1k, max_latency_s, min_quality,
                      configuration, release, max_itl_ms, max_j_per_output_token)

    @user_errors
    def frontier(task: str, release: str = "latest") -> list[dict[str, Any]]:
        """The energy–quality frontier of a task's board (`release` as for `/task_rows`): the rows no
        other row of the same hardware beats on both GPU energy per 1,000 queries and quality on the
        task's declared benchmark, least energy first. Empty for a task without a declared benchmark."""
        key = _task_key(task)
        data = live.current
        name = data.release_name(release)
        return data.cached(("api_frontier", key, name), lambda: api_rows(frontier_rows(data.task_frame(key, name))))

    @user_errors
    def task_summary(task: str, hardware: str = "") -> dict[str, Any]:
        """Number of models, mean / median / std of GPU Wh per 1,000 queries and the max/min spread."""
        key = _task_key(task)
        rows = live.current.task_frame(key)
        if hardware.strip():
            rows = rows[filter_mask(rows, hardware=_choices(hardware)).to_numpy()]
        return {"task": key, **summarize(rows).as_dict()}

    def releases() -> list[dict[str, Any]]:
        """The releases (frozen boards), oldest first: name, date, entries, rated entries, tasks, and
        which is the latest (what `/task_rows` shows by default)."""
        return release_list(live.current)

    def overview() -> list[dict[str, Any]]:
        """One summary per task and hardware."""
        data = live.current
        return data.cached("api_overview", lambda: overview_rows(data))

    def status() -> dict[str, Any]:
        """Where the data comes from, when it was loaded, what was dropped (counts by reason, and the
        first files with theirs, store-relative), and any notice; never the server's paths."""
        data = live.current
        return {
            "source": data.source,
            "version": data.version,
            "loaded_at": data.loaded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "n_results": data.n_results,
            "releases": data.release_names,
            "n_since_latest_release": len(data.records) if data.releases else None,
            "dropped": dict(data.dropped),
            "dropped_total": data.dropped_total,
            "dropped_files": list(data.problems[:MAX_DROPPED_LISTED]),
            "notice": data.notice,
        }

    @user_errors
    def model_page_endpoint(model_id: str, grid: str = "world") -> dict[str, Any]:
        """Every task a model was measured on: stars, rank r of n within its rating group, GPU Wh per
        1,000 queries with its spread, phases, latency, hardware, software and everyday equivalences."""
        return model_page(live.current, model_id, grid)

    @user_errors
    def compare_endpoint(
        model_ids: list[str], task: str = "", hardware: str = "", grid: str = "world"
    ) -> dict[str, Any]:
        """Two to four models on a shared task and hardware (default: the first shared), with the ratio
        of each model's GPU energy to the most frugal one's; `message` says why when none is shared."""
        return compare(live.current, model_ids, task or None, hardware or None, grid)

    @user_errors
    def tradeoff_endpoint(task: str, hardware: str = "") -> dict[str, Any]:
        """GPU Wh per 1,000 queries against latency per query for one task and hardware (default: the
        one with the most measured latencies), the Pareto frontier's models (fastest first) and how
        many results were left out."""
        return tradeoff(live.current, _task_key(task), hardware.strip() or None)

    @user_errors
    def what_helps_endpoint(task: str) -> dict[str, Any]:
        """Per run configuration of a task: how many models have it and their reference run on the same
        hardware, and the median (min, max) ratio of their energy per 1,000 queries to the reference
        (GPU Wh; total Wh on CPU-only hardware, labelled in `basis`); each model's best configuration
        and its saving; and zero-shot against task-specific runs (median energies and their ratio)."""
        key = _task_key(task)
        data = live.current
        return {**what_helps(data, key), "zero_shot_vs_task_specific": zero_shot_summary(data, key)}

    @user_errors
    def reasoning_on_off_endpoint(release: str = "latest") -> list[dict[str, Any]]:
        """Thinking on versus off: every model with a reasoning row and a text-generation row (thinking
        off) on the same hardware, configuration and release of the board `release` (default the
        latest), one row per effort level, by model: both energies (GPU Wh per 1,000 queries), their
        `energy_ratio`, the output tokens per query of each and their `output_token_ratio` where both
        runs counted them (else None), a `sentence` and `doubtful` when thinking on measured lower."""
        return reasoning_on_off(live.current, release)

    @user_errors
    def energy_label_endpoint(
        model_id: str, task: str, hardware: str = "", release: str = "latest", effort: str = ""
    ) -> FileData:
        """The energy label of a model on a task as a PNG file (800×1224 pixels), with the stars of
        `release` (default the latest; the label names it): the same release gives the same file.
        `effort` (low, medium, high): the label of that effort level of a model measured at several
        (default: one of its levels, named on the label)."""
        key = _task_key(task)
        data = live.current
        facts = label_facts(data, model_id, key, hardware or None, release=release, effort=effort or None)
        return FileData(path=cached_label_path(data, facts, key), mime_type="image/png")

    @user_errors
    def energy_label_markdown_endpoint(
        model_id: str, task: str, hardware: str = "", release: str = "latest", effort: str = ""
    ) -> str:
        """Markdown for a model card: the label image (uploaded next to the README) linking to the
        leaderboard; `effort` as for `/energy_label`."""
        key = _task_key(task)
        facts = label_facts(live.current, model_id, key, hardware or None, release=release, effort=effort or None)
        return label_markdown(facts, label_file_name(facts, key))

    endpoints = {
        "tasks": tasks,
        "task_rows": task_rows,
        "frontier": frontier,
        "choose": choose_endpoint,
        "task_summary": task_summary,
        "releases": releases,
        "overview": overview,
        "status": status,
        "model_page": model_page_endpoint,
        "compare": compare_endpoint,
        "tradeoff": tradeoff_endpoint,
        "what_helps": what_helps_endpoint,
        "reasoning_on_off": reasoning_on_off_endpoint,
        "energy_label": energy_label_endpoint,
        "energy_label_markdown": energy_label_markdown_endpoint,
    }
    for name, fn in endpoints.items():
        gr.api(fn, api_name=name, **READ_ONLY_EVENT)  # all read-only: none waits for another
