"""The bundled boards in a real browser: latest by default, any release on demand, the reasoning board,
and what the energy buys (the Quality column and the energy–quality plot)."""

from __future__ import annotations

import pytest

from benchmark.store import LocalStore
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.releases import load_board
from tests.support.env import ARTIFACTS, browser_skip_reason

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_skip_reason() is not None, reason=str(browser_skip_reason())),
]


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
    expect(page.locator("#common-text_generation")).to_contain_text("Release 2025-12")  # the latest, by default

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


def test_the_text_generation_tab_shows_the_quality_column_and_the_energy_quality_plot(page):
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Text generation").click()
    table = page.locator("#table-text_generation")
    table.locator('.virtual-row[data-index="0"]').wait_for(timeout=20_000)
    expect(table.locator('th[title="Open LLM Leaderboard v2 average ↑"]')).to_have_count(1)
    page.locator("#plot-quality-text_generation .js-plotly-plot").wait_for(timeout=20_000)
    expect(page.locator("#plot-quality-text_generation")).to_contain_text("Energy–quality frontier")
    expect(page.locator("#plot-quality-text_generation")).to_contain_text("39 models with a quality figure")
    # 39 figures, and the 15 frontier points ringed again by the frontier's own trace
    assert page.locator("#plot-quality-text_generation .scatterlayer .point").count() == 39 + 15
    expect(page.locator("#quality-text_generation")).to_contain_text("39 of 62 rows have a figure")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "leaderboard-text-generation-quality.png"), full_page=True)

    search = page.locator("#search-text_generation textarea").first
    search.click()
    search.press_sequentially("QwQ-32B")
    first = table.locator('.virtual-row[data-index="0"] .body-cell').first
    expect(first).to_have_text("Qwen/QwQ-32B-Preview", timeout=20_000)
    assert "34.12" in first_row(table) and "◆" in first_row(table)  # its OLL v2 figure, on the frontier
