"""The store interface behaves the same on a local folder and on the Hub (through the test double)."""

from __future__ import annotations

import threading

import pytest

from benchmark.hub_client import HubClient, HubNotFoundError
from benchmark.store import HubStore, LocalStore, StaleStoreError, StorePathError, results_store
from tests.support.doubles.hub_double import FakeHfApi, local_or_hub_store


@pytest.fixture(params=["local", "hub"])
def store(request, tmp_path):
    return local_or_hub_store(request.param, tmp_path / "store", token="hf_secret")


def test_added_files_are_listed_and_read_back(store):
    store.add({"records/a/x.json": b"1", "records/b/y.json": b"2"}, "add")
    assert store.list("records/") == ["records/a/x.json", "records/b/y.json"]
    assert store.list("records/a/") == ["records/a/x.json"]
    assert store.read("records/b/y.json") == b"2"


def test_add_refuses_to_overwrite_an_existing_file(store):
    store.add({"requests/r1.json": b"first"}, "add")
    with pytest.raises(FileExistsError):
        store.add({"requests/r1.json": b"second"}, "add")
    assert store.read("requests/r1.json") == b"first"


def test_reading_a_missing_file_raises_file_not_found(store):
    with pytest.raises(FileNotFoundError):
        store.read("records/none.json")


def test_commit_applies_when_the_parent_is_current_and_moves_the_head(store):
    store.add({"q/a.json": b"old", "q/b.json": b"gone"}, "add")
    parent = store.head()
    new_head = store.commit({"q/a.json": b"new", "q/b.json": None}, parent, "update")
    assert new_head != parent and store.head() == new_head
    assert store.read("q/a.json") == b"new"
    assert store.list("q/") == ["q/a.json"]


def test_commit_on_a_stale_parent_is_refused_and_changes_nothing(store):
    store.add({"q/a.json": b"v1"}, "add")
    stale = store.head()
    store.commit({"q/a.json": b"v2"}, stale, "first writer wins")
    with pytest.raises(StaleStoreError):
        store.commit({"q/a.json": b"v3"}, stale, "second writer loses")
    assert store.read("q/a.json") == b"v2"


@pytest.mark.parametrize("bad", ["../escape.json", "/abs.json", "a/../../b", "a//b", ""])
def test_paths_that_escape_the_store_are_refused(store, bad):
    with pytest.raises(StorePathError):
        store.add({bad: b"x"}, "add")


def test_local_compare_and_swap_lets_exactly_one_of_many_racing_writers_win(tmp_path):
    store = LocalStore(tmp_path / "s")
    store.add({"counter": b"0"}, "init")
    parent = store.head()
    wins = []

    def writer(n: int) -> None:
        try:
            store.commit({"counter": str(n).encode()}, parent, f"writer {n}")
            wins.append(n)
        except StaleStoreError:
            pass

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert store.read("counter") == str(wins[0]).encode()


def test_results_store_is_the_hub_when_a_repo_is_configured_else_the_local_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("RESULTS_REPO", raising=False)
    monkeypatch.setenv("RESULTS_DIR", str(tmp_path / "r"))
    local = results_store()
    assert isinstance(local, LocalStore) and local.root == tmp_path / "r"
    monkeypatch.setenv("RESULTS_REPO", "org/results")
    hub = results_store()
    assert isinstance(hub, HubStore) and hub.repo_id == "org/results"


def test_hub_errors_never_show_the_token():
    api = FakeHfApi()
    client = HubClient(api=api, token="hf_topsecret")
    store = HubStore("org/missing", client=client)
    with pytest.raises(HubNotFoundError) as info:
        store.list()
    assert "hf_topsecret" not in str(info.value)
    assert "org/missing" in str(info.value)


def test_two_hub_writers_adding_the_same_path_at_once_exactly_one_wins_and_nothing_is_overwritten():
    """Both writers pass the "is it there?" check before either commits (a barrier holds them there):
    the commit on a parent that moved must be refused, and the loser's re-check must see the file."""
    api = FakeHfApi()
    api.create_dataset("org/results")
    list_files, both_checked = api.list_repo_files, threading.Barrier(2, timeout=10)
    checks = []

    def list_then_wait(*args, **kwargs):
        files = list_files(*args, **kwargs)
        checks.append(len(files))
        if len(checks) <= 2:
            both_checked.wait()
        return files

    api.list_repo_files = list_then_wait
    store = HubStore("org/results", client=HubClient(api=api, token="hf_x"))
    outcomes: dict[str, object] = {}

    def write(name: str) -> None:
        try:
            outcomes[name] = store.add({"records/t/m/run.json": name.encode()}, f"add {name}")
        except FileExistsError as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=write, args=(name,)) for name in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    winners = [name for name, outcome in outcomes.items() if not isinstance(outcome, FileExistsError)]
    assert len(winners) == 1 and len(outcomes) == 2
    assert checks[:2] == [0, 0]  # both really saw the path free
    assert store.read("records/t/m/run.json") == winners[0].encode()
    assert api.calls.count("create_commit") == 2  # one landed, one refused on its stale parent
    assert store.list("") == ["records/t/m/run.json"]
