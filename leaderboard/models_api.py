"""Named API endpoints of the Models tab, for ``gradio_client`` users.

    client.predict("org/name", "world", api_name="/model_page")
    client.predict(["org/a", "org/b"], "", "", "world", api_name="/compare")
    client.predict("summarization", "", api_name="/tradeoff")
    path = client.predict("org/name", "summarization", "", api_name="/energy_label")  # a PNG file

Errors (unknown model, task or grid; a wrong number of models) are one-line ``gr.Error`` messages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import gradio as gr
from gradio.data_classes import FileData

from benchmark.tasks import UnknownTaskError, get_task
from leaderboard.label.facts import LabelError, cached_label_path, label_facts, label_file_name, label_markdown
from leaderboard.results.live import LiveData
from leaderboard.views.compare import CompareInputError, compare
from leaderboard.views.equivalences import UnknownGridError
from leaderboard.views.model_page import UnknownModelError, model_page
from leaderboard.views.tradeoff import tradeoff

USER_ERRORS = (UnknownModelError, UnknownTaskError, UnknownGridError, CompareInputError, LabelError)
F = TypeVar("F", bound=Callable[..., Any])


def user_errors(fn: F) -> F:
    """Turn the input errors into one-line ``gr.Error`` messages (no traceback for the user)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return wrapper  # type: ignore[return-value]


def register_models_api(live: LiveData) -> None:
    """Declare the endpoints (call inside the app's ``gr.Blocks`` context)."""

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
        return tradeoff(live.current, get_task(task.strip()).key, hardware.strip() or None)

    @user_errors
    def energy_label_endpoint(model_id: str, task: str, hardware: str = "") -> FileData:
        """The energy label of a model on a task as a PNG file (800×1224 pixels)."""
        key = get_task(task.strip()).key
        data = live.current
        facts = label_facts(data, model_id, key, hardware or None)
        return FileData(path=cached_label_path(data, facts, key), mime_type="image/png")

    @user_errors
    def energy_label_markdown_endpoint(model_id: str, task: str, hardware: str = "") -> str:
        """Markdown for a model card: the label image (uploaded next to the README) linking to the leaderboard."""
        key = get_task(task.strip()).key
        facts = label_facts(live.current, model_id, key, hardware or None)
        return label_markdown(facts, label_file_name(facts, key))

    endpoints = {
        "model_page": model_page_endpoint,
        "compare": compare_endpoint,
        "tradeoff": tradeoff_endpoint,
        "energy_label": energy_label_endpoint,
        "energy_label_markdown": energy_label_markdown_endpoint,
    }
    for name, fn in endpoints.items():
        gr.api(fn, api_name=name)
