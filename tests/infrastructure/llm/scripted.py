"""A scripted OpenAI-compatible endpoint for the openai client (httpx2 MockTransport)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx2

Reply = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


def answer(
    content: dict[str, Any] | str,
    *,
    prompt_tokens: int = 10,
    completion_tokens: int = 5,
    finish_reason: str = "stop",
) -> httpx2.Response:
    """A chat completion whose message content is ``content`` (JSON-encoded if a dict)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": "test-model",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "message": {"role": "assistant", "content": text},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def status(code: int, message: str = "boom") -> httpx2.Response:
    """An OpenAI-style error response."""
    return httpx2.Response(code, json={"error": {"message": message, "type": "test"}})


def timeout(request: httpx2.Request) -> httpx2.Response:
    """Raise the read timeout httpx2 would raise."""
    raise httpx2.ReadTimeout("timed out", request=request)


def slow(reply: httpx2.Response, seconds: float) -> Callable[[httpx2.Request], httpx2.Response]:
    """Answer ``reply`` after a delay (to make concurrent requests overlap)."""

    def handler(_request: httpx2.Request) -> httpx2.Response:
        time.sleep(seconds)
        return reply

    return handler


class ScriptedEndpoint:
    """Replies from a script (the last reply repeats) and records every request body."""

    def __init__(self, *replies: Reply) -> None:
        self._replies = list(replies)
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        with self._lock:
            self.paths.append(request.url.path)
            if request.content:
                self.requests.append(json.loads(request.content))
            if not self._replies:
                raise AssertionError(f"unexpected request to {request.url}")
            reply = self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]
        return reply(request) if callable(reply) else reply

    def client(self) -> httpx2.Client:
        """An httpx2 client that sends every request here."""
        return httpx2.Client(transport=httpx2.MockTransport(self))


def forbid_requests() -> ScriptedEndpoint:
    """An endpoint that fails the test if anything calls it."""
    return ScriptedEndpoint()
