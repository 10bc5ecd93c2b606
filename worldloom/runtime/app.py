"""The API application: its parts built at start-up, its routes, errors and middleware."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from worldloom.infrastructure.llm import LLMGateway, open_gateway
from worldloom.runtime.access import Runtime, runtime_of
from worldloom.runtime.auth import UserBook, users_path
from worldloom.runtime.catalog import SnapshotCatalog
from worldloom.runtime.config import ApiConfig
from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.errors import ApiError, describe_invalid, describe_no_route
from worldloom.runtime.middleware import UsageMiddleware
from worldloom.runtime.models import Health
from worldloom.runtime.ratelimit import RateLimiter
from worldloom.runtime.routes import admin, page, systems, tables, talk
from worldloom.runtime.talk.service import TalkService
from worldloom.runtime.usage import UsageLog, usage_path

log = logging.getLogger("worldloom.runtime")

DESCRIPTION = """Read-only access to the verified snapshots of Worldloom worlds.

Every route but `/health` and the page needs `Authorization: Bearer <token>` (`worldloom user
add NAME --role reader`). Answers come from the world's newest snapshot unless a snapshot id is
pinned with `?snapshot=` or the `X-Worldloom-Snapshot` header; every answer names its snapshot
(body, `ETag` and `X-Worldloom-Snapshot`), and `If-None-Match` with that ETag answers 304."""


def create_app(config: ApiConfig, *, gateway: LLMGateway | None = None) -> FastAPI:
    """The API over the snapshots of `config.home`.

    Args:
        config: Where and how to serve.
        gateway: The dialogue's LLM gateway (default: one opened from `config.llm`).
    """
    usage = UsageLog(usage_path(config.home)) if config.record_usage else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = gateway or open_gateway(
            config.llm, cache_dir=config.llm_cache_dir, limits=config.llm_limits
        )
        catalog = SnapshotCatalog(
            config.snapshots_dir,
            loader=lambda path: SnapshotEngine.load(path, threads=config.duckdb_threads),
        )
        catalog.refresh()
        catalog.start_watching(config.poll_s)
        runtime = Runtime(
            config=config,
            catalog=catalog,
            users=UserBook(users_path(config.home)),
            limiter=RateLimiter(rate=config.rate, burst=config.burst),
            usage=usage,
            talk=TalkService(opened, usage),
        )
        app.state.runtime = runtime
        if opened.provider.kind == "embedded":
            # Start the model now, not on the first visitor's request.
            threading.Thread(target=opened.status, name="llm-warmup", daemon=True).start()
        try:
            yield
        finally:
            catalog.stop()
            runtime.talk.close()
            if gateway is None:
                opened.close()
            runtime.users.close()
            if usage is not None:
                usage.close()

    app = FastAPI(
        title="Worldloom runtime API",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiError)
        return JSONResponse(
            {"detail": error.detail}, status_code=error.status, headers=error.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: Exception) -> JSONResponse:
        # One sentence in `detail`, as every other error has; pydantic's list in `errors`.
        assert isinstance(error, RequestValidationError)
        problems = error.errors()
        detail = describe_invalid(problems)
        body_refused = any(tuple(p.get("loc", ())) == ("body",) for p in problems)
        if body_refused and "json" not in request.headers.get("content-type", ""):
            # `curl -d` sends a form's content type, and the JSON body is then read as text.
            detail += "; send the body as JSON, with Content-Type: application/json"
        return JSONResponse(
            {"detail": detail, "errors": jsonable_encoder(problems)}, status_code=422
        )

    @app.exception_handler(HTTPException)
    async def no_route(request: Request, error: Exception) -> JSONResponse:
        # Starlette's routing answers a bare "Not Found" or "Method Not Allowed".
        assert isinstance(error, HTTPException)
        detail = error.detail
        if (error.status_code, detail) in {(404, "Not Found"), (405, "Method Not Allowed")}:
            detail = describe_no_route(request.method, request.url.path, error.status_code)
        return JSONResponse(
            {"detail": detail}, status_code=error.status_code, headers=error.headers
        )

    @app.get("/health", response_model=Health, tags=["health"])
    async def health(request: Request) -> Health:
        """Up, and which snapshot of each world is served (no token needed)."""
        current = runtime_of(request).catalog.current
        return Health(status="ok", worlds={w: e.snapshot_id for w, e in sorted(current.items())})

    for module in (systems, tables, talk, admin, page):
        app.include_router(module.router)
    app.openapi = lambda: _with_bearer(app)  # type: ignore[method-assign]
    app.add_middleware(
        UsageMiddleware,
        usage=usage,
        max_body_bytes=config.max_body_bytes,
    )
    return app


PUBLIC_PATHS = frozenset({"/health"})


def _with_bearer(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, saying that every route but /health takes a bearer token."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from `worldloom user add NAME --role reader`.",
            }
        }
        schema["security"] = [{"bearer": []}]
        schemas = schema["components"].get("schemas", {})
        if "HTTPValidationError" in schemas:  # as `invalid_request` answers
            schemas["HTTPValidationError"] = {
                "title": "HTTPValidationError",
                "type": "object",
                "properties": {
                    "detail": {"type": "string", "description": "What is wrong, in a sentence."},
                    "errors": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/ValidationError"},
                    },
                },
                "required": ["detail", "errors"],
            }
        for path in PUBLIC_PATHS:
            for operation in schema["paths"].get(path, {}).values():
                operation["security"] = []
        app.openapi_schema = schema
    return app.openapi_schema
