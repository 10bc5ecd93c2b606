"""What the API answers when a request cannot be served: a status and one clear sentence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

MAX_DESCRIBED: Final = 5
"""Problems of one request named in its 422 answer (all of them are in `errors`)."""


class ApiError(Exception):
    """An answer other than 2xx; `detail` is shown to the client as it is."""

    status = 500

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class NotFoundError(ApiError):
    """An unknown world, snapshot, table or entity id."""

    status = 404


class BadQueryError(ApiError):
    """A filter on an unknown column, a value of the wrong type, pagination out of range."""

    status = 422


class UnauthorizedError(ApiError):
    """No token, or one that is unknown or revoked."""

    status = 401

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class ForbiddenError(ApiError):
    """A valid token whose role may not use the route."""

    status = 403


class RateLimitedError(ApiError):
    """The token spent its request budget; `Retry-After` says when to come back."""

    status = 429

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_s)})


class UnavailableError(ApiError):
    """A snapshot that fails verification, or no capacity for another dialogue request."""

    status = 503


def describe_invalid(errors: Sequence[Mapping[str, Any]]) -> str:
    """One sentence for a request FastAPI refused: each bad part, what is wrong, what came.

    `errors` are pydantic's (`loc`, `msg`, `input`); a value is cut short, never echoed whole.
    """
    parts = []
    for error in errors[:MAX_DESCRIBED]:
        where, *names = [str(part) for part in error.get("loc", ())] or ["request"]
        name = ".".join(names) or where
        shown = f"{where} {name}" if names else name
        part = f"{shown}: {error.get('msg', 'invalid')}"
        given = error.get("input")
        if isinstance(given, str | int | float) and not isinstance(given, bool):
            part += f" (got {str(given)[:40]!r})"
        parts.append(part)
    more = len(errors) - MAX_DESCRIBED
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def describe_no_route(method: str, path: str, status: int) -> str:
    """What a request that matches no route is told (instead of a bare "Not Found")."""
    shown = path[:120]
    if status == 405:
        return f"{method} is not allowed on {shown}; the routes and their methods are at /docs"
    return (
        f"no route {method} {shown}; the routes are at /docs (OpenAPI: /openapi.json), "
        "any table of a snapshot at /worlds/{world_id}/tables/{table}"
    )
