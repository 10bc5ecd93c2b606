"""What the API answers when a request cannot be served: a status and one clear sentence."""

from __future__ import annotations


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
