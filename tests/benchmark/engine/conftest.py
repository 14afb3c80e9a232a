"""A tiny random Llama with a chat template (vLLM's CPU build loads it in about a minute), a tiny prompts set
in the text-generation task's layout, and the engine's state folder per test (its servers' records)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.engine.environment import engine_version
from tests.support.env import in_ci
from tests.support.tiny_assets import _byte_level_vocab, seeded
from tests.support.tiny_datasets import build_dataset

CHAT_TEMPLATE = ("{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}assistant: {% endif %}")
PROMPTS = 40


def build_tiny_llama(out: Path, architecture: str = "LlamaForCausalLM") -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    vocab, merges = _byte_level_vocab(["<s>", "</s>"], [])
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", model_max_length=512)
    fast.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(vocab_size=len(fast), hidden_size=256, intermediate_size=512, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=512, bos_token_id=0,
                         eos_token_id=1, tie_word_embeddings=False)
    with seeded(0):
        model = LlamaForCausalLM(config)
    model.save_pretrained(out)
    fast.save_pretrained(out)
    if architecture != "LlamaForCausalLM":  # a model the engine cannot load: its config names another class
        import json

        path = out / "config.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), "architectures": [architecture]}))
    return out


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("engine-model") / "tiny-llama")


@pytest.fixture(scope="session")
def prompts(tmp_path_factory) -> Path:
    return build_dataset("text_generation", tmp_path_factory.mktemp("engine-data"), num_rows=PROMPTS)


@pytest.fixture(autouse=True)
def engine_state(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "engine-state"
    monkeypatch.setenv("BENCHMARK_ENGINE_STATE", str(folder))
    return folder


def engine_skip_reason() -> str | None:
    """The engine's tests run wherever it is set up, and always in CI (``scripts/test.sh`` sets it up)."""
    if engine_version() is not None or in_ci():
        return None
    return "the serving engine is not set up here (bash scripts/engine.sh)"


needs_engine = pytest.mark.skipif(engine_skip_reason() is not None, reason=engine_skip_reason() or "")
