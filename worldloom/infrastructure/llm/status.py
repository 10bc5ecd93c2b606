"""What ``worldloom llm status`` reports about the LLM layer of this process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LLMStatus:
    """Provider health, cache size and this run's outcomes.

    Attributes:
        provider: Provider label (``embedded``, ``ollama/llama3.2``, ``none``...).
        model: Model name.
        reachable: Whether a probe succeeded (for ``embedded``: the server started and
            answered ``/health``; for ``none``: always ``True``).
        detail: What the probe saw, or why it failed.
        cache_dir: Cache folder, or ``None`` when caching is off.
        cache_entries: Stored answers.
        cache_hits: Hits in this process.
        cache_misses: Misses in this process.
        calls: Gateway calls recorded in this run.
        fallbacks: Calls answered by the procedural writer in this run.
        fallback_reasons: Fallback count per reason in this run.
        breaker_open: Whether the circuit breaker is currently open.
        calls_used: Provider calls charged to the run budget.
        tokens_used: Tokens charged to the run budget.
    """

    provider: str
    model: str
    reachable: bool
    detail: str
    cache_dir: str | None
    cache_entries: int
    cache_hits: int
    cache_misses: int
    calls: int
    fallbacks: int
    fallback_reasons: Mapping[str, int]
    breaker_open: bool
    calls_used: int
    tokens_used: int

    @property
    def hit_rate(self) -> float | None:
        """Cache hits over lookups in this process, or ``None`` before any lookup."""
        lookups = self.cache_hits + self.cache_misses
        return self.cache_hits / lookups if lookups else None

    def describe(self) -> list[tuple[str, str]]:
        """Return (label, value) rows for a CLI table."""
        rate = "n/a" if self.hit_rate is None else f"{self.hit_rate:.0%}"
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(self.fallback_reasons.items()))
        return [
            ("provider", self.provider),
            ("model", self.model),
            ("reachable", f"{'yes' if self.reachable else 'no'} ({self.detail})"),
            ("cache", self.cache_dir or "off"),
            ("cache entries", str(self.cache_entries)),
            ("cache hit rate", f"{rate} ({self.cache_hits} hits, {self.cache_misses} misses)"),
            ("calls this run", str(self.calls)),
            ("fallbacks this run", f"{self.fallbacks}" + (f" ({reasons})" if reasons else "")),
            ("circuit breaker", "open" if self.breaker_open else "closed"),
            ("budget used", f"{self.calls_used} calls, {self.tokens_used} tokens"),
        ]
