"""The app's current data, reloaded from the results store without a restart.

One ``LiveData`` per server, shared by every session: a refresh swaps in a new
``LeaderboardData`` (a higher ``version``) only when the store moved. The store is asked for its
head at most once per ``min_check_interval_s`` however many browser sessions tick, unless a user
forces a refresh. If the store cannot be read (Hub unreachable, folder unreadable), the page
never goes blank: the first load falls back to the bundled snapshot, later loads keep the last
good data, and either way a notice says so.

With ``background=True`` the first load runs in a thread, so the server answers (and a Space
passes its start-up health check) while a large results dataset is still being downloaded and
validated; ``current`` waits for that first load.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from dataclasses import replace
from pathlib import Path

from benchmark.hub_client import HubError, HubGatedError, HubNotFoundError, redact
from benchmark.store import LocalStore, Store
from leaderboard.results.data import SNAPSHOT_DIR, LeaderboardData
from leaderboard.results.loader import LoadResult
from leaderboard.results.releases import load_board, read_releases

log = logging.getLogger(__name__)
# Seconds a process exiting during the first load waits for it.
EXIT_WAIT_S = 60.0

SNAPSHOT_SOURCE = "bundled snapshot (published AI Energy Score figures)"


_REASON_MAX_CHARS = 2000
# What visitors read of a failed load: the cause in words, never the machine's paths, host names or the
# exception's text (``full_reason`` keeps those for the log and for maintainers).
CAUSE_MISSING = "the results folder or one of its files is missing"
CAUSE_PERMISSION = "the server may not read the results"
CAUSE_HUB_NOT_FOUND = "the results dataset was not found on the Hub (or its token cannot see it)"
CAUSE_HUB = "the Hugging Face Hub did not answer as expected"
CAUSE_IO = "the results could not be read from disk"
CAUSE_OTHER = "an unexpected error (see the server log)"


def public_cause(exc: BaseException) -> str:
    """Why the results could not be read, in words fit for any visitor."""
    for kind, cause in (
        (FileNotFoundError, CAUSE_MISSING), (PermissionError, CAUSE_PERMISSION),
        ((HubNotFoundError, HubGatedError), CAUSE_HUB_NOT_FOUND), (HubError, CAUSE_HUB), (OSError, CAUSE_IO),
    ):
        if isinstance(exc, kind):
            return cause
    return CAUSE_OTHER


def full_reason(exc: BaseException) -> str:
    """The exception as maintainers see it (type and first line, token-free)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    reason = redact(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)
    return reason if len(reason) <= _REASON_MAX_CHARS else reason[: _REASON_MAX_CHARS - 1] + "…"


def shown_counts(data: LeaderboardData) -> str:
    """What the app shows, for its log: "206 results from <source> (release 2025-12: 206 rows, 0 runs since)"."""
    text = f"{data.n_results} results from {data.source}"
    if data.releases:
        text += f" (release {data.release_names[-1]}: {len(data.frame)} rows, {len(data.records)} runs since)"
    if data.dropped_total:
        text += f"; {data.dropped_total} files dropped"
    return text


def _same_folder(store: Store, folder: Path) -> bool:
    return isinstance(store, LocalStore) and store.root.resolve() == folder.resolve()


class LiveData:
    """The data every session shows; ``refresh`` reloads it when the store has moved."""

    def __init__(
        self,
        store: Store | None = None,
        snapshot_dir: Path = SNAPSHOT_DIR,
        min_check_interval_s: float = 60.0,
        min_force_interval_s: float = 5.0,
        background: bool = False,
    ) -> None:
        self.store = store if store is not None else LocalStore(snapshot_dir)
        self.snapshot_dir = Path(snapshot_dir)
        self.min_check_interval_s = min_check_interval_s
        self.min_force_interval_s = min_force_interval_s
        self._lock = threading.Lock()
        self._head: str | None = None  # head of the store the current data came from; None: snapshot
        self._fingerprint = ""
        self._last_check = 0.0
        self._version = 0
        self._current: LeaderboardData | None = None
        self._ready = threading.Event()
        self._background = background
        # the last failure to read the store, in full (for maintainers; visitors see ``public_cause``)
        self.last_error: str | None = None
        if background:
            loader = threading.Thread(target=self._first_load, name="leaderboard-first-load", daemon=True)
            loader.start()
            # A process that exits while the first load is inside pyarrow's C++ code aborts
            # ("terminate called without an active exception"): let the load finish first.
            atexit.register(loader.join, EXIT_WAIT_S)
        else:
            self._first_load()

    def _first_load(self) -> None:
        try:
            if self._background:
                self._serve_releases_first()
            with self._lock:
                self._current = self._load(force=True, previous=None)
        finally:
            if self._current is None:  # a bug, not a store failure (those fall back): still serve a page
                log.exception("first load of the leaderboard data failed")
                empty = LeaderboardData.from_load(LoadResult((), self.store.public_name))
                self._current = empty.with_notice("The results could not be loaded; see the server logs.")
            self._ready.set()

    def _serve_releases_first(self) -> None:
        """With releases, serve the latest one (the default board) before listing the record files:
        at 100,000 records the listing alone takes seconds, and only the runs since need it."""
        try:
            releases = read_releases(self.store)
        except Exception:  # noqa: BLE001 - the full load below reports (and falls back) properly
            log.debug("releases not readable before the first load", exc_info=True)
            return
        if releases:
            notice = f"Reading the runs published since release {releases[-1].name}…"
            empty = LoadResult((), self.store.public_name)
            self._current = LeaderboardData.from_load(empty, version=0, notice=notice, releases=releases)
            self._ready.set()

    @property
    def current(self) -> LeaderboardData:
        self._ready.wait()
        return self._current

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for the first load; ``False`` if it is still running after ``timeout_s``."""
        return self._ready.wait(timeout_s)

    @property
    def from_store(self) -> bool:
        """Whether the current data came from the configured store (not the fallback)."""
        self._ready.wait()
        return self._head is not None

    def refresh(self, force: bool = False) -> LeaderboardData:
        """Reload if the store moved, at most once per ``min_check_interval_s``.

        ``force`` (the refresh button) re-reads the store even if its head did not move (files
        copied in by hand do not move a local store's head), at most once per
        ``min_force_interval_s`` so a clicking crowd cannot keep the server reading.
        """
        self._ready.wait()
        with self._lock:
            interval = self.min_force_interval_s if force else self.min_check_interval_s
            if time.monotonic() - self._last_check < interval:
                return self._current
            self._current = self._load(force=force, previous=self._current)
            return self._current

    def _load(self, force: bool, previous: LeaderboardData | None) -> LeaderboardData:
        self._last_check = time.monotonic()
        try:
            head = self.store.head()
            if previous is not None and not force and head == self._head:
                return previous.with_notice(None) if previous.notice and self.from_store else previous
            releases, result = load_board(self.store)
            if _same_folder(self.store, self.snapshot_dir):
                result = replace(result, source=SNAPSHOT_SOURCE)
        except Exception as exc:  # noqa: BLE001 - any failure to read the store must leave a usable page
            return self._fallback(exc, previous)
        self._head = head
        if previous is not None and result.fingerprint == self._fingerprint:
            return previous.with_notice(None)  # same files: keep the version (and its caches)
        self._fingerprint = result.fingerprint
        self._version += 1
        data = LeaderboardData.from_load(result, version=self._version, releases=releases)
        log.info("showing %s", shown_counts(data))
        return data

    def _fallback(self, exc: Exception, previous: LeaderboardData | None) -> LeaderboardData:
        reason = public_cause(exc)
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        self.last_error = f"{when}: {self.store.name}: {full_reason(exc)}"
        log.warning("cannot read results from %s: %s", self.store.name, redact(str(exc)))
        if previous is not None and self.from_store:
            return previous.with_notice(
                f"Could not refresh from {self.store.public_name} at {when} ({reason}); "
                f"showing the data loaded at {previous.loaded_at:%Y-%m-%d %H:%M UTC}."
            )
        if previous is not None:  # already on the snapshot: keep it, with a fresh reason
            return previous.with_notice(self._snapshot_notice(reason))
        self._head = None
        self._version += 1
        releases, snapshot = load_board(LocalStore(self.snapshot_dir))
        snapshot = replace(snapshot, source=SNAPSHOT_SOURCE)
        self._fingerprint = snapshot.fingerprint
        notice = None if _same_folder(self.store, self.snapshot_dir) else self._snapshot_notice(reason)
        data = LeaderboardData.from_load(snapshot, version=self._version, notice=notice, releases=releases)
        log.info("showing %s", shown_counts(data))
        return data

    def _snapshot_notice(self, reason: str) -> str:
        return (
            f"Could not read the results from {self.store.public_name} ({reason}). "
            "Showing the bundled snapshot of published AI Energy Score figures instead; "
            "it will retry on the next refresh."
        )
