"""A zip uploaded as a run folder is read without trusting it: each hostile archive is refused with one
line naming what is wrong, through the Space's handler, and the results store's bytes are unchanged
(nothing extracted outside a temporary folder, which is gone afterwards)."""

from __future__ import annotations

import io
import json
import stat
import struct
import tempfile
import time
import tracemalloc
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


def _many_entries_zip(entries: int) -> bytes:
    """``entries`` empty folder entries, written as raw zip64 records (zipfile itself would take seconds)."""
    local, central = bytearray(), bytearray()
    for i in range(entries):
        name = f"d{i:06d}/".encode()
        offset = len(local)
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0,
                               0x10, offset) + name
    start, size = len(local), len(central)
    end64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, start)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, start + size, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return bytes(local + central + end64 + locator + end)


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
    "a file and a folder of one name": (lambda: _zip({"run/a": b"x", "run/a/b": b"y"}),
                                        "holds a file and a folder of the same name: 'run/a/b'"),
    "a 300-character name": (lambda: _zip({"run/" + "x" * 300 + ".json": b"{}"}), "a name over 255 bytes a part"),
    "entries past a run folder's": (lambda: _many_entries_zip(archive.MAX_ENTRIES + 1),
                                    f"declares {archive.MAX_ENTRIES + 1:,} entries, more than a run folder has"),
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


def _measured(call) -> tuple[str, float, int]:
    """``call()``'s answer, the CPU seconds it took (not wall time: a busy machine must not fail this) and its
    peak of newly allocated memory in bytes."""
    tracemalloc.start()
    started = time.process_time()
    try:
        answer = call()
        return answer, time.process_time() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_480000_folder_entries_are_refused_from_the_end_record_in_little_time_and_memory(results, tmp_path):
    """A 44 MB zip of 480,000 folder entries was accepted (14 s, 347 MB): now its end record alone refuses it."""
    store, _ = results
    upload = tmp_path / "entries.zip"
    upload.write_bytes(_many_entries_zip(480_000))
    assert 40_000_000 < upload.stat().st_size < archive.MAX_ZIP_BYTES
    before = tree_digest(store.root)
    answer, cpu_s, peak = _measured(lambda: submit_run_message(store, USER, str(upload), list(ATTESTATIONS), 5))
    assert answer == f"❌ the zip declares 480,000 entries, more than a run folder has ({archive.MAX_ENTRIES})"
    print(f"480,000 entries refused in {cpu_s:.3f} s CPU, peak {peak / 1e6:.2f} MB")
    assert cpu_s < 1.0 and peak < 100_000_000  # measured: ~0.001 s and well under 1 MB
    assert tree_digest(store.root) == before


def test_2000_repeats_sharing_one_report_are_refused_before_any_report_is_read(results, tmp_path):
    """20 KB of zip: a record of 2,000 repeats that all name one 1 MB report (3 GB and 20 s in the Space once)."""
    from tests.support.models_fixtures import gpu_run_folder

    store, _ = results
    folder = gpu_run_folder(tmp_path / "runs", "acme/model", "summarization", 2.0)
    record = json.loads((folder / "record.json").read_text())
    record["repeats"] = [dict(record["repeats"][0], index=i) for i in range(2000)]
    report = json.loads((folder / "repeat-1" / "report.json").read_text())
    report["padding"] = " " * 1_000_000
    upload = tmp_path / "repeats.zip"
    upload.write_bytes(_zip({"run/record.json": json.dumps(record).encode(),
                             "run/repeat-1/report.json": json.dumps(report).encode()}))
    assert upload.stat().st_size < 60_000
    before = tree_digest(store.root)
    answer, cpu_s, peak = _measured(lambda: submit_run_message(store, USER, str(upload), list(ATTESTATIONS), 5))
    assert answer == "❌ check 'record' failed: the record lists 2000 repeats; a run has at most 20"
    print(f"2,000 repeats refused in {cpu_s:.3f} s CPU, peak {peak / 1e6:.2f} MB")
    assert cpu_s < 5.0 and peak < 100_000_000  # the record itself is parsed: a few MB
    assert tree_digest(store.root) == before
