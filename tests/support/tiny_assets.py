"""Tiny random models for the benchmark tasks (datasets: ``tiny_datasets``; the diffusion
pipeline: ``tiny_diffusion``), and the sizes and helpers they share.

Everything is built from configs with random (seeded) weights and locally written tokenizers, so
nothing touches the network. The models are just large enough for optimum-benchmark's
``energy_star`` scenario to run every phase on CPU in a few seconds.

    model_dir = build_model("text_classification", tmp_path)
    data_dir = tiny_datasets.build_dataset("text_classification", tmp_path)
    datasets.load_dataset(str(data_dir), split="train")

Nothing here calls ``from_pretrained`` or any Hub API, so the builders work with the network off; the
module does not set ``HF_HUB_OFFLINE`` itself (that is the caller's choice, e.g. a hub double's tests).
Heavy imports (torch, transformers, diffusers) happen inside the builders so importing this module
is cheap.
"""

from __future__ import annotations

import contextlib
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TASK_KEYS = (
    "text_generation",
    "reasoning",
    "summarization",
    "question_answering",
    "text_classification",
    "sentence_similarity",
    "image_classification",
    "object_detection",
    "automatic_speech_recognition",
    "image_to_text",
    "text_to_image",
)

SEED = 0
AUDIO_SAMPLING_RATE = 16_000
IMAGE_SIDE = 32  # pixels; the image processors below resize to this anyway

# Tiny transformer dimensions shared by every text/vision stack.
HIDDEN = 32
LAYERS = 2
HEADS = 2
FFN = 37
# BART and Whisper share their encoder-decoder sizes.
ENCODER_DECODER_SIZES: dict[str, int] = {
    "d_model": HIDDEN,
    "encoder_layers": LAYERS,
    "decoder_layers": LAYERS,
    "encoder_attention_heads": HEADS,
    "decoder_attention_heads": HEADS,
    "encoder_ffn_dim": FFN,
    "decoder_ffn_dim": FFN,
}

_WORDS = (
    "the a cat dog sat on mat energy model runs fast slow small tiny image text what where who is "
    "was green red blue house tree river sun moon paris city capital of france and in it"
).split()


# --------------------------------------------------------------------------------------------
# helpers


def fresh_dir(path: Path) -> Path:
    # Rebuild from scratch so stale files from an older layout never leak into a run.
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def sentence(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n_words))


def _wordpiece_vocab(extra_specials: tuple[str, ...] = ()) -> list[str]:
    # [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then any extra specials, chars, "##" chars, words.
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789.,?!'-:;()")
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *extra_specials]
    # dict.fromkeys dedupes ("a" is both a char and a word) so token ids have no holes.
    return list(dict.fromkeys(specials + chars + ["##" + c for c in chars] + sorted(_WORDS)))


def _bert_tokenizer(workdir: Path, extra_specials: tuple[str, ...] = ()) -> Any:
    from transformers import BertTokenizerFast

    # The vocab as an object: transformers 5 builds an empty WordPiece from ``vocab_file=`` here.
    vocab = {token: i for i, token in enumerate(_wordpiece_vocab(extra_specials))}
    return BertTokenizerFast(vocab=vocab, do_lower_case=True, model_max_length=128)


def _byte_level_vocab(specials_front: list[str], specials_back: list[str]) -> tuple[dict[str, int], list]:
    """The vocab and merges of a byte-level BPE with no merges (one token per byte).

    Every byte is in the vocab, so any text encodes; no merges keeps the vocab ~260 entries.
    Passed as objects (``vocab=``, ``merges=``): transformers 5's tokenizers read a merges *file*
    with no merges as an empty model that encodes every text to nothing.
    """
    from transformers.convert_slow_tokenizer import bytes_to_unicode  # in 4.57 and 5.x alike

    tokens = specials_front + list(bytes_to_unicode().values()) + specials_back
    return {t: i for i, t in enumerate(tokens)}, []


def _save(model: Any, processor: Any, out: Path) -> Path:
    model.save_pretrained(out)
    processor.save_pretrained(out)
    return out


# --------------------------------------------------------------------------------------------
# model builders


def _build_text_generation(out: Path) -> Path:
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    vocab, merges = _byte_level_vocab([], ["<|endoftext|>"])
    tokenizer = GPT2TokenizerFast(vocab=vocab, merges=merges, model_max_length=128)
    eos = tokenizer.eos_token_id
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=128,
        n_embd=HIDDEN,
        n_layer=LAYERS,
        n_head=HEADS,
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,  # GPT-2 has no pad token; this silences generate()'s warning
    )
    return _save(GPT2LMHeadModel(config), tokenizer, out)


def _build_summarization(out: Path) -> Path:
    # BART, not T5: optimum-benchmark 0.6.0 runs "summarization" as a plain forward pass
    # without decoder_input_ids, which BART derives from input_ids but T5 rejects.
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizerFast

    vocab, merges = _byte_level_vocab(["<s>", "<pad>", "</s>", "<unk>"], ["<mask>"])
    tokenizer = BartTokenizerFast(vocab=vocab, merges=merges, model_max_length=128)
    config = BartConfig(
        vocab_size=len(tokenizer),
        max_position_embeddings=128,
        **ENCODER_DECODER_SIZES,
        bos_token_id=tokenizer.bos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_bos_token_id=None,
        forced_eos_token_id=tokenizer.eos_token_id,
    )
    return _save(BartForConditionalGeneration(config), tokenizer, out)


def _bert_config(vocab_size: int, **kwargs: Any) -> Any:
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=HIDDEN,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        intermediate_size=FFN,
        max_position_embeddings=128,
        **kwargs,
    )


def _build_question_answering(out: Path) -> Path:
    from transformers import BertForQuestionAnswering

    tokenizer = _bert_tokenizer(out)
    return _save(BertForQuestionAnswering(_bert_config(len(tokenizer))), tokenizer, out)


def _build_text_classification(out: Path) -> Path:
    from transformers import BertForSequenceClassification

    tokenizer = _bert_tokenizer(out)
    config = _bert_config(len(tokenizer), id2label={0: "NEGATIVE", 1: "POSITIVE"})
    return _save(BertForSequenceClassification(config), tokenizer, out)


def _build_sentence_similarity(out: Path) -> Path:
    # A bare BertModel, like all-MiniLM (architectures=["BertModel"] → AutoModel, feature-extraction).
    from transformers import BertModel

    tokenizer = _bert_tokenizer(out)
    return _save(BertModel(_bert_config(len(tokenizer))), tokenizer, out)


def _vit_kwargs() -> dict[str, Any]:
    return {
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": FFN,
        "patch_size": 8,
    }


def _build_image_classification(out: Path) -> Path:
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    config = ViTConfig(image_size=IMAGE_SIDE, id2label={0: "cat", 1: "dog"}, **_vit_kwargs())
    processor = ViTImageProcessor(size={"height": IMAGE_SIDE, "width": IMAGE_SIDE})
    return _save(ViTForImageClassification(config), processor, out)


def _build_object_detection(out: Path) -> Path:
    # YOLOS rather than DETR: DETR's default backbone needs timm.
    from transformers import YolosConfig, YolosForObjectDetection, YolosImageProcessor

    config = YolosConfig(
        image_size=[IMAGE_SIDE, IMAGE_SIDE],
        num_detection_tokens=5,
        id2label={0: "cat", 1: "dog"},
        **_vit_kwargs(),
    )
    # The default processor resizes to 800px on the short side; pin it to the tiny model's size.
    processor = YolosImageProcessor(size={"height": IMAGE_SIDE, "width": IMAGE_SIDE})
    return _save(YolosForObjectDetection(config), processor, out)


_WHISPER_SPECIALS = [
    "<|endoftext|>",
    "<|startoftranscript|>",
    "<|en|>",
    "<|translate|>",
    "<|transcribe|>",
    "<|startoflm|>",
    "<|startofprev|>",
    "<|nocaptions|>",
    "<|notimestamps|>",
]


def _build_automatic_speech_recognition(out: Path) -> Path:
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizerFast,
    )

    vocab, merges = _byte_level_vocab([], _WHISPER_SPECIALS)
    tokenizer = WhisperTokenizerFast(
        vocab=vocab,
        merges=merges,
        unk_token="<|endoftext|>",
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=_WHISPER_SPECIALS[1:],
        model_max_length=128,
    )
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in _WHISPER_SPECIALS}
    eos = ids["<|endoftext|>"]

    # 1 s chunks instead of Whisper's 30 s: 100 mel frames → 50 encoder positions.
    feature_extractor = WhisperFeatureExtractor(feature_size=80, sampling_rate=AUDIO_SAMPLING_RATE, chunk_length=1)
    processor = WhisperProcessor(feature_extractor=feature_extractor, tokenizer=tokenizer)
    config = WhisperConfig(
        vocab_size=len(tokenizer),
        num_mel_bins=80,
        **ENCODER_DECODER_SIZES,
        max_source_positions=feature_extractor.nb_max_frames // 2,
        # room for the 4 prompt tokens + optimum-benchmark's default of 100 new tokens
        max_target_positions=128,
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,
        decoder_start_token_id=ids["<|startoftranscript|>"],
    )
    model = WhisperForConditionalGeneration(config)
    # Fixed English transcription prompt (<|startoftranscript|><|en|><|transcribe|><|notimestamps|>):
    # no language detection pass, no timestamps, the same decoder prompt for every sample.
    model.generation_config = GenerationConfig(
        decoder_start_token_id=ids["<|startoftranscript|>"],
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,
        max_length=config.max_target_positions,
        is_multilingual=True,
        lang_to_id={"<|en|>": ids["<|en|>"]},
        task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
        language="en",
        task="transcribe",
        no_timestamps_token_id=ids["<|notimestamps|>"],
        return_timestamps=False,
    )
    return _save(model, processor, out)


def _build_image_to_text(out: Path) -> Path:
    from transformers import BlipConfig, BlipForConditionalGeneration, BlipImageProcessor, BlipProcessor

    # BLIP's captioner starts decoding from a [DEC] token and stops at [SEP].
    tokenizer = _bert_tokenizer(out, extra_specials=("[DEC]",))
    text_config = {
        "vocab_size": len(tokenizer),
        "hidden_size": HIDDEN,
        "encoder_hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": FFN,
        "max_position_embeddings": 128,  # room for optimum-benchmark's default of 100 new tokens
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.convert_tokens_to_ids("[DEC]"),
        "eos_token_id": tokenizer.sep_token_id,
        "sep_token_id": tokenizer.sep_token_id,
    }
    vision_config = {"image_size": IMAGE_SIDE, **_vit_kwargs()}
    config = BlipConfig(text_config=text_config, vision_config=vision_config, projection_dim=HIDDEN)
    image_processor = BlipImageProcessor(size={"height": IMAGE_SIDE, "width": IMAGE_SIDE})
    processor = BlipProcessor(image_processor=image_processor, tokenizer=tokenizer)
    return _save(BlipForConditionalGeneration(config), processor, out)


def _build_reasoning(out: Path) -> Path:
    from tests.support.tiny_reasoning import build_reasoning

    return build_reasoning(out)


def _build_text_to_image(out: Path) -> Path:
    from tests.support.tiny_diffusion import build_text_to_image

    return build_text_to_image(out)


_MODEL_BUILDERS: dict[str, Callable[[Path], Path]] = {
    "text_generation": _build_text_generation,
    "reasoning": _build_reasoning,
    "summarization": _build_summarization,
    "question_answering": _build_question_answering,
    "text_classification": _build_text_classification,
    "sentence_similarity": _build_sentence_similarity,
    "image_classification": _build_image_classification,
    "object_detection": _build_object_detection,
    "automatic_speech_recognition": _build_automatic_speech_recognition,
    "image_to_text": _build_image_to_text,
    "text_to_image": _build_text_to_image,
}


def check_task(task_key: str) -> None:
    if task_key not in TASK_KEYS:
        raise ValueError(f"unknown task {task_key!r}: choose one of {', '.join(TASK_KEYS)}")


def build_model(task_key: str, root: Path) -> Path:
    """Save a tiny random model for ``task_key`` under ``root/models/<task_key>`` and return that folder."""
    check_task(task_key)
    out = fresh_dir(Path(root) / "models" / task_key)
    with seeded(SEED):
        return _MODEL_BUILDERS[task_key](out)


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """torch seeded with ``seed`` for byte-identical weights, inside fork_rng so the caller's RNG state
    is left alone."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
