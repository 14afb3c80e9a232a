"""Calling the app over HTTP as a signed-in user, the way a browser does, with local login on.

Gradio keeps the signed-in user in a Starlette session cookie signed with a key derived from
``gradio.oauth.OAUTH_CLIENT_SECRET``; ``session_cookie`` signs one for any user name with a given key
(``process_key()`` is the key this process signs with, ``GRADIO_DEFAULT_KEY`` the public one Gradio falls
back to). ``call_event`` runs one event (private ones too, by ``fn_index``) through the queue.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import gradio.oauth
import httpx
from itsdangerous import TimestampSigner

GRADIO_DEFAULT_KEY = hashlib.sha256(b"-v4").hexdigest()  # what Gradio uses without OAUTH_CLIENT_SECRET


def host_login() -> dict:
    """What Gradio's mock would read from the host's HF login (it calls the Hub; we are offline)."""
    return {"access_token": "mock", "token_type": "bearer", "expires_in": 3600, "scope": "openid profile",
            "expires_at": int(time.time()) + 3600,
            "userinfo": {"preferred_username": "host-user", "name": "Host", "profile": "", "picture": ""}}


def session_cookie(secret_key: str, username: str) -> str:
    """A Starlette session cookie claiming ``username``, signed with ``secret_key``."""
    info = {**host_login(), "userinfo": {**host_login()["userinfo"], "preferred_username": username}}
    payload = base64.b64encode(json.dumps({"oauth_info": info}).encode())
    return TimestampSigner(secret_key).sign(payload).decode()


def process_key() -> str:
    """The key this process's app signs session cookies with (set by ``use_private_session_key``)."""
    return hashlib.sha256((gradio.oauth.OAUTH_CLIENT_SECRET + "-v4").encode()).hexdigest()


def signed_in(username: str) -> dict[str, str]:
    """The cookies of ``username`` signed in to this process's app."""
    return {"session": session_cookie(process_key(), username)}


def use_local_login(monkeypatch: Any, maintainers: str) -> None:
    """Local login on (off a Space), ``maintainers`` configured, the host's login mocked."""
    monkeypatch.delenv("SYSTEM", raising=False)
    monkeypatch.delenv("GRADIO_SHARE", raising=False)
    monkeypatch.setenv("LEADERBOARD_LOCAL_LOGIN", "1")
    monkeypatch.setenv("MAINTAINERS", maintainers)
    monkeypatch.setattr(gradio.oauth, "OAUTH_CLIENT_SECRET", None)
    monkeypatch.setattr(gradio.oauth, "_get_mocked_oauth_info", host_login)


def fn_index(demo: Any, name: str) -> int:
    """The index of the event whose handler is called ``name``."""
    return next(i for i, f in demo.fns.items() if getattr(f.fn, "__name__", "") == name)


def call_event(url: str, index: int, data: list[Any], cookie: str | None, session_hash: str = "s1") -> Any:
    """One event as the browser runs it: join the queue, read the event stream; the first output."""
    cookies = {"session": cookie} if cookie else {}
    with httpx.Client(base_url=url, cookies=cookies, timeout=60) as http:
        join = http.post("/gradio_api/queue/join", json={
            "data": data, "fn_index": index, "session_hash": session_hash, "event_data": None, "trigger_id": None})
        join.raise_for_status()
        with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": session_hash}) as events:
            for line in events.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message["output"]["data"][0]
    raise AssertionError("no result")
