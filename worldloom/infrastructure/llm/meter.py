"""The stage's deadline, and a meter on every HTTP request a provider client sends: it counts
them (SDK retries included) and caps each one's timeout at the time the stage has left."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class StageClock:
    """The time a stage may spend on LLM calls; past it, the rest of the stage is procedural."""

    def __init__(
        self, deadline_s: float | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Start the clock.

        Args:
            deadline_s: Seconds from now, or ``None`` for no deadline.
            clock: Monotonic clock (injectable for tests).
        """
        if deadline_s is not None and deadline_s <= 0:
            raise ValueError("deadline_s must be positive")
        self._clock = clock
        self._end = None if deadline_s is None else clock() + deadline_s

    def remaining(self) -> float | None:
        """Seconds left (at most 0 once past), or ``None`` without a deadline."""
        return None if self._end is None else self._end - self._clock()

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        remaining = self.remaining()
        return remaining is not None and remaining <= 0


class DeadlinePassed(Exception):  # noqa: N818  # reads as what happened, like TimeoutError
    """Raised by the meter instead of sending a request once the stage deadline has passed."""


class RequestMeter:
    """An httpx/httpx2 request hook: counts requests per calling thread and holds each one to
    the stage deadline (a timeout never reaches past it; none is sent after it).

    Counting at the transport sees every request the provider client really sends, SDK-level
    retries included, which instructor's hooks and the SDK's own counters do not.
    """

    def __init__(self, clock: StageClock) -> None:
        """Meter requests against `clock`."""
        self.clock = clock
        self._local = threading.local()

    def __call__(self, request: Any) -> None:
        """The request hook (httpx and httpx2 share the request API used here)."""
        remaining = self.clock.remaining()
        if remaining is not None and remaining <= 0:
            raise DeadlinePassed("the stage's LLM deadline has passed")  # not sent: not counted
        self._local.count = getattr(self._local, "count", 0) + 1
        if remaining is None:
            return
        timeouts = dict(request.extensions.get("timeout") or {})
        capped = {
            phase: remaining if timeouts.get(phase) is None else min(timeouts[phase], remaining)
            for phase in ("connect", "read", "write", "pool")
        }
        request.extensions = {**request.extensions, "timeout": capped}

    @contextmanager
    def counting(self) -> Iterator[Callable[[], int]]:
        """Count this thread's requests from zero; yields a reader of the count."""
        self._local.count = 0
        yield lambda: int(getattr(self._local, "count", 0))
