"""A model's parameter count, without loading it.

Parameters are counted from safetensors headers (shapes only, no weights read), as the Hub's
model pages do. For diffusers pipelines the denoiser (``unet/`` or ``transformer/``) is counted,
as the published AI Energy Score figures were.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

DENOISER_FOLDERS = ("unet", "transformer", "prior")


def safetensors_params(path: Path) -> int:
    """Number of parameters in one ``.safetensors`` file, from its JSON header."""
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    return sum(math.prod(t["shape"]) for name, t in header.items() if name != "__metadata__")


def count_params(model_path: str, library: str) -> int | None:
    """Parameters of the model in the local folder ``model_path``; None without safetensors."""
    folder = Path(model_path)
    if library == "diffusers":
        folder = next((folder / d for d in DENOISER_FOLDERS if (folder / d).is_dir()), folder)
    # variants (``*.fp16.safetensors``) repeat the same weights in another dtype
    files = sorted(f for f in folder.glob("*.safetensors") if "." not in f.name[: -len(".safetensors")])
    if not files:
        return None
    return sum(safetensors_params(f) for f in files)
