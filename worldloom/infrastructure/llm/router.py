"""The per-entity route: cache -> the template's provider -> procedural fallback, with one
record per call."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from worldloom.infrastructure.llm.budget import CircuitBreaker, RunBudget
from worldloom.infrastructure.llm.cache import (
    CachedAnswer,
    CachedFailure,
    ResponseCache,
    compute_cache_key,
)
from worldloom.infrastructure.llm.client import MODES, ProviderCallError
from worldloom.infrastructure.llm.connection import ProviderConnection
from worldloom.infrastructure.llm.meter import StageClock
from worldloom.infrastructure.llm.prompt import (
    PromptFacts,
    PromptRenderer,
    PromptSpec,
    RenderedPrompt,
)
from worldloom.infrastructure.llm.provider import ProviderSpec
from worldloom.infrastructure.llm.record import (
    INFRASTRUCTURE_REASONS,
    MODEL_REASONS,
    CallRecord,
    FallbackReason,
    Outcome,
)

ResponseT = TypeVar("ResponseT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Generated(Generic[ResponseT]):
    """A validated value (from the LLM, the cache or the fallback) and its call record."""

    value: ResponseT
    record: CallRecord


@dataclass(frozen=True, slots=True)
class Route:
    """One provider a template may be sent to: its connection (``None`` for provider ``none``)
    and its own circuit breaker."""

    provider: ProviderSpec
    connection: ProviderConnection | None
    breaker: CircuitBreaker


@dataclass(frozen=True, slots=True)
class PreparedRequest(Generic[ResponseT]):
    """A rendered request, its route and its cache key, ready to go."""

    route: Route
    spec: PromptSpec[Any, ResponseT]
    response_model: type[ResponseT]
    """What this request asks for (the spec's model, perhaps narrowed to its facts)."""
    prompt: RenderedPrompt
    key: str
    validation_context: Mapping[str, Any]
    seed: int


class EntityRouter:
    """Routes one entity at a time; thread-safe; keeps the run's records and counters."""

    def __init__(
        self,
        default: Route,
        *,
        routes: Mapping[str, Route] | None = None,
        renderer: PromptRenderer,
        cache: ResponseCache | None,
        budget: RunBudget,
        clock: StageClock | None = None,
    ) -> None:
        """Wire the parts.

        Args:
            default: Where templates without a route of their own go.
            routes: Route per template name (content type), overriding the default.
            renderer: Template renderer.
            cache: Answer cache, or ``None``.
            budget: The run's call and token budget.
            clock: The stage's deadline.
        """
        self.default = default
        self.routes = dict(routes or {})
        self.cache = cache
        self.budget = budget
        self.clock = clock or StageClock(None)
        self._renderer = renderer
        self._records: list[CallRecord] = []
        self.outcomes: Counter[Outcome] = Counter()
        self.reasons: Counter[FallbackReason] = Counter()
        self.records_lock = threading.Lock()

    @property
    def provider(self) -> ProviderSpec:
        """The default provider."""
        return self.default.provider

    @property
    def connection(self) -> ProviderConnection | None:
        """The default provider's connection."""
        return self.default.connection

    def all_routes(self) -> list[Route]:
        """Every distinct route, the default first."""
        unique = {id(r): r for r in (self.default, *self.routes.values())}
        return list(unique.values())

    def prepare(
        self, spec: PromptSpec[Any, ResponseT], facts: PromptFacts, seed: int
    ) -> PreparedRequest[ResponseT]:
        """Pick the template's route, render the prompt and compute its content-addressed key."""
        route = self.routes.get(spec.name, self.default)
        provider = route.provider
        prompt = self._renderer.render(spec, facts)
        key = compute_cache_key(
            provider=provider.kind,
            model=provider.model,
            mode=MODES[provider.mode],
            template=spec.name,
            template_hash=prompt.template_hash,
            messages=prompt.messages(),
            schema_hash=spec.schema_hash,
            params={"temperature": spec.temperature, "max_tokens": spec.max_tokens, "seed": seed},
        )
        return PreparedRequest(
            route=route,
            spec=spec,
            response_model=spec.model_for(facts),
            prompt=prompt,
            key=key,
            validation_context=facts.validation_context(),
            seed=seed,
        )

    def key_lock(self, key: str) -> AbstractContextManager[None]:
        """Serialise identical requests in this process (a no-op without a cache)."""
        return self.cache.key_lock(key) if self.cache is not None else nullcontext()

    def lookup(self, item: PreparedRequest[ResponseT], *, count: bool = True) -> ResponseT | None:
        """Return the cached value if present and still valid in today's context."""
        if self.cache is None:
            return None

        def revive(answer: CachedAnswer) -> ResponseT | None:
            # Re-validate against today's context: a name cached for another world may now
            # be taken, and stricter validators must not be bypassed by old entries.
            try:
                return item.spec.response_model.model_validate_json(
                    answer.json, context=dict(item.validation_context)
                )
            except ValidationError:
                return None

        return self.cache.lookup(item.key, revive, count=count)

    def call(  # noqa: PLR0911  # one return per reason to skip the provider reads as a table
        self,
        item: PreparedRequest[ResponseT],
        fallback: Callable[[], ResponseT],
        started: float,
        *,
        reserved: bool,
    ) -> Generated[ResponseT]:
        """Call the provider (budget and breaker permitting); fall back on any failure.

        Args:
            item: The prepared request.
            fallback: Procedural writer.
            started: ``perf_counter`` at the start of this entity's routing.
            reserved: Whether a budget call was already reserved for this request.
        """
        remembered = self.cache.lookup_failure(item.key) if self.cache is not None else None
        if remembered is not None:
            if reserved:
                self.budget.release_call()
            return self.fall_back(
                item,
                fallback,
                started,
                remembered.reason,
                f"remembered: {remembered.detail}",
                from_cache=True,
            )
        route = item.route
        if self.clock.expired:
            if reserved:
                self.budget.release_call()
            return self.fall_back(
                item, fallback, started, "deadline", "the stage's LLM deadline has passed"
            )
        if not reserved and not self.budget.try_reserve_call():
            return self.fall_back(item, fallback, started, "budget", "run budget spent")
        if route.connection is None:
            self.budget.release_call()
            return self.fall_back(item, fallback, started, "llm_disabled", "provider none")
        if not route.breaker.allow():
            self.budget.release_call()
            return self.fall_back(
                item, fallback, started, "circuit_open", "provider failed repeatedly"
            )
        try:
            completion = route.connection.client().complete(
                spec=item.spec,
                response_model=item.response_model,
                model=route.provider.model,
                prompt=item.prompt,
                validation_context=item.validation_context,
                seed=item.seed,
            )
        except ProviderCallError as failure:
            self.budget.add_tokens(failure.prompt_tokens + failure.completion_tokens)
            if failure.reason in INFRASTRUCTURE_REASONS:
                route.breaker.record_failure()
            elif failure.reason in MODEL_REASONS:
                # The model answered, badly: the provider itself is healthy, and with this seed
                # it would answer the same again, so a re-run should not ask.
                route.breaker.record_success()
                if self.cache is not None:
                    self.cache.store_failure(
                        item.key, CachedFailure(reason=failure.reason, detail=failure.detail)
                    )
            return self.fall_back(
                item,
                fallback,
                started,
                failure.reason,
                failure.detail,
                attempts=failure.attempts,
                tokens=(failure.prompt_tokens, failure.completion_tokens),
            )
        route.breaker.record_success()
        self.budget.add_tokens(completion.prompt_tokens + completion.completion_tokens)
        if self.cache is not None:
            self.cache.forget_failure(item.key)
            self.cache.store(
                item.key,
                CachedAnswer(
                    json=completion.value.model_dump_json(),
                    prompt_tokens=completion.prompt_tokens,
                    completion_tokens=completion.completion_tokens,
                ),
            )
        return self.finish(
            item,
            completion.value,
            started,
            outcome="llm",
            attempts=completion.attempts,
            tokens=(completion.prompt_tokens, completion.completion_tokens),
        )

    def fall_back(
        self,
        item: PreparedRequest[ResponseT],
        fallback: Callable[[], ResponseT],
        started: float,
        reason: FallbackReason,
        detail: str,
        *,
        attempts: int = 0,
        tokens: tuple[int, int] = (0, 0),
        from_cache: bool = False,
    ) -> Generated[ResponseT]:
        """Use the procedural writer and record why (`from_cache`: a remembered failure)."""
        return self.finish(
            item,
            fallback(),
            started,
            outcome="fallback",
            reason=reason,
            detail=detail,
            attempts=attempts,
            tokens=tokens,
            cache_hit=from_cache,
        )

    def finish(
        self,
        item: PreparedRequest[ResponseT],
        value: ResponseT,
        started: float,
        *,
        outcome: Outcome,
        reason: FallbackReason | None = None,
        detail: str = "",
        attempts: int = 0,
        tokens: tuple[int, int] = (0, 0),
        cache_hit: bool = False,
    ) -> Generated[ResponseT]:
        """Build, keep and return the record for one routed entity."""
        record = CallRecord(
            template=item.spec.name,
            template_hash=item.prompt.template_hash,
            provider=item.route.provider.label,
            model=item.route.provider.model,
            cache_key=item.key,
            cache_hit=cache_hit or outcome == "cache",
            prompt_tokens=tokens[0],
            completion_tokens=tokens[1],
            latency_ms=(time.perf_counter() - started) * 1000.0,
            attempts=attempts,
            outcome=outcome,
            fallback_reason=reason,
            detail=detail,
        )
        with self.records_lock:
            self._records.append(record)
            self.outcomes[outcome] += 1
            if reason is not None:
                self.reasons[reason] += 1
        return Generated(value=value, record=record)

    def drain(self) -> list[CallRecord]:
        """Return and clear the records kept so far."""
        with self.records_lock:
            records, self._records = self._records, []
        return records
