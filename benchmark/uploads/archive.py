"""A run folder received as a zip or as a folder, read without trusting it.

A zip is checked from its own directory before a byte is extracted — first its end record alone (how
many entries, how large a directory: 480,000 entries are refused before one is parsed), then each entry —
and extraction writes only inside a fresh temporary folder: a name that is absolute, climbs out (``..``),
is not UTF-8, is over ``MAX_NAME_BYTES`` a part, or is not a plain file (a symlink, a device), an archive
over ``MAX_ZIP_BYTES``, more than ``MAX_ENTRIES`` entries or ``MAX_FILES`` files, a declared size over
``MAX_FILE_BYTES`` or ``MAX_TOTAL_BYTES`` in all, or more bytes coming out of a member than it declared (a
zip bomb that lies) — each is refused with one line (``ArchiveRefused``). A folder is copied the same way:
only regular files of its own (never through a symlink or a second hard link, never a FIFO or a device,
opened without following links and without blocking), within the same bounds (``limits``). JSON files of
the folder are bounded in size and nesting depth too (``check_json``).
"""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from benchmark.errors import UserInputError
from benchmark.uploads.limits import (
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    MAX_NAME_BYTES,
    MAX_PATH_CHARS,
    MAX_TOTAL_BYTES,
    MAX_ZIP_BYTES,
)

# a central directory entry is 46 bytes plus its name, extra field and comment
_MAX_DIRECTORY_BYTES = MAX_ENTRIES * (46 + MAX_PATH_CHARS + 512)
_UTF8_FLAG = 0x800
_CHUNK = 1 << 16


class ArchiveRefused(UserInputError):
    pass


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath:
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG and not name.isascii():
        shown = name.encode(errors="replace")
        raise ArchiveRefused(f"the zip names a file in a legacy (non-UTF-8) encoding: {shown!r}")
    if len(name) > MAX_PATH_CHARS or any(len(part.encode()) > MAX_NAME_BYTES for part in name.split("/")):
        raise ArchiveRefused(f"the zip holds a name over {MAX_NAME_BYTES} bytes a part: {name[:60]!r}…")
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


def check_end_record(data: bytes | BinaryIO) -> None:
    """Refuse, from the zip's end record alone (22 bytes and its zip64 locator), an archive declaring more
    entries or a larger directory than a run folder can have: ``zipfile`` would otherwise build an object
    per entry (480,000 entries: seconds and hundreds of MB) before any other check could run."""
    try:
        source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
        end = zipfile._EndRecData(source)  # the standard library's own reader of that record
    except (OSError, ValueError, struct.error):
        end = None
    if not end:
        raise ArchiveRefused("the upload is not a zip archive")
    entries, directory_bytes = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if entries > MAX_ENTRIES:
        raise ArchiveRefused(f"the zip declares {entries:,} entries, more than a run folder has ({MAX_ENTRIES})")
    if directory_bytes > _MAX_DIRECTORY_BYTES:
        raise ArchiveRefused(f"the zip's directory declares {directory_bytes:,} bytes, more than a run folder's")


def check_archive(data: bytes) -> list[zipfile.ZipInfo]:
    """The archive's file members, every limit and name checked (``ArchiveRefused`` otherwise)."""
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveRefused(f"the zip is over {MAX_ZIP_BYTES // 1_000_000} MB")
    check_end_record(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ArchiveRefused("the upload is not a zip archive") from None
    if len(members) > MAX_ENTRIES:
        raise ArchiveRefused(f"the zip holds {len(members):,} entries, more than a run folder has ({MAX_ENTRIES})")
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
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError:  # a file where a folder must go ("a" and "a/b"): the entries clash
            raise ArchiveRefused(f"the zip holds a file and a folder of the same name: {info.filename!r}") from None
        if destination.exists():
            raise ArchiveRefused(f"the zip holds {info.filename!r} twice (or as a file and a folder)")
        written = 0
        try:
            with archive.open(info) as source, open(destination, "xb") as sink:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > info.file_size:
                        raise ArchiveRefused(f"{info.filename!r} inflates past the {info.file_size:,} bytes it "
                                             "declares")
                    sink.write(chunk)
        except OSError as exc:  # the name cannot be written here: say which, never the temporary path
            raise ArchiveRefused(f"{info.filename[:80]!r} cannot be written as a file ({exc.strerror or 'refused'})"
                                 ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # zipfile stops a member at its declared size, so a lying one ends in a CRC error here
            raise ArchiveRefused(f"{info.filename!r} cannot be read as it is declared "
                                 f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    return _run_folder(target)


@contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The run folder ``path`` names, as a temporary copy removed afterwards: a folder copied file by file
    (``copy_folder``), or a zip read into it (its size checked before a byte is read)."""
    if path.is_dir() and not path.is_symlink():
        with tempfile.TemporaryDirectory(prefix="upload-") as into:
            yield copy_folder(path, Path(into) / "run")
        return
    if not path.is_file() or path.is_symlink():
        raise ArchiveRefused(f"{path} is not a run folder or a zip of one")
    if path.stat().st_size > MAX_ZIP_BYTES:
        raise ArchiveRefused(f"the zip is over {MAX_ZIP_BYTES // 1_000_000} MB")
    with path.open("rb") as handle:  # its end record first, read from the file: nothing else is read if it lies
        check_end_record(handle)
    with tempfile.TemporaryDirectory(prefix="upload-") as into:
        yield extract(path.read_bytes(), Path(into))


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    return "not a regular file"


def _folder_entries(folder: Path) -> list[tuple[str, os.stat_result]]:
    """Every entry under ``folder`` (relative POSIX path, its ``lstat``), never following a link; refused
    past ``MAX_ENTRIES`` while listing, so a folder of a million files is not walked to its end."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(folder / relative if relative else folder) as listing:
            for entry in listing:
                name = f"{relative}/{entry.name}" if relative else entry.name
                info = entry.stat(follow_symlinks=False)
                found.append((name, info))
                if len(found) > MAX_ENTRIES:
                    raise ArchiveRefused(f"the run folder holds more than {MAX_ENTRIES} entries")
                if stat.S_ISDIR(info.st_mode):
                    pending.append(name)
    return sorted(found)


def copy_folder(folder: Path, into: Path) -> Path:
    """Copy a run folder's regular files into ``into`` (a new folder), every one checked as an archive
    member is: a symbolic link, a hard link to a file elsewhere, a FIFO or a device is refused naming it,
    and nothing is opened in a way that follows a link or waits on a pipe."""
    entries = _folder_entries(folder)
    files = [(name, info) for name, info in entries if not stat.S_ISDIR(info.st_mode)]
    if len(files) > MAX_FILES:
        raise ArchiveRefused(f"the run folder holds {len(files)} files, more than {MAX_FILES}")
    total = 0
    for name, info in files:
        if not stat.S_ISREG(info.st_mode):
            raise ArchiveRefused(f"the run folder holds {_kind(info.st_mode)}: {name!r}")
        if info.st_nlink > 1:
            raise ArchiveRefused(f"the run folder holds a hard link to a file elsewhere: {name!r}")
        if info.st_size > MAX_FILE_BYTES:
            raise ArchiveRefused(f"{name!r} is {info.st_size:,} bytes, over {MAX_FILE_BYTES:,}")
        total += info.st_size
    if total > MAX_TOTAL_BYTES:
        raise ArchiveRefused(f"the run folder holds {total:,} bytes in all, over {MAX_TOTAL_BYTES:,}")
    into.mkdir()
    for name, _ in files:
        _copy_file(folder / name, into / name, name)
    return into


def _copy_file(source: Path, destination: Path, name: str) -> None:
    """One regular file, opened without following a link or blocking on a pipe, checked again once open
    (it may have been swapped since it was listed), copied up to its limit."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(source, flags)
    except OSError:
        raise ArchiveRefused(f"{name!r} cannot be opened as a regular file of the run folder") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            raise ArchiveRefused(f"the run folder holds {_kind(info.st_mode)}: {name!r}")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ArchiveRefused(f"{name!r} grew past {MAX_FILE_BYTES:,} bytes while it was read")
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(data)


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
