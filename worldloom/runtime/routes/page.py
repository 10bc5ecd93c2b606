"""The world browser: one page and its script and style, shipped in the package."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Final

from fastapi import APIRouter, Path
from fastapi.responses import Response

from worldloom.runtime.errors import NotFoundError

router = APIRouter(include_in_schema=False)

ASSETS: Final = {
    "browser.js": "text/javascript; charset=utf-8",
    "browser.css": "text/css; charset=utf-8",
}
"""The only files the page route serves (by exact name: no path reaches the file system)."""
POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The page loads nothing from elsewhere and runs no inline script."""


def _asset(name: str) -> bytes:
    return resources.files("worldloom.runtime").joinpath("page", name).read_bytes()


@router.get("/")
async def index() -> Response:
    """The world browser."""
    return Response(
        content=_asset("index.html"),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff"},
    )


@router.get("/favicon.ico")
async def favicon() -> Response:
    """No icon (and no 404 in the browser's console)."""
    return Response(status_code=204)


@router.get("/page/{name}")
async def asset(name: Annotated[str, Path(max_length=40)]) -> Response:
    """The page's script and style."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFoundError(f"no page asset {name!r}")
    return Response(
        content=_asset(name),
        media_type=media_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )
