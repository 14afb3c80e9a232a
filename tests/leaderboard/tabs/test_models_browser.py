"""The Models tab in headless Chromium: model page, compare, trade-off plot and energy label.

Screenshots are saved under ``$LEADERBOARD_ARTIFACTS`` (default ``artifacts/`` at the repo root),
as in ``test_browser.py``.
"""

from __future__ import annotations

import pytest

from leaderboard.label.draw import OUTPUT_SIZE
from tests.support.env import ARTIFACTS, browser_skip_reason
from tests.support.leaderboard_fixtures import SCRIPT_ID, write_record
from tests.support.models_fixtures import LEADERBOARD_URL, runner_record, served_models_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_skip_reason() is not None, reason=str(browser_skip_reason())),
]
URL = LEADERBOARD_URL


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    write_record(folder, batch_8_record())  # beside org/classifier's reference run: the What helps tab's ratio
    with served_models_app(folder) as (url, _):
        yield url


def batch_8_record():
    """org/classifier at batch size 8: 0.05 Wh per 1,000 queries against its reference's 0.2."""
    from datetime import UTC, datetime

    from benchmark.configuration import RunConfiguration

    record = runner_record("org/classifier", "text_classification", 0.05, 0.001, params=110_000_000,
                           created_at=datetime(2025, 3, 2, 12, tzinfo=UTC))
    return record.model_copy(update={
        "configuration": RunConfiguration(batch_size=8, key="batch_size=8"),
        "settings": record.settings.model_copy(update={"batch_size": 8}),
    })




def open_top_tab(page, name: str, elem_id: str) -> None:
    """Open a top tab: its own button on a screen wide enough for every tab, else the tab bar's
    overflow menu. Waits for whichever of the two shows first (not for a menu that never comes)."""
    page.locator("#tab-overview").wait_for(timeout=20_000)
    button = page.locator(f"#{elem_id}-button")
    overflow = page.locator(".overflow-menu > button")
    page.locator(f"#{elem_id}-button:visible, .overflow-menu > button:visible").first.wait_for(timeout=20_000)
    if button.is_visible():
        button.click()
    else:
        overflow.first.click()
        page.locator(".overflow-dropdown button", has_text=name).click()


def open_models(page, inner: str) -> None:
    """Open the Models tab and an inner tab."""
    open_top_tab(page, "Models", "tab-models")
    page.get_by_role("tab", name=inner, exact=True).click()


def choose(page, elem_id: str, typed: str, option: str | None = None) -> None:
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill(typed)
    # Gradio's listbox options carry their label as the accessible name (6.17 and 6.31 alike).
    page.get_by_role("option", name=option or typed).first.click()


def save(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_the_model_page_shows_stars_rank_phases_and_the_everyday_scale(page):
    from playwright.sync_api import expect

    open_models(page, "Model page")
    choose(page, "model-page-model", "org/fast-sum")
    text = page.locator("#model-page")
    expect(text).to_contain_text("rank 4 of 5", timeout=20_000)
    expect(text).to_contain_text("rank 1 of 1")  # the A100 result
    expect(text).to_contain_text("2 Wh ± 0.2 (sample std, n − 1, over 3 runs)")
    expect(text).to_contain_text("20 ms per query (50 queries/s)")
    expect(text).to_contain_text("transformers 4.57.1")
    assert text.locator("table").count() == 2  # one phase table per result
    expect(text.locator("table").first).to_contain_text("decode")
    expect(text).to_contain_text("0.96 g CO₂e (World average grid)")
    choose(page, "models-grid", "France")
    expect(text).to_contain_text("0.112 g CO₂e (France grid)", timeout=20_000)
    save(page, "models-model-page.png")


def test_a_script_model_id_shows_as_text_on_the_model_page(page):
    from playwright.sync_api import expect

    open_models(page, "Model page")
    choose(page, "model-page-model", "window.__pwned", SCRIPT_ID)
    text = page.locator("#model-page")
    expect(text).to_contain_text("rank 2 of 2", timeout=20_000)
    assert SCRIPT_ID in text.inner_text()
    assert text.locator("script, img").count() == 0
    assert page.evaluate("() => window.__pwned === undefined") and page.dialogs == []


def test_compare_and_the_tradeoff_plot(page):
    from playwright.sync_api import expect

    open_models(page, "Compare")
    for model in ("org/fast-sum", "org/frugal-sum", "org/slow-sum"):
        choose(page, "compare-models", model)
    result = page.locator("#compare-result")
    expect(result).to_contain_text(
        "org/slow-sum uses 3× the energy of org/frugal-sum per 1,000 queries", timeout=20_000
    )
    save(page, "models-compare.png")

    page.get_by_role("tab", name="Trade-off", exact=True).click()
    choose(page, "tradeoff-task", "Summarization")
    frontier = page.locator("#tradeoff-frontier")
    expect(frontier).to_contain_text("org/frugal-sum — 50 ms per query, 1 Wh per 1,000 queries", timeout=20_000)
    assert frontier.locator("ol li").all_inner_texts()[0].startswith("org/fast-sum")
    expect(frontier).to_contain_text("1 result not shown: 1 without a measured latency")
    page.locator("#plot-tradeoff .js-plotly-plot").wait_for(timeout=20_000)
    assert page.locator("#plot-tradeoff .scatterlayer .trace").count() == 5  # 4 star levels + frontier line
    save(page, "models-tradeoff.png")


def test_the_energy_label_tab_shows_the_png_and_the_model_card_markdown(page):
    from playwright.sync_api import expect

    open_models(page, "Energy label")
    choose(page, "label-model", "org/frugal-sum")
    image = page.locator("#label-image img")
    image.wait_for(timeout=20_000)
    page.wait_for_function("() => document.querySelector('#label-image img').naturalWidth > 0")
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == list(OUTPUT_SIZE)
    expect(page.locator("#label-snippet")).to_contain_text("energy-label-org--frugal-sum-summarization.png")
    expect(page.locator("#label-snippet")).to_contain_text(URL)
    save(page, "models-energy-label.png")


def test_the_what_helps_tab_shows_what_batch_size_8_saves(page):
    from playwright.sync_api import expect

    open_top_tab(page, "What helps", "tab-what-helps")
    table = page.locator("#what-helps-configurations")
    expect(table).to_contain_text("batch_size=8", timeout=20_000)  # the first task with a configuration
    expect(table).to_contain_text("0.25×")
    expect(table).to_contain_text("75% less")
    expect(page.locator("#what-helps-models")).to_contain_text("org/classifier")
    assert not page.locator("#what-helps-empty").is_visible()
    save(page, "what-helps.png")
