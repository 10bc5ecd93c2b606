"""The outermost layer: refuse oversized bodies, time every request, record its usage row."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from worldloom.runtime.usage import RequestRecord, UsageLog, now

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class UsageMiddleware:
    """Pure ASGI (no per-request task or copy): cheap enough for every request."""

    def __init__(self, app: ASGIApp, *, usage: UsageLog | None, max_body_bytes: int) -> None:
        self.app = app
        self.usage = usage
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        status, sent = 500, 0

        async def counting_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            body = await self._read_body(scope, receive)
            if body is None:
                await _too_large(counting_send, self.max_body_bytes)
            else:
                await self.app(scope, _replay(body, receive), counting_send)
        finally:
            if self.usage is not None:
                route = scope.get("route")
                self.usage.record(
                    RequestRecord(
                        at=now(),
                        method=scope["method"],
                        route=getattr(route, "path", "-"),
                        status=status,
                        latency_ms=(time.perf_counter() - started) * 1000.0,
                        user=state.get("user"),
                        world_id=state.get("world_id"),
                        snapshot_id=state.get("snapshot_id"),
                        bytes=sent,
                    )
                )

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None once it passes the limit (a declared length is trusted
        for that only; the bytes are counted as they come)."""
        if scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            return b""
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    done = False

    async def replay() -> Message:
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _too_large(send: Send, limit: int) -> None:
    payload = json.dumps({"detail": f"request body over {limit} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
