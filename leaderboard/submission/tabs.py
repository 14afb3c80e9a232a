"""The Submit, Queue and Admin tabs. Call ``add_submission_tabs()`` inside the app's ``gr.Tabs()``.

The handlers here only unwrap the signed-in user (Gradio injects ``gr.OAuthProfile | None`` from
the session, never from the request's inputs) and delegate to plain functions tested directly.

Sign-in needs the Space's OAuth. Outside a Space, Gradio replaces ``gr.LoginButton`` with a mock
that, while the app is being built, reads the machine's HF login and calls ``whoami`` on the Hub,
so it fails offline and in CI. The button is therefore only added in a Space (or locally with
``LEADERBOARD_LOCAL_LOGIN=1``); without it every handler sees no user and refuses.

Local login is dangerous twice over: the mock signs in every visitor as the host, and Gradio signs
session cookies with a key derived from ``OAUTH_CLIENT_SECRET`` (empty off a Space), which anyone can
compute to forge a maintainer's session. So off a Space local login (1) only serves on a loopback
address and never through a share link (any way Gradio can be told to share: ``share=True``,
``GRADIO_SHARE``, or a hosted notebook, where it shares by itself), (2) answers only requests whose
``Host`` is a loopback name, so a web page on another site cannot reach it by DNS rebinding
(``guard_local_login`` wraps the app's ``launch`` for both), and (3) signs sessions with a random key
of this process (``use_private_session_key``).
"""

from __future__ import annotations

import functools
import ipaddress
import os
import secrets
from collections.abc import Callable
from typing import Any

import gradio as gr
import gradio.oauth

from benchmark.errors import UserInputError
from benchmark.hub_client import HubClient
from benchmark.queue.checks import maintainers
from benchmark.queue.request_record import RequestStatus
from benchmark.store import HubStore, Store, requests_store
from benchmark.tasks import TASK_KEYS, TASKS
from benchmark.uploads.review import ATTESTATIONS
from leaderboard.display import strings
from leaderboard.serving import WRITING_EVENT
from leaderboard.submission.admin import data_problems_message, requeue_message, run_queue_message
from leaderboard.submission.options import (
    EFFORT_FIELD,
    FIELD_NAMES,
    FIELDS,
    NUMBER,
    SWITCH,
    OptionField,
    effort_offered,
    form_effort,
    form_options,
    offered_options,
)
from leaderboard.submission.queue_view import queue_tables
from leaderboard.submission.submit import SubmissionSettings, submit_message
from leaderboard.submission.uploads import (
    approve_message,
    disputed_message,
    my_uploads_message,
    reject_message,
    reproduce_message,
    review_list_message,
    submit_run_message,
)
from leaderboard.tabs.context import PRIVATE_EVENT, PRIVATE_SLOW_EVENT, AppContext


class LocalLoginError(UserInputError):
    """Local login asked for on an address other machines can reach."""


def on_spaces() -> bool:
    """On a Space, decided as Gradio decides whether its login is real OAuth or the mocked one that signs
    every visitor in as the host (``gradio.utils.get_space``): ``SYSTEM=spaces`` *and* a ``SPACE_ID``."""
    return os.environ.get("SYSTEM") == "spaces" and bool(os.environ.get("SPACE_ID"))


def half_a_space() -> bool:
    """``SYSTEM=spaces`` without ``SPACE_ID``: Gradio would serve its mocked login, making visitors the host."""
    return os.environ.get("SYSTEM") == "spaces" and not os.environ.get("SPACE_ID")


def login_available() -> bool:
    """Whether ``gr.LoginButton`` can work here: in a Space, or locally when asked for."""
    return on_spaces() or half_a_space() or os.environ.get("LEADERBOARD_LOCAL_LOGIN") == "1"


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_login_on() -> bool:
    return not on_spaces() and os.environ.get("LEADERBOARD_LOCAL_LOGIN") == "1"


def sharing(share: bool | None) -> bool:
    """Whether Gradio's ``launch(share=share)`` opens a public share link: asked for, set by
    ``GRADIO_SHARE``, or chosen by Gradio itself in a hosted notebook (Colab, Kaggle...)."""
    if share is not None:
        return bool(share)
    from gradio import utils

    return os.environ.get("GRADIO_SHARE", "").lower() == "true" or utils.colab_check() or utils.is_hosted_notebook()


def check_local_login(server_name: str | None, share: bool | None = None) -> None:
    """Refuse (``LocalLoginError``, one line) to serve local login where others can reach it: on a
    non-loopback address or through a share link.

    Off a Space Gradio only has the mocked login, so OAuth credentials set here would not stop it
    from signing any visitor in as the host: loopback, unshared, is the only safe way to serve it."""
    if half_a_space():
        raise LocalLoginError(strings.HALF_A_SPACE)
    if not local_login_on():
        return
    if sharing(share):
        raise LocalLoginError(strings.LOCAL_LOGIN_SHARED)
    host = server_name or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
    if not is_loopback(host):
        raise LocalLoginError(strings.LOCAL_LOGIN_REFUSED.format(host=host))


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def loopback_host_middleware() -> Any:
    """Starlette's ``TrustedHostMiddleware`` for loopback names only: a request whose ``Host`` header
    names anything else (a rebinding domain that resolves to 127.0.0.1) gets 400, not the app."""
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    return Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_HOSTS))


def guard_local_login(demo: gr.Blocks) -> gr.Blocks:
    """Make ``demo.launch`` check its binding and sharing first (``check_local_login``) and, with local
    login on, answer loopback ``Host`` names only."""
    launch: Callable[..., Any] = demo.launch

    @functools.wraps(launch)
    def checked_launch(*args: Any, **kwargs: Any) -> Any:
        check_local_login(kwargs.get("server_name"), kwargs.get("share"))
        if local_login_on():
            app_kwargs = dict(kwargs.get("app_kwargs") or {})
            app_kwargs["middleware"] = [*app_kwargs.get("middleware", ()), loopback_host_middleware()]
            kwargs["app_kwargs"] = app_kwargs
        return launch(*args, **kwargs)

    demo.launch = checked_launch  # type: ignore[method-assign]
    return demo


def use_private_session_key() -> None:
    """Off a Space, sign session cookies with a random key of this process instead of Gradio's
    default (``sha256("-v4")``, public). Gradio reads ``gradio.oauth.OAUTH_CLIENT_SECRET`` when it
    installs the session middleware at launch. Sessions do not outlive a restart, which is fine for a
    local app."""
    if not on_spaces() and not gradio.oauth.OAUTH_CLIENT_SECRET:
        gradio.oauth.OAUTH_CLIENT_SECRET = secrets.token_urlsafe(32)


def username_of(profile: gr.OAuthProfile | None) -> str | None:
    return getattr(profile, "username", None) if profile is not None else None


def add_submission_tabs(
    store: Store | None = None,
    hub_client: HubClient | None = None,
    settings: SubmissionSettings | None = None,
    login: bool | None = None,
    live: Any = None,
    results: Store | None = None,
) -> None:
    """Create the Submit, Queue and Admin tabs in the current ``gr.Blocks``/``gr.Tabs`` context.

    ``login`` adds the sign-in button (default: ``login_available()``); ``live`` (the app's
    ``LiveData``) lets maintainers read the full text of a failed load in the Admin tab and see disputed
    entries; ``results`` is the results store uploaded runs go to (default: ``live``'s store; none, or the
    bundled snapshot, refuses uploads).
    """
    if results is None and live is not None:
        results = live.store
    login = login_available() if login is None else login
    if login:
        check_local_login(None)  # Gradio sets the login up when the Blocks closes, before any launch
        use_private_session_key()
    store = store or requests_store()
    client = hub_client or (store.client if isinstance(store, HubStore) else HubClient())
    settings = settings or SubmissionSettings.from_env()
    task_choices = [(TASKS[key].display_name, key) for key in TASK_KEYS]

    # One parameter per run option, in ``options.FIELD_NAMES`` order, then the effort level (Gradio
    # injects the profile only into a positional parameter, so the options cannot be ``*values``).
    def on_submit(
        model_id: str, task: str, revision: str, dtype: str, batch_size: str | float | None, attn_implementation: str,
        torch_compile: bool, quantization: str, zero_shot: bool, engine: str, max_num_seqs: str | float | None,
        reasoning_effort: str, profile: gr.OAuthProfile | None,
    ) -> str:
        values = dict(zip(FIELD_NAMES, (dtype, batch_size, attn_implementation, torch_compile, quantization,
                                        zero_shot, engine, max_num_seqs), strict=True))
        clean_dtype, configuration = form_options(values)
        return submit_message(
            store,
            client,
            username=username_of(profile),
            model_id=model_id,
            task=task,
            revision=revision,
            dtype=clean_dtype,
            configuration=configuration,
            reasoning_effort=form_effort(reasoning_effort),
            settings=settings,
        )

    def on_refresh() -> tuple:
        tables = queue_tables(store)
        return tuple(tables[status] for status in RequestStatus)

    def on_requeue(action: str, model_id: str, task: str, profile: gr.OAuthProfile | None) -> str:
        return requeue_message(store, username_of(profile), action, model_id, task or None)

    def on_run_queue(flavor: str, workers: float, profile: gr.OAuthProfile | None) -> str:
        return run_queue_message(store, client, username_of(profile), flavor, int(workers or 0))

    def on_data_problems(profile: gr.OAuthProfile | None) -> str:
        current = live.current if live is not None else None
        return data_problems_message(
            username_of(profile), getattr(live, "last_error", None), current.problems if current else ()
        )

    def on_submit_run(zip_path: str | None, made: list[str] | None, profile: gr.OAuthProfile | None) -> str:
        return submit_run_message(results, username_of(profile), zip_path, made, settings.submissions_per_day)

    def on_my_uploads(profile: gr.OAuthProfile | None) -> str:
        return my_uploads_message(results, username_of(profile))

    def on_review_list(profile: gr.OAuthProfile | None) -> str:
        return review_list_message(results, username_of(profile))

    def on_approve(upload_id: str, profile: gr.OAuthProfile | None) -> str:
        answer = approve_message(results, username_of(profile), upload_id)
        if live is not None and answer.startswith("✅"):
            live.refresh(force=True)  # the approved run is on the boards at once, not at the next refresh
        return answer

    def on_reject(upload_id: str, reason: str, profile: gr.OAuthProfile | None) -> str:
        return reject_message(results, username_of(profile), upload_id, reason)

    def on_reproduce(run_id: str, profile: gr.OAuthProfile | None) -> str:
        return reproduce_message(results, store, username_of(profile), run_id)

    def on_disputed(profile: gr.OAuthProfile | None) -> str:
        if live is None:
            return strings.NO_DISPUTED
        return disputed_message(username_of(profile), live.current)

    with gr.Tab("Submit", id="submit", elem_id="tab-submit"):
        gr.Markdown(strings.SUBMIT_TEXT.format(per_day=settings.submissions_per_day))
        if login:
            gr.LoginButton()
        else:
            gr.Markdown(strings.NO_LOGIN_TEXT)
        with gr.Row():
            model_box = gr.Textbox(label="Model id", placeholder="owner/name", max_lines=1, scale=2)
            task_box = gr.Dropdown(choices=task_choices, value=TASK_KEYS[0], label="Task")
        with gr.Row():
            revision_box = gr.Textbox(label="Revision (branch, tag or commit)", placeholder="main", max_lines=1)
            effort_box = _option_box(EFFORT_FIELD, effort_offered(TASK_KEYS[0]))
        with gr.Accordion(strings.RUN_OPTIONS_LABEL, open=False, elem_id="submit-options"):
            gr.Markdown(strings.RUN_OPTIONS_HELP)
            with gr.Row():
                option_boxes = [_option_box(field, field.name in offered_options(TASK_KEYS[0])) for field in FIELDS]
        submit_button = gr.Button("Submit", variant="primary")
        submit_answer = gr.Markdown()
        # Private like the app's other UI handlers; the handler's own checks are the protection.
        submit_button.click(
            on_submit, [model_box, task_box, revision_box, *option_boxes, effort_box], submit_answer,
            **PRIVATE_SLOW_EVENT,
        )
        task_box.change(on_task_change, [task_box], [*option_boxes, effort_box], **PRIVATE_EVENT)

        gr.Markdown(strings.SUBMIT_RUN_TEXT.format(per_day=settings.submissions_per_day))
        run_zip = gr.File(label="Run folder (zip)", file_types=[".zip"], type="filepath", elem_id="submit-run-zip")
        statements_box = gr.CheckboxGroup(choices=list(ATTESTATIONS), label="I state that", elem_id="submit-run-attest")
        with gr.Row():
            submit_run_button = gr.Button("Submit the run", variant="primary")
            my_uploads_button = gr.Button("My uploads", size="sm")
        submit_run_answer = gr.Markdown(elem_id="submit-run-answer")
        # Public (``/submit_run``) so a run can be uploaded from a script with gradio_client; the login,
        # the statements, the daily limit and every check of the evidence are the handler's.
        submit_run_button.click(on_submit_run, [run_zip, statements_box], submit_run_answer, api_name="submit_run",
                                show_progress="full", **WRITING_EVENT)
        my_uploads_button.click(on_my_uploads, None, submit_run_answer, **PRIVATE_SLOW_EVENT)

    with gr.Tab("Queue", id="queue", elem_id="tab-queue") as queue_tab:
        refresh_button = gr.Button("Refresh", size="sm")
        frames = []
        for status in RequestStatus:
            gr.Markdown(f"#### {status.value.capitalize()}")
            frames.append(gr.Dataframe(interactive=False, wrap=True, max_height=320))
        refresh_button.click(on_refresh, None, frames, **PRIVATE_SLOW_EVENT)
        queue_tab.select(on_refresh, None, frames, **PRIVATE_SLOW_EVENT)

    with gr.Tab("Admin", id="admin", elem_id="tab-admin"):
        gr.Markdown(strings.ADMIN_TEXT)
        if login:
            gr.LoginButton()
        if not maintainers():
            gr.Markdown(strings.NO_MAINTAINERS_TEXT)
        with gr.Row():
            action_box = gr.Radio(choices=list(strings.RERUN_ACTIONS), value=strings.RERUN_ONE_MODEL, label="Rerun")
            admin_model_box = gr.Textbox(label="Model id (for one model)", placeholder="owner/name", max_lines=1)
            admin_task_box = gr.Dropdown(
                choices=[("Any task (failed only)", ""), *task_choices], value="", label="Task"
            )
        requeue_button = gr.Button("Requeue", variant="stop")
        requeue_answer = gr.Markdown()
        requeue_button.click(
            on_requeue, [action_box, admin_model_box, admin_task_box], requeue_answer, **PRIVATE_SLOW_EVENT
        )
        gr.Markdown(strings.RUN_QUEUE_TEXT)
        with gr.Row():
            flavor_box = gr.Dropdown(choices=list(strings.JOB_FLAVORS), value=strings.JOB_FLAVORS[0], label="GPU")
            workers_box = gr.Number(value=1, minimum=1, maximum=16, precision=0, label="GPUs (jobs)")
        run_queue_button = gr.Button("Run the queue on N GPUs", variant="stop")
        run_queue_answer = gr.Markdown()
        run_queue_button.click(on_run_queue, [flavor_box, workers_box], run_queue_answer, **PRIVATE_SLOW_EVENT)
        gr.Markdown(strings.DATA_PROBLEMS_TEXT)
        problems_button = gr.Button("Show what the last load dropped or failed on", size="sm")
        problems_answer = gr.Markdown(elem_id="admin-data-problems")
        problems_button.click(on_data_problems, None, problems_answer, **PRIVATE_EVENT)
        gr.Markdown(strings.REVIEW_TEXT)
        review_button = gr.Button("Show the uploads waiting for review", size="sm")
        with gr.Row():
            upload_box = gr.Textbox(label="Upload id", placeholder="u20261204T101500-1a2b3c4d", max_lines=1)
            reason_box = gr.Textbox(label="Reason (to reject)", max_lines=2)
        with gr.Row():
            approve_button = gr.Button("Approve: publish as self-reported", variant="stop")
            reject_button = gr.Button("Reject")
        review_answer = gr.Markdown(elem_id="admin-review")
        review_button.click(on_review_list, None, review_answer, **PRIVATE_SLOW_EVENT)
        approve_button.click(on_approve, [upload_box], review_answer, **PRIVATE_SLOW_EVENT)
        reject_button.click(on_reject, [upload_box, reason_box], review_answer, **PRIVATE_SLOW_EVENT)
        with gr.Row():
            reproduce_box = gr.Textbox(label="Run id of the entry to reproduce", max_lines=1)
            reproduce_button = gr.Button("Queue a reproduction", variant="stop")
            disputed_button = gr.Button("Show disputed entries", size="sm")
        reproduce_answer = gr.Markdown(elem_id="admin-reproduce")
        reproduce_button.click(on_reproduce, [reproduce_box], reproduce_answer, **PRIVATE_SLOW_EVENT)
        disputed_button.click(on_disputed, None, reproduce_answer, **PRIVATE_EVENT)


def _option_box(field: OptionField, visible: bool) -> Any:
    """The widget of one run option, at the reference (its default value)."""
    common = {"label": field.label, "info": field.info, "visible": visible, "elem_id": f"submit-{field.name}"}
    if field.kind == SWITCH:
        return gr.Checkbox(value=field.default, **common)
    if field.kind == NUMBER:  # a text box: empty is the task's value (a Number box opened at an invalid 0)
        return gr.Textbox(value="", placeholder="the task's", max_lines=1, **common)
    return gr.Dropdown(choices=list(field.choices), value=field.default, **common)


def on_task_change(task: str) -> list[Any]:
    """The run options of the newly chosen task, shown and reset to its reference, the others hidden;
    then the effort level, shown (at none) for the reasoning task only."""
    offered = offered_options(task)
    options = [gr.update(visible=field.name in offered, value=field.default) for field in FIELDS]
    return [*options, gr.update(visible=effort_offered(task), value=EFFORT_FIELD.default)]


def build_submission_tabs(ctx: AppContext) -> None:
    """The app's tab-builder form (``leaderboard.app.tab_builders``): the requests store of the app
    context (``ctx.requests``), settings from the environment (``SUBMISSIONS_PER_DAY``, ``MAINTAINERS``)."""
    add_submission_tabs(store=ctx.requests, live=ctx.live)
