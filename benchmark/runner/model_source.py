"""Where a model's files are: a local folder as given, or a Hub model's snapshot in the cache.

optimum-benchmark is always handed a local folder. For a Hub id the runner downloads the
snapshot first (outside any measured phase) and records the id and the commit it resolved to;
offline (``HF_HUB_OFFLINE=1``, as on the project's GPU machines) the cached snapshot is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmark.runner.params import CONSOLIDATED_PREFIX
from benchmark.runner.preflight import PreflightError, is_local

# Formats the PyTorch backend never reads: skip them when the repo has safetensors weights.
_NOT_LOADED = ["*.onnx", "*.onnx_data", "*.h5", "*.msgpack", "*.gguf", "*.tflite", "*.ot", "*.mlmodel",
               "onnx/*", "openvino/*", "coreml/*", "original/*"]
_PICKLED = ["*.bin", "*.pt", "*.pth", "*.ckpt"]
_CONSOLIDATED = [CONSOLIDATED_PREFIX + "*"]


@dataclass(frozen=True)
class ModelSource:
    model_id: str
    path: str
    revision: str | None


def local_model_id(path: str) -> str:
    """A local folder's id: its last two path parts, as ``org/name``."""
    parts = Path(path).resolve().parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else parts[-1]


def _ignore_patterns(model: str, revision: str | None) -> list[str]:
    try:
        from huggingface_hub import HfApi

        files = HfApi().list_repo_files(model, revision=revision)
    except Exception:  # noqa: BLE001 - offline or unknown: let snapshot_download decide
        return _NOT_LOADED
    shards = [f for f in files if f.endswith(".safetensors") and not Path(f).name.startswith(CONSOLIDATED_PREFIX)]
    # With the usual shards present, pickles and consolidated copies are the same weights again.
    return _NOT_LOADED + (_PICKLED + _CONSOLIDATED if shards else [])


def resolve_model(
    model: str, revision: str | None = None, model_id: str | None = None, *, hub_id_only: bool = False
) -> ModelSource:
    """``model`` as a local folder (when one exists and ``hub_id_only`` is off) or as a Hub id at
    ``revision`` (downloaded, or the cached snapshot offline). The queue worker sets ``hub_id_only``:
    a submitted ``org/name`` that happens to match a folder beside the worker must not skip the Hub
    and the pinned commit."""
    if not hub_id_only and is_local(model):
        return ModelSource(model_id=model_id or local_model_id(model), path=model, revision=revision)
    from huggingface_hub import snapshot_download

    try:
        folder = Path(snapshot_download(model, revision=revision, ignore_patterns=_ignore_patterns(model, revision)))
    except Exception as exc:  # noqa: BLE001 - missing, gated, private, offline and not cached...
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PreflightError(f"model {model!r} cannot be loaded: {type(exc).__name__}: {first}") from exc
    # the snapshot folder is named by the commit it holds
    return ModelSource(model_id=model_id or model, path=str(folder), revision=folder.name)
