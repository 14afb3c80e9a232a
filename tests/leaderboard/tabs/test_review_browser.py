"""The maintainer reviews what an uploader sent as text: in the Admin tab of a real Chromium, an upload whose
model id, hardware and notes hold Markdown and HTML shows them as written, loading no image and linking
nowhere."""

from __future__ import annotations

import json

import pytest

from benchmark.store import LocalStore
from benchmark.uploads.evidence import check_run
from benchmark.uploads.review import ATTESTATIONS, Upload, receive
from leaderboard.app import build_demo
from leaderboard.results.live import LiveData
from tests.support.doubles.browser_session import signed_in, use_local_login
from tests.support.env import ARTIFACTS, browser_skip_reason
from tests.support.models_fixtures import gpu_run_folder

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_skip_reason() is not None, reason=str(browser_skip_reason())),
]
HOSTILE_ID = "![x](https://evil.example/p.png)"


@pytest.fixture
def app_url(tmp_path, monkeypatch):
    use_local_login(monkeypatch, "boss")
    results = LocalStore(tmp_path / "results")
    folder = gpu_run_folder(tmp_path / "runs", "acme/closed", "summarization", 2.0)
    upload = receive(results, folder, check_run(folder), "alice", list(ATTESTATIONS))
    # an upload file as an older version, or a hand, may have left it: the review must still show text
    hostile = Upload.model_validate({**json.loads(upload.to_bytes()), "model_id": HOSTILE_ID,
                                     "hardware": '<img src="https://evil.example/h.png">',
                                     "not_comparable_because": "[click](https://evil.example)"})
    results.commit({upload.path: hostile.to_bytes()}, results.head(), "hand-edited")
    demo = build_demo(live=LiveData(results), requests=LocalStore(tmp_path / "requests"), refresh_s=3600)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    yield url
    demo.close()


def test_the_review_list_shows_an_uploaders_markdown_and_html_as_text(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_cookies([{"name": "session", "value": signed_in("boss")["session"], "url": app_url}])
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(app_url)
        page.locator("#tab-admin-button").click()
        page.get_by_role("button", name="Show the uploads waiting for review").click()
        answer = page.locator("#admin-review")
        answer.get_by_text("on summarization", exact=False).wait_for(timeout=30_000)
        # as written (a bare address keeps the backslashes that escaped it: text either way, never a link)
        text = answer.inner_text().replace("\\", "")
        assert HOSTILE_ID in text and '<img src="https://evil.example/h.png">' in text
        assert "[click](https://evil.example)" in text
        assert answer.locator("img").count() == 0 and answer.locator("a").count() == 0
        assert not [url for url in requested if "evil.example" in url]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "admin-review-as-text.png"))
    finally:
        context.close()
