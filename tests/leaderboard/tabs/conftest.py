"""What the browser modules on the bundled boards share: the app serving ``data/`` (one per module; a module
that needs other data defines its own ``app_url``) and a 1440×1000 page."""

from __future__ import annotations

import pytest

from benchmark.store import LocalStore
from leaderboard.app import build_demo
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData

WIDE_VIEWPORT = {"width": 1440, "height": 1000}


@pytest.fixture(scope="module")
def app_url():
    demo = build_demo(live=LiveData(LocalStore(SNAPSHOT_DIR)), refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    yield url
    demo.close()


@pytest.fixture
def wide(browser):
    page = browser.new_page(viewport=WIDE_VIEWPORT)
    yield page
    page.close()
