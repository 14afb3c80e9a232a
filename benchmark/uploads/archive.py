"""A run folder received as a zip, read without trusting it.

Everything is checked from the archive's own directory before a byte is extracted, and extraction
writes only inside a fresh temporary folder: a name that is absolute, climbs out (``..``), is not UTF-8
or not a plain file (a symlink, a device), an archive over ``MAX_ZIP_BYTES``, more than ``MAX_FILES``
files, a declared size over ``MAX_FILE_BYTES`` or ``MAX_TOTAL_BYTES`` in all, or more bytes coming out of
a member than it declared (a zip bomb that lies) — each is refused with one line (``ArchiveRefused``).
JSON files of the folder are bounded in size and nesting depth too (``check_json``).
"""

from __future__ import annotations

import io
import json
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from benchmark.errors import UserInputError

MAX_ZIP_BYTES = 50_000_000
MAX_TOTAL_BYTES = 200_000_000
MAX_FILE_BYTES = 50_000_000
MAX_FILES = 200
MAX_JSON_BYTES = 10_000_000
MAX_JSON_DEPTH = 64
_UTF8_FLAG = 0x800
_CHUNK = 1 << 16


class ArchiveRefused(UserInputError):
    pass


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath:
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG and not name.isascii():
        shown = name.encode(errors="replace")
        raise ArchiveRefused(f"the zip names a file in a legacy (non-UTF-8) encoding: {shown!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        raise ArchiveRefused(f"the zip holds an absolute path: {name!r}")
    if any(part in ("..", ".") for part in path.parts):
        raise ArchiveRefused(f"the zip holds a path leaving its folder: {name!r}")
    kind_bits = stat.S_IFMT(info.external_attr >> 16)  # 0 when the tool wrote no Unix file type
    if kind_bits not in (0, stat.S_IFREG, stat.S_IFDIR):
        kind = "a symbolic link" if kind_bits == stat.S_IFLNK else "not a plain file"
        raise ArchiveRefused(f"the zip holds {kind}: {name!r}")
    return path


def check_archive(data: bytes) -> list[zipfile.ZipInfo]:
    """The archive's file members, every limit and name checked (``ArchiveRefused`` otherwise)."""
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveRefused(f"the zip is over {MAX_ZIP_BYTES // 1_000_000} MB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ArchiveRefused("the upload is not a zip archive") from None
    files = [info for info in members if not info.is_dir()]
    if len(files) > MAX_FILES:
        raise ArchiveRefused(f"the zip holds {len(files)} files, more than {MAX_FILES}")
    total = 0
    for info in members:
        _member_path(info)
        if info.file_size > MAX_FILE_BYTES:
            raise ArchiveRefused(f"{info.filename!r} declares {info.file_size:,} bytes, over {MAX_FILE_BYTES:,}")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ArchiveRefused(f"the zip declares {total:,} bytes in all, over {MAX_TOTAL_BYTES:,}")
    return files


def extract(data: bytes, into: Path | None = None) -> Path:
    """The archive's files written under a new temporary folder (or ``into``, which must be empty); each
    member is read in chunks and stopped at its declared size, so a lying bomb cannot fill the disk."""
    files = check_archive(data)
    target = Path(into) if into is not None else Path(tempfile.mkdtemp(prefix="upload-"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    root = target.resolve()
    for info in files:
        destination = (target / _member_path(info)).resolve()
        if not destination.is_relative_to(root):
            raise ArchiveRefused(f"the zip holds a path leaving its folder: {info.filename!r}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        try:
            with archive.open(info) as source, open(destination, "wb") as sink:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > info.file_size:
                        raise ArchiveRefused(f"{info.filename!r} inflates past the {info.file_size:,} bytes it "
                                             "declares")
                    sink.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # zipfile stops a member at its declared size, so a lying one ends in a CRC error here
            raise ArchiveRefused(f"{info.filename!r} cannot be read as it is declared "
                                 f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    return _run_folder(target)


@contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The run folder ``path`` names: itself, or a zip of one read into a temporary folder that is
    removed afterwards (its size checked before a byte is read)."""
    if path.is_dir():
        yield path
        return
    if not path.is_file():
        raise ArchiveRefused(f"{path} is not a run folder or a zip of one")
    if path.stat().st_size > MAX_ZIP_BYTES:
        raise ArchiveRefused(f"the zip is over {MAX_ZIP_BYTES // 1_000_000} MB")
    with tempfile.TemporaryDirectory(prefix="upload-") as into:
        yield extract(path.read_bytes(), Path(into))


def _run_folder(target: Path) -> Path:
    """The run folder inside: the archive's root, or its one top-level folder (a zipped folder)."""
    entries = [entry for entry in target.iterdir() if not entry.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return target


def _depth(value: Any, limit: int) -> int:
    stack, deepest = [(value, 1)], 1
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
    return deepest


def check_json(path: Path) -> Any:
    """A JSON file of an upload, bounded in size and nesting (``ArchiveRefused`` naming the file)."""
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ArchiveRefused(f"{path.name} is over {MAX_JSON_BYTES // 1_000_000} MB")
    try:
        value = json.loads(path.read_bytes())
    except (ValueError, RecursionError):
        raise ArchiveRefused(f"{path.name} is not JSON (or is nested too deep to read)") from None
    if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ArchiveRefused(f"{path.name} is nested deeper than {MAX_JSON_DEPTH} levels")
    return value
