"""One store interface, two backends: a Hub dataset or a local folder with the same layout.

The results and the requests queue both live in a store. Paths are POSIX and relative to the
store root (``records/<task>/<org--name>/<run_id>.json``, ``requests/<id>.json``).

- ``add`` writes new files that must not exist yet (records, new requests). Different paths never
  conflict, so concurrent writers never overwrite each other.
- ``commit`` is compare-and-swap over the whole store: it applies only if the store is still at
  ``parent`` (its ``head()`` when the caller read it); otherwise it raises ``StaleStoreError`` and
  the caller re-reads and retries. On the Hub this is a commit with ``parent_commit``; locally a
  version counter guarded by a file lock. Its ``create`` paths are create-only inside the same swap:
  if one exists the whole commit is refused (``FileExistsError``), whatever the caller checked before,
  so publishing a record (approve, push, worker, reproduce) never replaces one already there.
"""

from __future__ import annotations

import fcntl
import os
import random
import tempfile
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path

from benchmark.hub_client import FileChange, HubClient, HubConflictError

_VERSION_FILE = ".store-version"
_LOCK_FILE = ".store-lock"


class StaleStoreError(RuntimeError):
    """The store moved since it was read: re-read and retry."""


class StorePathError(ValueError):
    pass


def check_path(path: str) -> str:
    """Reject absolute paths, ``..`` and empty parts: store paths come partly from user input."""
    parts = path.split("/")
    if not path or any(p in ("", ".", "..") for p in parts) or "\\" in path:
        raise StorePathError(f"invalid store path {path!r}")
    return path


class Store(ABC):
    """Files in a dataset-like layout. ``name`` says where it is in full (logs, maintainers);
    ``public_name`` says it without the machine's details (no absolute path), for what visitors see."""

    name: str
    public_name: str

    @abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """Paths of every file under ``prefix``, sorted."""

    @abstractmethod
    def read(self, path: str) -> bytes:
        """The bytes of ``path``; ``FileNotFoundError`` if missing."""

    @abstractmethod
    def head(self) -> str:
        """An opaque version token that changes with every write."""

    @abstractmethod
    def add(self, files: Mapping[str, bytes], message: str) -> str:
        """Write new files (``FileExistsError`` if one exists); returns the new head."""

    @abstractmethod
    def commit(
        self, changes: Mapping[str, bytes | None], parent: str, message: str, create: Collection[str] = ()
    ) -> str:
        """Apply ``changes`` (``None`` deletes) only if ``head() == parent`` and none of the ``create``
        paths exists yet (``FileExistsError`` naming the first that does); returns the new head."""

    def exists(self, path: str) -> bool:
        """Whether the file ``path`` is in the store (an exact file path, not a folder)."""
        return check_path(path) in self.list(path)

    @abstractmethod
    def local_folder(self, patterns: list[str], ignore: list[str] | None = None) -> Path:
        """A local folder holding (at least) the files matching ``patterns`` and not ``ignore``
        (fnmatch patterns, where ``*`` also crosses ``/``), for bulk reading."""


class LocalStore(Store):
    """A folder on disk. Safe for several threads and processes on one machine."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        # Absolute, so a worker that changes directory mid-run still writes to the same place.
        self.root = Path(root).absolute()
        self.name = str(self.root)
        self.public_name = f"local folder {self.root.name}"

    def _abs(self, path: str) -> Path:
        return self.root / check_path(path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / _LOCK_FILE, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def list(self, prefix: str = "") -> list[str]:
        base = self.root / prefix if prefix else self.root
        if base.is_file():  # an exact file path: itself (an empty answer here once let a publish overwrite it)
            return [] if base.name.startswith(".") else [base.relative_to(self.root).as_posix()]
        if not base.exists():
            return []
        found = []
        for file in base.rglob("*"):
            rel = file.relative_to(self.root).as_posix()
            if file.is_file() and not file.name.startswith("."):
                found.append(rel)
        return sorted(found)

    def read(self, path: str) -> bytes:
        return self._abs(path).read_bytes()

    def head(self) -> str:
        try:
            return (self.root / _VERSION_FILE).read_text().strip() or "0"
        except FileNotFoundError:
            return "0"

    def _bump(self) -> str:
        new = str(int(self.head()) + 1)
        _atomic_write(self.root / _VERSION_FILE, new.encode())
        return new

    def add(self, files: Mapping[str, bytes], message: str) -> str:
        targets = {self._abs(p): data for p, data in files.items()}
        with self._locked():
            for target in targets:
                if target.exists():
                    raise FileExistsError(target.relative_to(self.root).as_posix())
            for target, data in targets.items():
                _atomic_write(target, data)
            return self._bump()

    def commit(
        self, changes: Mapping[str, bytes | None], parent: str, message: str, create: Collection[str] = ()
    ) -> str:
        targets = {self._abs(p): data for p, data in changes.items()}
        with self._locked():
            if self.head() != parent:
                raise StaleStoreError(f"{self.name} moved from version {parent} to {self.head()}")
            for path in create:
                if os.path.lexists(self._abs(path)):
                    raise FileExistsError(path)
            for target, data in targets.items():
                if data is None:
                    target.unlink(missing_ok=True)
                else:
                    _atomic_write(target, data)
            return self._bump()

    def local_folder(self, patterns: list[str], ignore: list[str] | None = None) -> Path:
        return self.root


class HubStore(Store):
    """A dataset repository on the Hugging Face Hub, through ``HubClient``."""

    def __init__(self, repo_id: str, client: HubClient | None = None) -> None:
        self.repo_id = repo_id
        self.name = f"hf://datasets/{repo_id}"
        self.public_name = self.name  # a Hub id is public anyway
        self.client = client or HubClient()

    def list(self, prefix: str = "") -> list[str]:
        return sorted(p for p in self.client.list_files(self.repo_id) if p.startswith(prefix))

    def read(self, path: str) -> bytes:
        return self.client.download(self.repo_id, check_path(path))

    def head(self) -> str:
        return self.client.head(self.repo_id)

    # A busy dataset can move between our check and our commit: re-check on the new head this often.
    ADD_ATTEMPTS = 20

    def add(self, files: Mapping[str, bytes], message: str) -> str:
        """Create-only, as a compare-and-swap: the files are checked absent at head H and committed
        with ``parent_commit=H``; if anyone committed in between, the Hub refuses (412) and the check
        is redone on the new head. So two writers of one path never both win."""
        changes = [FileChange(check_path(p), d) for p, d in files.items()]
        for _ in range(self.ADD_ATTEMPTS):
            head = self.client.head(self.repo_id)
            existing = set(self.client.list_files(self.repo_id, revision=head))
            for change in changes:
                if change.path in existing:
                    raise FileExistsError(change.path)
            try:
                return self.client.commit(self.repo_id, changes, message, parent_commit=head)
            except HubConflictError:
                time.sleep(random.uniform(0.0, 0.2))  # let the other writer's commit settle, then re-check
        raise StaleStoreError(f"{self.name} kept moving: {self.ADD_ATTEMPTS} tries to add {len(changes)} file(s)")

    def commit(
        self, changes: Mapping[str, bytes | None], parent: str, message: str, create: Collection[str] = ()
    ) -> str:
        ops = [FileChange(check_path(p), d) for p, d in changes.items()]
        if create:  # checked on the very revision the commit must apply to (parent_commit): no window
            existing = set(self.client.list_files(self.repo_id, revision=parent))
            for path in create:
                if check_path(path) in existing:
                    raise FileExistsError(path)
        try:
            return self.client.commit(self.repo_id, ops, message, parent_commit=parent)
        except HubConflictError as exc:
            raise StaleStoreError(str(exc)) from exc

    def local_folder(self, patterns: list[str], ignore: list[str] | None = None) -> Path:
        return self.client.snapshot(self.repo_id, allow_patterns=patterns, ignore_patterns=ignore)


def _atomic_write(target: Path, data: bytes) -> None:
    """Write via a temp file and rename, so readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.tmp-{uuid.uuid4().hex[:6]}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def matching(paths: list[str], pattern: str) -> list[str]:
    return [p for p in paths if fnmatch(p, pattern)]


def store_from_env(repo_var: str, dir_var: str, default_dir: str | os.PathLike[str]) -> Store:
    """The Hub store named by ``$repo_var`` if set, else the folder ``$dir_var`` or ``default_dir``."""
    repo = os.environ.get(repo_var, "").strip()
    if repo:
        return HubStore(repo)
    return LocalStore(os.environ.get(dir_var, "").strip() or default_dir)


def results_store(default_dir: str | os.PathLike[str] = "results") -> Store:
    return store_from_env("RESULTS_REPO", "RESULTS_DIR", default_dir)


def requests_store(default_dir: str | os.PathLike[str] = "requests") -> Store:
    return store_from_env("REQUESTS_REPO", "REQUESTS_DIR", default_dir)
