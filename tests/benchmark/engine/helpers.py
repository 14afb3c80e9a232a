"""What the engine's tests and speed scripts share: a tiny random Llama with a chat template (vLLM's CPU build
loads it in about a minute), and the vLLM servers running on this machine for a model folder, read from
``/proc`` (what a test asserts is gone)."""

from __future__ import annotations

from pathlib import Path

from benchmark.runner.engine.server import MODULE
from tests.support.tiny_assets import _byte_level_vocab, seeded

CHAT_TEMPLATE = ("{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}assistant: {% endif %}")


def build_tiny_llama(out: Path, architecture: str = "LlamaForCausalLM", chat_template: str = CHAT_TEMPLATE) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    vocab, merges = _byte_level_vocab(["<s>", "</s>"], [])
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", model_max_length=512)
    fast.chat_template = chat_template
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


def servers_of(model: Path) -> list[int]:
    """The pids of live processes serving ``model`` (the API server; its engine core shares its group)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and MODULE.encode() in args and str(model).encode() in args:
            found.append(int(entry.name))
    return found
