"""One bad file must not take the board or the queue down: each attack of the review as a test, then a
property-based test feeding generated hostile records and requests through the loader, the release cut
and the queue reader, where good neighbours are still read and the bad file is listed with its reason."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.board.frame import frame_from_records
from benchmark.board.records import (
    DROP_DATE,
    DROP_OUT_OF_RANGE,
    DROP_REASONS,
    DROP_SCHEMA,
    read_record_file,
)
from benchmark.queue.operations import read_queue
from benchmark.queue.request_record import RequestStatus
from benchmark.queue.steps import RunOutcome, WorkerConfig
from benchmark.queue.worker import Worker
from benchmark.record import record_path
from benchmark.release import cut_release
from benchmark.store import LocalStore
from leaderboard.results.live import LiveData
from leaderboard.results.loader import read_folder
from tests.support.doubles.hub_double import store_bytes
from tests.support.leaderboard_fixtures import make_record, write_raw, write_record
from tests.support.queue_helpers import make_request, seed

OVERFLOWING_DATE = "9999-12-31T23:59:59-12:00"  # year 10000 in UTC: Python's datetime overflows


def _good(root: Path) -> list[str]:
    """Two good neighbours on one task; their model ids."""
    for i, energy in enumerate((1.0, 3.0)):
        write_record(root, make_record(f"org/good-{i}", "summarization", energy, run_id=f"good-{i}"))
    return ["org/good-0", "org/good-1"]


def _hostile(root: Path, change: dict, model: str = "org/evil") -> str:
    data = json.loads(make_record(model, "summarization", 2.0, params=10**9, run_id="evil").to_json())
    data.update(change)
    path = record_path(make_record(model, "summarization", 2.0, run_id="evil"))
    write_raw(root, path, json.dumps(data))
    return path


ATTACKS = [
    ({"created_at": OVERFLOWING_DATE}, DROP_DATE),
    ({"created_at": "1970-01-01T00:00:00Z"}, DROP_DATE),
    ({"params": int("9" * 401)}, DROP_OUT_OF_RANGE),
    ({"params": -5}, DROP_OUT_OF_RANGE),
    ({"latency_s_per_query": -0.5}, DROP_OUT_OF_RANGE),
    ({"size_class": ["A"]}, DROP_SCHEMA),
    ({"size_class": {"A": 1}}, DROP_SCHEMA),
    ({"model_id": "org/" + "m" * 5000}, DROP_SCHEMA),
    ({"run_id": "../../escape"}, DROP_SCHEMA),
]


ATTACK_IDS = [f"{next(iter(change))}-{i}" for i, (change, _) in enumerate(ATTACKS)]


@pytest.mark.parametrize(("change", "reason"), ATTACKS, ids=ATTACK_IDS)
def test_a_hostile_record_is_dropped_by_its_reason_and_its_neighbours_stay(tmp_path, change, reason):
    good = _good(tmp_path)
    path = _hostile(tmp_path, change)
    result = read_folder(tmp_path)
    assert sorted(r.model_id for r in result.records) == good
    assert dict(result.dropped) == {reason: 1} and result.problems == (f"{path}: {reason}",)
    assert list(frame_from_records(result.records)["model_id"]) == good

    live = LiveData(LocalStore(tmp_path), min_check_interval_s=0)  # the app: the store, not the snapshot
    assert live.from_store and live.current.notice is None and live.current.dropped == Counter({reason: 1})

    store = LocalStore(tmp_path)
    cut = cut_release(store, "r1", date="2026-01-01")
    assert cut.n_entries == 2 and cut.meta["left_out"] == [{"path": path, "reason": reason}]


def test_a_negative_gpu_count_is_dropped_not_rated(tmp_path):
    _good(tmp_path)
    hardware = {"device": "cuda", "gpu_name": "NVIDIA H100 80GB HBM3", "gpu_count": -1}
    _hostile(tmp_path, {"hardware": hardware})
    assert dict(read_folder(tmp_path).dropped) == {DROP_OUT_OF_RANGE: 1}


def test_a_huge_file_is_dropped_by_its_size_without_being_read(tmp_path):
    _good(tmp_path)
    huge = tmp_path / "records/summarization/org--huge/run.json"
    huge.parent.mkdir(parents=True)
    with huge.open("wb") as handle:  # 8 GB, sparse: reading it would take a minute and the memory
        handle.truncate(8 * 1024**3)
    real_open = Path.open

    def never_the_huge_one(self, *args, **kwargs):  # its size says enough: opening it is the bug
        assert self != huge, "the 8 GB file was opened"
        return real_open(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "open", never_the_huge_one)
        result = read_folder(tmp_path)
    assert dict(result.dropped) == {"file over 1 MB": 1} and len(result.records) == 2
    assert read_record_file(huge) == "file over 1 MB"


def test_a_request_with_an_overflowing_date_is_dropped_and_the_worker_runs_the_good_ones(tmp_path):
    store = LocalStore(tmp_path)
    good = seed(store, [make_request(f"org/m{i}") for i in range(2)])
    bad = json.loads(make_request("org/evil").to_json())
    bad["submitted_at"] = OVERFLOWING_DATE
    store.add({f"requests/{bad['request_id']}.json": json.dumps(bad).encode()}, "hostile")
    read = read_queue(store)
    assert sorted(read.requests) == sorted(r.path for r in good)
    assert read.dropped == {f"requests/{bad['request_id']}.json": DROP_DATE}

    before = store.read(f"requests/{bad['request_id']}.json")
    worker = Worker(store, lambda r, c: RunOutcome(f"run-{r.request_id}"),
                    WorkerConfig(device="cpu", poll_seconds=0.01, results=LocalStore(tmp_path / "results")))
    assert worker.run(drain=True) == 2
    assert all(r.status is RequestStatus.COMPLETED for r in read_queue(store).requests.values())
    assert store.read(f"requests/{bad['request_id']}.json") == before  # never rewritten


# --- property-based: whatever a file holds, only that file is dropped ------------------------------

_JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from([OVERFLOWING_DATE, "0001-01-01T00:00:00", "2025-13-45", "A", "B", "../x", "a/b"]),
)
_JSON = st.recursive(_JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                     max_leaves=8)
_TEMPLATE = json.loads(make_record("org/evil", "summarization", 2.0, params=10**9, run_id="evil",
                                   repeats=[2.0, 2.1]).to_json())
_REQUEST = json.loads(make_request("org/evil").to_json())


def _paths(data: object, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a JSON document (so a mutation can hit a nested field)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _mutated(template: dict, draw) -> dict:
    data = json.loads(json.dumps(template))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(data)))
        target = data
        for part in path[:-1]:
            target = target[part]
        if draw(st.booleans()) and isinstance(target, dict):
            target.pop(path[-1], None)
        else:
            target[path[-1]] = draw(_JSON)
    return data


@st.composite
def hostile_documents(draw) -> tuple[dict, dict]:
    return _mutated(_TEMPLATE, draw), _mutated(_REQUEST, draw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(documents=hostile_documents())
def test_generated_hostile_records_and_requests_drop_only_themselves(tmp_path_factory, documents):
    record, request = documents
    root = tmp_path_factory.mktemp("hostile")
    good = _good(root)
    bad_path = "records/summarization/org--evil/evil.json"
    write_raw(root, bad_path, json.dumps(record))  # allow_nan: NaN and Infinity literals too

    result = read_folder(root)
    frame = frame_from_records(result.records)  # the board is built from whatever parsed
    # the good neighbours' own figures, as written (1 and 3 Wh), whatever the hostile file holds
    energies = dict(zip(frame["model_id"], frame["gpu_wh_per_1k_queries"], strict=True))
    assert {model: energies.get(model) for model in good} == {"org/good-0": 1.0, "org/good-1": 3.0}
    kept = [r for r in result.records if r.run_id not in ("good-0", "good-1")]
    if result.problems:
        ((listed, reason),) = [problem.split(": ", 1) for problem in result.problems]
        assert listed == bad_path and reason in DROP_REASONS and kept == []
    else:  # parsed: shown like any record, with the figure it holds, and nothing else changed
        ((parsed),) = kept
        assert parsed.gpu_wh_per_1k_queries == float(record["gpu_wh_per_1k_queries"]) and len(frame) == 3

    store = LocalStore(root)
    before = store_bytes(store)
    cut = cut_release(store, "r1", date="2026-01-01")
    left_out = {item["path"]: item["reason"] for item in cut.meta["left_out"]}
    assert set(left_out) <= {bad_path} and all(reason in DROP_REASONS for reason in left_out.values())
    after = store_bytes(store)
    assert {path: data for path, data in after.items() if not path.startswith("releases/")} == before

    queue = LocalStore(root / "queue")
    seeded = seed(queue, [make_request("org/fine")])
    queue.add({"requests/hostile.json": json.dumps(request).encode()}, "hostile request")
    read = read_queue(queue)
    assert seeded[0].path in read.requests
    assert set(read.dropped) <= {"requests/hostile.json"}
    assert all(reason in DROP_REASONS or reason.startswith("file over") for reason in read.dropped.values())


@pytest.mark.parametrize(
    ("file", "content"),
    [("board.parquet", b"PAR1 not a parquet file"), ("release.json", b'{"left_out": "everything"}'),
     ("release.json", b"[1, 2]")],
)
def test_a_broken_release_file_drops_that_release_not_the_board(tmp_path, file, content):
    _good(tmp_path)
    store = LocalStore(tmp_path)
    cut_release(store, "r1", date="2026-01-01")
    (tmp_path / "releases" / "r1" / file).write_bytes(content)
    live = LiveData(store, min_check_interval_s=0)
    data = live.current
    assert live.from_store and data.notice is None and data.releases == ()
    assert sorted(data.frame["model_id"]) == ["org/good-0", "org/good-1"]  # read as records instead
    assert data.dropped == Counter({"unreadable release": 1}) and data.problems == ("releases/r1: unreadable release",)
