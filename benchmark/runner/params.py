"""A model's parameter count, without loading it.

Parameters are counted from safetensors headers (shapes only, no weights read), as the Hub's
model pages do. For diffusers pipelines the denoiser (``unet/`` or ``transformer/``) is counted,
as the published AI Energy Score figures were.

Which files: the shards a ``*.safetensors.index.json`` lists when there is one, else every
``*.safetensors`` file. Variants (``*.fp16.safetensors``) and ``consolidated*.safetensors`` (the
same weights again in another layout, as Mistral's repositories ship beside the shards) never count.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

DENOISER_FOLDERS = ("unet", "transformer", "prior")


class UnreadableWeights(ValueError):
    """A weights file whose safetensors header cannot be read: the model cannot be loaded either."""


def safetensors_params(path: Path) -> int:
    """Number of parameters in one ``.safetensors`` file, from its JSON header."""
    try:
        with open(path, "rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(length))
        return sum(math.prod(t["shape"]) for name, t in header.items() if name != "__metadata__")
    except (struct.error, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UnreadableWeights(f"{path.name} is not a safetensors file ({type(exc).__name__}: {exc})") from exc


SAFETENSORS = ".safetensors"
INDEX_SUFFIX = ".safetensors.index.json"
# Files that hold the same weights again: never counted, never downloaded (see model_source).
CONSOLIDATED_PREFIX = "consolidated"


def _counted(name: str, suffix: str) -> bool:
    stem = name[: -len(suffix)]
    # a dot in the stem is a variant (``model.fp16``): the same weights in another dtype
    return "." not in stem and not stem.startswith(CONSOLIDATED_PREFIX)


def weight_files(folder: Path) -> list[Path]:
    """The safetensors files that make up the model in ``folder``, once each."""
    indexes = sorted(f for f in folder.glob("*" + INDEX_SUFFIX) if _counted(f.name, INDEX_SUFFIX))
    if indexes:
        shards = set()
        for index in indexes:
            shards |= set(json.loads(index.read_text()).get("weight_map", {}).values())
        return sorted(folder / name for name in shards)
    return sorted(f for f in folder.glob("*" + SAFETENSORS) if _counted(f.name, SAFETENSORS))


def count_params(model_path: str, library: str) -> int | None:
    """Parameters of the model in the local folder ``model_path``; None without safetensors."""
    folder = Path(model_path)
    if library == "diffusers":
        folder = next((folder / d for d in DENOISER_FOLDERS if (folder / d).is_dir()), folder)
    files = [f for f in weight_files(folder) if f.is_file()]
    if not files:
        return None
    return sum(safetensors_params(f) for f in files)
