"""A zip uploaded as a run folder is read without trusting it: each hostile archive is refused with one
line naming what is wrong, through the Space's handler, and the results store's bytes are unchanged
(nothing extracted outside a temporary folder, which is gone afterwards)."""

from __future__ import annotations

import io
import json
import stat
import tempfile
import zipfile

import pytest

from benchmark.store import LocalStore
from benchmark.uploads import archive
from benchmark.uploads.review import ATTESTATIONS
from leaderboard.submission.uploads import submit_run_message
from tests.support.queue_helpers import tree_digest

USER = "alice"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return buffer.getvalue()


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("run/record.json", b"{}")
        link = zipfile.ZipInfo("run/repeat-1/report.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        out.writestr(link, b"/etc/passwd")
    return buffer.getvalue()


def _legacy_name_zip() -> bytes:
    """A name in cp437 bytes (no UTF-8 flag): "run/caf\\x82.json", as old zip tools write "café"."""
    data = _zip({"run/cafX.json": b"{}"})
    return data.replace(b"run/cafX.json", b"run/caf\x82.json")


def _lying_size_zip() -> bytes:
    """A member that declares 10 bytes and inflates to 1 MB (a bomb that lies in its headers)."""
    data = _zip({"run/record.json": b"0" * 1_000_000})
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("run/record.json")
    real = info.file_size.to_bytes(4, "little")
    assert data.count(real) == 2  # the local header and the central directory
    return data.replace(real, (10).to_bytes(4, "little"))


def _declared_bomb_zip() -> bytes:
    """60 MB of zeros (over the 50 MB a file may be), about 60 KB zipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        with out.open("run/repeat-1/report.json", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(60):
                member.write(chunk)
    return buffer.getvalue()


def _deep_json_zip() -> bytes:
    return _zip({"run/record.json": b"[" * 100 + b"]" * 100})


HOSTILE = {
    "traversal": (lambda: _zip({"run/../../escaped.json": b"{}"}), "a path leaving its folder"),
    "absolute": (lambda: _zip({"/tmp/absolute.json": b"{}"}), "an absolute path"),
    "windows absolute": (lambda: _zip({"C:/evil.json": b"{}"}), "an absolute path"),
    "symlink": (_symlink_zip, "a symbolic link"),
    "non-UTF-8 name": (_legacy_name_zip, "legacy (non-UTF-8) encoding"),
    "too many files": (lambda: _zip({f"run/f{i}.txt": b"x" for i in range(archive.MAX_FILES + 1)}),
                       f"holds {archive.MAX_FILES + 1} files, more than {archive.MAX_FILES}"),
    "declared bomb": (_declared_bomb_zip, "declares 62,914,560 bytes, over 50,000,000"),
    "lying bomb": (_lying_size_zip, "cannot be read as it is declared"),
    "deep JSON": (_deep_json_zip, "record.json is nested deeper than 64 levels"),
    "not a zip": (lambda: b"PK\x03\x04 this is not really a zip", "not a zip archive"),
}


@pytest.fixture
def results(tmp_path, monkeypatch):
    """A results store with one record in it, and temporary folders made under ``tmp_path/tmp``."""
    store = LocalStore(tmp_path / "results")
    store.add({"records/text_classification/org/a/run.json": b'{"kept": true}'}, "seed")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return store, temp


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_zip_is_refused_in_one_line_and_the_store_is_unchanged(kind, results, tmp_path):
    store, temp = results
    make, needle = HOSTILE[kind]
    upload = tmp_path / "upload.zip"
    upload.write_bytes(make())
    before = tree_digest(store.root)
    answer = submit_run_message(store, USER, str(upload), list(ATTESTATIONS), per_day=5)
    assert answer.startswith("❌ ") and "\n" not in answer
    assert needle in answer
    assert tree_digest(store.root) == before
    assert list(temp.iterdir()) == []  # the temporary folder is gone
    assert not (tmp_path / "escaped.json").exists() and not (tmp_path.parent / "escaped.json").exists()


def test_an_oversized_json_file_is_refused_before_it_is_parsed(results, tmp_path, monkeypatch):
    store, _ = results
    monkeypatch.setattr(archive, "MAX_JSON_BYTES", 1_000)
    upload = tmp_path / "upload.zip"
    upload.write_bytes(_zip({"run/record.json": json.dumps({"notes": "x" * 2_000}).encode()}))
    before = tree_digest(store.root)
    answer = submit_run_message(store, USER, str(upload), list(ATTESTATIONS), per_day=5)
    assert answer == "❌ check 'record' failed: record.json is over 0 MB"
    assert tree_digest(store.root) == before


def test_a_zip_over_the_upload_limit_is_refused_before_it_is_read(results, tmp_path, monkeypatch):
    store, _ = results
    monkeypatch.setattr(archive, "MAX_ZIP_BYTES", 100)
    upload = tmp_path / "upload.zip"
    upload.write_bytes(_zip({"run/record.json": b"{" + b" " * 500 + b"}"}))
    monkeypatch.setattr(type(upload), "read_bytes", lambda self: pytest.fail("read before its size was checked"))
    assert submit_run_message(store, USER, str(upload), list(ATTESTATIONS), per_day=5) == "❌ the zip is over 0 MB"


def test_an_upload_without_a_login_or_to_the_bundled_data_is_refused(results, tmp_path):
    store, _ = results
    upload = tmp_path / "upload.zip"
    upload.write_bytes(_zip({"run/record.json": b"{}"}))
    assert submit_run_message(store, None, str(upload), list(ATTESTATIONS), per_day=5) == (
        "❌ Uploads need a login: sign in with Hugging Face first.")
    bundled = LocalStore(tmp_path / "data")
    assert submit_run_message(bundled, USER, str(upload), list(ATTESTATIONS), per_day=5,
                              snapshot_dir=tmp_path / "data").startswith("❌ This app shows the bundled data only")
    assert submit_run_message(store, USER, None, list(ATTESTATIONS), per_day=5) == (
        "❌ Choose the zip of a run folder to upload.")
