"""The submission check: one function per rule, each refusing with one sentence that names it.

A rule either returns what it established (the clean id, the commit sha, the parameter count) or
raises ``SubmissionRefused(rule, message)``. Messages never repeat raw user input that failed a
format rule (it could hold HTML); they name the model only once its id is known to be clean.
Hub calls go through ``benchmark.hub_client.HubClient``. No torch, no gradio: the Space's form and
the maintainers' ``python -m benchmark enqueue`` both run these rules (so they live in the queue's
light contract, not in the leaderboard).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from benchmark.configuration import ConfigurationError, check_requested
from benchmark.errors import UserInputError
from benchmark.hub_client import (
    HubClient,
    HubGatedError,
    HubNotFoundError,
    HubNotSafetensorsError,
    HubRevisionNotFoundError,
)
from benchmark.queue.request_record import RequestRecord
from benchmark.tasks import REASONING_EFFORTS, TASK_KEYS, TASKS, TaskSpec, format_param_count, same_reasoning_effort

MAX_NAME_CHARS = 96
MAX_REVISION_CHARS = 255
DTYPES = ("float32", "float16", "bfloat16")

_HTML_CHARS = set("<>\"'&`")
_ALLOWED = re.compile(r"^[A-Za-z0-9._-]+$")
_EDGE = re.compile(r"^[A-Za-z0-9_](?:.*[A-Za-z0-9_])?$")
_URL_PREFIXES = ("http:", "https:", "huggingface.co", "hf.co", "www.")
_REVISION = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/-]*$")
_SHA = re.compile(r"^[0-9a-f]{40}$")
# diffusers keep each component's weights in its own folder; variants (fp16...) are skipped.
_DIFFUSERS_WEIGHTS = re.compile(r"^[^/]+/(?:diffusion_pytorch_model|model)(?:-\d{5}-of-\d{5})?\.safetensors$")
# Only used when the Hub gives no pipeline tag; suffixes that name one task unambiguously.
_ARCHITECTURE_TAGS = {
    "ForSequenceClassification": "text-classification",
    "ForCausalLM": "text-generation",
    "ForQuestionAnswering": "question-answering",
    "ForImageClassification": "image-classification",
    "ForObjectDetection": "object-detection",
    "ForCTC": "automatic-speech-recognition",
    "ForSpeechSeq2Seq": "automatic-speech-recognition",
}


class SubmissionRefused(UserInputError):
    """A rule refused the submission. ``rule`` names it; the message is one sentence for the user."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def format_params(params: int) -> str:
    """``1.5B``, ``110.0M``: parameter counts in submission messages (one decimal)."""
    return format_param_count(params, decimals=1)


def check_logged_in(username: str | None) -> str:
    """Rule: only signed-in users submit (the rate limit and the history need a name)."""
    if not username or not str(username).strip():
        raise SubmissionRefused("login", "Sign in with Hugging Face to submit a model.")
    return str(username).strip()


def check_model_id(model_id: str | None, owner_required: bool = True) -> str:
    """Rule: the id is a well-formed Hub id, ``owner/name``, and nothing else (with ``owner_required``
    False, a bare ``name`` too: a private model an upload names)."""
    text = (model_id or "").strip()
    if not text:
        raise SubmissionRefused("model_id", "Enter the model id as owner/name, e.g. google-bert/bert-base-uncased.")
    if _HTML_CHARS & set(text):
        raise SubmissionRefused(
            "model_id", "The model id holds HTML or quote characters; a Hub id has only letters, digits, '-', '_', '.'."
        )
    if "://" in text or text.lower().startswith(_URL_PREFIXES):
        raise SubmissionRefused("model_id", "Enter the model id (owner/name), not a URL.")
    if any(ch.isspace() for ch in text):
        raise SubmissionRefused("model_id", "The model id must not contain spaces, tabs or line breaks.")
    if ".." in text:
        raise SubmissionRefused("model_id", "The model id must not contain '..'.")
    slashes = text.count("/")
    if slashes == 0 and owner_required:
        raise SubmissionRefused("model_id", "The model id needs its owner: write it as owner/name.")
    if slashes > 1:
        raise SubmissionRefused("model_id", "The model id must have exactly one '/', between owner and name.")
    owner, name = text.split("/") if slashes else ("private", text)
    if not owner or not name:
        raise SubmissionRefused("model_id", "The model id needs both an owner and a name around its '/'.")
    if len(owner) > MAX_NAME_CHARS or len(name) > MAX_NAME_CHARS:
        raise SubmissionRefused("model_id", f"The owner and the name must each be at most {MAX_NAME_CHARS} characters.")
    if not (_ALLOWED.match(owner) and _ALLOWED.match(name)):
        raise SubmissionRefused("model_id", "The model id may only use ASCII letters, digits, '-', '_' and '.'.")
    if "--" in text:
        raise SubmissionRefused("model_id", "The model id must not contain '--'.")
    if not (_EDGE.match(owner) and _EDGE.match(name)):
        raise SubmissionRefused("model_id", "The owner and the name must start and end with a letter or digit.")
    if name.lower().endswith(".git"):
        raise SubmissionRefused("model_id", "The model name must not end in '.git'.")
    return text


def check_upload_model_id(model_id: str | None) -> str:
    """Rule for a run measured elsewhere: the form's rules, the owner optional (a private model may be
    named as its owner knows it); ``.``, ``..``, paths, URLs, Markdown or HTML are refused alike."""
    text = check_model_id(model_id, owner_required=False)
    if text != model_id:
        raise SubmissionRefused("model_id", "The model id must not start or end with spaces.")
    return text


def check_task(task: str | None) -> TaskSpec:
    """Rule: the task is one of the registry's."""
    if task not in TASKS:
        raise SubmissionRefused("task", f"Choose one of the benchmark's tasks: {', '.join(TASK_KEYS)}.")
    return TASKS[task]


def check_dtype(dtype: str | None) -> str | None:
    """Rule: the dtype, if any, is one the runner supports; empty means the task's default."""
    if not dtype:
        return None
    if dtype not in DTYPES:
        raise SubmissionRefused("dtype", f"Choose a dtype among {', '.join(DTYPES)}, or leave it empty.")
    return dtype


def check_run_options(spec: TaskSpec, dtype: str | None, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Rule: the run options (``benchmark.configuration.OPTIONS`` beyond dtype) are ones the task admits,
    with allowed values: the runner's refusals that need no device. Returns the options that differ
    from the task's reference (a batch size equal to the task's is the reference, so is no option)."""
    requested = dict(options or {})
    if "dtype" in requested:
        raise SubmissionRefused("configuration", "Give the dtype as the request's dtype, not as a run option.")
    try:
        chosen = check_requested(spec, {**requested, "dtype": dtype})
    except ConfigurationError as exc:
        raise SubmissionRefused("configuration", str(exc)) from None
    chosen.pop("dtype", None)
    if chosen.get("batch_size") == spec.batch_size:
        del chosen["batch_size"]
    return chosen


def check_reasoning_effort(spec: TaskSpec, effort: str | None) -> str | None:
    """Rule: an effort level only on the reasoning task, and one of ``REASONING_EFFORTS``; empty means
    none (the model's own default, if its template takes one). Whether the model's template takes an
    effort level is only known with the model: the runner refuses that when the request runs."""
    if not effort:
        return None
    if not spec.reasoning:
        raise SubmissionRefused(
            "reasoning_effort", f"An effort level applies to the reasoning task only, not {spec.display_name}."
        )
    if effort not in REASONING_EFFORTS:
        raise SubmissionRefused(
            "reasoning_effort", f"Choose an effort level among {', '.join(REASONING_EFFORTS)}, or none."
        )
    return effort


def check_revision_format(revision: str | None) -> str:
    """Rule: the revision is a plausible branch, tag or commit (default ``main``)."""
    text = (revision or "").strip()
    if not text:
        return "main"
    if len(text) > MAX_REVISION_CHARS or ".." in text or not _REVISION.match(text):
        raise SubmissionRefused(
            "revision", "The revision must be a branch, tag or commit sha (letters, digits, '.', '_', '-', '/')."
        )
    return text


def check_model_exists(client: HubClient, model_id: str) -> Any:
    """Rule: the Hub knows the model (a private model we cannot see looks the same: not found)."""
    try:
        info = client.model_info(model_id)
    except HubGatedError:
        raise SubmissionRefused(
            "gated", f"{model_id} is gated: only models anyone can download are benchmarked."
        ) from None
    except HubNotFoundError:
        raise SubmissionRefused(
            "model_exists",
            f"{model_id} was not found on the Hub (check the spelling; private models are not accepted).",
        ) from None
    if getattr(info, "disabled", False):
        raise SubmissionRefused("model_exists", f"{model_id} is disabled on the Hub.")
    return info


def check_model_public(info: Any) -> None:
    """Rule: the model is public (the worker and everyone else must be able to download it)."""
    if getattr(info, "private", False):
        raise SubmissionRefused("private", f"{info.id} is private: only public models are benchmarked.")


def check_model_not_gated(info: Any) -> None:
    """Rule: the model is not gated (``gated`` is False, or "auto"/"manual" for gated repos)."""
    if getattr(info, "gated", False):
        raise SubmissionRefused("gated", f"{info.id} is gated: only models anyone can download are benchmarked.")


def check_revision_resolves(client: HubClient, info: Any, revision: str) -> tuple[str, Any]:
    """Rule: the revision exists; returns its commit sha (what gets queued) and the model at it."""
    if revision != "main":
        try:
            info = client.model_info(info.id, revision=revision)
        except HubRevisionNotFoundError:
            raise SubmissionRefused("revision", f"{info.id} has no branch, tag or commit named {revision}.") from None
    sha = getattr(info, "sha", None)
    if not sha or not _SHA.match(sha):
        raise SubmissionRefused("revision", f"The Hub gave no commit sha for {info.id} at {revision}; try again.")
    return sha, info


def model_pipeline_tag(info: Any) -> str | None:
    """The model's task as the Hub sees it: its pipeline tag, else one implied by its architecture."""
    if getattr(info, "pipeline_tag", None):
        return info.pipeline_tag
    transformers_info = getattr(info, "transformers_info", None)
    if transformers_info is not None and getattr(transformers_info, "pipeline_tag", None):
        return transformers_info.pipeline_tag
    for architecture in (getattr(info, "config", None) or {}).get("architectures") or []:
        for suffix, tag in _ARCHITECTURE_TAGS.items():
            if architecture.endswith(suffix):
                return tag
    return None


def _is_diffusers(info: Any) -> bool:
    files = {s.rfilename for s in getattr(info, "siblings", None) or []}
    return getattr(info, "library_name", None) == "diffusers" or "model_index.json" in files


def check_task_fits(info: Any, spec: TaskSpec) -> str | None:
    """Rule: the model's pipeline tag (or architecture) is one the task accepts; diffusers
    pipelines for diffusers tasks, transformers models for the others."""
    tag = model_pipeline_tag(info)
    expected = " or ".join(spec.pipeline_tags)
    if spec.library == "diffusers" and not _is_diffusers(info):
        raise SubmissionRefused("task_fit", f"{info.id} is not a diffusers pipeline, which {spec.display_name} needs.")
    if spec.library != "diffusers" and _is_diffusers(info):
        raise SubmissionRefused(
            "task_fit", f"{info.id} is a diffusers pipeline; {spec.display_name} runs {spec.library} models."
        )
    if tag is None:
        if spec.library == "diffusers":
            return None
        raise SubmissionRefused(
            "task_fit",
            f"{info.id} has no pipeline tag or known architecture, so it cannot be matched to "
            f"{spec.display_name} ({expected}); add a pipeline_tag to its model card.",
        )
    if tag not in spec.pipeline_tags:
        raise SubmissionRefused(
            "task_fit", f"{info.id} is a {tag} model, which does not fit {spec.display_name} (expects {expected})."
        )
    return tag


def count_safetensors_params(client: HubClient, info: Any, spec: TaskSpec, sha: str) -> int:
    """The parameter count from the safetensors headers at ``sha`` (no weights downloaded)."""
    if spec.library == "diffusers":
        files = sorted(s.rfilename for s in info.siblings or [] if _DIFFUSERS_WEIGHTS.match(s.rfilename))
        if not files:
            raise HubNotSafetensorsError(f"{info.id} has no component safetensors")
        return sum(
            sum(client.safetensors_file_metadata(info.id, name, revision=sha).parameter_count.values())
            for name in files
        )
    return sum(client.safetensors_metadata(info.id, revision=sha).parameter_count.values())


def check_weights_and_size(client: HubClient, info: Any, spec: TaskSpec, sha: str) -> int:
    """Rule: safetensors weights whose metadata counts at most the task's ``max_params`` parameters."""
    try:
        params = count_safetensors_params(client, info, spec, sha)
    except HubGatedError:
        raise SubmissionRefused(
            "gated", f"{info.id} is gated: only models anyone can download are benchmarked."
        ) from None
    except HubNotSafetensorsError:
        raise SubmissionRefused(
            "safetensors", f"{info.id} has no safetensors weights: convert them (e.g. with the Hub's convert Space)."
        ) from None
    if params <= 0:
        raise SubmissionRefused("safetensors", f"The safetensors weights of {info.id} hold no parameters.")
    if params > spec.max_params:
        raise SubmissionRefused(
            "size",
            f"{info.id} has {format_params(params)} parameters, over the {format_params(spec.max_params)} "
            f"limit of {spec.display_name}.",
        )
    return params


def check_model_on_hub(client: HubClient, model_id: str, spec: TaskSpec, revision: str) -> tuple[str, str, int]:
    """Every rule that reads the Hub, in order (exists, public, not gated, the revision resolves,
    fits the task, safetensors within the size limit): the Hub's own id, the commit and the
    parameter count."""
    info = check_model_exists(client, model_id)
    check_model_public(info)
    check_model_not_gated(info)
    sha, info = check_revision_resolves(client, info, revision)
    check_task_fits(info, spec)
    params = check_weights_and_size(client, info, spec, sha)
    return getattr(info, "id", None) or model_id, sha, params


def check_not_duplicate(
    requests: Iterable[RequestRecord],
    model_id: str,
    spec: TaskSpec,
    sha: str,
    configuration_key: str = "reference",
    reasoning_effort: str | None = None,
) -> None:
    """Rule: no request for this model, task, commit, run configuration and effort level exists yet,
    whatever its status (each effort level is its own row on the board, so its own request; a request
    naming no level runs the default level, so it and one naming that level are the same)."""
    for request in requests:
        if (
            request.model_id.lower() == model_id.lower()
            and request.task == spec.key
            and request.revision == sha
            and request.configuration_key == configuration_key
            and same_reasoning_effort(request.reasoning_effort, reasoning_effort)
        ):
            status = request.status.value
            level = request.reasoning_effort or reasoning_effort
            effort = f" at {level} effort" if level else ""
            hint = " A maintainer can re-queue it." if status == "FAILED" else ""
            raise SubmissionRefused(
                "duplicate",
                f"{model_id} at {sha[:7]} is already requested for {spec.display_name}{effort} "
                f"(status {status}, request {request.request_id}).{hint}",
            )


def check_rate_limit(requests: Iterable[RequestRecord], username: str, now: datetime, per_day: int) -> None:
    """Rule: at most ``per_day`` submissions per user in any 24 hours."""
    since = now - timedelta(days=1)
    recent = [r for r in requests if r.submitter.lower() == username.lower() and r.submitted_at > since]
    if len(recent) >= per_day:
        next_slot = min(r.submitted_at for r in recent) + timedelta(days=1)
        raise SubmissionRefused(
            "rate_limit",
            f"{username} already submitted {len(recent)} models in the last 24 hours (limit {per_day}); "
            f"try again after {next_slot:%Y-%m-%d %H:%M} UTC.",
        )


# --- who may rerun: Hugging Face user names listed in $MAINTAINERS (comma separated) -----------------
# Both the Space's admin handlers and ``python -m benchmark requeue`` ask ``require_maintainer``; the check
# lives server-side, so hiding the admin panel is a convenience, not the protection.


class NotAuthorizedError(UserInputError, PermissionError):
    """The caller is anonymous or not a maintainer; the message says which."""


DEFAULT_SUBMISSIONS_PER_DAY = 5


def submissions_per_day() -> int:
    """How many submissions (models or uploaded runs) one user may make a day: ``SUBMISSIONS_PER_DAY``."""
    raw = os.environ.get("SUBMISSIONS_PER_DAY", "").strip()
    return int(raw) if raw else DEFAULT_SUBMISSIONS_PER_DAY


def maintainers(raw: str | None = None) -> frozenset[str]:
    """The configured maintainer user names, lower-cased (Hub user names are case-insensitive)."""
    raw = os.environ.get("MAINTAINERS", "") if raw is None else raw
    return frozenset(name.strip().lower() for name in raw.split(",") if name.strip())


def is_maintainer(username: str | None, allowed: frozenset[str] | None = None) -> bool:
    allowed = maintainers() if allowed is None else allowed
    return bool(username) and username.strip().lower() in allowed


def require_maintainer(username: str | None, allowed: frozenset[str] | None = None, action: str = "Reruns") -> str:
    """The user name if it belongs to a maintainer; ``NotAuthorizedError`` otherwise (its message names
    ``action``: "Reruns", "Reviews"...)."""
    if not username:
        raise NotAuthorizedError(f"{action} need a login: sign in with Hugging Face as a maintainer.")
    if not is_maintainer(username, allowed):
        raise NotAuthorizedError(f"{action} are for maintainers only, and {username} is not one.")
    return username
