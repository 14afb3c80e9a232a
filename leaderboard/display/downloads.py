"""Files the app hands to browsers (CSV tables, label PNGs): written once per content into a
temp folder, and pruned an hour after their last use."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

DOWNLOADS_ROOT = Path(tempfile.gettempdir()) / "green-ai-leaderboard"
MAX_AGE_S = 3600.0
PRUNE_EVERY_S = 600.0
_last_prune: dict[Path, float] = {}


def _prune(folder: Path, now: float) -> None:
    """Delete entries of ``folder`` unused for ``MAX_AGE_S``, checking at most every ten minutes."""
    if now - _last_prune.get(folder, 0.0) < PRUNE_EVERY_S:
        return
    _last_prune[folder] = now
    for entry in folder.glob("*"):
        try:
            if now - entry.stat().st_mtime > MAX_AGE_S:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue  # another worker removed it first


def download_file(kind: str, name: str, content: bytes) -> str:
    """A file named ``name`` holding ``content`` (same content → same file, written atomically)."""
    root = DOWNLOADS_ROOT / kind
    _prune(root, time.time())
    folder = root / hashlib.sha1(content).hexdigest()[:16]
    target = folder / name
    if target.exists():
        os.utime(folder)  # in use again: not to be pruned
    else:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)  # a name the file system refuses leaves no temp file behind
            raise
    return str(target)


MAX_NAME_CHARS = 120  # well under every file system's 255-byte limit, whatever the encoding


def bounded_name(stem: str, suffix: str) -> str:
    """``stem + suffix``, the stem cut (and made unique again with a digest) when it is too long."""
    if len(stem.encode()) + len(suffix) <= MAX_NAME_CHARS:
        return stem + suffix
    digest = hashlib.sha1(stem.encode()).hexdigest()[:10]
    cut = stem.encode()[: MAX_NAME_CHARS - len(suffix) - 11].decode(errors="ignore")
    return f"{cut}-{digest}{suffix}"
