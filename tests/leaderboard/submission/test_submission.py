"""The submission check: every bad submission refused by its own rule with nothing written; good
ones queued as exactly one PENDING request pinned to a commit, also under concurrency."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from benchmark.hub_client import HubClient
from benchmark.queue.checks import SubmissionRefused
from benchmark.queue.operations import read_requests
from benchmark.queue.request_record import RequestRecord, RequestStatus
from benchmark.store import LocalStore
from leaderboard.submission.submit import SubmissionSettings, submit_message, submit_request
from tests.support.doubles.hub_double import FakeHfApi
from tests.support.queue_helpers import (
    REQUESTS_REPO,
    T0,
    LatentLocalStore,
    fake_hub_store,
    hub_digest,
    make_request,
    seed,
    tree_digest,
)

SETTINGS = SubmissionSettings(submissions_per_day=5)
NOW = T0 + timedelta(hours=1)


@pytest.fixture
def hub() -> FakeHfApi:
    api = FakeHfApi()
    api.add_model("org/good", params=110_000_000, branches=("v1",))
    api.add_model("org/dup", params=5_000_000)
    api.add_model("org/failed-before", params=5_000_000)
    api.add_model("org/gated", gated="manual")
    api.add_model("org/hidden", private=True)
    api.add_model("org/mine-private", private=True)
    api.authorized.add("org/mine-private")
    api.add_model("org/bin-only", params=None)
    api.add_model("org/huge", params=25_000_000_000)
    api.add_model("org/chat", pipeline_tag="text-generation")
    api.add_model("org/untagged", pipeline_tag=None)
    api.add_model(
        "org/sd", pipeline_tag="text-to-image", library_name="diffusers", other_files=("model_index.json",),
        weights={"unet/diffusion_pytorch_model.safetensors": {"F32": 800_000_000},
                 "unet/diffusion_pytorch_model.fp16.safetensors": {"F16": 800_000_000},
                 "vae/diffusion_pytorch_model.safetensors": {"F32": 80_000_000},
                 "text_encoder/model.safetensors": {"F32": 120_000_000}},
    )
    api.add_model("org/sd-bin", pipeline_tag="text-to-image", library_name="diffusers",
                  weights={}, other_files=("model_index.json", "unet/diffusion_pytorch_model.bin"))
    api.add_model("org/arch", pipeline_tag=None, architectures=["BertForSequenceClassification"])
    api.add_model("org/sharded", pipeline_tag="text-generation", params={"BF16": 7_000_000_000}, sharded=True)
    return api


@pytest.fixture
def client(hub: FakeHfApi) -> HubClient:
    return HubClient(api=hub, token="hf_test_token")


@pytest.fixture
def store(tmp_path, hub: FakeHfApi) -> LocalStore:
    local = LocalStore(tmp_path / "queue")
    dup_sha = hub.models["org/dup"].revisions["main"]
    failed_sha = hub.models["org/failed-before"].revisions["main"]
    seed(local, [
        make_request("org/dup", revision=dup_sha, status=RequestStatus.RUNNING, submitter="bob"),
        make_request("org/failed-before", revision=failed_sha, status=RequestStatus.FAILED, error="CUDA OOM"),
        *[make_request(f"org/spam{i}", submitter="spammer", submitted_at=NOW - timedelta(hours=i + 1))
          for i in range(5)],
    ])
    return local


LONG_NAME = "a" * 97

# (case id, user, model id, task, revision, dtype) -> (rule, words the message must hold)
BAD_SUBMISSIONS = [
    ("no-login", None, "org/good", "text_classification", "", "", "login", "Sign in"),
    ("empty-id", "alice", "", "text_classification", "", "", "model_id", "owner/name"),
    ("no-owner", "alice", "bert-base-uncased", "text_classification", "", "", "model_id", "needs its owner"),
    ("two-slashes", "alice", "org/name/extra", "text_classification", "", "", "model_id", "exactly one '/'"),
    ("leading-slash", "alice", "/name", "text_classification", "", "", "model_id", "both an owner and a name"),
    ("trailing-slash", "alice", "org/", "text_classification", "", "", "model_id", "both an owner and a name"),
    ("path-traversal", "alice", "../../etc/passwd", "text_classification", "", "", "model_id", "'..'"),
    ("dotdot-name", "alice", "org/..", "text_classification", "", "", "model_id", "'..'"),
    ("inner-space", "alice", "org/my model", "text_classification", "", "", "model_id", "spaces"),
    ("newline", "alice", "org/na\nme", "text_classification", "", "", "model_id", "line breaks"),
    ("url", "alice", "https://huggingface.co/org/good", "text_classification", "", "", "model_id", "not a URL"),
    ("bare-hub-url", "alice", "huggingface.co/org/good", "text_classification", "", "", "model_id", "not a URL"),
    ("script-tag", "alice", "<script>alert(1)</script>", "text_classification", "", "", "model_id", "HTML"),
    ("html-in-name", "alice", 'org/<img src=x onerror="alert(1)">', "text_classification", "", "", "model_id",
     "HTML"),
    ("shell-chars", "alice", "org/na$me;rm", "text_classification", "", "", "model_id", "only use ASCII"),
    ("non-ascii", "alice", "org/mödel", "text_classification", "", "", "model_id", "only use ASCII"),
    ("backslash", "alice", "org\\name", "text_classification", "", "", "model_id", "needs its owner"),
    ("too-long", "alice", f"org/{LONG_NAME}", "text_classification", "", "", "model_id", "at most 96"),
    ("double-dash", "alice", "org/na--me", "text_classification", "", "", "model_id", "'--'"),
    ("bad-edge", "alice", "org/-name", "text_classification", "", "", "model_id", "start and end"),
    ("dot-git", "alice", "org/name.git", "text_classification", "", "", "model_id", ".git"),
    ("unknown-task", "alice", "org/good", "poetry", "", "", "task", "Choose one of"),
    ("bad-dtype", "alice", "org/good", "text_classification", "", "int4", "dtype", "float16"),
    ("bad-revision-format", "alice", "org/good", "text_classification", "main branch", "", "revision",
     "branch, tag or commit"),
    ("missing-model", "alice", "org/missing", "text_classification", "", "", "model_exists", "not found"),
    ("private-unseen", "alice", "org/hidden", "text_classification", "", "", "model_exists", "not found"),
    ("private-visible", "alice", "org/mine-private", "text_classification", "", "", "private", "is private"),
    ("gated", "alice", "org/gated", "text_classification", "", "", "gated", "is gated"),
    ("unknown-revision", "alice", "org/good", "text_classification", "nope", "", "revision", "no branch"),
    ("no-safetensors", "alice", "org/bin-only", "text_classification", "", "", "safetensors", "no safetensors"),
    ("diffusers-no-safetensors", "alice", "org/sd-bin", "text_to_image", "", "", "safetensors", "no safetensors"),
    ("too-large", "alice", "org/huge", "text_classification", "", "", "size", "25.0B parameters, over the 20.0B"),
    ("wrong-task", "alice", "org/chat", "text_classification", "", "", "task_fit", "text-generation model"),
    ("no-pipeline-tag", "alice", "org/untagged", "text_classification", "", "", "task_fit", "no pipeline tag"),
    ("diffusers-for-transformers-task", "alice", "org/sd", "text_classification", "", "", "task_fit",
     "diffusers pipeline"),
    ("transformers-for-diffusers-task", "alice", "org/good", "text_to_image", "", "", "task_fit",
     "not a diffusers pipeline"),
    ("duplicate-running", "alice", "org/dup", "text_classification", "", "", "duplicate", "status RUNNING"),
    ("duplicate-failed", "alice", "org/failed-before", "text_classification", "", "", "duplicate",
     "status FAILED"),
    ("over-rate-limit", "spammer", "org/good", "text_classification", "", "", "rate_limit", "limit 5"),
]


@pytest.mark.parametrize(
    ("user", "model_id", "task", "revision", "dtype", "rule", "words"),
    [case[1:] for case in BAD_SUBMISSIONS],
    ids=[case[0] for case in BAD_SUBMISSIONS],
)
def test_bad_submission_is_refused_by_its_rule_and_writes_nothing(
    store, client, hub, user, model_id, task, revision, dtype, rule, words
):
    before = tree_digest(store.root)
    commits_before = hub.calls.count("create_commit")

    with pytest.raises(SubmissionRefused) as refused:
        submit_request(store, client, username=user, model_id=model_id, task=task, revision=revision,
                       dtype=dtype, settings=SETTINGS, now=NOW)

    assert refused.value.rule == rule
    assert words in refused.value.message
    assert "\n" not in refused.value.message and "<" not in refused.value.message
    assert tree_digest(store.root) == before
    assert hub.calls.count("create_commit") == commits_before


def test_every_rule_in_the_table_answers_with_its_own_sentence(store, client):
    messages = {}
    for _case, user, model_id, task, revision, dtype, rule, _ in BAD_SUBMISSIONS:
        try:
            submit_request(store, client, username=user, model_id=model_id, task=task, revision=revision,
                           dtype=dtype, settings=SETTINGS, now=NOW)
        except SubmissionRefused as refused:
            messages.setdefault(rule, set()).add(refused.message)
    assert set(messages) == {  # every rule of the check is exercised
        "login", "model_id", "task", "dtype", "revision", "model_exists", "private", "gated", "safetensors",
        "size", "task_fit", "duplicate", "rate_limit",
    }
    all_messages = [m for group in messages.values() for m in group]
    assert len(set(all_messages)) == len(all_messages)
    for rule, group in messages.items():
        others = {m for r, g in messages.items() if r != rule for m in g}
        assert not group & others


def test_good_submission_queues_one_pending_request_pinned_to_the_revision_sha(store, client, hub):
    before = set(store.list("requests/"))

    request = submit_request(store, client, username="carol", model_id="org/good", task="text_classification",
                             revision="v1", dtype="float16", settings=SETTINGS, now=NOW)

    new_files = set(store.list("requests/")) - before
    assert new_files == {f"requests/{request.request_id}.json"}
    saved = RequestRecord.from_json(store.read(new_files.pop()))
    assert saved.status is RequestStatus.PENDING
    assert saved.model_id == "org/good"
    assert saved.revision == hub.models["org/good"].revisions["v1"] != hub.models["org/good"].revisions["main"]
    assert saved.revision_requested == "v1"
    assert (saved.task, saved.dtype, saved.params) == ("text_classification", "float16", 110_000_000)
    assert (saved.submitter, saved.submitted_at, saved.attempts) == ("carol", NOW, 0)
    assert saved.lease_expires_at is None and saved.worker_id is None
    assert [h.action for h in saved.history] == ["submitted"]


def test_diffusers_pipeline_is_sized_from_its_component_safetensors_without_variants(store, client):
    request = submit_request(store, client, username="carol", model_id="org/sd", task="text_to_image",
                             settings=SETTINGS, now=NOW)
    assert request.params == 800_000_000 + 80_000_000 + 120_000_000


def test_sharded_safetensors_params_are_summed_over_shards(store, client):
    request = submit_request(store, client, username="carol", model_id="org/sharded", task="text_generation",
                             settings=SETTINGS, now=NOW)
    assert request.params == 7_000_000_000


def test_architecture_stands_in_for_a_missing_pipeline_tag(store, client):
    request = submit_request(store, client, username="carol", model_id="org/arch", task="text_classification",
                             settings=SETTINGS, now=NOW)
    assert request.model_id == "org/arch"


def test_rate_limit_window_is_24_hours(store, client):
    later = NOW + timedelta(hours=20)  # two of the spammer's five fall out of the window
    request = submit_request(store, client, username="spammer", model_id="org/good", task="text_classification",
                             settings=SETTINGS, now=later)
    assert request.submitter == "spammer"


def test_submit_message_is_one_line_for_success_and_refusal(store, client):
    ok = submit_message(store, client, username="carol", model_id="org/good", task="text_classification",
                        settings=SETTINGS)
    refused = submit_message(store, client, username="carol", model_id="<b>x</b>", task="text_classification",
                             settings=SETTINGS)
    assert ok.startswith("✅ Queued org/good at ") and "110.0M parameters" in ok
    assert refused.startswith("❌ ") and "<b>" not in refused


def _submit_all(store, client, jobs, settings) -> tuple[list[RequestRecord], list[SubmissionRefused]]:
    """Run ``jobs`` (user, model) from one thread each, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    accepted, refused, crashed = [], [], []

    def go(user: str, model_id: str) -> None:
        barrier.wait()
        try:
            accepted.append(submit_request(store, client, username=user, model_id=model_id,
                                           task="text_classification", settings=settings))
        except SubmissionRefused as exc:
            refused.append(exc)
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            crashed.append(exc)

    threads = [threading.Thread(target=go, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashed == []
    return accepted, refused


def test_fifty_concurrent_submissions_make_fifty_distinct_requests(tmp_path, hub, client):
    store = LatentLocalStore(tmp_path / "queue")
    jobs = [(f"user{i % 10}", f"org/model{i}") for i in range(50)]
    for _, model_id in jobs:
        hub.add_model(model_id)

    accepted, refused = _submit_all(store, client, jobs, SETTINGS)

    assert refused == []
    saved = read_requests(store)
    assert len(saved) == 50
    assert {r.request_id for r in saved.values()} == {r.request_id for r in accepted}
    assert sorted(r.model_id for r in saved.values()) == sorted(m for _, m in jobs)
    assert Counter(r.submitter for r in saved.values()) == {f"user{i}": 5 for i in range(10)}


@pytest.mark.parametrize("backend", ["local", "hub"])
def test_two_identical_concurrent_submissions_queue_one_request(tmp_path, hub, backend):
    if backend == "local":
        store, api = LatentLocalStore(tmp_path / "queue"), hub
    else:
        store, api = fake_hub_store(hub)
    client = HubClient(api=api, token="hf_test_token")
    for round_ in range(5):
        hub.add_model(f"org/same{round_}")
        accepted, refused = _submit_all(
            store, client, [("alice", f"org/same{round_}"), ("bob", f"org/same{round_}")],
            SubmissionSettings(submissions_per_day=100),
        )
        assert len(accepted) == 1 and [r.rule for r in refused] == ["duplicate"]
    assert len(read_requests(store)) == 5
    if backend == "hub":
        assert hub_digest(api)[1].keys() == {r.path for r in read_requests(store).values()}


def test_concurrent_submissions_by_one_user_stop_exactly_at_the_rate_limit(tmp_path, hub, client):
    store = LatentLocalStore(tmp_path / "queue", delay_s=0.01)
    for user in ("eve", "frank", "grace"):  # three bursts: a check-then-write race would show in one
        jobs = [(user, f"org/{user}{i}") for i in range(9)]
        for _, model_id in jobs:
            hub.add_model(model_id)

        accepted, refused = _submit_all(store, client, jobs, SETTINGS)

        assert len(accepted) == 5
        assert [r.rule for r in refused] == ["rate_limit"] * 4
    assert Counter(r.submitter for r in read_requests(store).values()) == {"eve": 5, "frank": 5, "grace": 5}


def test_concurrent_submissions_on_the_hub_commit_with_parent_commit(hub):
    store, api = fake_hub_store(hub)
    client = HubClient(api=api, token="hf_test_token")
    jobs = [(f"user{i % 4}", f"org/hubmodel{i}") for i in range(20)]
    for _, model_id in jobs:
        hub.add_model(model_id)
    original = api.create_commit
    parents = []

    def spy(*args, **kwargs):
        parents.append(kwargs.get("parent_commit"))
        time.sleep(0.003)  # the Hub's latency: concurrent writers overlap
        return original(*args, **kwargs)

    api.create_commit = spy

    accepted, refused = _submit_all(store, client, jobs, SETTINGS)

    assert refused == [] and len(accepted) == 20
    assert len(read_requests(store)) == 20
    assert None not in parents  # every write was a compare-and-swap
    assert len(api.repos[REQUESTS_REPO].commits) == 1 + 20  # one commit per request, none lost


def test_a_request_of_another_configuration_is_not_a_duplicate_of_the_reference():
    from datetime import UTC, datetime

    from benchmark.queue import checks
    from benchmark.tasks import TASKS

    sha = "a" * 40
    reference = RequestRecord(request_id="r1", model_id="org/m", revision=sha, task="text_classification",
                              submitter="u", submitted_at=datetime(2025, 1, 1, tzinfo=UTC))
    spec = TASKS["text_classification"]
    checks.check_not_duplicate([reference], "org/m", spec, sha, "batch_size=8")  # another configuration: allowed
    with pytest.raises(checks.SubmissionRefused, match="already requested"):
        checks.check_not_duplicate([reference], "org/m", spec, sha, "reference")


def test_a_reasoning_request_without_an_effort_level_is_the_same_run_as_one_at_the_default_level():
    from datetime import UTC, datetime

    from benchmark.queue import checks
    from benchmark.tasks import DEFAULT_REASONING_EFFORT, TASKS

    assert DEFAULT_REASONING_EFFORT == "medium"  # gpt-oss's harmony template runs at medium when told nothing
    sha = "b" * 40
    spec = TASKS["reasoning"]

    def request(effort):
        return RequestRecord(request_id="r1", model_id="openai/gpt-oss-20b", revision=sha, task="reasoning",
                             submitter="u", submitted_at=datetime(2025, 1, 1, tzinfo=UTC), reasoning_effort=effort)

    with pytest.raises(checks.SubmissionRefused, match="already requested for .* at medium effort"):
        checks.check_not_duplicate([request(None)], "openai/gpt-oss-20b", spec, sha, "reference", "medium")
    with pytest.raises(checks.SubmissionRefused, match="at medium effort"):
        checks.check_not_duplicate([request("medium")], "openai/gpt-oss-20b", spec, sha, "reference", None)
    checks.check_not_duplicate([request(None)], "openai/gpt-oss-20b", spec, sha, "reference", "high")  # allowed
    checks.check_not_duplicate([request("low")], "openai/gpt-oss-20b", spec, sha, "reference", None)  # allowed
