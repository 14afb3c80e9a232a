"""A model's commit sha and parameter count, without loading it.

Parameters are counted from safetensors headers (shapes only, no weights read), as the Hub's
model pages do. For diffusers pipelines the denoiser (``unet/`` or ``transformer/``) is counted,
as the published AI Energy Score figures were.
"""

from __future__ import annotations

import json
import math
import re
import struct
from pathlib import Path

from .hub_client import HubClient, HubError
from .preflight import is_local

_SHA = re.compile(r"^[0-9a-f]{40}$")
DENOISER_FOLDERS = ("unet", "transformer", "prior")


def resolve_revision(model: str, revision: str | None) -> str | None:
    """The commit sha a Hub model resolves to (None for a local folder)."""
    if is_local(model):
        return revision
    if revision and _SHA.match(revision):
        return revision
    try:
        return HubClient().model_info(model, revision=revision).sha
    except HubError:
        pass
    # Offline: the snapshot already in the Hugging Face cache names its commit.
    try:
        from huggingface_hub import snapshot_download

        folder = snapshot_download(model, revision=revision, local_files_only=True, allow_patterns=["*.json"])
        return Path(folder).name if _SHA.match(Path(folder).name) else revision
    except Exception:  # noqa: BLE001 - unresolvable offline; the run's preflight will say why
        return revision


def safetensors_params(path: Path) -> int:
    """Number of parameters in one ``.safetensors`` file, from its JSON header."""
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    return sum(math.prod(t["shape"]) for name, t in header.items() if name != "__metadata__")


def _model_folder(model: str, revision: str | None) -> Path | None:
    if is_local(model):
        return Path(model)
    try:
        from huggingface_hub import snapshot_download

        return Path(
            snapshot_download(
                model, revision=revision, local_files_only=True, allow_patterns=["*.safetensors", "*.json"]
            )
        )
    except Exception:  # noqa: BLE001 - not cached: no count rather than a download
        return None


def count_params(model: str, revision: str | None, library: str) -> int | None:
    folder = _model_folder(model, revision)
    if folder is None:
        return None
    if library == "diffusers":
        folder = next((folder / d for d in DENOISER_FOLDERS if (folder / d).is_dir()), folder)
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    return sum(safetensors_params(f) for f in files)
