"""Who may ask (tokens, roles, rate limits) and what they are answered from (the world's
snapshot, newest or pinned), as FastAPI dependencies; and the cached, ETagged answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Final

from anyio import to_thread
from fastapi import Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from worldloom.reader.manifest import SNAPSHOT_ID_PATTERN, WORLD_ID_PATTERN
from worldloom.runtime.auth import Principal, UserBook
from worldloom.runtime.catalog import SnapshotCatalog
from worldloom.runtime.config import ApiConfig
from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.errors import (
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnauthorizedError,
)
from worldloom.runtime.ratelimit import RateLimiter, retry_after
from worldloom.runtime.talk.service import TalkService
from worldloom.runtime.usage import UsageLog

SNAPSHOT_HEADER: Final = "X-Worldloom-Snapshot"
JSON: Final = "application/json"

_SNAPSHOT_ID: Final = re.compile(SNAPSHOT_ID_PATTERN)


@dataclass(frozen=True, slots=True)
class Runtime:
    """Everything a request may need, built once by the app's lifespan."""

    config: ApiConfig
    catalog: SnapshotCatalog
    users: UserBook
    limiter: RateLimiter
    usage: UsageLog | None
    talk: TalkService


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def reader(request: Request) -> Principal:
    """The caller, holding any role; within their rate limit.

    The header is read here rather than through FastAPI's HTTPBearer dependency: this runs
    on every request, and the OpenAPI document declares the scheme (see `app`).

    Raises:
        UnauthorizedError: No bearer token, or an unknown or revoked one.
        RateLimitedError: The token's bucket is empty.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("this route needs a token: Authorization: Bearer <token>")
    runtime = runtime_of(request)
    principal = runtime.users.check(token.strip())
    if principal is None:
        raise UnauthorizedError("the token is unknown or revoked")
    request.state.user = principal.name
    wait = runtime.limiter.admit(principal.token_id)
    if wait:
        raise RateLimitedError(
            f"rate limit of {runtime.limiter.rate:g} requests a second reached",
            retry_after_s=retry_after(wait),
        )
    return principal


async def admin(principal: Annotated[Principal, Depends(reader)]) -> Principal:
    """The caller, who must hold the admin role.

    Raises:
        ForbiddenError: A reader's token.
    """
    if principal.role != "admin":
        raise ForbiddenError(
            f"user {principal.name!r} is a {principal.role}; this route is for admins"
        )
    return principal


@dataclass(frozen=True, slots=True)
class View:
    """The snapshot a request is answered from, and who asked."""

    engine: SnapshotEngine
    principal: Principal
    request: Request


WorldId = Annotated[str, Path(pattern=WORLD_ID_PATTERN, description="A world id.")]


async def world_view(
    request: Request,
    world_id: WorldId,
    principal: Annotated[Principal, Depends(reader)],
    snapshot: Annotated[
        str | None,
        Query(
            pattern=SNAPSHOT_ID_PATTERN,
            description="Pin a snapshot id (default: the world's newest); the "
            f"{SNAPSHOT_HEADER} header pins one too.",
        ),
    ] = None,
) -> View:
    """The world's newest snapshot, or the one the client pinned."""
    catalog = runtime_of(request).catalog
    pin = snapshot or request.headers.get(SNAPSHOT_HEADER)
    if pin is not None and not _SNAPSHOT_ID.fullmatch(pin):
        raise NotFoundError(f"{pin[:60]!r} is not a snapshot id (tick000060-<12 hex>)")
    current = catalog.current.get(world_id)
    if pin is not None and (current is None or pin != current.snapshot_id):
        # A pinned snapshot may have to be verified and loaded: not on the event loop.
        engine = await to_thread.run_sync(catalog.engine, world_id, pin)
    else:
        engine = catalog.engine(world_id)
    request.state.world_id = engine.world_id
    request.state.snapshot_id = engine.snapshot_id
    return View(engine=engine, principal=principal, request=request)


ViewDep = Annotated[View, Depends(world_view)]


async def respond(view: View, key: object, build: Callable[[], BaseModel]) -> Response:
    """The answer for `key` from this snapshot's cache, or built off the event loop and kept;
    304 when the client already holds this snapshot's answer."""
    engine = view.engine
    etag = f'"{engine.snapshot_id}"'
    headers = {"ETag": etag, SNAPSHOT_HEADER: engine.snapshot_id}
    held = view.request.headers.get("if-none-match")
    if held is not None and etag in {tag.strip().removeprefix("W/") for tag in held.split(",")}:
        return Response(status_code=304, headers=headers)
    body = engine.peek(key)
    if body is None:
        body = await to_thread.run_sync(
            engine.cached, key, lambda: build().model_dump_json().encode()
        )
    return Response(content=body, media_type=JSON, headers=headers)
