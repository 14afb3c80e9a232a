"""An H100 run folder uploaded from elsewhere (built from optimum-benchmark-shaped reports: no GPU here) is
checked from its own evidence, one check at a time; approved, it is rated among our measured H100 runs of
its task and marked self-reported on the board, the model page, the label and the API; reproductions on
the same GPU model verify or dispute it; maintainers alone review, queue reproductions and see disputes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchmark.queue.operations import read_requests
from benchmark.record import ResultRecord
from benchmark.store import LocalStore
from benchmark.uploads.evidence import EvidenceRefused, check_run
from benchmark.uploads.reproduce import ReproduceRefused, agreement_of, enqueue_reproduction
from benchmark.uploads.review import ATTESTATIONS, UploadRefused, approve, receive, reject, uploads
from leaderboard.label.facts import label_facts, label_markdown
from leaderboard.results.live import LiveData
from leaderboard.submission.uploads import disputed_message, reproduce_message
from leaderboard.tabs.models_text import provenance_markdown
from leaderboard.views.columns import model_cells
from leaderboard.views.model_page import model_page
from tests.support.leaderboard_fixtures import write_record
from tests.support.models_fixtures import A100, edit_json, gpu_run_folder, runner_record
from tests.support.queue_helpers import tree_digest

TASK = "summarization"
UPLOADED = "acme/closed-summarizer"
MAINTAINER = "boss"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path) -> Path:
    return gpu_run_folder(tmp_path / "runs", UPLOADED, TASK, 3.0)


@pytest.fixture
def results(tmp_path, monkeypatch) -> LocalStore:
    """Our measured H100 summarizers at 1 and 5 Wh per 1,000 queries."""
    monkeypatch.setenv("MAINTAINERS", MAINTAINER)
    root = tmp_path / "results"
    write_record(root, runner_record("org/frugal", TASK, 1.0, 0.02, params=60_000_000))
    write_record(root, runner_record("org/greedy", TASK, 5.0, 0.02, params=60_000_000))
    return LocalStore(root)


def published(results: LocalStore, folder: Path) -> ResultRecord:
    upload = receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS), now=NOW)
    done = approve(results, upload.upload_id, MAINTAINER)
    return ResultRecord.model_validate_json(results.read(done.record_path))


def test_an_approved_upload_is_rated_among_our_runs_of_its_hardware_and_marked_self_reported(results, folder):
    record = published(results, folder)
    assert record.provenance == "self-reported" and record.attestation.by == "alice"
    assert record.source.startswith("self-reported by alice (upload u20261201T120000-")
    data = LiveData(results).current
    rows = data.task_frame(TASK, "live")
    assert list(zip(rows["model_id"], rows["stars"], rows["provenance"], strict=True)) == [
        ("org/frugal", 5, "measured"), (UPLOADED, 3, "self-reported"), ("org/greedy", 1, "measured")]
    assert model_cells(rows)[1].endswith(" · *self-reported*") and "self-reported" not in model_cells(rows)[0]

    [entry] = model_page(data, UPLOADED)["entries"]
    assert entry["provenance"] == "self-reported" and entry["verification"] is None
    assert entry["attestation"] == {"by": "alice", "at": "2026-12-01T12:00:00Z", "statements": list(ATTESTATIONS)}
    assert provenance_markdown(entry) == (
        "self\\-reported by alice on 2026\\-12\\-01, who stated: The data may be published\\. It was produced by "
        "this benchmark, unmodified\\. The model is the one named, and is the one served\\.")
    facts = label_facts(data, UPLOADED, TASK, release="live")
    assert (facts.provenance, facts.verification, facts.stars) == ("self-reported", "", 3)
    assert "on NVIDIA H100 80GB HBM3, self-reported " in label_markdown(facts, "label.png")


def test_a_private_model_id_is_shown_as_given(results, tmp_path):
    folder = gpu_run_folder(tmp_path / "other", "internal-llm-v3", "text_generation", 2.0, params=7_000_000_000)
    record = published(results, folder)
    rows = LiveData(results).current.task_frame("text_generation", "live")
    assert list(zip(rows["model_id"], rows["params"], rows["size_class"], strict=True)) == [
        ("internal-llm-v3", 7e9, "A")]
    assert record.model_id == "internal-llm-v3"


def _refusal(folder: Path) -> str:
    with pytest.raises(EvidenceRefused) as refused:
        check_run(folder)
    return str(refused.value)


def _edit_record(folder: Path, edit) -> None:
    edit_json(folder / "record.json", edit)


def test_a_counter_below_the_phases_is_refused_by_the_runners_own_tolerance(folder):
    def halve(record: dict) -> None:
        record["repeats"][1]["nvml_gpu_energy_kwh"] /= 2

    _edit_record(folder, halve)
    assert _refusal(folder).startswith("check 'counter' failed: repeat 2: NVML's energy counter moved 1.575 Wh over "
                                       "the whole launch, less than the 3 Wh the phases reported (ratio 0.525)")


def test_a_gpu_run_without_its_counter_is_refused(folder):
    _edit_record(folder, lambda r: r["repeats"][0].update(nvml_gpu_energy_kwh=None))
    assert _refusal(folder) == "check 'counter' failed: repeat 1 of a GPU run has no NVML counter reading"


def test_codecarbon_naming_another_gpu_is_refused(folder):
    edit_json(folder / "repeat-2" / "decode_codecarbon.json", lambda t: t.update(gpu_model="1 x NVIDIA A100-SXM4-80GB"))
    assert _refusal(folder) == ("check 'hardware' failed: the record names 'NVIDIA H100 80GB HBM3' but NVML named "
                                "'1 x NVIDIA A100-SXM4-80GB' for repeat 2")


def test_codecarbon_energy_other_than_the_reports_is_refused(folder):
    edit_json(folder / "repeat-1" / "prefill_codecarbon.json", lambda t: t.update(gpu_energy=t["gpu_energy"] * 2))
    assert _refusal(folder).startswith("check 'hardware' failed: repeat 1, prefill: codecarbon measured ")


def test_a_record_whose_figure_is_not_its_reports_is_refused(folder):
    _edit_record(folder, lambda r: r.update(gpu_wh_per_1k_queries=1.5))
    assert _refusal(folder) == ("check 'recomputed' failed: gpu_wh_per_1k_queries is 1.5 in the record but 3 from "
                                "the raw reports")


def test_an_energy_no_gpu_could_draw_is_refused_as_implausible(tmp_path):
    # 2 kWh per 1,000 queries in about 52 s a repeat: a 700 W board draws at most 10 Wh in that time
    folder = gpu_run_folder(tmp_path, UPLOADED, TASK, 2_000.0)
    assert _refusal(folder) == ("check 'plausible' failed: repeat 1 used more GPU energy than the power limit "
                                "allows in its time")


def test_an_unknown_configuration_is_refused(folder):
    _edit_record(folder, lambda r: r.update(configuration={"quantization": "int3", "key": "quantization=int3"}))
    assert _refusal(folder).startswith("check 'configuration' failed: ")


def test_a_record_without_its_software_versions_is_refused(folder):
    _edit_record(folder, lambda r: r["software"].update(transformers=None, torch=None))
    assert _refusal(folder) == "check 'software' failed: the record does not say which transformers, torch it ran"


@pytest.mark.parametrize(("field", "value", "claim"), [
    ("reproduces", "run-20250301T120000-0a1b2c3d", "reproduces run run-20250301T120000-0a1b2c3d"),
    ("request", {"request_id": "20250301T120000-0a1b2c3d", "round": 0, "attempt": 1}, "answers a queued request"),
])
def test_an_upload_cannot_claim_to_be_one_of_our_workers_runs(folder, field, value, claim):
    _edit_record(folder, lambda r: r.update({field: value}))
    assert _refusal(folder) == f"check 'record' failed: the record {claim}: only our workers' runs can (upload the " \
                               "run itself)"


def test_a_report_outside_the_run_folder_is_refused(folder, tmp_path):
    (tmp_path / "elsewhere.json").write_text((folder / "repeat-1" / "report.json").read_text())
    _edit_record(folder, lambda r: r["repeats"][0].update(report_file="../../elsewhere.json"))
    assert _refusal(folder) == ("check 'recomputed' failed: repeat 1's raw report '../../elsewhere.json' is not a "
                                "file of the run folder")


def test_the_daily_limit_counts_a_users_uploads_and_refuses_without_writing(results, folder):
    receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS), now=NOW, per_day=2)
    receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS), now=NOW + timedelta(hours=1), per_day=2)
    before = tree_digest(results.root)
    with pytest.raises(UploadRefused, match="alice has uploaded 2 run"):
        receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS), now=NOW + timedelta(hours=2),
                per_day=2)
    assert tree_digest(results.root) == before
    receive(results, folder, check_run(folder), "bob", list(ATTESTATIONS), now=NOW + timedelta(hours=2), per_day=2)
    receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS), now=NOW + timedelta(days=1, hours=1),
            per_day=2)  # a day later the first has aged out
    assert len(uploads(results)) == 4


def test_a_review_happens_once_and_a_rejection_names_its_reason(results, folder):
    first = receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS), now=NOW)
    second = receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS), now=NOW)
    with pytest.raises(UploadRefused, match="a rejection needs a reason"):
        reject(results, second.upload_id, MAINTAINER, "  ")
    assert reject(results, second.upload_id, MAINTAINER, "duplicate").reason == "duplicate"
    approve(results, first.upload_id, MAINTAINER)
    with pytest.raises(UploadRefused, match=f"upload {first.upload_id} was already approved by boss"):
        reject(results, first.upload_id, MAINTAINER, "late")
    assert {u.upload_id: u.status for u in uploads(results)} == {first.upload_id: "approved",
                                                                second.upload_id: "rejected"}


def reproduction(original: ResultRecord, gpu_wh: float, hardware=None, suffix: str = "r1") -> ResultRecord:
    """Our worker's reproduction of ``original`` measuring ``gpu_wh``."""
    again = runner_record(original.model_id, original.task, gpu_wh, 0.02, params=original.params,
                          hardware=hardware or original.hardware, created_at=datetime(2026, 12, 2, tzinfo=UTC))
    return again.model_copy(update={"run_id": f"{again.run_id}-{suffix}", "reproduces": original.run_id})


def test_a_reproduction_that_agrees_on_the_same_gpu_verifies_the_entry_and_one_that_does_not_disputes_it(
    results, folder, monkeypatch
):
    record = published(results, folder)
    # the spread: repeats 0.9, 1.0, 1.1 x 3 Wh, sample std 0.3 Wh: within 2 sigma is 2.4 to 3.6 Wh
    assert agreement_of(3.0, 0.3, 3, False, 3.55, "GPU").within
    assert not agreement_of(3.0, 0.3, 3, False, 3.65, "GPU").within
    write_record(results.root, reproduction(record, 3.5))
    write_record(results.root, reproduction(record, 9.0, hardware=A100, suffix="a100"))  # says nothing of it
    data = LiveData(results).current
    row = data.task_frame(TASK, "live").set_index("model_id").loc[UPLOADED]
    assert (row["provenance"], row["verification"]) == ("self-reported", "verified")
    assert len(data.task_frame(TASK, "live")) == 3  # a reproduction is not a row of its own
    assert label_facts(data, UPLOADED, TASK, release="live").verification == "verified"
    [entry] = model_page(data, UPLOADED)["entries"]
    assert [(c["reproduction_wh"], c["agrees"]) for c in entry["verification"]["reproductions"]] == [
        (pytest.approx(3.5), True)]
    assert disputed_message(MAINTAINER, data) == (
        "No entry is disputed: every reproduction so far agreed with its entry.")

    other = published(results, gpu_run_folder(Path(folder).parent / "b", "acme/other", TASK, 2.0))
    write_record(results.root, reproduction(other, 6.0))
    data = LiveData(results).current
    row = data.task_frame(TASK, "live").set_index("model_id").loc["acme/other"]
    assert row["verification"] == "disputed"
    lines = disputed_message(MAINTAINER, data).splitlines()
    assert lines[0] == f"- acme/other on {TASK}, run {other.run_id}:"
    assert lines[1].endswith("original 2, reproduction 6 GPU Wh per 1,000 queries: ratio 3.000, OUTSIDE the "
                             "original's spread (±0.4)")
    assert disputed_message("alice", data) == "❌ Reviews are for maintainers only, and alice is not one."


def test_a_maintainer_queues_a_reproduction_of_a_pinned_entry_once(results, tmp_path):
    requests = LocalStore(tmp_path / "requests")
    pinned = runner_record("org/pinned", TASK, 2.0, 0.02, params=60_000_000).model_copy(
        update={"model_revision": "a" * 40})
    write_record(results.root, pinned)
    assert reproduce_message(results, requests, "alice", pinned.run_id) == (
        "❌ Reproductions are for maintainers only, and alice is not one.")
    assert reproduce_message(results, requests, MAINTAINER, "../../etc/passwd").startswith(
        "❌ no run '../../etc/passwd'")
    assert read_requests(requests) == {}
    answer = reproduce_message(results, requests, MAINTAINER, pinned.run_id)
    [request] = read_requests(requests).values()
    assert answer == (f"✅ Queued a reproduction of {pinned.run_id} (org/pinned on {TASK}, revision aaaaaaa): "
                      f"request {request.request_id}, asked by boss")
    assert (request.model_id, request.revision, request.task, request.reproduces, request.steps, request.submitter) == (
        "org/pinned", "a" * 40, TASK, pinned.run_id, ["energy"], MAINTAINER)
    with pytest.raises(ReproduceRefused, match=f"a reproduction of {pinned.run_id} is already PENDING"):
        enqueue_reproduction(requests, pinned, MAINTAINER)


def test_the_upload_keeps_only_the_evidence_token_redacted(results, folder, monkeypatch):
    edit_json(folder / "repeat-1" / "report.json",
              lambda r: r["preprocess_dataset"].update(note="token hf_abcdefghijklmnopqrstuvwxyz0123456789"))
    (folder / "repeat-1" / "benchmark.log").write_text("secret log")
    upload = receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS), now=NOW)
    stored = [p for p in results.list(f"uploads/{upload.upload_id}/files/")]
    assert "benchmark.log" not in " ".join(stored) and len(stored) == 1 + 3 * (1 + 3)  # record, 3 x (report + 3 phases)
    report = json.loads(results.read(f"uploads/{upload.upload_id}/files/repeat-1/report.json"))
    assert "hf_abcdefghijklmnopqrstuvwxyz0123456789" not in json.dumps(report)
