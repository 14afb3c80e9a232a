"""What optimum-benchmark's child really loaded: the model's dtype, attention kernel, quantization
and whether it was compiled, read from the model object inside the child after its ``load()``.

The runner's configuration is what was *asked*; this is what the measured process ran, written
beside the raw report (``run_files.LOADED_FILE``) and kept in the record's repeat, so a request
that optimum-benchmark or transformers silently ignored shows up as a mismatch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmark.runs.files import LOADED_FILE


def describe(model: Any) -> dict[str, Any]:
    """The loaded facts of a transformers model or a diffusers pipeline (missing: None)."""
    config = getattr(model, "config", None)
    quantization = getattr(config, "quantization_config", None)
    if quantization is not None and not isinstance(quantization, dict):
        quantization = quantization.to_dict()
    method = None if quantization is None else str(getattr(quantization.get("quant_method"), "value", None)
                                                   or quantization.get("quant_method"))
    dtype = getattr(model, "dtype", None)
    parameters = getattr(model, "parameters", None)
    try:  # the parameters the measured process held (an upload's size class is checked against them)
        params = sum(p.numel() for p in parameters()) if callable(parameters) else None
    except (TypeError, AttributeError, RuntimeError):
        params = None
    return {
        "params": int(params) if params else None,
        "dtype": str(dtype).removeprefix("torch.") if dtype is not None else None,
        "attn_implementation": getattr(config, "_attn_implementation", None),
        "quantization_method": method,
        # optimum-benchmark compiles the model's forward (or the whole model)
        "compiled": type(model).__name__ == "OptimizedModule"
        or hasattr(getattr(model, "forward", None), "_torchdynamo_orig_callable"),
    }


def install_probe() -> None:
    """Wrap optimum-benchmark's PyTorch backend ``load`` so the child writes what it loaded."""
    from optimum_benchmark.backends.pytorch.backend import PyTorchBackend

    if getattr(PyTorchBackend.load, "_loaded_probe", False):
        return
    original = PyTorchBackend.load

    def load(self: Any) -> None:
        original(self)
        facts = describe(self.pretrained_model)
        Path(LOADED_FILE).write_text(json.dumps(facts))

    load._loaded_probe = True  # type: ignore[attr-defined]
    PyTorchBackend.load = load  # type: ignore[method-assign]
    original_prepare = PyTorchBackend.prepare_inputs

    def prepare_inputs(self: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        # the batch the measured process really fed the model: the largest first dimension seen
        prepared = original_prepare(self, inputs)
        sizes = [value.shape[0] for value in prepared.values() if getattr(value, "shape", None)]
        path = Path(LOADED_FILE)
        if sizes and path.is_file():
            facts = json.loads(path.read_text())
            if max(sizes) > (facts.get("batch_size") or 0):
                facts["batch_size"] = int(max(sizes))
                path.write_text(json.dumps(facts))
        return prepared

    PyTorchBackend.prepare_inputs = prepare_inputs  # type: ignore[method-assign]


def read(folder: Path) -> dict[str, Any] | None:
    path = folder / LOADED_FILE
    return json.loads(path.read_text()) if path.is_file() else None
