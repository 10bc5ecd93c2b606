"""Fake provider servers on 127.0.0.1 speaking each provider's wire format: OpenAI-compatible
chat completions (OpenAI, Anthropic's and Perplexity's compatibility endpoints, llama.cpp) and
Ollama's native API. Each answers from a script (the last reply repeats) and records requests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted HTTP answer: status, JSON body (or raw lines), extra headers, delay."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    lines: tuple[Any, ...] = ()
    """Newline-delimited JSON objects instead of one body (Ollama's streams)."""


@dataclass
class Seen:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


def chat_completion(content: Any, *, tool: bool = False, finish: str = "stop") -> Reply:
    """An OpenAI-style chat completion carrying `content` as text or as a forced tool call."""
    text = content if isinstance(content, str) else json.dumps(content)
    message: dict[str, Any] = {"role": "assistant", "content": None if tool else text}
    if tool:
        message["tool_calls"] = [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "answer", "arguments": text},
            }
        ]
    return Reply(
        body={
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": "fake",
            "choices": [{"index": 0, "finish_reason": finish, "message": message}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        }
    )


def error(status: int, message: str = "boom", **headers: str) -> Reply:
    """An OpenAI-style error body (Ollama reads its `error` too)."""
    return Reply(
        status=status, body={"error": {"message": message, "type": "fake"}}, headers=headers
    )


def ollama_chat(content: Any, *, done_reason: str = "stop") -> Reply:
    """An Ollama /api/chat answer (not streamed)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return Reply(
        body={
            "model": "fake",
            "created_at": "2026-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": text},
            "done": True,
            "done_reason": done_reason,
            "prompt_eval_count": 13,
            "eval_count": 9,
        }
    )


def ollama_tags(*names: str) -> Reply:
    """An Ollama /api/tags answer listing `names`."""
    models = [
        {"name": n, "model": n, "modified_at": "2026-01-01T00:00:00Z", "size": 1, "digest": "d"}
        for n in names
    ]
    return Reply(body={"models": models})


class FakeServer:
    """A scripted HTTP server: replies per path (``"POST /v1/chat/completions"``)."""

    def __init__(self) -> None:
        self._scripts: dict[str, list[Reply | Callable[[Seen], Reply]]] = {}
        self._lock = threading.Lock()
        self.seen: list[Seen] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (while running)."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, route: str, *replies: Reply | Callable[[Seen], Reply]) -> FakeServer:
        """Answer `route` with `replies` in turn, the last one for ever after."""
        with self._lock:
            self._scripts[route] = list(replies)
        return self

    def requests_to(self, route: str) -> list[Seen]:
        """The requests received on `route` (``"POST /api/chat"``)."""
        method, path = route.split(" ", 1)
        return [s for s in self.seen if s.method == method and s.path == path]

    def _reply(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            script = self._scripts.get(f"{seen.method} {seen.path}")
            if not script:
                return error(404, f"no route {seen.method} {seen.path}")
            reply = script.pop(0) if len(script) > 1 else script[0]
        return reply(seen) if callable(reply) else reply

    @contextmanager
    def running(self) -> Iterator[FakeServer]:
        """Serve on a free loopback port until the block ends."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(self.command, self.path.split("?")[0], headers, body)
                reply = server._reply(seen)
                time.sleep(reply.delay_s)
                payload = (
                    b"".join(json.dumps(line).encode() + b"\n" for line in reply.lines)
                    if reply.lines
                    else json.dumps(reply.body).encode()
                )
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout under test)

            do_GET = do_POST = do_DELETE = _handle  # noqa: N815  # http.server's naming

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)
