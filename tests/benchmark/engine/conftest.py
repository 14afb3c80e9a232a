"""A tiny random Llama with a chat template (vLLM's CPU build loads it in about a minute), a tiny prompts set
in the text-generation task's layout, and the engine's state folder per test (its servers' records)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.engine.environment import engine_version
from tests.benchmark.engine.helpers import build_tiny_llama
from tests.support.env import in_ci
from tests.support.tiny_datasets import build_dataset

PROMPTS = 40

@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("engine-model") / "tiny-llama")


@pytest.fixture(scope="session")
def prompts(tmp_path_factory) -> Path:
    return build_dataset("text_generation", tmp_path_factory.mktemp("engine-data"), num_rows=PROMPTS)


@pytest.fixture(autouse=True)
def engine_state(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "engine-state"
    monkeypatch.setenv("BENCHMARK_ENGINE_STATE", str(folder))
    return folder


def engine_skip_reason() -> str | None:
    """The engine's tests run wherever it is set up, and always in CI (``scripts/test.sh`` sets it up)."""
    if engine_version() is not None or in_ci():
        return None
    return "the serving engine is not set up here (bash scripts/engine.sh)"


needs_engine = pytest.mark.skipif(engine_skip_reason() is not None, reason=engine_skip_reason() or "")
