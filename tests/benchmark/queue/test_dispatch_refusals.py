"""A dispatch that cannot start says why in one line, exits non-zero and claims nothing: an unknown
engine, Ray not installed, a Ray address that answers nothing (the GPU-less cluster and the Jobs
refusals are in ``test_ray_dispatch`` and ``test_hf_jobs``)."""

from __future__ import annotations

import socket
import sys

import pytest

from benchmark.cli import main
from benchmark.store import LocalStore
from tests.support.queue_helpers import make_request, one_error_line, seed, tree_digest


@pytest.fixture
def queued(tmp_path, monkeypatch):
    store = LocalStore(tmp_path / "requests")
    seed(store, [make_request("org/waiting")])
    monkeypatch.setenv("REQUESTS_DIR", str(store.root))
    monkeypatch.delenv("REQUESTS_REPO", raising=False)
    return store, tree_digest(store.root)


def test_an_unknown_engine_is_refused_naming_the_engines(queued, capsys):
    store, before = queued
    assert main(["dispatch", "--engine", "slurm"]) == 2
    assert one_error_line(capsys) == "error: unknown engine 'slurm': choose one of ray, hf-jobs"
    assert tree_digest(store.root) == before


def test_ray_not_installed_says_how_to_install_it(queued, capsys, monkeypatch):
    store, before = queued
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    assert main(["dispatch", "--engine", "ray", "--cpu-workers", "1", "--drain"]) == 1
    assert one_error_line(capsys) == (
        "error: --engine ray needs Ray, which is not installed: pip install -r requirements-ray.txt"
    )
    assert tree_digest(store.root) == before


def test_an_unreachable_ray_address_is_refused_before_anything_is_claimed(queued, capsys):
    pytest.importorskip("ray")
    store, before = queued
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["dispatch", "--engine", "ray", "--address", f"127.0.0.1:{port}", "--drain"]) == 1
    line = one_error_line(capsys)
    assert line.startswith(f"error: cannot reach the Ray cluster at 127.0.0.1:{port}: ")
    assert tree_digest(store.root) == before
