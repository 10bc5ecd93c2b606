"""One record per gateway call: what the ``llm_calls`` table stores for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Outcome = Literal["llm", "cache", "fallback"]
"""Where the returned value came from: a provider answer, the cache, or the procedural writer."""

FallbackReason = Literal[
    "llm_disabled",
    "budget",
    "deadline",
    "circuit_open",
    "unavailable",
    "timeout",
    "connection",
    "rate_limited",
    "server_error",
    "http_error",
    "validation",
    "malformed_json",
    "truncated",
]
"""Why the procedural writer was used.

- ``llm_disabled``: provider ``none``.
- ``budget``: the run's call or token budget is spent.
- ``deadline``: the stage's LLM deadline passed (before the call, or while it was waiting).
- ``circuit_open``: the provider failed too often in a row; calls skip it for a while.
- ``unavailable``: the provider could not be reached or started (embedded model missing...).
- ``timeout`` / ``connection`` / ``rate_limited`` (429) / ``server_error`` (5xx) /
  ``http_error`` (other non-2xx): infrastructure failures; they count towards the breaker.
- ``validation``: the answer failed the response model's validators after every re-ask.
- ``malformed_json``: the answer (or the HTTP body) was not JSON after every re-ask.
- ``truncated``: the answer hit ``max_tokens`` before the JSON was complete.
"""

FALLBACK_REASONS: tuple[FallbackReason, ...] = get_args(FallbackReason)

INFRASTRUCTURE_REASONS: frozenset[FallbackReason] = frozenset(
    {"unavailable", "timeout", "connection", "rate_limited", "server_error", "http_error"}
)
"""Failures that say the provider is unhealthy (they trip the circuit breaker)."""

MODEL_REASONS: frozenset[FallbackReason] = frozenset({"validation", "malformed_json", "truncated"})
"""Failures of the model's answer: the provider is up, and with the same seed it would answer the
same again, so the cache remembers them."""


@dataclass(frozen=True, slots=True)
class CallRecord:
    """What happened for one entity's prompt.

    Attributes:
        template: Prompt name (``PromptSpec.name``).
        template_hash: sha256 of the template source.
        provider: Provider label (``embedded``, ``ollama/llama3.2``...).
        model: Model name.
        cache_key: Content-addressed request key (empty when the request never got one).
        cache_hit: Whether the value came from the cache.
        prompt_tokens: Prompt tokens spent in this run, summed over re-asks (0 on a hit).
        completion_tokens: Completion tokens spent in this run, summed over re-asks.
        latency_ms: Wall time inside the gateway for this entity.
        attempts: HTTP requests sent (first ask, re-asks and SDK retries alike); 0 for cache
            hits and fallbacks decided before calling.
        outcome: Where the value came from.
        fallback_reason: Why the procedural writer was used, else ``None``.
        detail: Short human-readable cause of a fallback (never contains secrets).
    """

    template: str
    template_hash: str
    provider: str
    model: str
    cache_key: str
    cache_hit: bool
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    attempts: int
    outcome: Outcome
    fallback_reason: FallbackReason | None
    detail: str = ""
