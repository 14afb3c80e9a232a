"""The few Hugging Face Hub calls the project makes, in one place.

Everything that talks to the Hub (the results and requests stores, the submission checks) goes
through ``HubClient``; tests hand it a test double of ``HfApi`` that keeps the real semantics (a
commit with a stale ``parent_commit`` is refused). The token is held here and never printed:
``redact`` scrubs it from any message before it reaches a user or a log.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class HubError(RuntimeError):
    """A Hub call failed; the message is safe to show (no token)."""


class HubConflictError(HubError):
    """A commit was refused because the repository moved past ``parent_commit``."""


class HubNotFoundError(HubError):
    """The repository does not exist, or it is private and the token cannot see it (the Hub answers alike)."""


class HubGatedError(HubError):
    """The repository is gated and the token is not on its list of accepted users."""


class HubRevisionNotFoundError(HubError):
    """The repository exists but the branch, tag or commit asked for does not."""


class HubNotSafetensorsError(HubError):
    """The model has neither ``model.safetensors`` nor ``model.safetensors.index.json`` at its root."""


# huggingface_hub's exception names, most specific first (GatedRepoError subclasses RepositoryNotFoundError).
_ERROR_CLASSES: tuple[tuple[str, type[HubError]], ...] = (
    ("GatedRepoError", HubGatedError),
    ("RevisionNotFoundError", HubRevisionNotFoundError),
    ("RepositoryNotFoundError", HubNotFoundError),
    ("NotASafetensorsRepoError", HubNotSafetensorsError),
)


@dataclass(frozen=True)
class FileChange:
    """One file of a commit: new bytes for ``path``, or ``None`` to delete it."""

    path: str
    data: bytes | None


def hf_token() -> str | None:
    return os.environ.get("HF_TOKEN") or None


# What Hugging Face tokens look like (user and org access tokens), wherever they come from.
TOKEN_PATTERN = re.compile(r"\bhf_[A-Za-z0-9]{20,}\b")


def redact(text: str, token: str | None = None) -> str:
    """``text`` without the token (``HF_TOKEN`` by default) nor anything shaped like a Hub token."""
    token = token if token is not None else hf_token()
    if token:
        text = text.replace(token, "***")
    return TOKEN_PATTERN.sub("***", text)


def redact_file(path: Path, token: str | None = None) -> None:
    """Rewrite ``path`` token-redacted (bytes kept as they are otherwise), if it holds a token."""
    data = path.read_bytes()
    text = data.decode("utf-8", errors="surrogateescape")
    clean = redact(text, token)
    if clean != text:
        path.write_bytes(clean.encode("utf-8", errors="surrogateescape"))


class HubClient:
    """Thin wrapper over ``huggingface_hub.HfApi`` with the project's error handling."""

    def __init__(self, api: Any | None = None, token: str | None = None) -> None:
        self._token = token if token is not None else hf_token()
        if api is None:
            from huggingface_hub import HfApi

            api = HfApi(token=self._token)
        self.api = api

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def _fail(self, exc: Exception, what: str) -> HubError:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        message = redact(f"{what}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", self._token)
        if status in (409, 412):
            return HubConflictError(message)
        names = {cls.__name__ for cls in type(exc).__mro__}
        for name, error_class in _ERROR_CLASSES:
            if name in names:
                return error_class(message)
        return HubError(message)

    # Dataset repositories (results and requests stores)

    def head(self, repo_id: str) -> str:
        try:
            return self.api.repo_info(repo_id, repo_type="dataset").sha
        except Exception as exc:  # noqa: BLE001 - every Hub failure becomes one clear error
            raise self._fail(exc, f"cannot read dataset {repo_id}") from exc

    def list_files(self, repo_id: str, revision: str | None = None) -> list[str]:
        try:
            return list(self.api.list_repo_files(repo_id, repo_type="dataset", revision=revision))
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot list dataset {repo_id}") from exc

    def download(self, repo_id: str, path: str, revision: str | None = None) -> bytes:
        try:
            local = self.api.hf_hub_download(repo_id, path, repo_type="dataset", revision=revision)
        except Exception as exc:  # noqa: BLE001
            # huggingface_hub 2.x: RemoteEntryNotFoundError (and the local one) subclass EntryNotFoundError
            if any(cls.__name__ == "EntryNotFoundError" for cls in type(exc).__mro__):
                raise FileNotFoundError(path) from exc
            raise self._fail(exc, f"cannot download {path} from {repo_id}") from exc
        return Path(local).read_bytes()

    def snapshot(
        self,
        repo_id: str,
        allow_patterns: list[str],
        ignore_patterns: list[str] | None = None,
        local_dir: Path | None = None,
    ) -> Path:
        try:
            folder = self.api.snapshot_download(
                repo_id,
                repo_type="dataset",
                allow_patterns=allow_patterns,
                ignore_patterns=ignore_patterns,
                local_dir=local_dir,
            )
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot download dataset {repo_id}") from exc
        return Path(folder)

    def commit(
        self, repo_id: str, changes: list[FileChange], message: str, parent_commit: str | None = None
    ) -> str:
        """Commit ``changes`` in one go; with ``parent_commit``, only if the repo is still there."""
        from huggingface_hub import CommitOperationAdd, CommitOperationDelete

        operations = [
            CommitOperationAdd(path_in_repo=c.path, path_or_fileobj=c.data)
            if c.data is not None
            else CommitOperationDelete(path_in_repo=c.path)
            for c in changes
        ]
        try:
            info = self.api.create_commit(
                repo_id,
                operations=operations,
                commit_message=message,
                repo_type="dataset",
                parent_commit=parent_commit,
            )
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot commit to {repo_id}") from exc
        return getattr(info, "oid", None) or self.head(repo_id)

    # Models (submission checks)

    def model_info(self, model_id: str, revision: str | None = None) -> Any:
        """``ModelInfo`` or a ``HubError``; missing, private and gated models raise distinct names."""
        try:
            return self.api.model_info(model_id, revision=revision)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot read model {model_id}") from exc

    def safetensors_metadata(self, model_id: str, revision: str | None = None) -> Any:
        """``SafetensorsRepoMetadata`` of the root weights; ``HubNotSafetensorsError``, ``HubGatedError``..."""
        try:
            return self.api.get_safetensors_metadata(model_id, revision=revision)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot read safetensors metadata of {model_id}") from exc

    def safetensors_file_metadata(self, model_id: str, filename: str, revision: str | None = None) -> Any:
        """``SafetensorsFileMetadata`` of one weights file (diffusers keep theirs in component folders)."""
        try:
            return self.api.parse_safetensors_file_metadata(model_id, filename, revision=revision)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot read {filename} of {model_id}") from exc

    def cached_commit(self, model_id: str, revision: str | None = None) -> str | None:
        """The commit sha of ``model_id`` at ``revision`` (default ``main``) in the local Hugging Face
        cache, or None when the cache does not hold it (offline enqueue; no network call)."""
        from huggingface_hub import snapshot_download

        try:
            # The cache folder is read now, not at huggingface_hub's import (a CLI may set it late).
            folder = snapshot_download(
                model_id, revision=revision or "main", local_files_only=True,
                cache_dir=os.environ.get("HF_HUB_CACHE") or None,
            )
        except Exception:  # noqa: BLE001 - any miss (no repo, no ref, no snapshot) is "not cached"
            return None
        return Path(folder).name

    # Identity (maintainer commands on the CLI)

    def whoami(self) -> str:
        """The user name the token belongs to."""
        try:
            return str(self.api.whoami()["name"])
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, "cannot identify the token's user") from exc

    # Hugging Face Jobs (``python -m benchmark dispatch --engine hf-jobs``)

    def run_job(
        self, *, image: str, command: list[str], env: dict[str, str], flavor: str, name: str,
        labels: dict[str, str], timeout: str | None = None,
    ) -> Any:
        """Start a job; the token goes to it only as the ``HF_TOKEN`` secret (never in ``command`` or ``env``)."""
        secrets = {"HF_TOKEN": self._token} if self._token else None
        try:
            return self.api.run_job(
                image=image, command=command, env=env, secrets=secrets, flavor=flavor, name=name, labels=labels,
                timeout=timeout, token=self._token,
            )
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot start a {flavor} job") from exc

    def inspect_job(self, job_id: str) -> Any:
        try:
            return self.api.inspect_job(job_id=job_id, token=self._token)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot inspect job {job_id}") from exc

    def job_log_tail(self, job_id: str, lines: int = 40) -> str:
        """The last ``lines`` lines of a job's logs, token scrubbed."""
        try:
            logs = list(self.api.fetch_job_logs(job_id=job_id, tail=lines, token=self._token))
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, f"cannot fetch the logs of job {job_id}") from exc
        return redact("\n".join(line.rstrip("\n") for line in logs[-lines:]), self._token)
