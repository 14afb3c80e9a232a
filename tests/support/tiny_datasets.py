"""Tiny local datasets for the benchmark tasks: JSONL for text and audio, imagefolders for images.

    data_dir = build_dataset("text_classification", tmp_path)
    datasets.load_dataset(str(data_dir), split="train")
"""

from __future__ import annotations

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
