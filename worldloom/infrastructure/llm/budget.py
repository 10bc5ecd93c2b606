"""Per-run limits on LLM calls and tokens, and the circuit breaker for a failing provider."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RunBudget:
    """Counts provider calls and tokens for one run; past either limit, prose is procedural.

    A *call* is one entity's trip to the provider (its re-asks included). Calls are reserved
    before the request, so concurrent workers never exceed ``max_calls``; tokens are known only
    afterwards, so the token limit can be overshot by the calls already in flight.
    """

    def __init__(self, *, max_calls: int | None = None, max_tokens: int | None = None) -> None:
        """Set the limits.

        Args:
            max_calls: Most provider calls in this run, or ``None`` for no limit.
            max_tokens: Most prompt + completion tokens in this run, or ``None``.
        """
        if max_calls is not None and max_calls < 0:
            raise ValueError("max_calls must be >= 0")
        if max_tokens is not None and max_tokens < 0:
            raise ValueError("max_tokens must be >= 0")
        self._max_calls = max_calls
        self._max_tokens = max_tokens
        self._calls = 0
        self._tokens = 0
        self._lock = threading.Lock()

    @property
    def calls_used(self) -> int:
        """Calls reserved so far."""
        with self._lock:
            return self._calls

    @property
    def tokens_used(self) -> int:
        """Tokens reported so far."""
        with self._lock:
            return self._tokens

    def try_reserve_call(self) -> bool:
        """Reserve one call if both limits allow it.

        Returns:
            ``True`` if the caller may call the provider.
        """
        with self._lock:
            if self._max_calls is not None and self._calls >= self._max_calls:
                return False
            if self._max_tokens is not None and self._tokens >= self._max_tokens:
                return False
            self._calls += 1
            return True

    def release_call(self) -> None:
        """Give back a reservation that did not reach the provider."""
        with self._lock:
            self._calls = max(0, self._calls - 1)

    def add_tokens(self, tokens: int) -> None:
        """Charge tokens reported by the provider (failed attempts included)."""
        with self._lock:
            self._tokens += max(0, tokens)


class CircuitBreaker:
    """Stops calling a provider after ``threshold`` consecutive infrastructure failures.

    While open, calls go straight to the fallback. After ``cooldown_s`` one trial call is let
    through (half-open): success closes the breaker, failure re-opens it for another cooldown.
    """

    def __init__(
        self,
        *,
        threshold: int = 3,
        cooldown_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Configure the breaker.

        Args:
            threshold: Consecutive infrastructure failures that open it.
            cooldown_s: Seconds open before a trial call.
            clock: Monotonic clock (injectable for tests).
        """
        if threshold < 1:
            raise ValueError("threshold must be >= 1")
        self._threshold = threshold
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """Whether calls are currently being short-circuited."""
        with self._lock:
            return self._opened_at is not None

    def allow(self) -> bool:
        """Return whether a call may go to the provider now."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trial_in_flight or self._clock() - self._opened_at < self._cooldown_s:
                return False
            self._trial_in_flight = True
            return True

    def record_success(self) -> None:
        """The provider answered (even if the answer was invalid): close the breaker."""
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_in_flight = False

    def record_failure(self) -> None:
        """The provider failed at the infrastructure level."""
        with self._lock:
            self._failures += 1
            if self._trial_in_flight or self._failures >= self._threshold:
                self._opened_at = self._clock()
            self._trial_in_flight = False
