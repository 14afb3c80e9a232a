"""The streaming client: one request to the server's OpenAI-compatible API, read chunk by chunk.

Each request asks for usage in every chunk (``stream_options``: ``include_usage`` and
``continuous_usage_stats``, as ML.ENERGY's client does), so the tokens a chunk carries are the rise of
``usage.completion_tokens`` and the output tokens are the server's own count. The trace's times are
``time.perf_counter()`` when a chunk arrived. ``hooks`` let the steady-state protocol act on a request's
first token and on its end as they happen (ML.ENERGY's ``RequestTracker``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmark.engine.traces import Chunk, RequestTrace

REQUEST_TIMEOUT_S = 3600.0  # a reasoning answer at its cap on a slow server


@dataclass(frozen=True)
class Endpoint:
    url: str  # the server's base URL, without /v1
    served_name: str
    api: str = "chat"  # chat completions through the model's template; "completions" for a model without one


@dataclass(frozen=True)
class Generation:
    """What every request of a run asks for: ``min_tokens`` = ``max_tokens`` forces exactly that many."""

    max_tokens: int
    min_tokens: int | None = None
    template_kwargs: dict[str, Any] = field(default_factory=dict)
    system_prompt: str | None = None

    def payload(self, endpoint: Endpoint, prompt: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": endpoint.served_name, "max_tokens": self.max_tokens, "temperature": 0.0, "stream": True,
            "stream_options": {"include_usage": True, "continuous_usage_stats": True},
        }
        if self.min_tokens:
            body["min_tokens"] = self.min_tokens
            body["ignore_eos"] = True  # vLLM: generate on past the end of sequence, to exactly max_tokens
        if endpoint.api == "completions":
            body["prompt"] = prompt
            return body
        messages = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        body["messages"] = [*messages, {"role": "user", "content": prompt}]
        if self.template_kwargs:
            body["chat_template_kwargs"] = dict(self.template_kwargs)
        return body


@dataclass
class Hooks:
    on_first_token: Callable[[float], None] | None = None
    on_finished: Callable[[float], None] | None = None


def path_of(endpoint: Endpoint) -> str:
    return "/v1/chat/completions" if endpoint.api == "chat" else "/v1/completions"


async def stream_request(
    client: httpx.AsyncClient, endpoint: Endpoint, body: dict[str, Any], index: int, hooks: Hooks | None = None
) -> RequestTrace:
    """Send one request and read its stream; a failure is in the trace's ``error``, not raised."""
    chunks: list[Chunk] = []
    seen = 0
    output_tokens = prompt_tokens = None
    error = None
    sent_s = time.perf_counter()
    try:
        async with client.stream("POST", endpoint.url + path_of(endpoint), json=body) as response:
            if response.status_code != 200:
                text = (await response.aread()).decode(errors="replace")
                error = f"HTTP {response.status_code}: {_message(text)}"
            else:
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    event = json.loads(data)
                    if "error" in event:
                        error = _message(json.dumps(event))
                        break
                    usage = event.get("usage") or {}
                    if event.get("choices"):
                        total = usage.get("completion_tokens")
                        # a server without continuous usage: one token per chunk that carries text
                        rise = (total - seen) if total is not None else int(_has_text(event))
                        if rise > 0:
                            now = time.perf_counter()
                            if not chunks and hooks and hooks.on_first_token:
                                hooks.on_first_token(now)
                            chunks.append(Chunk(now, rise))
                            seen += rise
                    elif usage:
                        output_tokens = usage.get("completion_tokens")
                        prompt_tokens = usage.get("prompt_tokens")
    except (httpx.HTTPError, json.JSONDecodeError) as exc:
        error = f"{type(exc).__name__}: {exc}".splitlines()[0] or type(exc).__name__
    finished_s = time.perf_counter()
    if hooks and hooks.on_finished:
        hooks.on_finished(finished_s)
    return RequestTrace(index, sent_s, tuple(chunks), finished_s, output_tokens, prompt_tokens, error)


def _has_text(event: dict[str, Any]) -> bool:
    choice = event["choices"][0]
    return bool((choice.get("delta") or {}).get("content") or choice.get("text"))


def _message(text: str) -> str:
    try:
        data = json.loads(text)
        message = data.get("message") or (data.get("error") or {}).get("message") or text
    except (ValueError, AttributeError):
        message = text
    return str(message).strip().splitlines()[0][:300] if str(message).strip() else "no message"


def new_client(connections: int | None = None) -> httpx.AsyncClient:
    """One connection per request in flight (the steady state sends them all at once)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(timeout=httpx.Timeout(REQUEST_TIMEOUT_S, connect=30.0), limits=limits)
