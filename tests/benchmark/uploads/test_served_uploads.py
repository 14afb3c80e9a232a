"""An engine run measured elsewhere is checked from its own evidence: its request traces and its window's NVML
readings give back every figure of its record, and a record that claims other figures, other tokens or a
steady state its traces do not show is refused in one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from benchmark.configuration import RunConfiguration
from benchmark.engine.evidence import (
    EVIDENCE_FILE,
    Evidence,
    Reading,
    WindowEnergy,
    repeat_from_evidence,
    steady_from_evidence,
)
from benchmark.engine.record import EngineSettings
from benchmark.engine.traces import Chunk, RequestTrace
from benchmark.record import Hardware, ResultRecord, Settings, Software
from benchmark.runs.files import RECORD_FILE
from benchmark.uploads.evidence import EvidenceRefused, check_run

H100 = Hardware(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=2)


def traces(n: int, tokens: int = 10) -> list[RequestTrace]:
    out = []
    for i in range(n):
        start = 1.0 + i * 0.1
        chunks = tuple(Chunk(start + 0.01 * (k + 1), 1) for k in range(tokens))
        out.append(RequestTrace(i, start, chunks, chunks[-1].at_s, tokens, 7))
    return out


def window(gpu_j: float) -> WindowEnergy:
    return WindowEnergy(Reading(1.0, {0: 5e6, 1: 9e6}), Reading(60.0, {0: 5e6 + gpu_j * 1000, 1: 9e6 + gpu_j * 1000}),
                        12.0, 3.0)


def served_run(folder, protocol: str = "one-at-a-time", batch: int | None = None, n: int = 40):
    evidence = Evidence(protocol, traces(n), window(720.0), sent_s=1.0, max_num_seqs=batch, min_window_s=0.0)
    (folder / "repeat-1").mkdir(parents=True)
    evidence.write(folder / "repeat-1")
    repeat = repeat_from_evidence(1, evidence, 10, f"repeat-1/{EVIDENCE_FILE}", fixed_length=True)
    overrides = {"engine": "vllm", **({"max_num_seqs": batch} if batch else {})}
    key = "engine=vllm" + (f"+max_num_seqs={batch}" if batch else "")
    record = ResultRecord(
        run_id="served-1", model_id="org/llm", task="text_generation",
        created_at=datetime.now(UTC) - timedelta(hours=1), hardware=H100,
        software=Software(vllm="0.32.0", codecarbon="3.3.2", python="3.12.3"),
        settings=Settings(dataset="EnergyStarAI/text_generation", num_samples=n, dtype="float16", new_tokens=10,
                          engine=EngineSettings(protocol=protocol, max_num_seqs=batch, gpus=[0, 1])),
        configuration=RunConfiguration(**overrides, key=key), repeats=[repeat],
        gpu_wh_per_1k_queries=repeat.gpu_wh_per_1k_queries, total_wh_per_1k_queries=repeat.total_wh_per_1k_queries,
        params=1_000_000_000, steady_state=steady_from_evidence(evidence) if batch else None,
    )
    (folder / RECORD_FILE).write_text(record.to_json())
    return record


def edit(folder, change):
    path = folder / RECORD_FILE
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_an_honest_served_run_passes_every_check(tmp_path):
    record = served_run(tmp_path)
    checked = check_run(tmp_path)
    assert checked.record.gpu_wh_per_1k_queries == pytest.approx(record.gpu_wh_per_1k_queries)
    # 720 J on each of two GPUs over 40 queries, per 1,000 queries in Wh
    assert record.gpu_wh_per_1k_queries == pytest.approx(1440 / 3600 * 1000 / 40)


def test_a_steady_state_run_passes_and_its_figures_come_from_its_traces(tmp_path):
    record = served_run(tmp_path, "steady-state", batch=4)
    assert check_run(tmp_path).record.steady_state == record.steady_state


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["repeats"][0].update(gpu_wh_per_1k_queries=1.0),
         "repeat 1: gpu_wh_per_1k_queries is 1 in the record but 10 from its evidence"),
        (lambda d: d["settings"]["engine"].update(gpus=[0]), "the energy window read GPUs [0, 1], the record says [0]"),
        (lambda d: d["settings"].update(new_tokens=12), "request 0: 10 output tokens, the run asked for exactly 12"),
        (lambda d: d["settings"].update(num_samples=41), "40 requests, the record says 41"),
        (lambda d: d["software"].update(vllm=None), "the record does not say which vllm it ran"),
    ],
)
def test_a_served_record_its_evidence_does_not_bear_out_is_refused_in_one_line(tmp_path, change, words):
    served_run(tmp_path)
    edit(tmp_path, change)
    with pytest.raises(EvidenceRefused) as caught:
        check_run(tmp_path)
    assert words in str(caught.value) and len(str(caught.value).splitlines()) == 1


def test_a_steady_state_claimed_stable_against_its_traces_is_refused(tmp_path):
    served_run(tmp_path, "steady-state", batch=4)

    def claim(data):
        data["steady_state"]["min_window_s"] = 0.0
        data["steady_state"]["energy_per_output_token_j"] /= 2

    edit(tmp_path, claim)
    with pytest.raises(EvidenceRefused, match="steady_state.energy_per_output_token_j is"):
        check_run(tmp_path)


def test_a_reproduction_of_a_served_run_serves_it_the_same_way(tmp_path):
    from benchmark.uploads.reproduce import reproduction_spec

    record = served_run(tmp_path / "run", "steady-state", batch=4)
    spec = reproduction_spec(record, tmp_path / "out", model=str(tmp_path / "weights"))
    assert (spec.engine, spec.max_num_seqs, spec.min_window_s, spec.reproduces) == ("vllm", 4, 0.0, "served-1")
    assert (spec.num_samples, spec.repeats) == (40, 1)
