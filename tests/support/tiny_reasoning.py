"""A tiny random chat LM for the reasoning task: a chat template of our own with a thinking switch,
and a stop token chosen so that, greedy and at the test cap, some prompts stop early and some run
to the cap (natural length, both ways, in one run).

    model_dir = build_reasoning(tmp_path / "models" / "reasoning")

The stop token is found by generating (float32, greedy) from the prompts the tiny reasoning dataset
holds, through the template with thinking on: the first token that ends some of those answers
before the cap but not the first prompt's, which runs to the cap. A random model repeats itself, so
the answers are either very short or capped, which is what the tests want to see.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

# prompts of the tiny reasoning dataset (``tiny_datasets``), in its order
REASONING_PROMPTS = (
    "what is the capital of france",
    "the cat sat on the mat",
    "a tiny model runs fast",
    "where is the green house",
)
# the cap the tests run the tiny model with (its context is 128 positions)
REASONING_TEST_CAP = 16
# thinking on: Qwen3's switch (``enable_thinking``) on a minimal template of our own
THINKING_TEMPLATE = (
    "{%- for message in messages -%}<|{{ message['role'] }}|>{{ message['content'] }}\n{% endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>"
    "{%- if enable_thinking is defined and enable_thinking -%}<think>{%- endif -%}{%- endif -%}"
)
# the same template without any switch a registry family knows
PLAIN_TEMPLATE = (
    "{%- for message in messages -%}<|{{ message['role'] }}|>{{ message['content'] }}\n{% endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)


# seeds tried, from tiny_assets.SEED on, for a model whose answers stop early on some prompts
SEED_TRIES = 20


class NoStopToken(RuntimeError):
    """No token ends some of the tiny model's answers early and not the first prompt's."""


def thinking_prompt_ids(tokenizer: Any, prompt: str) -> Any:
    """A prompt as the reasoning task feeds it: the chat template, thinking on, as a batch of one."""
    return tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], add_generation_prompt=True, enable_thinking=True,
        return_dict=True, return_tensors="pt",
    )


def greedy_new_tokens(model: Any, tokenizer: Any, prompt: str, cap: int, stop: bool = True) -> list[int]:
    """The tokens greedy generation appends to ``prompt`` (through the thinking template), up to ``cap``."""
    import torch

    inputs = thinking_prompt_ids(tokenizer, prompt)
    kwargs: dict[str, Any] = {"max_new_tokens": cap, "do_sample": False}
    if not stop:
        kwargs["min_new_tokens"] = cap
    with torch.inference_mode():
        output = model.generate(**inputs, **kwargs)
    return output[0, inputs["input_ids"].shape[-1]:].tolist()


def _stop_token(model: Any, tokenizer: Any) -> int:
    answers = [greedy_new_tokens(model, tokenizer, p, REASONING_TEST_CAP, stop=False) for p in REASONING_PROMPTS]
    # a token that ends an answer after its first token and before the cap (answers of 2..cap-1 tokens)
    early = [set(answer[1 : REASONING_TEST_CAP - 1]) - set(answer[:1]) for answer in answers]
    seen = Counter(token for tokens in early[1:] for token in tokens if token not in set(answers[0]))
    if not seen:
        raise NoStopToken("the tiny reasoning model has no token that stops some answers early")
    return seen.most_common(1)[0][0]


def build_reasoning(out: Path, positions: int = 128) -> Path:
    """Save the tiny chat LM (GPT-2 architecture, byte-level tokenizer, a context of ``positions``) in ``out``."""
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    from tests.support.tiny_assets import HEADS, HIDDEN, LAYERS, SEED, _byte_level_vocab, _save, seeded

    vocab, merges = _byte_level_vocab([], ["<|endoftext|>"])
    tokenizer = GPT2TokenizerFast(vocab=vocab, merges=merges, model_max_length=positions)
    tokenizer.chat_template = THINKING_TEMPLATE
    pad = tokenizer.eos_token_id
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=positions, n_embd=HIDDEN, n_layer=LAYERS, n_head=HEADS,
        bos_token_id=pad, eos_token_id=pad, pad_token_id=pad,
    )
    # seeded (the caller's RNG left alone); the first seed whose model has such a stop token is kept
    for seed in range(SEED, SEED + SEED_TRIES):
        with seeded(seed):
            model = GPT2LMHeadModel(config).eval()
        try:
            model.generation_config.eos_token_id = _stop_token(model, tokenizer)
        except NoStopToken:
            continue
        model.generation_config.pad_token_id = pad
        return _save(model, tokenizer, out)
    raise NoStopToken(f"no tiny reasoning model of {positions} positions among seeds {SEED}..{SEED + SEED_TRIES - 1} "
                      "has a token that stops some answers early")
