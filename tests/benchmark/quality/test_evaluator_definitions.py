"""Each evaluator follows its benchmark's reference definition where a pipeline shortcut drifted from it:
ImageNet top-1 on the model's own class ids (the standard names hold "crane" twice), COCO box AP on the
model's float boxes (not the pipeline's whole pixels), a multilingual Whisper told to transcribe English (as
the Open ASR Leaderboard runs it). Tiny random models built here, their answers checked against the model's
own outputs computed apart."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from benchmark.runner.quality import pipelines
from benchmark.tasks import TASKS


def _job(model_dir, task: str, dataset) -> pipelines.Job:
    return pipelines.Job(model_dir=str(model_dir), model_id=f"tiny/{task}", benchmark=TASKS[task].quality,
                         task=TASKS[task], dataset=str(dataset), limit=None, device="cpu", dtype=None, batch_size=2,
                         max_new_tokens=None, reasoning_effort=None)


@pytest.mark.runner
def test_imagenet_scores_class_ids_even_where_two_classes_share_a_name(tmp_path):
    import torch
    from PIL import Image
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(0)
    config = ViTConfig(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                       intermediate_size=37, id2label={0: "crane", 1: "crane", 2: "cat"})
    model_dir = tmp_path / "vit"
    ViTForImageClassification(config).save_pretrained(model_dir)
    processor = ViTImageProcessor(size={"height": 32, "width": 32})
    processor.save_pretrained(model_dir)
    data = tmp_path / "imagenet"
    data.mkdir()
    rows = []
    for i in range(6):
        Image.new("RGB", (40, 40), (40 * i, 255 - 30 * i, 7 * i)).save(data / f"{i}.png")
        rows.append({"image": f"{i}.png", "label": i % 3})
    (data / "validation.jsonl").write_text("\n".join(json.dumps(r) for r in rows))

    evaluation = pipelines.imagenet(_job(model_dir, "image_classification", data))

    loaded = ViTForImageClassification.from_pretrained(model_dir).eval()
    with torch.no_grad():
        ids = loaded(**processor(images=[Image.open(data / f"{i}.png").convert("RGB") for i in range(6)],
                                 return_tensors="pt")).logits.argmax(-1).tolist()
    right = sum(int(p == r["label"]) for p, r in zip(ids, rows, strict=True))
    assert evaluation.value == pytest.approx(100.0 * right / 6) and evaluation.samples == 6


@pytest.mark.runner
def test_coco_detections_keep_the_model_s_float_boxes(tiny, tmp_path):
    from tests.support.tiny_datasets import build_quality_data

    data = build_quality_data("object_detection", tmp_path)
    job = _job(tiny.model("object_detection"), "object_detection", data)
    truth, images = pipelines.coco_ground_truth(job.dataset, None)
    detections = pipelines.coco_detections(job, truth, images)
    coordinates = [v for d in detections for v in d["bbox"]]
    assert detections and all(isinstance(v, float) for v in coordinates)
    assert any(v != round(v) for v in coordinates)  # not cut to whole pixels


def test_a_multilingual_whisper_is_told_to_transcribe_english_and_others_are_left_alone():
    whisper = SimpleNamespace(config=SimpleNamespace(model_type="whisper"),
                              generation_config=SimpleNamespace(is_multilingual=True))
    english_only = SimpleNamespace(config=SimpleNamespace(model_type="whisper"),
                                   generation_config=SimpleNamespace(is_multilingual=False))
    ctc = SimpleNamespace(config=SimpleNamespace(model_type="wav2vec2"))
    assert pipelines.asr_generate_kwargs(whisper, 8) == {"max_new_tokens": 8, "language": "en", "task": "transcribe"}
    assert pipelines.asr_generate_kwargs(english_only, None) == {}
    assert pipelines.asr_generate_kwargs(ctc, None) == {}
