"""Reasoning before anything runs: the thinking switch each template family shows, the prompts as the
scenario formats them, and every refusal (one line, non-zero exit, no record)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.runner.reasoning import thinking
from benchmark.runner.reasoning.scenario import ReasoningConfig, reasoning_preprocessing
from benchmark.tasks import REASONING_MAX_NEW_TOKENS, get_task
from tests.support.tiny_reasoning import PLAIN_TEMPLATE, REASONING_PROMPTS, REASONING_TEST_CAP

# the part of each family's real template that shows its switch
QWEN3 = "{%- if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>{%- endif %}"
HARMONY = "{%- if reasoning_effort is defined %}Reasoning: {{ reasoning_effort }}{%- else %}Reasoning: medium{% endif"
HARMONY += " %}"
# a template whose only switch is the system prompt (SmolLM3's also reads enable_thinking, as Qwen3's)
SYSTEM_SWITCH = '{%- if "/no_think" in system_message %}{%- set mode = "/no_think" %}{%- else %}/think{% endif %}'
SMOLLM3 = '{%- if enable_thinking is not defined -%}{%- set enable_thinking = true -%}{%- endif -%}' + SYSTEM_SWITCH
R1_DISTILL = "{% if add_generation_prompt %}{{'<｜Assistant｜><think>\\n'}}{% endif %}"


def model_with_template(tmp_path: Path, template: str) -> str:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "chat_template.jinja").write_text(template)
    return str(folder)


@pytest.mark.parametrize(
    ("template", "effort", "expected"),
    [
        (QWEN3, None, thinking.ThinkingPlan("enable_thinking (Qwen3, SmolLM3)", {"enable_thinking": True})),
        (SMOLLM3, None, thinking.ThinkingPlan("enable_thinking (Qwen3, SmolLM3)", {"enable_thinking": True})),
        (HARMONY, None, thinking.ThinkingPlan("harmony (gpt-oss)", {"reasoning_effort": "medium"}, effort="medium")),
        (HARMONY, "high", thinking.ThinkingPlan("harmony (gpt-oss)", {"reasoning_effort": "high"}, effort="high")),
        (SYSTEM_SWITCH, None, thinking.ThinkingPlan("/think system prompt (Hunyuan)", {}, "/think")),
        (R1_DISTILL, None, thinking.ThinkingPlan("thinks by default (DeepSeek-R1 distills)", {})),
    ],
    ids=["qwen3", "smollm3", "gpt-oss-default-effort", "gpt-oss-high", "system-prompt-switch", "r1-distill"],
)
def test_the_thinking_switch_is_read_from_the_template_text(template, effort, expected, tmp_path):
    assert thinking.plan(model_with_template(tmp_path, template), "org/any-name", effort) == expected


def test_a_template_kept_in_tokenizer_config_is_found(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "tokenizer_config.json").write_text('{"chat_template": [{"name": "default", "template": "/think"}]}')
    assert thinking.plan(str(folder), "org/m", None).system_prompt == "/think"


def test_the_prompts_go_through_the_template_with_its_switch_and_natural_length(tiny):
    from datasets import load_dataset
    from transformers import AutoConfig, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny.model("reasoning"))
    config = ReasoningConfig(dataset_name="unused", num_samples=2, generate_kwargs={"max_new_tokens": 16},
                             reasoning_params={"enable_thinking": True}, system_prompt="/think")
    assert config.generate_kwargs == {"max_new_tokens": 16}  # energy_star's min_new_tokens dropped
    dataset = load_dataset(str(tiny.dataset("reasoning")), split="train")
    prepared = reasoning_preprocessing(dataset, tokenizer, config, AutoConfig.from_pretrained(tiny.model("reasoning")))
    assert len(prepared) == 2
    for row, prompt in zip(prepared, REASONING_PROMPTS, strict=False):
        expected = tokenizer.apply_chat_template(
            [{"role": "system", "content": "/think"}, {"role": "user", "content": prompt}],
            add_generation_prompt=True, enable_thinking=True,
        )["input_ids"]
        assert row["input_ids"].tolist() == expected
        assert tokenizer.decode(expected).endswith("<|assistant|><think>")


def test_the_registry_runs_reasoning_at_natural_length_with_the_v2_cap():
    spec = get_task("reasoning")
    assert REASONING_MAX_NEW_TOKENS == 8192  # AI Energy Score v2's cap
    assert dict(spec.generate_kwargs) == {"max_new_tokens": 8192}  # no min_new_tokens: natural length
    assert spec.control_variables()["max_new_tokens"] == 8192 and "new_tokens" not in spec.control_variables()
    assert get_task("text_generation").control_variables()["new_tokens"] == 10


# --- refusals through the CLI (in this process: nothing is measured before they fire) ----------


def refused(capsys, tmp_path: Path, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "results"))
    code = main(["run", *args, "--device", "cpu", "--num-samples", "2", "--repeats", "1",
                 "--output", str(tmp_path / "runs"), "--push"])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code != 0 and len(errors) == 1, errors
    assert not list(tmp_path.glob("runs/*/record.json")) and not (tmp_path / "results").exists()
    return errors[0]


def test_a_model_without_a_chat_template_is_refused(tiny, tmp_path, capsys, monkeypatch):
    line = refused(capsys, tmp_path, monkeypatch, "--model", str(tiny.model("text_generation")),
                   "--task", "reasoning", "--dataset", str(tiny.dataset("reasoning")), "--max-new-tokens", "16")
    assert "has no chat template" in line and "reasoning" in line


def test_a_template_without_a_known_thinking_switch_is_refused(tiny, tmp_path, capsys, monkeypatch):
    model = tmp_path / "plain-chat"
    shutil.copytree(tiny.model("reasoning"), model)
    (model / "chat_template.jinja").write_text(PLAIN_TEMPLATE)
    line = refused(capsys, tmp_path, monkeypatch, "--model", str(model), "--task", "reasoning",
                   "--dataset", str(tiny.dataset("reasoning")), "--max-new-tokens", "16")
    assert "chat template has no thinking switch" in line and "'enable_thinking'" in line


def test_an_effort_level_for_a_model_that_takes_none_is_refused(tiny, tmp_path, capsys, monkeypatch):
    line = refused(capsys, tmp_path, monkeypatch, "--model", str(tiny.model("reasoning")), "--task", "reasoning",
                   "--dataset", str(tiny.dataset("reasoning")), "--max-new-tokens", "16", "--reasoning-effort", "high")
    assert "--reasoning-effort high" in line and "takes no effort level" in line


@pytest.mark.parametrize("cap", ["0", "-5"])
def test_a_cap_of_zero_or_less_is_refused(cap, tiny, tmp_path, capsys, monkeypatch):
    line = refused(capsys, tmp_path, monkeypatch, "--model", str(tiny.model("reasoning")), "--task", "reasoning",
                   "--max-new-tokens", cap)
    assert f"--max-new-tokens must be a positive number of tokens, got {cap}" in line
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--task", "text_generation", "--reasoning-effort", "low"], "--reasoning-effort applies to the reasoning"),
        (["--task", "text_generation", "--max-new-tokens", "8"], "--max-new-tokens applies to the reasoning task"),
        (["--task", "reasoning", "--reasoning-effort", "extreme"], "unknown level 'extreme'"),
    ],
    ids=["effort-elsewhere", "cap-elsewhere", "unknown-effort"],
)
def test_reasoning_options_out_of_place_are_refused(args, needle, tiny, tmp_path, capsys, monkeypatch):
    line = refused(capsys, tmp_path, monkeypatch, "--model", str(tiny.model("reasoning")), *args)
    assert needle in line


def test_a_cap_that_fills_the_models_context_is_refused(tiny, tmp_path, capsys, monkeypatch):
    line = refused(capsys, tmp_path, monkeypatch, "--model", str(tiny.model("reasoning")), "--task", "reasoning",
                   "--dataset", str(tiny.dataset("reasoning")), "--max-new-tokens", "128")
    assert "--max-new-tokens 128 leaves no room for a prompt" in line and "128 positions" in line
    assert REASONING_TEST_CAP < 128
