"""A test double of the few ``huggingface_hub.HfApi`` calls the project makes.

It keeps the real semantics that matter: every commit gets a new sha, a commit whose
``parent_commit`` is not the current head is refused with HTTP 412 (as the Hub does), missing
files raise ``EntryNotFoundError``, missing repositories ``RepositoryNotFoundError``. Files live in
memory; downloads are written to a temp folder like the Hub cache.

Model entries (``add_model``) answer ``model_info`` and the safetensors calls as huggingface_hub
0.36 does against the real Hub, for a token that can see only public, ungated repos unless a repo
is listed in ``authorized``:

- a missing repo, and a private one the token cannot see, both raise ``RepositoryNotFoundError``
  (HTTP 401): the Hub does not tell them apart;
- a gated repo's ``model_info`` succeeds with ``gated="auto"|"manual"``; reading its files raises
  ``GatedRepoError`` (HTTP 403), so ``get_safetensors_metadata`` does too;
- an unknown revision raises ``RevisionNotFoundError`` (HTTP 404) from ``model_info``;
- ``get_safetensors_metadata`` raises ``NotASafetensorsRepoError`` when neither
  ``model.safetensors`` nor ``model.safetensors.index.json`` is at the root (also for a missing
  repo or revision: the real call probes with ``file_exists``, which answers False for those).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from httpx2 import Request, Response  # huggingface_hub 2.x's HTTP client
from huggingface_hub import CommitOperationAdd, CommitOperationDelete
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    NotASafetensorsRepoError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import ModelInfo
from huggingface_hub.utils import SafetensorsFileMetadata, SafetensorsRepoMetadata, TensorInfo

_BYTES_PER_PARAM = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def _response(status: int) -> Response:
    return Response(status, request=Request("GET", "https://huggingface.co/fake"))


@dataclass
class FakeRepo:
    files: dict[str, bytes] = field(default_factory=dict)
    commits: list[str] = field(default_factory=list)

    @property
    def head(self) -> str:
        return self.commits[-1]


@dataclass
class FakeModel:
    """A model repository. ``weights`` maps a safetensors file to its parameter count per dtype."""

    repo_id: str
    revisions: dict[str, str]
    pipeline_tag: str | None
    library_name: str | None
    private: bool
    gated: bool | str
    weights: dict[str, dict[str, int]]
    other_files: list[str]
    architectures: list[str] | None
    tags: list[str]

    def files(self) -> list[str]:
        return sorted(["config.json", *self.weights, *self.other_files])


class FakeHfApi:
    """In-memory Hub: dataset repos with commits; model entries for submission checks."""

    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.models: dict[str, FakeModel] = {}
        self.authorized: set[str] = set()
        self.user: str | None = "maintainer"
        self.calls: list[str] = []
        self._lock = threading.Lock()
        self._download_dir = Path(tempfile.mkdtemp(prefix="fake-hub-"))

    # helpers for tests

    def create_dataset(self, repo_id: str) -> None:
        repo = FakeRepo()
        repo.commits.append(self._sha(repo_id, 0))
        self.repos[repo_id] = repo

    @staticmethod
    def _sha(repo_id: str, n: int) -> str:
        return hashlib.sha1(f"{repo_id}:{n}".encode()).hexdigest()

    def add_model(
        self,
        repo_id: str,
        *,
        pipeline_tag: str | None = "text-classification",
        library_name: str | None = "transformers",
        params: int | dict[str, int] | None = 1_000_000,
        private: bool = False,
        gated: bool | str = False,
        branches: tuple[str, ...] = (),
        sharded: bool = False,
        weights: dict[str, dict[str, int]] | None = None,
        other_files: tuple[str, ...] = (),
        architectures: list[str] | None = None,
        tags: tuple[str, ...] = (),
    ) -> str:
        """Register a model; returns the commit sha of ``main``.

        ``params`` is the root weights' parameter count (an int means float32; ``None`` means no
        safetensors, only ``pytorch_model.bin``); ``weights`` replaces it with explicit files (for
        diffusers' component folders). ``branches`` are extra branches or tags, each its own sha.
        """
        if weights is None:
            weights = {}
            if params is not None:
                counts = {"F32": params} if isinstance(params, int) else dict(params)
                if sharded:
                    weights = {f"model-{i:05d}-of-00002.safetensors": {} for i in (1, 2)}
                    for dtype, count in counts.items():
                        weights["model-00001-of-00002.safetensors"][dtype] = count // 2
                        weights["model-00002-of-00002.safetensors"][dtype] = count - count // 2
                    other_files = (*other_files, "model.safetensors.index.json")
                else:
                    weights = {"model.safetensors": counts}
            else:
                other_files = (*other_files, "pytorch_model.bin")
        revisions = {name: self._sha(repo_id, f"model:{name}") for name in ("main", *branches)}
        self.models[repo_id] = FakeModel(
            repo_id=repo_id,
            revisions=revisions,
            pipeline_tag=pipeline_tag,
            library_name=library_name,
            private=private,
            gated=gated,
            weights=weights,
            other_files=list(other_files),
            architectures=architectures,
            tags=list(tags),
        )
        return revisions["main"]

    def _visible_model(self, repo_id: str) -> FakeModel:
        model = self.models.get(repo_id)
        if model is None or (model.private and repo_id not in self.authorized):
            raise RepositoryNotFoundError(
                f"401 Client Error. Repository Not Found for url: https://huggingface.co/api/models/{repo_id}. "
                "Please make sure you specified the correct `repo_id` and `repo_type`. "
                "If you are trying to access a private or gated repo, make sure you are authenticated.",
                response=_response(401),
            )
        return model

    @staticmethod
    def _resolve(model: FakeModel, revision: str | None) -> str:
        revision = revision or "main"
        if revision in model.revisions:
            return model.revisions[revision]
        if revision in model.revisions.values():
            return revision
        raise RevisionNotFoundError(
            f"404 Client Error. Revision Not Found for url: https://huggingface.co/api/models/{model.repo_id}"
            f"/revision/{revision}.",
            response=_response(404),
        )

    def _check_gate(self, model: FakeModel) -> None:
        if model.gated and model.repo_id not in self.authorized:
            raise GatedRepoError(
                f"403 Client Error. Cannot access gated repo for url https://huggingface.co/{model.repo_id}. "
                f"Access to model {model.repo_id} is restricted and you are not in the authorized list.",
                response=_response(403),
            )

    @staticmethod
    def _file_metadata(counts: dict[str, int]) -> SafetensorsFileMetadata:
        tensors, offset = {}, 0
        for dtype, count in counts.items():
            size = count * _BYTES_PER_PARAM[dtype]
            tensors[f"weight.{dtype.lower()}"] = TensorInfo(
                dtype=dtype, shape=[count], data_offsets=(offset, offset + size)
            )
            offset += size
        return SafetensorsFileMetadata(metadata={"format": "pt"}, tensors=tensors)

    def _repo(self, repo_id: str) -> FakeRepo:
        if repo_id not in self.repos:
            raise RepositoryNotFoundError(
                f"404 Client Error: Repository Not Found for {repo_id}", response=_response(404)
            )
        return self.repos[repo_id]

    # HfApi surface

    def repo_info(self, repo_id: str, repo_type: str | None = None, **_: Any) -> Any:
        self.calls.append("repo_info")
        with self._lock:
            return SimpleNamespace(id=repo_id, sha=self._repo(repo_id).head)

    def list_repo_files(
        self, repo_id: str, repo_type: str | None = None, revision: str | None = None, **_: Any
    ) -> list[str]:
        self.calls.append("list_repo_files")
        with self._lock:
            return sorted(self._repo(repo_id).files)

    def hf_hub_download(self, repo_id: str, filename: str, repo_type: str | None = None, **_: Any) -> str:
        self.calls.append("hf_hub_download")
        with self._lock:
            files = self._repo(repo_id).files
            if filename not in files:
                raise RemoteEntryNotFoundError(
                    f"404 Client Error: Entry Not Found for {filename}", response=_response(404)
                )
            target = self._download_dir / repo_id / filename
            _write_atomically(target, files[filename])
            return str(target)

    def snapshot_download(
        self,
        repo_id: str,
        repo_type: str | None = None,
        allow_patterns: list[str] | None = None,
        ignore_patterns: list[str] | None = None,
        local_dir: Any = None,
        **_: Any,
    ) -> str:
        self.calls.append("snapshot_download")
        self.last_snapshot_patterns = (allow_patterns, ignore_patterns)
        with self._lock:
            repo = self._repo(repo_id)
            folder = Path(local_dir) if local_dir else self._download_dir / "snapshots" / repo_id / repo.head
            for path, data in repo.files.items():
                if ignore_patterns and any(fnmatch(path, p) for p in ignore_patterns):
                    continue
                if allow_patterns is None or any(fnmatch(path, p) for p in allow_patterns):
                    _write_atomically(folder / path, data)
            folder.mkdir(parents=True, exist_ok=True)
            return str(folder)

    def create_commit(
        self,
        repo_id: str,
        operations: list[Any],
        commit_message: str,
        repo_type: str | None = None,
        parent_commit: str | None = None,
        **_: Any,
    ) -> Any:
        self.calls.append("create_commit")
        with self._lock:
            repo = self._repo(repo_id)
            if parent_commit is not None and parent_commit != repo.head:
                raise HfHubHTTPError(
                    "412 Client Error: Precondition Failed (a commit has happened since parent_commit)",
                    response=_response(412),
                )
            for op in operations:
                if isinstance(op, CommitOperationAdd):
                    data = op.path_or_fileobj
                    repo.files[op.path_in_repo] = data if isinstance(data, bytes) else Path(data).read_bytes()
                elif isinstance(op, CommitOperationDelete):
                    repo.files.pop(op.path_in_repo, None)
            repo.commits.append(self._sha(repo_id, len(repo.commits)))
            return SimpleNamespace(oid=repo.head, commit_message=commit_message)

    # Models (submission checks)

    def model_info(self, repo_id: str, revision: str | None = None, **_: Any) -> ModelInfo:
        self.calls.append("model_info")
        model = self._visible_model(repo_id)
        sha = self._resolve(model, revision)
        totals: dict[str, int] = {}
        for counts in model.weights.values():
            for dtype, count in counts.items():
                totals[dtype] = totals.get(dtype, 0) + count
        return ModelInfo(
            id=repo_id,
            author=repo_id.split("/")[0],
            sha=sha,
            private=model.private,
            gated=model.gated,
            disabled=False,
            pipeline_tag=model.pipeline_tag,
            library_name=model.library_name,
            tags=[*model.tags, *([model.library_name] if model.library_name else [])],
            config={"architectures": model.architectures} if model.architectures else None,
            siblings=[{"rfilename": name} for name in model.files()],
            safetensors={"parameters": totals, "total": sum(totals.values())} if totals else None,
        )

    def get_safetensors_metadata(self, repo_id: str, revision: str | None = None, **_: Any) -> SafetensorsRepoMetadata:
        self.calls.append("get_safetensors_metadata")
        not_safetensors = NotASafetensorsRepoError(
            f"'{repo_id}' is not a safetensors repo. Couldn't find 'model.safetensors.index.json' or "
            "'model.safetensors' files."
        )
        try:
            model = self._visible_model(repo_id)
            self._resolve(model, revision)
        except (RepositoryNotFoundError, RevisionNotFoundError):
            raise not_safetensors from None
        self._check_gate(model)
        root = {name: counts for name, counts in model.weights.items() if "/" not in name}
        if not root:
            raise not_safetensors
        files = {name: self._file_metadata(counts) for name, counts in root.items()}
        sharded = "model.safetensors" not in root
        return SafetensorsRepoMetadata(
            metadata={"total_size": sum(t.data_offsets[1] for f in files.values() for t in f.tensors.values())}
            if sharded
            else None,
            sharded=sharded,
            weight_map={tensor: name for name, meta in files.items() for tensor in meta.tensors},
            files_metadata=files,
        )

    def parse_safetensors_file_metadata(
        self, repo_id: str, filename: str, revision: str | None = None, **_: Any
    ) -> SafetensorsFileMetadata:
        self.calls.append("parse_safetensors_file_metadata")
        model = self._visible_model(repo_id)
        self._resolve(model, revision)
        self._check_gate(model)
        if filename not in model.weights:
            raise RemoteEntryNotFoundError(
                f"404 Client Error. Entry Not Found for url: {filename}", response=_response(404)
            )
        return self._file_metadata(model.weights[filename])

    def whoami(self, token: Any = None) -> dict[str, Any]:
        self.calls.append("whoami")
        if self.user is None:
            raise HfHubHTTPError("401 Client Error: Unauthorized. Invalid user token.", response=_response(401))
        return {"type": "user", "name": self.user}


def local_or_hub_store(kind: str, folder: Path, token: str = "hf_x") -> Any:
    """The same store interface on both backends: a ``LocalStore`` in ``folder`` (``kind="local"``),
    or a ``HubStore`` on a fresh dataset of this double (``kind="hub"``)."""
    from benchmark.hub_client import HubClient
    from benchmark.store import HubStore, LocalStore

    if kind == "local":
        return LocalStore(folder)
    api = FakeHfApi()
    api.create_dataset("org/results")
    return HubStore("org/results", client=HubClient(api=api, token=token))


def store_bytes(store: Any) -> dict[str, bytes]:
    """Every file of a store (either backend) and its bytes: compare before and after a refused action."""
    return {path: store.read(path) for path in store.list("")}


def _write_atomically(target: Path, data: bytes) -> None:
    """Write as the real Hub cache does (a temp file renamed into place): a reader in another
    thread that opened the old file keeps it whole, and never sees a half-written one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{threading.get_ident()}.incomplete")
    temp.write_bytes(data)
    os.replace(temp, target)
