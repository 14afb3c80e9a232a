"""The board selector in a real browser, on the bundled boards: latest by default, any release on demand."""

from __future__ import annotations

import pytest

from benchmark.store import LocalStore
from leaderboard.app import build_demo
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData
from leaderboard.results.releases import load_board
from tests.support.env import ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"headless browser tests need Debian's chromium at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def app_url():
    demo = build_demo(live=LiveData(LocalStore(SNAPSHOT_DIR)), refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    yield url
    demo.close()


def first_row(table) -> list[str]:
    cells = table.locator('.virtual-row[data-index="0"] .body-cell')
    return [cells.nth(i).inner_text().strip() for i in range(cells.count())]


def test_the_text_generation_tab_shows_the_latest_release_and_switches_to_february(page):
    from playwright.sync_api import expect

    releases, _ = load_board(LocalStore(SNAPSHOT_DIR))
    december_model = releases[1].board.iloc[0]["model_id"]  # on the December board only
    page.get_by_role("tab", name="Text generation").click()
    table = page.locator("#table-text_generation")
    first = table.locator('.virtual-row[data-index="0"] .body-cell').first
    first.wait_for(timeout=20_000)
    search = page.locator("#search-text_generation textarea").first
    search.click()
    search.press_sequentially(december_model)
    expect(first).to_have_text(december_model, timeout=20_000)
    assert "2025-12" in first_row(table)  # the latest board, by default

    box = page.locator("#release-text_generation input")
    box.click()
    page.get_by_role("option", name="Release 2025-02").first.click()
    expect(page.locator("#empty-text_generation")).to_be_visible(timeout=20_000)  # not on the February board
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "leaderboard-release-2025-02.png"), full_page=True)


def test_the_reasoning_tab_shows_effort_rows_thinking_on_versus_off_and_why_there_is_no_tokens_plot(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Reasoning").click()
    table = page.locator("#table-reasoning")
    table.locator('.virtual-row[data-index="0"]').wait_for(timeout=20_000)
    assert table.locator('th[title="Effort"]').count() == 1
    on_off = page.locator("#on-off-reasoning")
    expect(on_off).to_contain_text("Qwen/Qwen3-0.6B", timeout=20_000)
    assert "46.2×" in on_off.inner_text()
    expect(page.locator("#tokens-note-reasoning")).to_contain_text("No run on this board counted its output tokens")
    assert not page.locator("#plot-tokens-reasoning").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "leaderboard-reasoning.png"), full_page=True)
