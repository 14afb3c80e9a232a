"""Uploads never overwrite, shadow or re-rate what we measured: each attack found on the upload path is one
line of data here (a run folder edited as a hostile submitter would), refused in one line through the real
CLI code, with a sha256 tree of the results store unchanged; and the board rules that keep measured rows
first are checked on values written down by hand.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from datetime import UTC, datetime

import pytest

from benchmark.cli import main as benchmark_main
from benchmark.hub_client import HubClient
from benchmark.record import ResultRecord, record_path
from benchmark.store import HubStore, LocalStore
from benchmark.uploads.evidence import check_run
from benchmark.uploads.reproduce import ReproduceRefused, reproduction_spec
from benchmark.uploads.review import ATTESTATIONS, UploadRefused, approve, receive, uploads
from tests.support.doubles.hub_double import FakeHfApi
from tests.support.leaderboard_fixtures import write_record
from tests.support.models_fixtures import edit_json, gpu_run_folder, runner_record
from tests.support.queue_helpers import tree_digest

TASK = "summarization"
UPLOADED = "acme/closed-summarizer"
MAINTAINER = "boss"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
H100 = "NVIDIA H100 80GB HBM3"


# --- 1. nothing measured is overwritten or shadowed ---------------------------------------------------------


@pytest.mark.parametrize("backend", ["local", "hub"])
def test_a_create_only_commit_refuses_an_existing_path_and_writes_nothing(backend, tmp_path):
    if backend == "local":
        store = LocalStore(tmp_path / "store")
    else:
        api = FakeHfApi()
        api.create_dataset("org/results")
        store = HubStore("org/results", client=HubClient(api=api, token="hf_x"))
    store.add({"records/t/m/run-1.json": b"measured"}, "seed")
    head = store.head()
    with pytest.raises(FileExistsError, match="records/t/m/run-1.json"):
        store.commit({"records/t/m/run-1.json": b"uploaded", "uploads/u/upload.json": b"approved"}, head, "approve",
                     create=["records/t/m/run-1.json"])
    assert store.read("records/t/m/run-1.json") == b"measured" and store.head() == head
    assert store.exists("records/t/m/run-1.json") and not store.exists("uploads/u/upload.json")


def _received(results: LocalStore, folder) -> str:
    return receive(results, folder, check_run(folder, now=NOW), "alice", list(ATTESTATIONS), now=NOW).upload_id


def test_approving_over_a_measured_run_id_is_refused_and_changes_no_byte(results, tmp_path):
    folder = gpu_run_folder(tmp_path / "runs", UPLOADED, TASK, 2.0)
    upload_id = _received(results, folder)
    # meanwhile our worker published a run with the same id for the same model (the path the approval writes)
    record = ResultRecord.model_validate_json((folder / "record.json").read_bytes())
    ours = runner_record(UPLOADED, TASK, 4.0, 0.02, params=60_000_000).model_copy(update={"run_id": record.run_id})
    write_record(results.root, ours)
    before = tree_digest(results.root)
    with pytest.raises(UploadRefused) as refused:
        approve(results, upload_id, MAINTAINER)
    assert str(refused.value) == (f"upload {upload_id} cannot be approved: {record_path(record)} is already published "
                                  "(run ids are never reused): nothing was changed")
    assert tree_digest(results.root) == before


def test_an_upload_whose_run_id_is_already_published_is_refused_at_upload(results, tmp_path):
    folder = gpu_run_folder(tmp_path / "runs", UPLOADED, TASK, 2.0)
    record = ResultRecord.model_validate_json((folder / "record.json").read_bytes())
    write_record(results.root, runner_record(UPLOADED, TASK, 4.0, 0.02, params=1).model_copy(
        update={"run_id": record.run_id}))
    before = tree_digest(results.root)
    with pytest.raises(UploadRefused, match=f"run {record.run_id} is already published"):
        _received(results, folder)
    assert tree_digest(results.root) == before


def test_two_maintainers_approving_one_upload_at_once_publish_it_once(results, tmp_path):
    upload_id = _received(results, gpu_run_folder(tmp_path / "runs", UPLOADED, TASK, 2.0))
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def approve_it() -> None:
        start.wait()
        try:
            approve(results, upload_id, MAINTAINER)
            outcomes.append("approved")
        except UploadRefused as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=approve_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["approved", f"upload {upload_id} was already approved by {MAINTAINER}"]
    published = results.read(uploads(results)[0].record_path)
    before = tree_digest(results.root)
    with pytest.raises(UploadRefused, match="already approved"):
        approve(results, upload_id, MAINTAINER)
    assert tree_digest(results.root) == before and results.read(uploads(results)[0].record_path) == published


# --- attacks on a run folder: one line each, the store unchanged --------------------------------------------


def _record(edit):
    return lambda folder: edit_json(folder / "record.json", edit)


def _set(**fields):
    return _record(lambda r: r.update(fields))


def _hardware(**fields):
    return _record(lambda r: r["hardware"].update(fields))


def _one_report_for_all(folder):
    edit_json(folder / "record.json",
              lambda r: [rep.update(report_file="repeat-1/report.json") for rep in r["repeats"]])


def _same_report_content(folder):
    shutil.copy(folder / "repeat-1" / "report.json", folder / "repeat-2" / "report.json")


def _many_repeats(folder):
    edit_json(folder / "record.json", lambda r: r.update(repeats=[dict(r["repeats"][0], index=i) for i in range(2000)]))


def _doubled_total(folder):
    first = lambda r: r["repeats"][0]  # noqa: E731
    edit_json(folder / "record.json", lambda r: first(r).update(total_wh_per_1k_queries=2 * first(r)[
        "total_wh_per_1k_queries"]))


def _codecarbon_list(folder):
    next((folder / "repeat-1").glob("*_codecarbon.json")).write_text("[1, 2]")


def _last_phase(report: dict) -> str:
    return list(report)[-1]


def _energy_string(folder):
    edit_json(folder / "repeat-1" / "report.json", lambda r: r[_last_phase(r)]["energy"].update(gpu="a lot"))


def _phase_not_object(folder):
    edit_json(folder / "repeat-1" / "report.json", lambda r: r.update({_last_phase(r): 3}))


def _symlinked_codecarbon(folder):
    secret = folder.parent / "secret.txt"
    secret.write_text("hf_secret_token_outside_the_folder")
    target = next((folder / "repeat-1").glob("*_codecarbon.json"))
    target.unlink()
    target.symlink_to(secret)


def _hard_linked_codecarbon(folder):
    secret = folder.parent / "secret.txt"
    secret.write_text("hf_secret_token_outside_the_folder")
    target = next((folder / "repeat-1").glob("*_codecarbon.json"))
    target.unlink()
    os.link(secret, target)


def _fifo(folder):
    os.mkfifo(folder / "repeat-1" / "emissions_codecarbon.json")


def _loaded_params(params):
    def edit(folder):
        for loaded in folder.glob("repeat-*/loaded.json"):
            loaded.write_text(json.dumps({"params": params}))
    return edit


# (what the attacker does, the task, what the one line must say)
ATTACKS = {
    "size class declared by the submitter": (_set(size_class="C"), TASK,
                                             "check 'record' failed: the record sets its own size class"),
    "parameters of another size class than loaded": (_loaded_params(100_000_000), "text_generation",
                                                     "check 'size' failed: the record's 70,000,000,000 parameters "
                                                     "(class C) are not what repeat 1 loaded: 100,000,000 (class A)"),
    "no loaded parameters": (_loaded_params(None), "text_generation", "repeat 1 has no loaded.json giving"),
    "GPU name a substring": (_hardware(gpu_name="A"), TASK, "check 'hardware' failed: the record names 'A' but NVML "
                                                            f"named '1 x {H100}'"),
    "three repeats on one report file": (_one_report_for_all, TASK,
                                         "check 'recomputed' failed: repeats 1 and 2 give the same raw report file"),
    "two repeats with one report's content": (_same_report_content, TASK,
                                              "repeats 1 and 2 give the same raw report content"),
    "2,000 repeats": (_many_repeats, TASK,
                      "check 'record' failed: the record lists 2000 repeats; a run has at most 20"),
    "dated in the far future": (_set(created_at="2199-12-31T00:00:00Z"), TASK,
                                "check 'record' failed: created_at 2199-12-31 00:00 UTC lies in the future"),
    "dated before its software existed": (_set(created_at="2024-01-02T00:00:00Z"), TASK,
                                          "created_at 2024-01-02 is before optimum_benchmark 0.6.0 existed"),
    "model id '.'": (_set(model_id="."), TASK, "check 'record' failed: model id '.': The owner and the name must"),
    "model id '..'": (_set(model_id=".."), TASK, "model id '..': The model id must not contain '..'."),
    "model id as Markdown": (_set(model_id="![x](https://evil.example/p.png)"), TASK,
                             "Enter the model id (owner/name), not a URL."),
    "model id as HTML": (_set(model_id="<img src=x>"), TASK, "The model id holds HTML or quote characters"),
    "model id as a path": (_set(model_id="/home/boss/secret"), TASK, "must have exactly one '/'"),
    "codecarbon file a list": (_codecarbon_list, TASK, "is not a codecarbon record"),
    "a repeat's total energy not its report's": (_doubled_total, TASK,
                                                 "check 'recomputed' failed: repeat 1: total_wh_per_1k_queries is"),
    "energy as a string": (_energy_string, TASK, "check 'recomputed' failed: repeat 1's raw report cannot be scored"),
    "a phase that is not an object": (_phase_not_object, TASK, "check 'recomputed' failed: the evidence has an "
                                                               "unexpected shape (AttributeError: "),
    "symlinked codecarbon file": (_symlinked_codecarbon, TASK, "the run folder holds a symbolic link: "
                                                               "'repeat-1/"),
    "hard-linked codecarbon file": (_hard_linked_codecarbon, TASK, "the run folder holds a hard link to a file "
                                                                   "elsewhere"),
    "a FIFO in the folder": (_fifo, TASK, "the run folder holds a FIFO (named pipe): "
                                          "'repeat-1/emissions_codecarbon.json'"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_on_a_run_folder_is_refused_in_one_line_and_the_store_is_unchanged(attack, results, tmp_path,
                                                                                     capsys):
    mutate, task, expected = ATTACKS[attack]
    params = 70_000_000_000 if task == "text_generation" else 60_000_000
    folder = gpu_run_folder(tmp_path / "runs", UPLOADED, task, 2.0, params=params)
    mutate(folder)
    before = tree_digest(results.root)
    code = benchmark_main(["submit-run", str(folder), "--attest"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    [line] = err.strip().splitlines()
    assert line.startswith("error: ") and expected in line, line
    assert "/tmp" not in line and "Traceback" not in line
    assert tree_digest(results.root) == before
    assert "hf_secret_token" not in "".join(p.read_text(errors="replace") for p in results.root.rglob("*.json"))


def test_the_untouched_folder_is_received(results, tmp_path, capsys):
    """The attacks above fail for what they change: the same folder unedited passes every check."""
    folder = gpu_run_folder(tmp_path / "runs", UPLOADED, "text_generation", 2.0, params=70_000_000_000)
    assert benchmark_main(["submit-run", str(folder), "--attest"]) == 0, capsys.readouterr().err
    [upload] = uploads(results)
    assert upload.model_id == UPLOADED and upload.status == "pending"


# --- reproductions of an upload never load what the uploader named -------------------------------------------


@pytest.mark.parametrize(("model_id", "revision", "expected"), [
    ("internal-llm", None, "names the model 'internal-llm', not a Hub id: give a local copy with --model"),
    ("acme/closed", None, "is an upload with no pinned model revision: give the weights with --model"),
])
def test_reproducing_an_upload_needs_the_maintainers_model_or_a_pinned_hub_id(tmp_path, model_id, revision, expected):
    record = runner_record(model_id, TASK, 2.0, 0.02, params=1).model_copy(
        update={"provenance": "self-reported", "model_revision": revision})
    with pytest.raises(ReproduceRefused, match=expected):
        reproduction_spec(record, tmp_path)
    spec = reproduction_spec(record, tmp_path, model=str(tmp_path / "weights"))
    assert spec.model == str(tmp_path / "weights") and spec.model_id == model_id
    pinned = record.model_copy(update={"model_id": "acme/closed", "model_revision": "a" * 40})
    assert reproduction_spec(pinned, tmp_path).model == "acme/closed"


def test_a_fifo_in_a_run_folder_is_refused_at_once_by_the_real_command_with_nothing_left_running(results, tmp_path):
    import subprocess
    import time

    from tests.support.env import PYTHON, subprocess_env

    folder = gpu_run_folder(tmp_path / "runs", UPLOADED, TASK, 2.0)
    _fifo(folder)
    from benchmark.uploads.archive import ArchiveRefused, opened

    started = time.process_time()
    with pytest.raises(ArchiveRefused, match="FIFO"), opened(folder):
        pass
    assert time.process_time() - started < 1.0  # nothing opened the pipe (it would block for ever)
    done = subprocess.run([PYTHON, "-m", "benchmark", "submit-run", str(folder), "--attest"], capture_output=True,
                          text=True, timeout=120, env=subprocess_env(RESULTS_DIR=str(results.root)))
    assert done.returncode == 1 and done.stderr.strip().splitlines() == [
        "error: the run folder holds a FIFO (named pipe): 'repeat-1/emissions_codecarbon.json'"]
    left = subprocess.run(["pgrep", "-f", f"submit-run {folder}"], capture_output=True, text=True)
    assert left.stdout == ""


def test_the_review_list_shows_every_value_an_uploader_controls_as_text(results, tmp_path):
    from benchmark.uploads.review import Upload
    from leaderboard.submission.uploads import my_uploads_message, review_list_message

    folder = gpu_run_folder(tmp_path / "runs", UPLOADED, TASK, 2.0)
    upload = receive(results, folder, check_run(folder, now=NOW), "alice", list(ATTESTATIONS), now=NOW)
    # an upload file written by hand (or before the id rules): the review list must still show it as text
    hostile = Upload.model_validate({**json.loads(upload.to_bytes()), "model_id": "![x](https://evil.example/p.png)",
                                     "hardware": "<b>H100</b>", "not_comparable_because": "[click](https://evil.x)"})
    results.commit({upload.path: hostile.to_bytes()}, results.head(), "edit")
    listed = review_list_message(results, MAINTAINER)
    assert listed == (
        f"- {upload.upload_id}: \\!\\[x\\]\\(https&#58;//evil\\.example/p\\.png\\) on summarization, 2 GPU Wh / "
        "1,000 queries on &lt;b&gt;H100&lt;/b&gt; (not comparable: \\[click\\]\\(https&#58;//evil\\.x\\)), by alice — "
        "pending")
    assert "](" not in listed and "<" not in listed
    assert "](" not in my_uploads_message(results, "alice")


def test_the_uploaded_folder_s_figures_are_the_ones_worked_out_by_hand(tmp_path):
    """The run folders these tests upload are built through the runner's scoring, the very code the
    "recomputed" check runs; so their figures are checked here against arithmetic done apart from it: each
    repeat's report holds gpu_wh × (0.9, 1.0, 1.1) per 1,000 queries over its phases, CPU 20 % and RAM 5 % on
    top of the GPU's."""
    folder = gpu_run_folder(tmp_path, UPLOADED, TASK, 3.0)
    record = json.loads((folder / "record.json").read_text())
    assert [round(r["gpu_wh_per_1k_queries"], 9) for r in record["repeats"]] == [2.7, 3.0, 3.3]
    assert [round(r["total_wh_per_1k_queries"], 9) for r in record["repeats"]] == [3.375, 3.75, 4.125]
    assert round(record["gpu_wh_per_1k_queries"], 9) == 3.0 and round(record["gpu_wh_per_1k_queries_std"], 9) == 0.3
    report = json.loads((folder / "repeat-2" / "report.json").read_text())
    gpu_kwh = sum(phase["energy"]["gpu"] for phase in report.values())
    assert round(gpu_kwh * 1000 * 1000 / 1000, 12) == 3.0  # kWh → Wh, over 1,000 samples, per 1,000 queries
