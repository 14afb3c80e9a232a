"""One real reasoning run through ``python -m benchmark run --task reasoning`` on the tiny chat LM
(thinking template, cap of 16, 4 prompts: two stop early, two run to the cap), on the CPU, shared by
every assertion below."""

from __future__ import annotations

import json
import subprocess

import pytest

from benchmark.record import OutputTokens, ResultRecord
from benchmark.runs.files import OUTPUT_TOKENS_KEY
from benchmark.runs.scoring import PREPROCESS_TARGET
from benchmark.store import LocalStore
from tests.support.env import PYTHON, subprocess_env
from tests.support.tiny_reasoning import REASONING_PROMPTS, REASONING_TEST_CAP, greedy_new_tokens

pytestmark = pytest.mark.runner

NUM_SAMPLES = len(REASONING_PROMPTS)
PHASE_TARGETS = {"preprocess": PREPROCESS_TARGET, "prefill": "prefill", "decode": "decode"}


@pytest.fixture(scope="module")
def measured(tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("reasoning-run")
    # float32: the test's own greedy generation below must follow the child's to the token
    proc = subprocess.run(
        [PYTHON, "-m", "benchmark", "run", "--model", str(tiny.model("reasoning")), "--task", "reasoning",
         "--dataset", str(tiny.dataset("reasoning")), "--num-samples", str(NUM_SAMPLES), "--repeats", "1",
         "--max-new-tokens", str(REASONING_TEST_CAP), "--dtype", "float32", "--device", "cpu",
         "--warmup-runs", "1", "--output", str(root / "runs"), "--push"],
        env=subprocess_env(RESULTS_DIR=str(root / "results")), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = LocalStore(root / "results")
    (path,) = [p for p in store.list("records/reasoning/") if p.endswith(".json") and ".reports/" not in p]
    record = ResultRecord.from_json(store.read(path))
    report = json.loads(store.read(path.rsplit("/", 1)[0] + "/" + record.repeats[0].report_file))
    return record, report, proc.stdout


@pytest.fixture(scope="module")
def generated_here(tiny) -> list[int]:
    """Tokens each prompt gets from greedy generation in this process, through the thinking template."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny.model("reasoning")).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny.model("reasoning"))
    return [len(greedy_new_tokens(model, tokenizer, p, REASONING_TEST_CAP)) for p in REASONING_PROMPTS]


def test_the_counted_output_tokens_are_the_tokens_generation_really_produced(measured, generated_here):
    record, report, stdout = measured
    assert report[OUTPUT_TOKENS_KEY] == generated_here
    assert record.output_tokens == OutputTokens.from_counts(generated_here, REASONING_TEST_CAP)
    assert record.repeats[0].output_tokens == record.output_tokens
    # natural length both ways: answers that stopped at the model's end of sequence, and capped ones
    assert min(generated_here) < REASONING_TEST_CAP and max(generated_here) == REASONING_TEST_CAP
    assert record.output_tokens.queries_at_cap == generated_here.count(REASONING_TEST_CAP)
    assert not record.output_tokens.all_at_cap and record.notes is None
    assert f"{record.output_tokens.queries_at_cap} of {NUM_SAMPLES} answers hit the cap" in stdout


def test_every_scored_phase_spent_energy_and_the_figures_are_the_phases_scaled(measured):
    record, report, _ = measured
    (repeat,) = record.repeats
    for name, target in PHASE_TARGETS.items():
        energy = report[target]["energy"]
        assert repeat.phases[name].cpu_kwh == pytest.approx(energy["cpu"]) and energy["cpu"] > 0
        assert repeat.phases[name].total_kwh > 0 and repeat.phases[name].gpu_kwh == 0.0  # no GPU here
    total_kwh = sum(p.total_kwh for p in repeat.phases.values())
    tokens = sum(report[OUTPUT_TOKENS_KEY])
    assert record.total_wh_per_1k_queries == pytest.approx(total_kwh * 1e3 * 1e3 / NUM_SAMPLES, rel=1e-9)
    # per 1,000 output tokens: the same scored energy over the counted tokens (the score, GPU, is 0 on a CPU)
    assert record.total_wh_per_1k_output_tokens == pytest.approx(total_kwh * 1e3 * 1e3 / tokens, rel=1e-9)
    assert record.gpu_wh_per_1k_output_tokens == 0.0 == record.gpu_wh_per_1k_queries


def test_decode_throughput_counts_the_decoded_tokens_not_the_cap(measured):
    _, report, _ = measured
    decoded = sum(report[OUTPUT_TOKENS_KEY]) - NUM_SAMPLES  # prefill produced each answer's first token
    decode = report["decode"]
    assert decode["throughput"]["unit"] == "tokens/s"
    assert decode["throughput"]["value"] == pytest.approx(decoded / decode["latency"]["mean"], rel=1e-9)


def test_the_record_says_thinking_was_on_and_the_cap_it_ran_under(measured):
    record, report, _ = measured
    settings = record.settings
    assert settings.reasoning is True and settings.max_new_tokens == REASONING_TEST_CAP
    assert settings.new_tokens is None and settings.reasoning_effort is None  # a template that takes no effort
    assert record.configuration.key == "dtype=float32"
    written = json.loads(record.to_json())
    assert "reasoning_effort" not in written["settings"]
    assert written["output_tokens"]["total"] == sum(report[OUTPUT_TOKENS_KEY])
