"""Real runs through vLLM's CPU build on a tiny random Llama: both protocols, the record they make, the
evidence they keep, and no server left behind (each test launches its own server: about a minute)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.engine.evidence import EVIDENCE_FILE, Evidence, repeat_from_evidence
from benchmark.runner.engine.server import SERVER_LOG
from benchmark.runner.run import BenchmarkError, RunSpec, run_benchmark
from tests.benchmark.engine.conftest import needs_engine
from tests.benchmark.engine.helpers import build_tiny_llama, servers_of

pytestmark = [pytest.mark.runner, pytest.mark.engine, needs_engine]
TASK_DATASET = "EnergyStarAI/text_generation"


def spec(model: Path, prompts: Path, tmp_path: Path, **changes) -> RunSpec:
    base = dict(model=str(model), model_id="test/tiny-llama", task="text_generation", engine="vllm",
                dataset=str(prompts), dataset_id=TASK_DATASET, num_samples=4, repeats=2, warmup_runs=1,
                dtype="bfloat16", output_dir=tmp_path / "runs")
    return RunSpec(**{**base, **changes})


def test_one_at_a_time_generates_exactly_the_tasks_tokens_and_leaves_no_server(tiny_llama, prompts, tmp_path,
                                                                                engine_state):
    result = run_benchmark(spec(tiny_llama, prompts, tmp_path))
    record = result.record
    assert record.configuration.key == "dtype=bfloat16+engine=vllm"
    engine = record.settings.engine
    assert (engine.protocol, engine.server, engine.dtype, engine.max_model_len, engine.api) == (
        "one-at-a-time", "launched", "bfloat16", 512, "chat")
    assert (engine.max_num_seqs, engine.warmup_requests, engine.gpus) == (None, 1, [])
    assert record.software.vllm == "0.32.0"
    assert record.settings.new_tokens == 10 and len(record.repeats) == 2
    for repeat in record.repeats:
        evidence = Evidence.from_json((result.run_dir / repeat.report_file).read_text())
        assert [trace.output_tokens for trace in evidence.traces] == [10, 10, 10, 10]
        assert [trace.counted_tokens for trace in evidence.traces] == [10, 10, 10, 10]
        # the record's figures are the evidence's, recomputed
        again = repeat_from_evidence(repeat.index, evidence, 10, repeat.report_file, fixed_length=True)
        assert again == repeat
        assert repeat.total_wh_per_1k_queries > 0  # a CPU run: codecarbon's CPU and RAM over the window
    assert record.serving.ttft_median_ms > 0 and record.serving.itl_median_ms is not None
    assert record.latency_s_per_query > 0 and record.steady_state is None
    assert (result.run_dir / SERVER_LOG).stat().st_size > 0
    assert servers_of(tiny_llama) == [] and list((engine_state / "servers").glob("*.json")) == []


def test_steady_state_records_mlenergys_window_and_its_stability(tiny_llama, prompts, tmp_path, engine_state):
    result = run_benchmark(spec(tiny_llama, prompts, tmp_path, max_num_seqs=4, num_samples=24, min_window_s=0.0))
    record = result.record
    assert record.configuration.key == "dtype=bfloat16+engine=vllm+max_num_seqs=4"
    assert (record.settings.engine.protocol, record.settings.engine.max_num_seqs) == ("steady-state", 4)
    assert len(record.repeats) == 1  # one run per batch size, as ML.ENERGY makes it
    state = record.steady_state
    assert state.max_num_seqs == 4 and state.requests == 24
    assert 0 < state.output_tokens < 24 * 10
    assert state.energy_per_output_token_j == pytest.approx(state.total_energy_j / state.output_tokens)
    assert state.stable == (state.unstable_because is None)
    evidence = json.loads((result.run_dir / "repeat-1" / EVIDENCE_FILE).read_text())
    assert evidence["max_num_seqs"] == 4 and len(evidence["traces"]) == 24
    assert servers_of(tiny_llama) == []


def test_a_model_the_engine_cannot_load_is_refused_with_its_own_error(tmp_path, prompts, engine_state):
    model = build_tiny_llama(tmp_path / "odd", architecture="NoSuchForCausalLM")
    with pytest.raises(BenchmarkError) as caught:
        run_benchmark(spec(model, prompts, tmp_path, model_id="test/odd"))
    message = str(caught.value)
    assert message.startswith("model 'test/odd' cannot be served by vLLM: the vLLM server exited while starting")
    assert "NoSuchForCausalLM" in message and len(message.splitlines()) == 1
    assert not list((tmp_path / "runs").rglob("record.json"))
    assert servers_of(model) == []


def test_reasoning_served_runs_at_natural_length_through_the_thinking_switch(tmp_path, engine_state):
    from tests.support.tiny_datasets import build_dataset
    from tests.support.tiny_reasoning import THINKING_TEMPLATE

    # a Llama with Qwen3's thinking switch (vLLM's CPU attention takes head sizes of 32 and up: the runner's tiny
    # GPT-2 thinker has 16)
    model = build_tiny_llama(tmp_path / "thinker", chat_template=THINKING_TEMPLATE)
    data = build_dataset("reasoning", tmp_path, num_rows=4)
    result = run_benchmark(RunSpec(model=str(model), model_id="test/thinker", task="reasoning", engine="vllm",
                                   dataset=str(data), dataset_id="scottcha/reasoning_text_generation", num_samples=3,
                                   repeats=1, warmup_runs=0, max_new_tokens=16, output_dir=tmp_path / "runs"))
    record = result.record
    assert record.configuration.key == "engine=vllm"
    assert (record.settings.reasoning, record.settings.max_new_tokens, record.settings.new_tokens) == (True, 16, None)
    assert record.output_tokens.queries == 3 and 1 <= record.output_tokens.per_query_mean <= 16
    evidence = Evidence.from_json((result.run_dir / record.repeats[0].report_file).read_text())
    assert all(1 <= trace.output_tokens <= 16 for trace in evidence.traces)
    assert servers_of(model) == []
