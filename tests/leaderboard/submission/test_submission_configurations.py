"""Submissions carry a run configuration: the form offers the chosen task's options at the reference,
the request records them checked by the runner's device-free rules (a refusal writes nothing), the
same model at another configuration is not a duplicate, the Queue tab shows the key, and the worker's
run receives it."""

from __future__ import annotations

import inspect
from datetime import timedelta

import gradio as gr
import pytest

from benchmark.hub_client import HubClient
from benchmark.queue.checks import SubmissionRefused
from benchmark.queue.operations import read_requests
from benchmark.queue.request_record import RequestStatus
from benchmark.queue.steps import RunOutcome, WorkerConfig
from benchmark.queue.worker import Worker
from benchmark.store import LocalStore
from leaderboard.submission.options import (
    EFFORT_FIELD,
    FIELD_NAMES,
    REFERENCE_CHOICE,
    form_effort,
    form_options,
    offered_options,
)
from leaderboard.submission.queue_view import queue_tables
from leaderboard.submission.submit import SubmissionSettings, submit_message, submit_request
from leaderboard.submission.tabs import add_submission_tabs, on_task_change
from tests.support.doubles.hub_double import FakeHfApi
from tests.support.queue_helpers import T0, tree_digest

SETTINGS = SubmissionSettings(submissions_per_day=50)
NOW = T0 + timedelta(hours=1)
TC = "text_classification"


@pytest.fixture
def hub() -> FakeHfApi:
    api = FakeHfApi()
    api.add_model("org/good", params=110_000_000)
    return api


@pytest.fixture
def client(hub) -> HubClient:
    return HubClient(api=hub, token="hf_test_token")


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "queue")


def submit(store, client, task=TC, dtype=None, **configuration):
    return submit_request(store, client, username="alice", model_id="org/good", task=task, dtype=dtype,
                          configuration=configuration, settings=SETTINGS, now=NOW)


def test_the_form_offers_each_tasks_own_options_and_resets_them_to_the_reference_on_a_task_change():
    # every option but the serving engine's (language models only), zero-shot prompting included
    assert offered_options(TC) == tuple(name for name in FIELD_NAMES if name not in ("engine", "max_num_seqs"))
    assert "zero_shot" not in offered_options("text_generation")
    assert {"engine", "max_num_seqs"} <= set(offered_options("text_generation"))
    assert offered_options("text_to_image") == ("dtype", "batch_size")
    updates = dict(zip(FIELD_NAMES, on_task_change("text_to_image")[:-1], strict=True))  # the last: the effort
    assert {name: update["visible"] for name, update in updates.items()} == {
        "dtype": True, "batch_size": True, "attn_implementation": False, "torch_compile": False,
        "quantization": False, "zero_shot": False, "engine": False, "max_num_seqs": False,
    }
    assert {name: update["value"] for name, update in updates.items()} == {
        "dtype": "", "batch_size": "", "attn_implementation": "", "torch_compile": False,
        "quantization": "", "zero_shot": False, "engine": "", "max_num_seqs": "",
    }
    assert on_task_change(TC)[FIELD_NAMES.index("zero_shot")]["visible"] is True


def test_the_submit_handler_takes_every_option_in_field_order_and_the_form_starts_at_the_reference(store):
    with gr.Blocks() as demo, gr.Tabs():
        add_submission_tabs(store=store, hub_client=object(), login=False)
    handler = next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "on_submit")
    names = list(inspect.signature(handler).parameters)
    assert tuple(names[3:-2]) == FIELD_NAMES and names[-2:] == ["reasoning_effort", "profile"]
    boxes = {getattr(b, "elem_id", None): b for b in demo.blocks.values()}
    # every box opens valid: the batch size empty (the task's own), never an invalid 0
    assert boxes["submit-attn_implementation"].value == "" and boxes["submit-batch_size"].value == ""
    assert boxes["submit-attn_implementation"].choices[0] == (REFERENCE_CHOICE, "")


def test_form_values_become_the_requests_options_and_empty_ones_the_reference():
    assert form_options({"batch_size": " 8 "})[1] == {"batch_size": 8}  # typed in the text box
    assert form_options({"batch_size": "eight"})[1] == {"batch_size": "eight"}  # for the rule to refuse in words
    values = {"dtype": "", "batch_size": 8.0, "attn_implementation": "sdpa", "torch_compile": False,
              "quantization": "", "zero_shot": True}
    assert form_options(values) == (None, {"batch_size": 8, "attn_implementation": "sdpa", "zero_shot": True})
    assert form_options({"dtype": "bfloat16"}) == ("bfloat16", {})


def test_a_batch_size_8_submission_records_it_and_is_not_a_duplicate_of_the_reference(store, client):
    reference = submit(store, client)
    message = submit_message(store, client, username="alice", model_id="org/good", task=TC, configuration={
        "batch_size": 8}, settings=SETTINGS, now=NOW)

    assert message.startswith("✅ Queued org/good") and "configuration batch_size=8)" in message
    saved = sorted(read_requests(store).values(), key=lambda r: r.configuration_key)
    assert [(r.configuration, r.configuration_key, r.status) for r in saved] == [
        ({"batch_size": 8}, "batch_size=8", RequestStatus.PENDING), (None, "reference", RequestStatus.PENDING),
    ]
    assert saved[1].request_id == reference.request_id
    before = tree_digest(store.root)
    with pytest.raises(SubmissionRefused, match="already requested") as refused:
        submit(store, client, batch_size=8)
    assert refused.value.rule == "duplicate" and tree_digest(store.root) == before


def test_the_tasks_own_values_asked_for_explicitly_are_the_reference_and_so_a_duplicate(store, client):
    submit(store, client)
    before = tree_digest(store.root)
    for options in ({"batch_size": 1}, {"dtype": "float32"}):  # text classification runs batch 1, float32
        with pytest.raises(SubmissionRefused, match="already requested"):
            submit(store, client, **options)
    assert tree_digest(store.root) == before


@pytest.mark.parametrize(
    ("task", "options", "words"),
    [
        (TC, {"warp_speed": True}, "unknown run option 'warp_speed'"),
        ("text_to_image", {"zero_shot": True}, "--zero-shot: task text_to_image does not admit this option"),
        ("text_generation", {"quantization": "int3"}, "--quantization: unknown value 'int3'"),
        (TC, {"attn_implementation": "magic"}, "--attn-implementation: unknown value 'magic'"),
        (TC, {"batch_size": 0}, "--batch-size: must be a positive integer, got 0"),
        (TC, {"batch_size": 2.5}, "--batch-size: must be a positive integer, got 2.5"),
        (TC, {"dtype": "bfloat16"}, "Give the dtype as the request's dtype"),
    ],
    ids=["unknown-option", "not-admitted", "bad-quantization", "bad-attention", "zero-batch", "fractional-batch",
         "dtype-as-option"],
)
def test_a_refused_run_option_is_one_line_naming_it_and_leaves_the_queue_unchanged(
    store, client, hub, task, options, words
):
    hub.add_model("org/sd", pipeline_tag="text-to-image", library_name="diffusers", other_files=("model_index.json",),
                  weights={"unet/diffusion_pytorch_model.safetensors": {"F32": 1_000_000}})
    hub.add_model("org/chat", pipeline_tag="text-generation")
    model = {"text_to_image": "org/sd", "text_generation": "org/chat"}.get(task, "org/good")
    submit(store, client)  # something in the queue already
    before = tree_digest(store.root)

    message = submit_message(store, client, username="alice", model_id=model, task=task, configuration=options,
                             settings=SETTINGS, now=NOW)

    assert message.startswith("❌ ") and words in message and "\n" not in message
    assert tree_digest(store.root) == before


def test_the_queue_tab_shows_each_requests_configuration_key(store, client):
    submit(store, client)
    submit(store, client, batch_size=8, attn_implementation="sdpa")
    pending = queue_tables(store, now=NOW)[RequestStatus.PENDING]
    assert sorted(pending["Configuration"]) == ["batch_size=8+attn=sdpa", "reference"]
    assert list(pending.columns[:5]) == ["Model", "Task", "Configuration", "Steps", "Revision"]


def test_the_worker_runs_a_submitted_configuration(store, client, tmp_path):
    submitted = submit(store, client, batch_size=8, zero_shot=True)
    received = []

    def fake_run(request, context):
        received.append((request.request_id, request.configuration, request.configuration_key))
        return RunOutcome(run_id="run-b8")

    def fake_quality(request, context, run_id):
        received.append(("quality after", run_id))
        return RunOutcome(run_id="quality-b8")

    config = WorkerConfig(device="cpu", worker_id="w", output_dir=tmp_path, results=LocalStore(tmp_path / "results"))
    final = Worker(store, fake_run, config, quality_fn=fake_quality).process_one()

    assert submitted.steps == ["energy", "quality"]  # a task with a quality benchmark: both by default
    assert received == [(submitted.request_id, {"batch_size": 8, "zero_shot": True}, "batch_size=8+zero_shot"),
                        ("quality after", "run-b8")]
    assert final.status is RequestStatus.COMPLETED and final.configuration == {"batch_size": 8, "zero_shot": True}
    assert (final.run_id, final.quality_id, final.quality_error) == ("run-b8", "quality-b8", None)


# --- the reasoning task's effort level (issue 12 with issue 10's configurations) ---------------------


def submit_effort(store, client, effort, task="reasoning", model="org/thinker"):
    return submit_message(store, client, username="alice", model_id=model, task=task, reasoning_effort=effort,
                          settings=SETTINGS, now=NOW)


@pytest.fixture
def thinker(hub) -> HubClient:
    hub.add_model("org/thinker", pipeline_tag="text-generation", params=20_000_000)
    return HubClient(api=hub, token="hf_test_token")


def test_the_effort_level_is_offered_at_none_for_the_reasoning_task_only(store):
    assert EFFORT_FIELD.choices == (("none", ""), ("low", "low"), ("medium", "medium"), ("high", "high"))
    assert "gpt-oss" in EFFORT_FIELD.info
    assert (on_task_change("reasoning")[-1]["visible"], on_task_change("reasoning")[-1]["value"]) == (True, "")
    assert on_task_change("text_generation")[-1]["visible"] is False
    assert form_effort("") is None and form_effort("high") == "high"
    with gr.Blocks() as demo, gr.Tabs():
        add_submission_tabs(store=store, hub_client=object(), login=False)
    box = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "submit-reasoning_effort")
    assert (box.value, box.visible, box.label) == ("", False, "Effort level")  # the first task is not reasoning


def test_each_effort_level_is_its_own_request_and_the_same_level_twice_is_a_duplicate(store, thinker):
    answers = [submit_effort(store, thinker, effort) for effort in (None, "low", "high")]

    assert all(answer.startswith("✅ Queued org/thinker") for answer in answers)
    assert "effort" not in answers[0] and "20.0M parameters, effort high): request " in answers[2]
    saved = read_requests(store).values()
    assert sorted((r.reasoning_effort or "", r.configuration_key) for r in saved) == [
        ("", "reference"), ("high", "reference"), ("low", "reference")]
    before = tree_digest(store.root)
    answer = submit_effort(store, thinker, "high")
    assert answer.startswith("❌ ") and "already requested for Reasoning at high effort" in answer
    assert tree_digest(store.root) == before


@pytest.mark.parametrize(
    ("task", "effort", "words"),
    [
        ("text_generation", "high", "An effort level applies to the reasoning task only, not Text Generation."),
        ("reasoning", "extreme", "Choose an effort level among low, medium, high, or none."),
    ],
    ids=["other-task", "unknown-level"],
)
def test_an_effort_on_another_task_or_an_unknown_level_is_one_line_and_leaves_the_queue_unchanged(
    store, thinker, task, effort, words
):
    submit_effort(store, thinker, None)  # something in the queue already
    before = tree_digest(store.root)

    answer = submit_effort(store, thinker, effort, task=task)

    assert answer == f"❌ {words}"
    assert tree_digest(store.root) == before
    with pytest.raises(SubmissionRefused) as refused:
        submit_request(store, thinker, username="alice", model_id="org/thinker", task=task, reasoning_effort=effort,
                       settings=SETTINGS, now=NOW)
    assert refused.value.rule == "reasoning_effort" and tree_digest(store.root) == before


def test_the_queue_tab_shows_the_effort_next_to_the_configuration(store, thinker):
    submit_effort(store, thinker, "high")
    submit_effort(store, thinker, None)
    pending = queue_tables(store, now=NOW)[RequestStatus.PENDING]
    assert sorted(pending["Configuration"]) == ["reference", "reference · effort high"]


def test_the_worker_hands_a_submitted_effort_level_to_its_run(store, thinker, tmp_path):
    submit_effort(store, thinker, "low")
    received = []

    def fake_run(request, context):
        received.append((request.task, request.reasoning_effort, request.run_label))
        return RunOutcome(run_id="run-low")

    final = Worker(store, fake_run, WorkerConfig(device="cpu", worker_id="w", output_dir=tmp_path)).process_one()

    assert received == [("reasoning", "low", "reference · effort low")]
    assert final.status is RequestStatus.COMPLETED and final.reasoning_effort == "low"
