"""Tiny local datasets for the benchmark tasks: JSONL for text and audio, imagefolders for images; and
tiny local copies of the quality benchmarks' data in each benchmark's own layout (``build_quality_data``:
what ``python -m benchmark quality --dataset`` reads on an offline machine).

    data_dir = build_dataset("text_classification", tmp_path)
    datasets.load_dataset(str(data_dir), split="train")
    folder = build_quality_data("question_answering", tmp_path)
"""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path
from typing import Any

from tests.support.tiny_assets import AUDIO_SAMPLING_RATE, IMAGE_SIDE, SEED, check_task, fresh_dir, sentence


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def _image_rows(out: Path, rng: random.Random, num_rows: int) -> list[dict[str, Any]]:
    from PIL import Image

    rows = []
    for i in range(num_rows):
        # Varied sizes exercise the processors' resize.
        size = (IMAGE_SIDE + 8 * (i % 3), IMAGE_SIDE + 4 * (i % 2))
        pixels = bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3))
        image = Image.frombytes("RGB", size, pixels)
        name = f"{i:04d}.png"
        image.save(out / name)
        rows.append({"file_name": name})
    return rows


def _audio_row(rng: random.Random, index: int) -> dict[str, Any]:
    # ~1 s of a quiet tone plus noise, rounded to keep the JSONL small.
    freq = 220.0 * (1 + index % 4)
    samples = [
        round(0.1 * math.sin(2 * math.pi * freq * t / AUDIO_SAMPLING_RATE) + 0.01 * rng.uniform(-1, 1), 4)
        for t in range(AUDIO_SAMPLING_RATE)
    ]
    return {"audio": {"array": samples, "sampling_rate": AUDIO_SAMPLING_RATE}}


def build_dataset(task_key: str, root: Path, num_rows: int = 4) -> Path:
    """Write a tiny local dataset for ``task_key`` under ``root/datasets/<task_key>``; return the folder.

    ``datasets.load_dataset(str(folder), split="train")`` loads it: JSONL (``data.jsonl``) for text and
    audio, an imagefolder (PNG files + ``metadata.jsonl``) for images.
    """
    check_task(task_key)
    rng = random.Random(SEED)
    out = fresh_dir(Path(root) / "datasets" / task_key)

    if task_key in ("image_classification", "object_detection", "image_to_text"):
        _write_jsonl(out / "metadata.jsonl", _image_rows(out, rng, num_rows))
        return out

    rows: list[dict[str, Any]]
    if task_key == "question_answering":
        rows = [{"question": sentence(rng, 4) + "?", "context": sentence(rng, 12) + "."} for _ in range(num_rows)]
    elif task_key == "sentence_similarity":
        rows = [{"sentence1": sentence(rng, 6), "sentence2": sentence(rng, 6)} for _ in range(num_rows)]
    elif task_key == "automatic_speech_recognition":
        rows = [_audio_row(rng, i) for i in range(num_rows)]
    elif task_key == "text_to_image":
        rows = [{"prompt": sentence(rng, 5)} for _ in range(num_rows)]
    elif task_key == "reasoning":
        from tests.support.tiny_reasoning import REASONING_PROMPTS

        rows = [{"text": REASONING_PROMPTS[i % len(REASONING_PROMPTS)]} for i in range(num_rows)]
    elif task_key == "summarization":
        rows = [{"text": sentence(rng, 20) + "."} for _ in range(num_rows)]
    else:  # text_generation, text_classification
        rows = [{"text": sentence(rng, 8)} for _ in range(num_rows)]
    _write_jsonl(out / "data.jsonl", rows)
    return out


# --- the quality benchmarks' data ----------------------------------------------------------------

GPQA_ROWS = [
    ("What is 2 + 2?", "4", ("3", "5", "22")),
    ("Which gas do plants absorb for photosynthesis?", "carbon dioxide", ("oxygen", "helium", "neon")),
    ("What is the boiling point of water at sea level?", "100 C", ("50 C", "0 C", "200 C")),
]
# GPQA's Hub repository: one CSV per config, declared in the README's front matter
GPQA_README = """---
configs:
- config_name: gpqa_diamond
  data_files:
  - split: train
    path: gpqa_diamond.csv
---
A tiny copy of Idavidrein/gpqa in the repository's own layout.
"""


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _gpqa(out: Path) -> None:
    with (out / "gpqa_diamond.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Question", "Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2",
                         "Incorrect Answer 3", "Record ID"])
        for i, (question, right, wrong) in enumerate(GPQA_ROWS):
            writer.writerow([question, right, *wrong, f"rec{i}"])
    (out / "README.md").write_text(GPQA_README, encoding="utf-8")


def _coco(out: Path, rng: random.Random) -> None:
    images = out / "val2017"
    images.mkdir()
    rows = _image_rows(images, rng, 3)
    truth = {
        "images": [{"id": i + 1, "file_name": row["file_name"], "width": 32, "height": 32}
                   for i, row in enumerate(rows)],
        "annotations": [{"id": i + 1, "image_id": i + 1, "category_id": 17 + i % 2, "bbox": [4, 4, 16, 16],
                         "area": 256, "iscrowd": 0} for i in range(len(rows))],
        "categories": [{"id": 17, "name": "cat"}, {"id": 18, "name": "dog"}],
    }
    (out / "annotations").mkdir()
    (out / "annotations" / "instances_val2017.json").write_text(json.dumps(truth), encoding="utf-8")


def build_quality_data(task: str, root: Path) -> Path:
    """A tiny local copy of ``task``'s quality benchmark under ``root/quality-data/<task>``."""
    rng = random.Random(SEED)
    out = fresh_dir(Path(root) / "quality-data" / task)
    if task == "text_classification":
        _jsonl(out / "validation.jsonl", [{"sentence": s, "label": label, "idx": i} for i, (s, label) in enumerate(
            [("a gripping , beautiful film", 1), ("a dull and lifeless mess", 0), ("loved every minute", 1),
             ("an awful , tedious hour", 0)])])
    elif task == "question_answering":
        _jsonl(out / "validation.jsonl", [
            {"id": "q1", "question": "Where is the cat?", "context": "The cat sleeps on the mat by the door.",
             "answers": {"text": ["on the mat"], "answer_start": [15]}},
            {"id": "q2", "question": "Who wrote the book?", "context": "Nobody remembers this old book any more.",
             "answers": {"text": [], "answer_start": []}},
            {"id": "q3", "question": "What colour is the sky?", "context": "Today the sky is blue and clear.",
             "answers": {"text": ["blue"], "answer_start": [17]}},
        ])
    elif task == "sentence_similarity":
        _jsonl(out / "test.jsonl", [
            {"sentence1": "A cat sits on a mat.", "sentence2": "A cat is sitting on the mat.", "score": 4.8},
            {"sentence1": "A dog runs in a park.", "sentence2": "Stock markets fell today.", "score": 0.2},
            {"sentence1": "Two men are talking.", "sentence2": "Two men talk to each other.", "score": 4.2},
            {"sentence1": "It rains in the city.", "sentence2": "A sunny day at the beach.", "score": 1.0},
        ])
    elif task == "automatic_speech_recognition":
        _jsonl(out / "test.jsonl", [{**_audio_row(rng, i), "text": text} for i, text in enumerate(
            ["HE HOPED THERE WOULD BE STEW FOR DINNER", "STUFF IT INTO YOU HIS BELLY COUNSELLED HIM"])])
    elif task == "reasoning":
        _gpqa(out)
    elif task == "object_detection":
        _coco(out, rng)
    else:
        raise ValueError(f"no tiny quality data for {task}")
    return out
