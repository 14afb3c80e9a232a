"""The benchmarks scored on predictions: the model answers every example through its transformers
pipeline (the task's own pre- and post-processing) where transformers 5 still has one, or its own head
where it does not (extractive QA: the best span or no answer from the start/end logits; summarization:
``generate``), then ``metrics`` hands the answers to the field's library. One function per benchmark,
keyed by the benchmark in ``EVALUATORS`` (no ladder of tasks).

Each returns an ``Evaluation``: the value in the record's unit and what was used to get it (settings the
record keeps). A model that cannot do the benchmark (no head for it, labels that are not the benchmark's)
is refused in one line before anything is scored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmark.errors import UserInputError
from benchmark.runner.quality import metrics
from benchmark.runner.quality.data import Rows, audio_of, coco_ground_truth, image_of, load_rows


class ModelRefused(UserInputError):
    """The model cannot do the benchmark (one line naming why)."""


@dataclass(frozen=True)
class Evaluation:
    value: float
    samples: int
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """What an evaluator gets: the model (a local folder), the benchmark, and the run's settings."""

    model_dir: str
    model_id: str
    benchmark: Any
    task: Any
    dataset: str | None
    limit: int | None
    device: str
    dtype: str | None
    batch_size: int
    max_new_tokens: int | None
    reasoning_effort: str | None = None
    chat_template: bool | None = None  # the Open LLM Leaderboard's choice (None: on when the model has one)


def _pipeline(job: Job, task: str, **kwargs: Any) -> Any:
    from transformers import pipeline

    try:
        return pipeline(task, model=job.model_dir, device=job.device, dtype=job.dtype or "auto", **kwargs)
    except (ValueError, OSError, KeyError) as exc:
        raise ModelRefused(f"model {job.model_id!r} cannot run the {task} pipeline {job.benchmark.name} needs: "
                           f"{str(exc).splitlines()[0]}") from None


# the distribution that computes each benchmark's metric (its version is recorded)
LIBRARIES = {"sst2": "scikit-learn", "squad_v2": "torchmetrics", "cnn_dailymail": "rouge-score",
             "imagenet_1k_val": "scikit-learn", "librispeech_test_clean": "jiwer", "coco_val2017": "pycocotools",
             "coco_karpathy_test": "pycocoevalcap"}


def _settings(job: Job, data: Rows | None, **extra: Any) -> dict[str, Any]:
    from importlib import metadata

    library = LIBRARIES[job.benchmark.key]
    where = {"dataset": data.source, "dataset_rows": data.total} if data else {"dataset": str(job.dataset)}
    return {"library": library, "library_version": metadata.version(library), **where, "batch_size": job.batch_size,
            **extra}


def _load(job: Job, auto_class: str) -> tuple[Any, Any]:
    """The model with the head the benchmark needs and its tokenizer (or processor), on the job's device."""
    import transformers

    try:
        model = getattr(transformers, auto_class).from_pretrained(job.model_dir, dtype=job.dtype or "auto")
        processor = transformers.AutoProcessor.from_pretrained(job.model_dir)
    except (ValueError, OSError, KeyError) as exc:
        raise ModelRefused(f"model {job.model_id!r} has no {auto_class.removeprefix('AutoModelFor')} head for "
                           f"{job.benchmark.name}: {str(exc).splitlines()[0]}") from None
    return model.to(job.device).eval(), processor


def sst2(job: Job) -> Evaluation:
    """SST-2 validation accuracy as GLUE defines it (``glue/sst2``, accuracy over 872 sentences; the label names
    mapped to negative/positive from the model's own ``id2label``)."""
    data = load_rows(job.benchmark, job.dataset, job.limit)
    classify = _pipeline(job, "text-classification")
    negative_positive = _binary_labels(classify.model.config.id2label, job.model_id)
    outputs = classify([row["sentence"] for row in data.rows], batch_size=job.batch_size)
    predictions = [negative_positive[out["label"]] for out in outputs]
    return Evaluation(metrics.accuracy_pct(predictions, [int(row["label"]) for row in data.rows]), len(data.rows),
                      _settings(job, data, labels=dict(sorted(negative_positive.items()))))


def _binary_labels(id2label: dict[int, str], model_id: str) -> dict[str, int]:
    """Each label of a two-label head as SST-2's 0 (negative) or 1 (positive): by name, else by index."""
    if len(id2label) != 2:
        raise ModelRefused(f"model {model_id!r} has {len(id2label)} labels: SST-2 needs negative/positive")
    by_name = {name: 0 if "neg" in name.lower() else 1 if "pos" in name.lower() else None for name in id2label.values()}
    if sorted(v for v in by_name.values() if v is not None) == [0, 1]:
        return {name: int(value) for name, value in by_name.items()}
    return {name: int(index) for index, name in id2label.items()}


QA_MAX_LENGTH, QA_STRIDE, QA_MAX_ANSWER_TOKENS = 384, 128, 30


def best_span(
    start: Any, end: Any, context_tokens: list[int], max_tokens: int = QA_MAX_ANSWER_TOKENS
) -> tuple[float, int, int]:
    """The highest ``start[i] + end[j]`` over context tokens ``i <= j < i + max_tokens``: (score, i, j)."""
    import numpy as np

    if not context_tokens:
        return float("-inf"), 0, 0
    index = np.asarray(context_tokens)
    s, e = np.asarray(start, dtype=float)[index], np.asarray(end, dtype=float)[index]
    gap = index[None, :] - index[:, None]
    scores = np.where((gap >= 0) & (gap < max_tokens), s[:, None] + e[None, :], -np.inf)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return float(scores[i, j]), int(index[i]), int(index[j])


def answer_or_abstain(model: Any, tokenizer: Any, question: str, context: str, device: str) -> str:
    """What an extractive QA head answers (the text of its best span), or "" when its no-answer score (the
    first token's start + end) beats every span — SQuAD v2's convention, over windows of a long context."""
    import torch

    encoded = tokenizer(question, context, truncation="only_second", max_length=QA_MAX_LENGTH, stride=QA_STRIDE,
                        return_overflowing_tokens=True, return_offsets_mapping=True, padding=True,
                        return_tensors="pt")
    offsets = encoded.pop("offset_mapping").tolist()
    encoded.pop("overflow_to_sample_mapping", None)
    with torch.no_grad():
        out = model(**{k: v.to(device) for k, v in encoded.items()})
    null, best, text = float("inf"), float("-inf"), ""
    for window in range(len(offsets)):
        start, end = out.start_logits[window].tolist(), out.end_logits[window].tolist()
        null = min(null, start[0] + end[0])
        in_context = [i for i, s in enumerate(encoded.sequence_ids(window)) if s == 1]
        score, i, j = best_span(start, end, in_context)
        if score > best:
            best, text = score, context[offsets[window][i][0]:offsets[window][j][1]]
    return text if best > null else ""


def squad_v2(job: Job) -> Evaluation:
    """SQuAD v2 F1 as the official ``evaluate-v2.0.py`` scores it (torchmetrics' copy: normalisation, token F1,
    the empty answer right on an unanswerable question); the answer is the best span or no answer, as
    transformers' ``run_qa.py`` post-processing picks it."""
    data = load_rows(job.benchmark, job.dataset, job.limit)
    model, tokenizer = _load(job, "AutoModelForQuestionAnswering")
    predictions = [answer_or_abstain(model, tokenizer, row["question"], row["context"], job.device)
                   for row in data.rows]
    golds = [list(row["answers"]["text"]) if isinstance(row["answers"], dict) else list(row["answers"])
             for row in data.rows]
    return Evaluation(metrics.squad_v2_f1_pct(predictions, golds), len(data.rows),
                      _settings(job, data, max_length=QA_MAX_LENGTH, stride=QA_STRIDE,
                                max_answer_tokens=QA_MAX_ANSWER_TOKENS, no_answer="first-token score beats every span"))


# the generation settings a checkpoint publishes for summarization (T5: "summarize: " and beam search)
SUMMARY_GENERATE_KEYS = ("num_beams", "max_length", "min_length", "length_penalty", "no_repeat_ngram_size",
                         "early_stopping")


def summarization_settings(config: Any) -> tuple[str, dict[str, Any]]:
    """The input prefix and decoding a checkpoint publishes for summarization (``task_specific_params``, as the
    transformers summarization pipeline applies them: T5's ``"summarize: "`` and 4-beam search), else none."""
    params = (getattr(config, "task_specific_params", None) or {}).get("summarization") or {}
    return str(params.get("prefix") or ""), {k: params[k] for k in SUMMARY_GENERATE_KEYS if k in params}


def cnn_dailymail(job: Job) -> Evaluation:
    """CNN/DailyMail 3.0.0 test ROUGE-Lsum as Hugging Face's ``run_summarization.py`` scores it (evaluate's
    ``rouge``: rouge-score 0.1.2, stemmed, NLTK-split sentences, bootstrap mid), with the checkpoint's own
    published prefix and decoding."""
    import torch

    data = load_rows(job.benchmark, job.dataset, job.limit)
    model, tokenizer = _load(job, "AutoModelForSeq2SeqLM")
    prefix, published = summarization_settings(model.config)
    generate = {**published, **({"max_new_tokens": job.max_new_tokens} if job.max_new_tokens else {})}
    predictions = []
    for first in range(0, len(data.rows), job.batch_size):
        batch = [prefix + row["article"] for row in data.rows[first:first + job.batch_size]]
        encoded = tokenizer(batch, truncation=True, padding=True, return_tensors="pt").to(job.device)
        with torch.no_grad():
            generated = model.generate(**encoded, **generate)
        predictions += tokenizer.batch_decode(generated, skip_special_tokens=True)
    return Evaluation(metrics.rouge_lsum(predictions, [row["highlights"] for row in data.rows]), len(data.rows),
                      _settings(job, data, use_stemmer=True, aggregation="bootstrap mid",
                                bootstrap_seed=metrics.BOOTSTRAP_SEED, sentence_split="nltk punkt (english)",
                                input_prefix=prefix or None, generate_kwargs=generate or "the model's own"))


def imagenet(job: Job) -> Evaluation:
    """Top-1 accuracy on the model's own class ids: the argmax of its logits, in its ``id2label`` order. Never a
    round trip through label names: the standard ImageNet names hold "crane" twice (134 and 517)."""
    import torch

    data = load_rows(job.benchmark, job.dataset, job.limit)
    model, processor = _load(job, "AutoModelForImageClassification")
    n_classes = int(model.config.num_labels)
    labels = [int(row["label"]) for row in data.rows]
    if max(labels) >= n_classes:
        raise ModelRefused(f"model {job.model_id!r} has {n_classes} classes: the data's labels go to {max(labels)}")
    predictions: list[int] = []
    for first in range(0, len(data.rows), job.batch_size):
        images = [image_of(row["image"], data.folder) for row in data.rows[first:first + job.batch_size]]
        inputs = processor(images=images, return_tensors="pt").to(job.device)
        with torch.no_grad():
            predictions += [int(i) for i in model(**inputs).logits.argmax(-1).tolist()]
    return Evaluation(metrics.accuracy_pct(predictions, labels), len(data.rows),
                      _settings(job, data, top_k=1, classes="the model's own ids (argmax of its logits)"))


def asr_generate_kwargs(model: Any, max_new_tokens: int | None) -> dict[str, Any]:
    """How the transcriber generates: a multilingual Whisper is told the audio is English and to transcribe it,
    as the Open ASR Leaderboard runs it (left to detect the language, it may answer in another or translate)."""
    kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens} if max_new_tokens else {}
    generation = getattr(model, "generation_config", None)
    if getattr(model.config, "model_type", "") == "whisper" and getattr(generation, "is_multilingual", False):
        kwargs.update(language="en", task="transcribe")
    return kwargs


def librispeech(job: Job) -> Evaluation:
    """LibriSpeech test-clean WER as the Open ASR Leaderboard scores it (``normalizer.py``'s Whisper English
    normaliser, then jiwer's WER; a multilingual Whisper forced to English transcription)."""
    data = load_rows(job.benchmark, job.dataset, job.limit)
    transcribe = _pipeline(job, "automatic-speech-recognition")
    generate = asr_generate_kwargs(transcribe.model, job.max_new_tokens)
    outputs = transcribe([audio_of(row["audio"]) for row in data.rows], batch_size=job.batch_size,
                         **({"generate_kwargs": generate} if generate else {}))
    predictions = [out["text"] for out in outputs]
    return Evaluation(metrics.wer_pct(predictions, [row["text"] for row in data.rows]), len(data.rows),
                      _settings(job, data, normaliser="Whisper English (whisper-normalizer)",
                                generate_kwargs=generate or "the model's own"))


def coco_detections(job: Job, truth: dict[str, Any], images: Any) -> list[dict[str, Any]]:
    """The model's detections in COCO's result format, its boxes as the model gives them (floats: the
    pipeline's whole-pixel boxes cost 0.1–0.5 AP), every score down to 0.001, classes COCO does not score left
    out."""
    import torch

    model, processor = _load(job, "AutoModelForObjectDetection")
    category_of = {category["name"]: category["id"] for category in truth["categories"]}
    detections = []
    for image in truth["images"]:
        picture = image_of(image["file_name"], images)
        inputs = processor(images=picture, return_tensors="pt").to(job.device)
        with torch.no_grad():
            outputs = model(**inputs)
        found = processor.post_process_object_detection(outputs, threshold=0.001,
                                                        target_sizes=[(picture.height, picture.width)])[0]
        for score, label, box in zip(found["scores"].tolist(), found["labels"].tolist(), found["boxes"].tolist(),
                                     strict=True):
            name = model.config.id2label.get(int(label))
            if name not in category_of:
                continue  # a class COCO does not score
            x0, y0, x1, y1 = (float(v) for v in box)
            detections.append({"image_id": image["id"], "category_id": category_of[name], "score": float(score),
                               "bbox": [x0, y0, x1 - x0, y1 - y0]})
    return detections


def coco(job: Job) -> Evaluation:
    """COCO val2017 box AP@[.50:.95] as pycocotools' ``COCOeval`` scores it (the detection benchmark's own
    evaluator), on the model's float boxes."""
    truth, images = coco_ground_truth(job.dataset, job.limit)
    detections = coco_detections(job, truth, images)
    return Evaluation(metrics.box_ap_pct(truth, detections), len(truth["images"]),
                      _settings(job, None, score_threshold=0.001, boxes="the model's float boxes"))


# The captioning decoding each model family published for COCO Karpathy test (by ``config.model_type``); a family
# not listed runs with its own generation config, recorded as such.
CAPTION_SETTINGS: dict[str, dict[str, Any]] = {
    # BLIP (Li et al., 2022, "BLIP: Bootstrapping Language-Image Pre-training", captioning): the prompt
    # "a picture of " (stripped from the caption), beam search of 3, at most 20 tokens, at least 5
    "blip": {"prompt": "a picture of ", "generate": {"num_beams": 3, "max_length": 20, "min_length": 5},
             "source": "BLIP paper (Li et al., 2022)"},
}


def caption_settings(model_type: str | None) -> tuple[str, dict[str, Any], str]:
    """The prompt, decoding and their source a captioning family published (none: the model's own)."""
    family = CAPTION_SETTINGS.get(model_type or "")
    if family is None:
        return "", {}, "the model's own generation config"
    return family["prompt"], dict(family["generate"]), family["source"]


def coco_karpathy(job: Job) -> Evaluation:
    """COCO Karpathy test CIDEr-D as pycocoevalcap scores it (PTB tokenizer, the captioning papers' evaluator),
    with the decoding the model family published (``CAPTION_SETTINGS``), recorded."""
    import torch

    data = load_rows(job.benchmark, job.dataset, job.limit)
    model, processor = _load(job, "AutoModelForImageTextToText")
    prompt, published, source = caption_settings(getattr(model.config, "model_type", None))
    generate = {**published, **({"max_new_tokens": job.max_new_tokens} if job.max_new_tokens else {})}
    predictions = {}
    for i, row in enumerate(data.rows):
        text = {"text": prompt} if prompt else {}
        inputs = processor(images=image_of(row["image"], data.folder), return_tensors="pt", **text).to(job.device)
        with torch.no_grad():
            generated = model.generate(**inputs, **generate)
        caption = processor.batch_decode(generated, skip_special_tokens=True)[0].strip()
        predictions[i] = caption[len(prompt.strip()):].strip() if prompt and caption.startswith(prompt.strip()) \
            else caption
    references = {i: [s["raw"] if isinstance(s, dict) else str(s) for s in row["sentences"]]
                  for i, row in enumerate(data.rows)}
    return Evaluation(metrics.cider(predictions, references), len(data.rows),
                      _settings(job, data, tokenizer="PTB", prompt=prompt or None,
                                generate_kwargs=generate or "the model's own", decoding_source=source))


EVALUATORS: dict[str, Callable[[Job], Evaluation]] = {
    "sst2": sst2,
    "squad_v2": squad_v2,
    "cnn_dailymail": cnn_dailymail,
    "imagenet_1k_val": imagenet,
    "librispeech_test_clean": librispeech,
    "coco_val2017": coco,
    "coco_karpathy_test": coco_karpathy,
}
