"""What a visitor sees first, in a real Chromium at 1440×1000 on the bundled boards: every task's table in the
first screen with at least ten rows, no column without a value, no number in scientific notation, no emoji,
one font family per run of text, and a Submit form that opens valid. Screenshots of every tab land in
``artifacts/``."""

from __future__ import annotations

import re
import unicodedata

import pytest

from benchmark.store import LocalStore
from benchmark.tasks import TASK_KEYS, TASKS
from leaderboard.results.data import SNAPSHOT_DIR
from leaderboard.results.live import LiveData
from tests.leaderboard.tabs.conftest import WIDE_VIEWPORT
from tests.support.env import ARTIFACTS, browser_skip_reason

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_skip_reason() is not None, reason=str(browser_skip_reason())),
]
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE][+-]?\d+")
# Unicode's Emoji_Presentation code points below U+1F000 (drawn as emoji by default), the pictographs above
# it, and the variation selector that turns a text symbol into an emoji; ★ ◆ ✓ ⚠ (text symbols) are allowed.
EMOJI_BMP = set("⌚⌛⏩⏪⏫⏬⏰⏳◽◾☔☕♈♉♊♋♌♍♎♏♐♑♒♓♿⚓⚡⚪⚫⚽⚾⛄⛅⛎⛔⛪⛲⛳"
                "⛵⛺⛽✅✊✋✨❌❎❓❔❕❗➕➖➗➰➿⬛⬜⭐⭕")
TOP_TABS = (("Models", "tab-models"), ("What helps", "tab-what-helps"), ("Submit", "tab-submit"),
            ("Queue", "tab-queue"), ("Admin", "tab-admin"), ("About", "tab-about"))


def emoji_in(text: str) -> list[str]:
    return sorted({c for c in text if c in EMOJI_BMP or ord(c) >= 0x1F000 or c == "\ufe0f"},
                  key=lambda c: unicodedata.name(c, hex(ord(c))))


def open_board(page, url: str, task: str):
    """Open ``task``'s board: by its link the first time, then by its tab (a reload costs seconds a task)."""
    if not page.url.startswith(url):
        page.goto(f"{url}?task={task}")
    else:
        button = page.locator(f"#tab-{task}-button")
        if button.is_visible():
            button.click()
        else:  # past the tab bar's width: through its overflow menu
            page.locator(".overflow-menu > button:visible").first.click()
            page.locator(".overflow-dropdown button:visible", has_text=TASKS[task].display_name).first.click()
    table = page.locator(f"#table-{task}")
    table.locator('.virtual-row[data-index="0"]').wait_for(timeout=30_000)
    page.mouse.wheel(0, -10_000)  # the window at the top, as a visitor arriving
    page.wait_for_timeout(300)  # the last layout pass after the rows arrive
    return table


def rows_in_window(page, task: str) -> dict:
    return page.evaluate(
        """(id) => {
            const h = window.innerHeight;
            const header = document.querySelector(`#${id} thead`) || document.querySelector(`#${id} th`);
            const rows = [...document.querySelectorAll(`#${id} .virtual-row`)].filter(r => {
                const b = r.getBoundingClientRect();
                return b.height > 0 && b.top >= 0 && b.bottom <= h;
            });
            return {scrolled: window.scrollY, header_bottom: header.getBoundingClientRect().bottom, rows: rows.length};
        }""",
        f"table-{task}",
    )


def empty_columns(page, task: str) -> list[str]:
    return page.evaluate(
        """(id) => {
            const heads = [...document.querySelectorAll(`#${id} th`)].map(th => th.innerText.trim());
            const rows = [...document.querySelectorAll(`#${id} .virtual-row`)].map(
                r => [...r.querySelectorAll('.body-cell')].map(c => c.innerText.trim()));
            return heads.filter((h, i) => h && rows.length && rows.every(r => !r[i]));
        }""",
        f"table-{task}",
    )


def test_every_task_board_shows_its_table_with_ten_rows_in_the_first_screen_and_no_empty_column(wide, app_url):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen = {}
    for task in TASK_KEYS:
        open_board(wide, app_url, task)
        placed = rows_in_window(wide, task)
        seen[task] = placed["rows"]
        assert placed["scrolled"] == 0 and placed["header_bottom"] < WIDE_VIEWPORT["height"], (task, placed)
        assert empty_columns(wide, task) == [], task
        text = wide.locator("body").inner_text()
        assert SCIENTIFIC.findall(text) == [], task
        assert emoji_in(text) == [], task
        wide.screenshot(path=str(ARTIFACTS / f"first-screen-{task}.png"))
    boards = {task: min(10, len(LiveData(LocalStore(SNAPSHOT_DIR)).current.task_frame(task))) for task in TASK_KEYS}
    assert all(seen[task] >= boards[task] for task in TASK_KEYS), (seen, boards)  # 10, or every row of a short board
    assert seen["text_generation"] >= 10 and seen["reasoning"] >= 10


def open_top_tab(page, elem_id: str) -> None:
    """At 1440 px every top tab has its own button."""
    page.locator(f"#{elem_id}-button").click()


def test_the_other_tabs_show_no_scientific_notation_and_no_emoji(wide, app_url):
    wide.goto(app_url)
    wide.locator("#table-overview .virtual-row").first.wait_for(timeout=30_000)
    text = wide.locator("body").inner_text()
    assert SCIENTIFIC.findall(text) == [] and emoji_in(text) == []
    wide.screenshot(path=str(ARTIFACTS / "first-screen-overview.png"), full_page=True)
    for name, elem_id in TOP_TABS:
        open_top_tab(wide, elem_id)
        wide.wait_for_timeout(1500)
        text = wide.locator("body").inner_text()
        assert SCIENTIFIC.findall(text) == [], name
        assert emoji_in(text) == [], name
        wide.screenshot(path=str(ARTIFACTS / f"tab-{elem_id.removeprefix('tab-')}.png"), full_page=True)


def font_families(page, selector: str) -> set[str]:
    """The font families Chromium really drew the text under ``selector`` with (DevTools' platform fonts)."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    session.detach()
    return {font["familyName"] for font in fonts if font["glyphCount"] > 0}


def test_the_title_and_a_table_header_are_each_drawn_in_one_font_family(wide, app_url):
    open_board(wide, app_url, "text_generation")
    title = font_families(wide, "h1")
    header = font_families(wide, "#table-text_generation th .header")
    cell = font_families(wide, "#table-text_generation .virtual-row .body-cell span.text")
    assert len(title) == 1 and len(header) == 1 and len(cell) == 1, (title, header, cell)


def test_the_submit_form_opens_with_every_field_valid(wide, app_url):
    wide.goto(app_url)
    open_top_tab(wide, "tab-submit")
    wide.get_by_text("How to run it").first.click()  # the run options, unfolded
    wide.locator("#submit-batch_size").wait_for(timeout=20_000)
    invalid = wide.evaluate("""() => [...document.querySelectorAll('#tab-submit input, #tab-submit textarea')]
        .filter(e => e.offsetParent !== null && !e.checkValidity()).map(e => e.closest('[id]')?.id || e.name)""")
    assert invalid == []
    assert wide.locator("#submit-batch_size textarea, #submit-batch_size input").first.input_value() == ""
    assert wide.locator("#submit-batch_size").get_attribute("class").count("invalid") == 0
