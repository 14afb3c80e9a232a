"""Runs measured elsewhere, end to end on real CPU runs: a run folder ``benchmark run`` wrote is uploaded
(``submit-run`` and the Space's ``/submit_run``), checked from its own raw reports, reviewed by a
maintainer only, published as self-reported and rated on its hardware's board; ``benchmark reproduce``
runs it again and its agreement turns the badge to verified.

The run is the tiny random text classifier on 1,000 rows in the real column layout, named
``acme/internal-classifier`` (a model the Hub does not know): 1,000 samples of the task's dataset make it
comparable, so it stands on the board like any CPU run of ours (shown, never rated: a CPU has no GPU
energy). How an uploaded GPU run is rated among ours is ``test_gpu_evidence``'s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import gradio as gr
import pandas as pd
import pytest
from gradio_client import Client, handle_file

from benchmark.record import ResultRecord
from benchmark.runner.run import RunSpec, run_benchmark
from benchmark.store import LocalStore
from benchmark.tasks import TASKS
from benchmark.uploads.evidence import EvidenceRefused, check_run
from benchmark.uploads.review import ATTESTATIONS, describe, uploads
from leaderboard.app import build_demo
from leaderboard.display.formats import escape_markdown
from leaderboard.results.live import LiveData
from leaderboard.submission.uploads import submit_run_message
from tests.support.doubles.browser_session import call_event, fn_index, signed_in, use_local_login
from tests.support.env import PYTHON, subprocess_env
from tests.support.queue_helpers import tree_digest
from tests.support.tiny_datasets import build_dataset

TASK = "text_classification"
MODEL_ID = "acme/internal-classifier"
MAINTAINER, SUBMITTER = "boss", "alice"


@pytest.fixture(scope="module")
def measured(tiny, tmp_path_factory):
    """A real comparable CPU run folder (1,000 samples, 2 repeats), with the model and data it used."""
    root = tmp_path_factory.mktemp("elsewhere")
    model = tiny.model(TASK)
    dataset = build_dataset(TASK, root, num_rows=1000)
    # one torch thread in the child, as the CLI reproductions below have (``subprocess_env``): the same
    # run, so the figures compare
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OMP_NUM_THREADS", "1")
        result = run_benchmark(RunSpec(
            model=str(model), model_id=MODEL_ID, task=TASK, dataset=str(dataset),
            dataset_id=TASKS[TASK].dataset_id, num_samples=1000, repeats=2, device="cpu",
            output_dir=root / "runs"))
    return {"run": result.run_dir, "model": model, "dataset": dataset, "record": result.record}


def zipped(run_dir: Path, into: Path) -> Path:
    """The run folder zipped as a submitter would (its folder at the archive's root)."""
    return Path(shutil.make_archive(str(into / run_dir.name), "zip", root_dir=run_dir.parent, base_dir=run_dir.name))


def copy_run(run_dir: Path, into: Path) -> Path:
    return Path(shutil.copytree(run_dir, into / run_dir.name))


def cli(*args: str, results: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "benchmark", *args], capture_output=True, text=True, timeout=300,
                          env=subprocess_env(RESULTS_DIR=str(results), **env))


@pytest.mark.runner
def test_a_real_run_submitted_with_submit_run_is_reviewed_then_published_self_reported(measured, tmp_path):
    results = tmp_path / "results"
    sent = cli("submit-run", str(measured["run"]), "--attest", results=results)
    assert sent.returncode == 0, sent.stderr
    [upload] = uploads(LocalStore(results))
    assert sent.stdout.splitlines()[0].startswith(f"received {upload.upload_id}: {MODEL_ID} on {TASK}, ")
    assert upload.status == "pending" and upload.not_comparable_because is None
    assert upload.attestation.statements == list(ATTESTATIONS) and upload.submitter.startswith("local:")
    assert upload.total_wh_per_1k_queries == measured["record"].total_wh_per_1k_queries
    assert not LocalStore(results).list("records/")  # nothing on a board before the review

    listed = cli("review", results=results)
    assert listed.stdout.splitlines() == [f"{upload.upload_id}: {MODEL_ID} on {TASK}, "
                                          f"{upload.gpu_wh_per_1k_queries:.4g} GPU Wh / 1,000 queries on "
                                          f"{upload.hardware}, by {upload.submitter} — pending"]
    approved = cli("review", "--approve", upload.upload_id, results=results)
    assert approved.returncode == 0, approved.stderr
    [path] = [p for p in LocalStore(results).list("records/") if p.count("/") == 3]
    record = ResultRecord.model_validate_json((results / path).read_bytes())
    assert record.provenance == "self-reported" and record.attestation == upload.attestation
    assert record.total_wh_per_1k_queries == measured["record"].total_wh_per_1k_queries
    for repeat in record.repeats:  # the raw reports are published beside it, byte for byte
        original = json.loads((measured["run"] / f"repeat-{repeat.index}" / "report.json").read_text())
        assert json.loads((results / Path(path).parent / repeat.report_file).read_text()) == original

    data = LiveData(LocalStore(results)).current
    row = data.task_frame(TASK, "live").set_index("model_id").loc[MODEL_ID]
    # on the board like our CPU runs: shown, never rated (a CPU run has no GPU energy to rate)
    assert row["provenance"] == "self-reported" and row["hardware"] == upload.hardware
    assert pd.isna(row["stars"]) and row["rating_flag"] == "measured on a CPU: no GPU energy to rate"


@pytest.mark.runner
def test_a_raw_report_edited_to_double_the_energy_is_refused_naming_the_mismatch(measured, tmp_path):
    run = copy_run(measured["run"], tmp_path)
    report_file = run / "repeat-1" / "report.json"
    report = json.loads(report_file.read_text())
    for phase in report.values():
        if isinstance(phase, dict) and isinstance(phase.get("energy"), dict):
            phase["energy"].update({k: v * 2 for k, v in phase["energy"].items() if isinstance(v, float)})
    report_file.write_text(json.dumps(report))
    results = tmp_path / "results"
    LocalStore(results).add({"README.md": b"results\n"}, "seed")
    before = tree_digest(results)
    refused = cli("submit-run", str(run), "--attest", results=results)
    assert refused.returncode == 1 and refused.stdout == ""
    expected = measured["record"].repeats[0].total_wh_per_1k_queries
    assert refused.stderr.strip().splitlines() == [
        f"error: check 'recomputed' failed: repeat 1: total_wh_per_1k_queries is {expected:.6g} in the record "
        f"but {2 * expected:.6g} from its raw report"]
    assert tree_digest(results) == before


@pytest.mark.runner
def test_reproduce_runs_the_entry_again_prints_the_ratio_and_names_each_version_that_differs(measured, tmp_path):
    original = copy_run(measured["run"], tmp_path)
    record = json.loads((original / "record.json").read_text())
    record["software"]["transformers"] = "4.57.1"  # as if measured on another version
    (original / "record.json").write_text(json.dumps(record))
    done = cli("reproduce", str(original), "--model", str(measured["model"]), "--dataset", str(measured["dataset"]),
               "--device", "cpu", "--output", str(tmp_path / "again"), results=tmp_path / "results")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    new = ResultRecord.model_validate_json(Path(lines[-1].removeprefix("record: ")).read_bytes())
    old = measured["record"]
    assert new.reproduces == old.run_id and new.model_id == MODEL_ID
    assert (new.settings.num_samples, len(new.repeats), new.configuration.key) == (1000, 2, "reference")
    ratio = new.total_wh_per_1k_queries / old.total_wh_per_1k_queries
    # the spread: 2 standard deviations over the two repeats, never tighter than 50 % on a CPU
    allowed = max(2 * old.total_wh_per_1k_queries_std, 0.5 * old.total_wh_per_1k_queries)
    # the verdict follows from the two figures (a busy machine may move a CPU figure past the band: the rule
    # itself is tested on figures the tests control, in test_gpu_evidence)
    verdict = "within" if abs(new.total_wh_per_1k_queries - old.total_wh_per_1k_queries) <= allowed else "OUTSIDE"
    assert lines[0] == (
        f"reproduction of {old.run_id} ({MODEL_ID} on {TASK}): original {old.total_wh_per_1k_queries:.6g}, "
        f"reproduction {new.total_wh_per_1k_queries:.6g} total Wh per 1,000 queries (CPU): ratio {ratio:.3f}, "
        f"{verdict} the original's spread (±{allowed:.3g})")
    print(f"reproduction ratio {ratio:.3f}")
    assert lines[1] == f"  version differs: transformers 4.57.1 → {new.software.transformers}"


@pytest.mark.runner
def test_a_private_text_generation_model_needs_its_parameter_count(tiny, tmp_path):
    result = run_benchmark(RunSpec(
        model=str(tiny.model("text_generation")), model_id="acme/private-llm", task="text_generation",
        dataset=str(tiny.dataset("text_generation")), num_samples=2, repeats=1, device="cpu", warmup_runs=1,
        output_dir=tmp_path / "runs"))
    checked = check_run(result.run_dir)
    assert checked.record.model_id == "acme/private-llm" and checked.record.params == result.record.params > 0
    assert checked.not_comparable_because == "2 samples, fewer than the task's 1,000"  # kept, never rated
    record = json.loads((result.run_dir / "record.json").read_text())
    record["params"] = None
    (result.run_dir / "record.json").write_text(json.dumps(record))
    with pytest.raises(EvidenceRefused, match="check 'size' failed: Text Generation is rated by size class: give "
                                              r"the model's parameter count \(params\)"):
        check_run(result.run_dir)
    results = LocalStore(tmp_path / "results")
    assert submit_run_message(results, SUBMITTER, str(zipped(result.run_dir, tmp_path)), list(ATTESTATIONS), 5) == (
        "❌ check 'size' failed: Text Generation is rated by size class: give the model's parameter count (params)")
    assert uploads(results) == []


@pytest.fixture
def space(measured, tmp_path, monkeypatch):
    """The whole app with local login, on a results folder and a requests folder; a submitter may upload
    two runs a day."""
    use_local_login(monkeypatch, MAINTAINER)
    monkeypatch.setenv("SUBMISSIONS_PER_DAY", "2")
    results, requests = LocalStore(tmp_path / "results"), LocalStore(tmp_path / "requests")
    results.add({"README.md": b"results\n"}, "seed")
    live = LiveData(results, min_check_interval_s=0, min_force_interval_s=0)
    demo = build_demo(live=live, requests=requests, refresh_s=3600)
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        yield demo, url.rstrip("/"), results, live
    finally:
        demo.close()


def _private(demo: gr.Blocks, url: str, name: str, data: list, user: str | None) -> str:
    return call_event(url, fn_index(demo, name), data, signed_in(user)["session"] if user else None)


@pytest.mark.runner
def test_through_the_space_an_upload_is_reviewed_by_a_maintainer_only_and_a_reproduction_verifies_it(
    space, measured, tmp_path
):
    demo, url, results, live = space
    archive = zipped(measured["run"], tmp_path)
    submitter = Client(url, verbose=False, httpx_kwargs={"cookies": signed_in(SUBMITTER)})
    anonymous = Client(url, verbose=False)
    assert anonymous.predict(handle_file(str(archive)), list(ATTESTATIONS), api_name="/submit_run") == (
        "❌ Uploads need a login: sign in with Hugging Face first.")
    assert submitter.predict(handle_file(str(archive)), list(ATTESTATIONS[:2]), api_name="/submit_run") == (
        f"❌ an upload needs every statement; missing: {ATTESTATIONS[2]!r}")
    answers = [submitter.predict(handle_file(str(archive)), list(ATTESTATIONS), api_name="/submit_run")
               for _ in range(3)]
    assert [a.split(":")[0] for a in answers[:2]] == [f"✅ Received {u.upload_id}" for u in reversed(uploads(results))]
    assert answers[2] == f"❌ {SUBMITTER} has uploaded 2 run(s) in the last 24 hours, the most allowed (2); " \
                         "try again tomorrow"
    first, second = sorted(uploads(results), key=lambda u: u.submitted_at)
    assert first.submitter == second.submitter == SUBMITTER

    before = tree_digest(results.root)
    assert _private(demo, url, "on_approve", [first.upload_id], SUBMITTER) == (
        f"❌ Reviews are for maintainers only, and {SUBMITTER} is not one.")
    assert _private(demo, url, "on_reject", [first.upload_id, "no"], None) == (
        "❌ Reviews need a login: sign in with Hugging Face as a maintainer.")
    assert tree_digest(results.root) == before
    listed = _private(demo, url, "on_review_list", [], MAINTAINER)
    # newest first, as text (every value the uploader controls escaped)
    assert listed.splitlines() == [f"- {describe(second, escape_markdown)}", f"- {describe(first, escape_markdown)}"]
    approved = _private(demo, url, "on_approve", [first.upload_id], MAINTAINER)
    assert approved.startswith(f"✅ Approved {first.upload_id}: {escape_markdown(MODEL_ID)} on {TASK}")
    rejected = _private(demo, url, "on_reject", [second.upload_id, "the same run twice"], MAINTAINER)
    assert rejected.endswith("by alice — rejected: the same run twice")
    assert _private(demo, url, "on_my_uploads", [], SUBMITTER).splitlines()[0].endswith(
        "by alice — rejected: the same run twice")

    rows = {r["model_id"]: r for r in anonymous.predict(TASK, api_name="/task_rows")}
    assert rows[MODEL_ID]["provenance"] == "self-reported" and rows[MODEL_ID]["verification"] == ""
    assert rows[MODEL_ID]["stars"] is None and rows[MODEL_ID]["hardware"] == first.hardware
    assert MODEL_ID not in {r["model_id"] for r in anonymous.predict(TASK, "", "", "", "latest", "reference", None,
                                                                    "measured", api_name="/task_rows")}

    # a maintainer queues a reproduction (the upload names no pinned revision: refused, one line) ...
    assert _private(demo, url, "on_reproduce", [measured["record"].run_id], MAINTAINER) == (
        f"❌ run {measured['record'].run_id} names no pinned model revision: the queue cannot fetch the same "
        "weights (reproduce it by hand with --model)")
    # ... so it is reproduced by hand on the same hardware and published: it verifies (or disputes) the entry
    pushed = cli("reproduce", measured["record"].run_id, "--model", str(measured["model"]), "--dataset",
                 str(measured["dataset"]), "--device", "cpu", "--output", str(tmp_path / "again"), "--push",
                 results=results.root)
    assert pushed.returncode == 0, pushed.stderr
    live.refresh(force=True)  # what the app's periodic refresh does
    rows = {r["model_id"]: r for r in anonymous.predict(TASK, api_name="/task_rows")}
    # the badge follows the two figures by the rule (whose verdicts are tested on controlled figures elsewhere):
    # a reproduction on a busy machine may land outside the band, and then the entry is disputed, not verified
    original = measured["record"]
    published = [ResultRecord.model_validate_json(p.read_bytes()) for p in results.root.rglob("records/*/*/*.json")]
    [new] = [r for r in published if r.reproduces == original.run_id]
    allowed = max(2 * original.total_wh_per_1k_queries_std, 0.5 * original.total_wh_per_1k_queries)
    agrees = abs(new.total_wh_per_1k_queries - original.total_wh_per_1k_queries) <= allowed
    assert rows[MODEL_ID]["provenance"] == "self-reported"
    assert rows[MODEL_ID]["verification"] == ("verified" if agrees else "disputed")
    assert len(rows) == 1  # the reproduction verifies the entry; it is not a row of its own
