"""A benchmark's data: the Hub dataset it declares, or a local copy in the benchmark's own layout.

``--dataset`` takes a local copy, as offline GPU machines need: a folder holding the split as
``<split>.jsonl`` / ``.json`` / ``.parquet`` / ``.csv`` (or ``data.jsonl``), a folder saved by
``datasets`` (``save_to_disk``), a snapshot of the Hub repository (``load_dataset(folder)``), or one such
file. Image and audio values may be what ``datasets`` decodes (a PIL image, ``{"array", "sampling_rate"}``)
or a file name relative to the copy. A copy without the benchmark's columns is refused naming them,
before a model is loaded. COCO detection keeps COCO's own layout (``annotations/instances_*.json`` and the
image folder); see ``coco_ground_truth``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.errors import UserInputError
from benchmark.quality.benchmarks import QualityBenchmark

SUFFIXES = (".jsonl", ".json", ".parquet", ".csv")
# the columns each benchmark's rows must have
COLUMNS: dict[str, tuple[str, ...]] = {
    "cnn_dailymail": ("article", "highlights"),
    "squad_v2": ("question", "context", "answers"),
    "sst2": ("sentence", "label"),
    "mteb_stsbenchmark": ("sentence1", "sentence2", "score"),
    "imagenet_1k_val": ("image", "label"),
    "librispeech_test_clean": ("audio", "text"),
    "coco_karpathy_test": ("image", "sentences"),
}


class DataRefused(UserInputError):
    pass


@dataclass(frozen=True)
class Rows:
    """The examples to evaluate (``limit`` applied), where they came from, and the folder of a local copy
    (file names in the rows are relative to it)."""

    rows: list[dict[str, Any]]
    source: str
    folder: Path | None
    total: int


def _read_file(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, list) else data.get("data", [])
    import pandas as pd

    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return frame.to_dict(orient="records")


def _local_rows(path: Path, split: str) -> list[dict[str, Any]]:
    if path.is_file():
        return _read_file(path)
    for stem in (split, "data"):
        for suffix in SUFFIXES:
            if (path / f"{stem}{suffix}").is_file():
                return _read_file(path / f"{stem}{suffix}")
    import datasets

    if (path / "dataset_info.json").is_file() or (path / "dataset_dict.json").is_file():
        loaded = datasets.load_from_disk(str(path))
        return list(loaded[split] if isinstance(loaded, datasets.DatasetDict) else loaded)
    return list(datasets.load_dataset(str(path), split=split))


def load_rows(benchmark: QualityBenchmark, dataset: str | None, limit: int | None) -> Rows:
    """The benchmark's examples, checked for its columns; the first ``limit`` only when given."""
    folder = None
    try:
        if dataset and Path(dataset).expanduser().exists():
            folder = Path(dataset).expanduser()
            rows = _local_rows(folder, benchmark.dataset_split)
            source = str(dataset)
            folder = folder if folder.is_dir() else folder.parent
        else:
            import datasets

            name = dataset or benchmark.dataset_id
            rows = list(datasets.load_dataset(name, benchmark.dataset_config, split=benchmark.dataset_split))
            source = name
    except (OSError, ValueError, ImportError) as exc:
        where = dataset or benchmark.dataset_id
        raise DataRefused(f"the data of {benchmark.name} cannot be read from {where!r}: "
                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__} "
                          "(offline, pass --dataset with a local copy)") from None
    required = COLUMNS.get(benchmark.key, ())
    missing = [column for column in required if not rows or column not in rows[0]]
    if missing:
        raise DataRefused(f"dataset {source!r} lacks {benchmark.name}'s column(s) {', '.join(missing)}")
    total = len(rows)
    if not rows:
        raise DataRefused(f"dataset {source!r} holds no example")
    return Rows(rows[:limit] if limit else rows, source, folder, total)


def image_of(value: Any, folder: Path | None) -> Any:
    """A PIL image from a dataset value: an image already, ``{"bytes"|"path"}``, or a file name."""
    import io

    from PIL import Image

    if isinstance(value, Image.Image):
        return value.convert("RGB")
    if isinstance(value, dict):
        if value.get("bytes"):
            return Image.open(io.BytesIO(value["bytes"])).convert("RGB")
        value = value.get("path")
    path = Path(str(value))
    if not path.is_absolute() and folder is not None:
        path = folder / path
    return Image.open(path).convert("RGB")


def audio_of(value: Any) -> dict[str, Any]:
    """``{"raw": array, "sampling_rate": hz}`` for the ASR pipeline from a dataset's decoded audio."""
    import numpy as np

    if not isinstance(value, dict) or "array" not in value:
        raise DataRefused("an audio value must be decoded: {'array': [...], 'sampling_rate': hz}")
    return {"raw": np.asarray(value["array"], dtype=np.float32), "sampling_rate": int(value["sampling_rate"])}


def coco_ground_truth(dataset: str | None, limit: int | None) -> tuple[dict[str, Any], Path]:
    """COCO's own layout: the ``instances_*.json`` under ``annotations/`` (or the folder) and the folder its
    images are in (``val2017/`` beside it, or the folder itself). ``limit``: the first images only."""
    if not dataset or not Path(dataset).expanduser().is_dir():
        raise DataRefused("COCO val2017 is read from a local copy in COCO's layout: pass --dataset "
                          "FOLDER holding annotations/instances_val2017.json and val2017/")
    folder = Path(dataset).expanduser()
    found = sorted((folder / "annotations").glob("instances_*.json")) or sorted(folder.glob("instances_*.json"))
    if not found:
        raise DataRefused(f"dataset {dataset!r} lacks COCO's annotations/instances_*.json")
    truth = json.loads(found[0].read_text(encoding="utf-8"))
    missing = [key for key in ("images", "annotations", "categories") if key not in truth]
    if missing:
        raise DataRefused(f"{found[0].name} lacks COCO's {', '.join(missing)}")
    if limit:
        keep = {image["id"] for image in truth["images"][:limit]}
        truth = {**truth, "images": truth["images"][:limit],
                 "annotations": [a for a in truth["annotations"] if a["image_id"] in keep]}
    images = folder / found[0].stem.removeprefix("instances_")
    return truth, images if images.is_dir() else folder
