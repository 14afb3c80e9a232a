"""Tiny random-weight models of architectures that exist only in transformers 5.

transformers 4.57 has none of these model types, so a record for one proves the runner measures
the models people release now. Each builder writes a model folder (config, random weights,
tokenizer) from a config shrunk to a few thousand parameters; some 5.x configs have huge defaults
that must be shrunk explicitly.

    ARCHITECTURES["qwen3_5_text"].build(tmp_path)  # -> folder for ``python -m benchmark run``
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.tiny_assets import FFN, HEADS, HIDDEN, _bert_tokenizer, _byte_level_vocab, _save


@dataclass(frozen=True)
class Tf5Architecture:
    model_type: str
    task: str
    moe: bool
    builder: Callable[[Path], Path]

    def build(self, root: Path) -> Path:
        out = root / f"tf5-{self.model_type}"
        out.mkdir(parents=True, exist_ok=True)
        return self.builder(out)


def _lm_tokenizer() -> Any:
    from transformers import GPT2TokenizerFast

    vocab, merges = _byte_level_vocab([], ["<|endoftext|>"])
    return GPT2TokenizerFast(vocab=vocab, merges=merges, model_max_length=128)


def _lm_ids(tokenizer: Any) -> dict[str, int]:
    eos = tokenizer.eos_token_id
    return {"vocab_size": len(tokenizer), "bos_token_id": eos, "eos_token_id": eos, "pad_token_id": eos}


def _qwen3_5_attention(tokenizer: Any) -> dict[str, Any]:
    """Qwen 3.5's hybrid attention (gated delta-net and full layers), shrunk; shared by dense and MoE."""
    return {
        "num_hidden_layers": 2,
        "num_attention_heads": HEADS,
        "num_key_value_heads": 1,
        "head_dim": 16,
        "linear_key_head_dim": 16,
        "linear_value_head_dim": 16,
        "linear_num_key_heads": 2,
        "linear_num_value_heads": 2,
        "layer_types": ["linear_attention", "full_attention"],
        "max_position_embeddings": 128,
        **_lm_ids(tokenizer),
    }


def _build_qwen3_5(out: Path) -> Path:
    # Qwen 3.5: hybrid linear (gated delta-net) and full attention layers.
    from transformers import Qwen3_5ForCausalLM, Qwen3_5TextConfig

    tokenizer = _lm_tokenizer()
    config = Qwen3_5TextConfig(
        hidden_size=HIDDEN,
        intermediate_size=FFN,
        **_qwen3_5_attention(tokenizer),
    )
    return _save(Qwen3_5ForCausalLM(config), tokenizer, out)


def _build_qwen3_5_moe(out: Path) -> Path:
    # Qwen 3.5 MoE: the hybrid attention with routed and shared experts.
    from transformers import Qwen3_5MoeForCausalLM, Qwen3_5MoeTextConfig

    tokenizer = _lm_tokenizer()
    config = Qwen3_5MoeTextConfig(
        hidden_size=HIDDEN,
        moe_intermediate_size=16,
        shared_expert_intermediate_size=16,
        num_experts=4,
        num_experts_per_tok=2,
        **_qwen3_5_attention(tokenizer),
    )
    return _save(Qwen3_5MoeForCausalLM(config), tokenizer, out)


def _build_eurobert(out: Path) -> Path:
    from transformers import EuroBertConfig, EuroBertForSequenceClassification

    tokenizer = _bert_tokenizer(out)
    config = EuroBertConfig(
        vocab_size=len(tokenizer),
        hidden_size=HIDDEN,
        intermediate_size=FFN,
        num_hidden_layers=2,
        num_attention_heads=HEADS,
        num_key_value_heads=HEADS,
        head_dim=HIDDEN // HEADS,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.cls_token_id,
        eos_token_id=tokenizer.sep_token_id,
        mask_token_id=tokenizer.mask_token_id,
        id2label={0: "NEGATIVE", 1: "POSITIVE"},
    )
    return _save(EuroBertForSequenceClassification(config), tokenizer, out)


def _build_nomic_bert(out: Path) -> Path:
    from transformers import NomicBertConfig, NomicBertModel

    tokenizer = _bert_tokenizer(out)
    config = NomicBertConfig(
        vocab_size=len(tokenizer),
        hidden_size=HIDDEN,
        intermediate_size=FFN,
        num_hidden_layers=2,
        num_attention_heads=HEADS,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
    )
    return _save(NomicBertModel(config), tokenizer, out)


ARCHITECTURES: dict[str, Tf5Architecture] = {
    a.model_type: a
    for a in (
        Tf5Architecture("qwen3_5_text", "text_generation", moe=False, builder=_build_qwen3_5),
        Tf5Architecture("qwen3_5_moe_text", "text_generation", moe=True, builder=_build_qwen3_5_moe),
        Tf5Architecture("eurobert", "text_classification", moe=False, builder=_build_eurobert),
        Tf5Architecture("nomic_bert", "sentence_similarity", moe=False, builder=_build_nomic_bert),
    )
}
