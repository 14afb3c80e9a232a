"""Choosing in a real browser at 1440×1000 on the bundled boards: a board you can scan (15+ one-line rows
in view, the hardware said once), links that open their view (and say what they ignored), the copy-link
control, and the finder."""

from __future__ import annotations

import pytest

from tests.support.env import ARTIFACTS, browser_skip_reason

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_skip_reason() is not None, reason=str(browser_skip_reason())),
]


def rows_in_view(page, table_id: str) -> int:
    """Rows of a table wholly inside its scroll box (what a visitor sees without scrolling the table)."""
    return page.evaluate(
        """(id) => {
            const box = document.querySelector(`#${id} .table-container, #${id} .table-wrap`) ||
                        document.querySelector(`#${id}`);
            const b = box.getBoundingClientRect();
            return [...document.querySelectorAll(`#${id} .virtual-row`)].filter(r => {
                const x = r.getBoundingClientRect();
                return x.height > 0 && x.top >= b.top && x.bottom <= b.bottom;
            }).length;
        }""",
        table_id,
    )


def test_the_text_generation_board_shows_at_least_15_one_line_rows_and_says_its_hardware_once(wide, app_url):
    from playwright.sync_api import expect

    wide.goto(app_url)
    wide.get_by_role("tab", name="Text generation").click()
    table = wide.locator("#table-text_generation")
    table.locator('.virtual-row[data-index="0"]').wait_for(timeout=20_000)
    assert rows_in_view(wide, "table-text_generation") >= 15
    heights = table.locator(".virtual-row").evaluate_all("rows => rows.slice(0, 10).map(r => r.offsetHeight)")
    assert max(heights) < 45  # one line each, not three
    assert table.locator('th[title="Hardware"]').count() == 0  # the same on every row: said once instead
    expect(wide.locator("#common-text_generation")).to_contain_text("Hardware NVIDIA H100 80GB HBM3")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wide.screenshot(path=str(ARTIFACTS / "leaderboard-text-generation-1440.png"))


def test_the_overview_says_its_hardware_once_and_shows_every_task(wide, app_url):
    from playwright.sync_api import expect

    wide.goto(app_url)
    expect(wide.locator("#common-overview")).to_contain_text("Hardware NVIDIA H100 80GB HBM3", timeout=20_000)
    wide.locator('#table-overview .virtual-row[data-index="0"]').wait_for(timeout=20_000)
    assert rows_in_view(wide, "table-overview") == 11


def test_a_task_link_opens_that_board_at_its_release_and_updates_as_you_move(wide, app_url):
    from playwright.sync_api import expect

    wide.goto(f"{app_url}?task=summarization&release=2025-02")
    table = wide.locator("#table-summarization")
    table.locator('.virtual-row[data-index="0"]').wait_for(timeout=20_000)
    expect(wide.locator("#release-summarization input")).to_have_value("Release 2025-02")
    expect(wide.locator("#common-summarization")).to_contain_text("Release 2025-02")
    wide.locator("#more-summarization").get_by_text("Filters, columns and a link to this view").click()  # folded
    wide.locator("#copy-link-summarization").click()
    expect(wide.locator("#link-summarization textarea, #link-summarization input").first).to_have_value(
        f"{app_url}?task=summarization&release=2025-02", timeout=10_000
    )
    wide.get_by_role("tab", name="Text Classification").click()
    expect(wide).to_have_url(f"{app_url}?task=text_classification", timeout=10_000)


def test_a_task_link_with_every_configuration_shows_the_zero_shot_finding(wide, app_url):
    from playwright.sync_api import expect

    wide.goto(f"{app_url}?task=text_classification&configuration=all")
    expect(wide.locator("#runs-text_classification input")).to_have_value(
        "Every run configuration (others unrated)", timeout=20_000
    )
    expect(wide.locator("#zero-shot-text_classification")).to_contain_text("27.7×")
    expect(wide.locator("#zero-shot-text_classification")).to_contain_text("compares different models")


def test_a_model_link_opens_its_page(wide, app_url):
    from playwright.sync_api import expect

    wide.goto(f"{app_url}?model=openai/whisper-base")
    expect(wide.locator("#model-page")).to_contain_text("Automatic Speech Recognition", timeout=20_000)
    expect(wide.locator("#model-page")).to_contain_text("LibriSpeech test-clean WER")
    assert wide.locator("#tab-model-page").is_visible()


def test_an_unknown_task_in_a_link_opens_the_default_view_with_one_line(wide, app_url):
    from playwright.sync_api import expect

    wide.goto(f"{app_url}?task=telepathy")
    expect(wide.locator("#link-notice")).to_contain_text(
        'Ignored in this link: unknown task "telepathy". Showing the default view instead.', timeout=20_000
    )
    expect(wide.locator("#table-overview .virtual-row").first).to_be_visible(timeout=20_000)


def test_the_finder_lists_what_meets_the_limits_and_counts_the_rest(wide, app_url):
    from playwright.sync_api import expect

    wide.goto(f"{app_url}?task=automatic_speech_recognition")
    wide.locator("#choose-automatic_speech_recognition").get_by_text("Choose: the least energy").click()
    quality = wide.locator("#choose-quality-automatic_speech_recognition").locator("input, textarea").first
    quality.fill("3")
    wide.locator("#choose-find-automatic_speech_recognition").click()
    result = wide.locator("#choose-result-automatic_speech_recognition")
    expect(result).to_contain_text("model(s) meet every limit", timeout=20_000)
    expect(result).to_contain_text("facebook/hubert-large-ls960-ft")
    expect(result).to_contain_text("excluded:")
