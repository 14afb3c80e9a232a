"""A tiny random T5 (text-to-text) model, for zero-shot prompting runs: built from a config, offline."""

from __future__ import annotations

from pathlib import Path

from tests.support.tiny_assets import SEED, _byte_level_vocab, _save, fresh_dir


def build_t5(root: Path) -> Path:
    """Save a tiny random ``T5ForConditionalGeneration`` (byte-level tokenizer) under ``root/models/t5``."""
    import torch
    from transformers import BartTokenizerFast, T5Config, T5ForConditionalGeneration

    out = fresh_dir(Path(root) / "models" / "t5")
    vocab, merges = _byte_level_vocab(["<s>", "<pad>", "</s>", "<unk>"], ["<mask>"])
    tokenizer = BartTokenizerFast(vocab=vocab, merges=merges, model_max_length=128)
    config = T5Config(
        vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=2, num_decoder_layers=2, num_heads=4,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        return _save(T5ForConditionalGeneration(config), tokenizer, out)
