"""The page in a real browser (headless Chromium): tables, plots, sorting, and bad data shown safely.

Screenshots are saved under ``$LEADERBOARD_ARTIFACTS`` (default ``artifacts/`` at the repo root).
"""

from __future__ import annotations

import pytest

from benchmark.record import record_path
from benchmark.store import LocalStore
from leaderboard.app import build_demo
from leaderboard.results.live import LiveData
from tests.support.env import ARTIFACTS, browser_skip_reason
from tests.support.leaderboard_fixtures import SCRIPT_ID, make_record, write_bad_folder

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_skip_reason() is not None, reason=str(browser_skip_reason())),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    write_bad_folder(folder)
    live = LiveData(LocalStore(folder), min_force_interval_s=0)
    demo = build_demo(live=live, refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    yield url, folder
    demo.close()


@pytest.fixture(scope="module")
def app_url(served):
    return served[0]




def first_model(table) -> str:
    """The model shown in the first visual row (after any sorting in the browser)."""
    return table.locator('.virtual-row[data-index="0"] .body-cell').first.inner_text().strip()


def open_task(page, name: str, task: str):
    page.get_by_role("tab", name=name).click()
    table = page.locator(f"#table-{task}")
    table.locator('.virtual-row[data-index="0"]').wait_for(timeout=20_000)
    return table


def test_a_task_tab_shows_rows_and_plot_and_sorts_by_energy(page):
    from playwright.sync_api import expect

    table = open_task(page, "Summarization", "summarization")
    assert table.locator(".virtual-row").count() == 4
    assert first_model(table) == "org/small-sum"
    plot = page.locator("#plot-summarization .js-plotly-plot")
    plot.wait_for(timeout=20_000)
    assert plot.is_visible() and page.locator("#plot-summarization .scatterlayer .point").count() == 4
    assert "12×" in page.locator("#summary-summarization").inner_text()

    header = table.locator('th[title="GPU Wh / 1,000 queries"]')
    header.hover()
    header.locator("button.cell-menu-button").click()
    page.get_by_role("menu").get_by_text("Sort descending").click()
    first_cell = table.locator('.virtual-row[data-index="0"] .body-cell').first
    # 12 Wh is the most energy-hungry; sorting the numbers as text would put 5 Wh first.
    expect(first_cell).to_have_text("org/big-sum", timeout=10_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "leaderboard-summarization-sorted.png"), full_page=True)


def test_bad_data_leaves_the_page_intact_shows_the_drops_and_the_script_id_as_text(page):
    from playwright.sync_api import expect

    expect(page.locator("#data-status")).to_contain_text("8 dropped", timeout=20_000)
    table = open_task(page, "Summarization", "summarization")
    cells = table.locator(".virtual-row .body-cell").all_inner_texts()
    assert any(cell.strip() == SCRIPT_ID for cell in cells)  # shown as text, character for character
    assert page.evaluate("() => window.__pwned === undefined")
    assert table.locator("script, img").count() == 0
    assert page.dialogs == []
    overview = page.get_by_role("tab", name="Overview")
    overview.click()
    page.locator("#plot-overview .js-plotly-plot").wait_for(timeout=20_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "leaderboard-bad-data-overview.png"), full_page=True)


def test_a_task_without_results_says_how_to_submit(page):
    page.get_by_role("tab", name="Image Classification").click()
    empty = page.locator("#empty-image_classification")
    empty.wait_for(timeout=20_000)
    assert "No results for Image Classification yet" in empty.inner_text()
    assert "--task image_classification" in empty.inner_text()


def test_the_refresh_button_shows_new_results_without_a_restart(page, served):
    from playwright.sync_api import expect

    _, folder = served
    page.get_by_role("tab", name="Extractive Question Answering").click()
    expect(page.locator("#empty-question_answering")).to_contain_text("No results", timeout=20_000)
    record = make_record("org/new-qa", "question_answering", 0.5, params=60_000_000)
    LocalStore(folder).add({record_path(record): record.to_json().encode()}, "a new result")
    page.locator("#refresh").click()
    table = page.locator("#table-question_answering")
    expect(table.locator('.virtual-row[data-index="0"] .body-cell').first).to_have_text("org/new-qa", timeout=20_000)
    expect(page.locator("#empty-question_answering")).to_be_hidden()
    assert "★★★★★" in table.locator('.virtual-row[data-index="0"]').inner_text()
