"""Nobody can act as a maintainer: local login serves only on loopback, session cookies are signed
with a key of the process (a cookie forged with Gradio's public default key is refused), and a real
HTTP call without a session to the admin action is refused — with the queue's bytes unchanged."""

from __future__ import annotations

import subprocess

import gradio as gr
import gradio.networking
import gradio.oauth
import gradio.utils
import httpx
import pytest

from benchmark.queue.request_record import RequestStatus
from benchmark.store import LocalStore
from leaderboard.submission.admin import ALL_FAILED
from leaderboard.submission.tabs import LocalLoginError, add_submission_tabs, check_local_login, guard_local_login
from tests.support.doubles.browser_session import (
    GRADIO_DEFAULT_KEY,
    call_event,
    fn_index,
    host_login,
    process_key,
    session_cookie,
    use_local_login,
)
from tests.support.env import PYTHON, REPO_ROOT, subprocess_env
from tests.support.queue_helpers import make_request, seed, tree_digest

MAINTAINER = "boss"


def forged_cookie(secret_key: str, username: str = MAINTAINER) -> str:
    return session_cookie(secret_key, username)


@pytest.fixture
def served(tmp_path, monkeypatch):
    """An app with local login on, started on loopback; yields (url, store, fn_index of the rerun)."""
    use_local_login(monkeypatch, MAINTAINER)
    store = LocalStore(tmp_path / "queue")
    seed(store, [make_request("org/a", "text_classification", status=RequestStatus.FAILED, error="OOM")])
    with gr.Blocks() as demo, gr.Tabs():
        add_submission_tabs(store=store, hub_client=object(), login=True)
    guard_local_login(demo)
    index = fn_index(demo, "on_requeue")
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        yield url.rstrip("/"), store, index
    finally:
        demo.close()


def call_rerun(url: str, index: int, cookie: str | None) -> str:
    """The rerun action as the browser calls it."""
    return call_event(url, index, [ALL_FAILED, "", ""], cookie)


def test_a_forged_maintainer_cookie_is_refused_and_the_queue_is_unchanged(served):
    url, store, fn_index = served
    before = tree_digest(store.root)
    answer = call_rerun(url, fn_index, forged_cookie(GRADIO_DEFAULT_KEY))
    assert answer.startswith("❌ Reruns need a login")
    assert tree_digest(store.root) == before


def test_a_cookie_signed_with_the_process_key_is_what_signs_a_maintainer_in(served):
    """The control for the test above: the same call with a validly signed session is accepted, so
    the refusal comes from the key, not from a broken call."""
    url, store, fn_index = served
    real_key = process_key()
    assert real_key != GRADIO_DEFAULT_KEY
    assert call_rerun(url, fn_index, forged_cookie(real_key)).startswith("✅ Requeued 1 request(s)")


def test_an_http_call_without_a_session_to_the_admin_action_is_refused(served):
    from gradio_client import Client

    url, store, fn_index = served
    before = tree_digest(store.root)
    assert call_rerun(url, fn_index, None).startswith("❌ Reruns need a login")
    # gradio_client does not even offer the private action (the raw call above is what reaches it)
    with pytest.raises(ValueError, match=f"Invalid function index: {fn_index}"):
        Client(url, verbose=False).predict(ALL_FAILED, "", "", fn_index=fn_index)
    assert tree_digest(store.root) == before


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "::", "my-host"])
def test_local_login_on_a_reachable_address_is_refused(monkeypatch, host):
    monkeypatch.delenv("SYSTEM", raising=False)
    monkeypatch.setenv("LEADERBOARD_LOCAL_LOGIN", "1")
    with pytest.raises(LocalLoginError, match=f"not '{host}'"):
        check_local_login(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", None])
def test_local_login_on_loopback_is_allowed(monkeypatch, host):
    monkeypatch.delenv("SYSTEM", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_NAME", raising=False)
    monkeypatch.setenv("LEADERBOARD_LOCAL_LOGIN", "1")
    assert check_local_login(host) is None


def test_the_app_with_local_login_on_a_public_address_refuses_to_start_with_one_line(tmp_path):
    proc = subprocess.run(
        [PYTHON, "app.py"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        env=subprocess_env(LEADERBOARD_LOCAL_LOGIN="1", GRADIO_SERVER_NAME="0.0.0.0", GRADIO_SERVER_PORT="7999",
                           RESULTS_DIR=str(tmp_path / "results"), REQUESTS_DIR=str(tmp_path / "requests")),
    )
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: LEADERBOARD_LOCAL_LOGIN=1 off a Space") and "'0.0.0.0'" in last
    assert not (tmp_path / "requests").exists() or tree_digest(tmp_path / "requests") == {}


@pytest.mark.parametrize("space_id", ["", None])
def test_a_space_marker_without_a_space_id_refuses_to_start_with_one_line(tmp_path, space_id):
    """SYSTEM=spaces alone made the app think it was on a Space while Gradio (which reads SPACE_ID) served its
    mocked login: any visitor of /login/huggingface became the host, a maintainer."""
    env = subprocess_env(SYSTEM="spaces", GRADIO_SERVER_NAME="0.0.0.0", GRADIO_SERVER_PORT="7998",
                         RESULTS_DIR=str(tmp_path / "results"), REQUESTS_DIR=str(tmp_path / "requests"),
                         MAINTAINERS="host-user")
    env.pop("SPACE_ID", None)
    if space_id is not None:
        env["SPACE_ID"] = space_id
    proc = subprocess.run([PYTHON, "app.py"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "error: SYSTEM=spaces is set without SPACE_ID: Gradio would then serve its mocked login and sign every "
        "visitor in as the host; set both (as a Space does) or neither")


def test_the_app_and_gradio_agree_on_being_on_a_space(monkeypatch):
    from gradio.utils import get_space

    from leaderboard.submission.tabs import on_spaces

    for system, space_id in (("spaces", "org/space"), ("spaces", ""), ("", "org/space"), ("", "")):
        monkeypatch.setenv("SYSTEM", system)
        monkeypatch.setenv("SPACE_ID", space_id)
        assert on_spaces() is bool(get_space()), (system, space_id)


def test_a_request_naming_another_host_is_refused_while_local_login_is_on(served):
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 reaches the loopback
    server, but its requests carry Host: evil.example."""
    url, store, fn_index = served
    port = url.rsplit(":", 1)[1]
    with httpx.Client(timeout=30) as http:
        assert http.get(f"{url}/config", headers={"Host": f"evil.example:{port}"}).status_code == 400
        assert http.get(f"{url}/config", headers={"Host": f"localhost:{port}"}).status_code == 200
        assert http.get(f"{url}/config").status_code == 200  # 127.0.0.1
    before = tree_digest(store.root)
    with httpx.Client(base_url=url, timeout=30, headers={"Host": "rebind.evil.example"}) as http:
        join = http.post("/gradio_api/queue/join", json={"data": [ALL_FAILED, "", ""], "fn_index": fn_index,
                                                         "session_hash": "s2", "event_data": None, "trigger_id": None})
    assert join.status_code == 400 and tree_digest(store.root) == before


def _local_login(monkeypatch) -> None:
    monkeypatch.delenv("SYSTEM", raising=False)
    monkeypatch.delenv("GRADIO_SHARE", raising=False)
    monkeypatch.setenv("LEADERBOARD_LOCAL_LOGIN", "1")


def test_local_login_through_a_share_link_is_refused_before_any_tunnel_opens(tmp_path, monkeypatch):
    _local_login(monkeypatch)
    tunnels = []
    monkeypatch.setattr(gradio.networking, "setup_tunnel", lambda *a, **k: tunnels.append(a) or "https://x.gradio.live")
    monkeypatch.setattr(gradio.oauth, "_get_mocked_oauth_info", host_login)
    with gr.Blocks() as demo, gr.Tabs():
        add_submission_tabs(store=LocalStore(tmp_path / "queue"), hub_client=object(), login=True)
    guard_local_login(demo)
    with pytest.raises(LocalLoginError, match="cannot be served through a share link"):
        demo.launch(server_name="127.0.0.1", share=True, prevent_thread_lock=True, quiet=True)
    assert tunnels == [] and not demo.is_running


@pytest.mark.parametrize("how", ["GRADIO_SHARE", "hosted notebook"])
def test_local_login_is_refused_when_gradio_would_share_by_itself(monkeypatch, how):
    _local_login(monkeypatch)
    if how == "GRADIO_SHARE":
        monkeypatch.setenv("GRADIO_SHARE", "True")
    else:
        monkeypatch.setattr(gradio.utils, "is_hosted_notebook", lambda: True)
    with pytest.raises(LocalLoginError, match="cannot be served through a share link"):
        check_local_login("127.0.0.1")
    assert check_local_login("127.0.0.1", share=False) is None  # launch(share=False) wins, as in Gradio


def test_without_local_login_sharing_is_left_to_gradio(monkeypatch):
    monkeypatch.delenv("LEADERBOARD_LOCAL_LOGIN", raising=False)
    monkeypatch.setenv("GRADIO_SHARE", "True")
    assert check_local_login("0.0.0.0", share=True) is None
