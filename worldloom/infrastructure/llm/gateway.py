"""The LLM gateway: validated structured outputs per entity that never fail for LLM reasons."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Generic, TypeVar

import httpx2
from pydantic import BaseModel

from worldloom.infrastructure.llm.budget import CircuitBreaker, RunBudget
from worldloom.infrastructure.llm.cache import ResponseCache
from worldloom.infrastructure.llm.client import ProviderCallError
from worldloom.infrastructure.llm.connection import ProviderConnection
from worldloom.infrastructure.llm.embedded import EmbeddedServer
from worldloom.infrastructure.llm.meter import StageClock
from worldloom.infrastructure.llm.prompt import PromptFacts, PromptRenderer, PromptSpec
from worldloom.infrastructure.llm.provider import ProviderSpec, parse_provider, read_api_key
from worldloom.infrastructure.llm.record import CallRecord
from worldloom.infrastructure.llm.router import EntityRouter, Generated, PreparedRequest, Route
from worldloom.infrastructure.llm.status import LLMStatus

FactsT = TypeVar("FactsT", bound=PromptFacts)
ResponseT = TypeVar("ResponseT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class GatewayLimits:
    """Per-run limits and resilience settings.

    Attributes:
        max_calls: Provider calls allowed in the run (``None``: unlimited).
        max_tokens: Tokens allowed in the run (``None``: unlimited).
        breaker_threshold: Consecutive infrastructure failures that open the breaker.
        breaker_cooldown_s: Seconds before the open breaker lets one trial call through.
        timeout_s: Per-request timeout; ``None`` uses the provider's default.
        http_retries: openai SDK retries; ``None`` uses the provider's default.
        max_workers: Threads ``generate_many`` uses (llama.cpp has one slot, so 2 is plenty).
        deadline_s: Seconds the gateway may spend on provider calls from when it opens (a
            stage); past it every call falls back (``None``: no deadline).
    """

    max_calls: int | None = None
    max_tokens: int | None = None
    breaker_threshold: int = 3
    breaker_cooldown_s: float = 60.0
    timeout_s: float | None = None
    http_retries: int | None = None
    max_workers: int = 2
    deadline_s: float | None = None


@dataclass(frozen=True, slots=True)
class GenerationRequest(Generic[FactsT, ResponseT]):
    """One entity's facts, its procedural fallback (called only if needed) and its seed."""

    facts: FactsT
    fallback: Callable[[], ResponseT]
    seed: int = 0


class LLMGateway:
    """Generates validated structured outputs: cache -> provider -> procedural fallback.

    Thread-safe. Use it as a context manager (or call ``close``) so that the embedded server
    stops when the run ends.
    """

    def __init__(
        self,
        provider: ProviderSpec,
        *,
        cache: ResponseCache | None = None,
        limits: GatewayLimits | None = None,
        renderer: PromptRenderer | None = None,
        http_client: httpx2.Client | None = None,
        environ: Mapping[str, str] | None = None,
        embedded_server: EmbeddedServer | None = None,
        routes: Mapping[str, ProviderSpec] | None = None,
    ) -> None:
        """Wire the gateway; nothing is started or contacted yet.

        Args:
            provider: Parsed provider, for every template without a route.
            cache: Answer cache (closed by ``close``), or ``None`` to disable caching.
            limits: Budgets, breaker and timeouts.
            renderer: Template renderer; defaults to the ``worldloom.prompts`` package.
            http_client: Custom HTTP transport for the openai client (tests, proxies).
            environ: Environment to read ``OPENAI_API_KEY`` from; defaults to ``os.environ``.
            embedded_server: Server for ``embedded``; defaults to SmolLM2 on one thread.
            routes: Provider per template name (content type), e.g. lore to a large model.

        Raises:
            ProviderConfigError: If a hosted provider is chosen without its key.
        """
        self._limits = limits or GatewayLimits()
        clock = StageClock(self._limits.deadline_s)
        by_label: dict[str, Route] = {}

        def route_for(spec: ProviderSpec) -> Route:
            if spec.label not in by_label:
                by_label[spec.label] = Route(
                    provider=spec,
                    connection=self._connect(spec, http_client, environ, embedded_server, clock),
                    breaker=CircuitBreaker(
                        threshold=self._limits.breaker_threshold,
                        cooldown_s=self._limits.breaker_cooldown_s,
                    ),
                )
            return by_label[spec.label]

        default = route_for(provider)
        self._router = EntityRouter(
            default,
            routes={name: route_for(spec) for name, spec in (routes or {}).items()},
            renderer=renderer or PromptRenderer(),
            cache=cache,
            budget=RunBudget(max_calls=self._limits.max_calls, max_tokens=self._limits.max_tokens),
            clock=clock,
        )

    def _connect(
        self,
        provider: ProviderSpec,
        http_client: httpx2.Client | None,
        environ: Mapping[str, str] | None,
        embedded_server: EmbeddedServer | None,
        clock: StageClock,
    ) -> ProviderConnection | None:
        if provider.kind == "none":
            return None
        return ProviderConnection(
            provider,
            api_key=read_api_key(provider, environ=environ),  # fails fast on a missing key
            timeout_s=self._limits.timeout_s or provider.timeout_s,
            http_retries=(
                provider.http_retries
                if self._limits.http_retries is None
                else self._limits.http_retries
            ),
            http_client=http_client,
            embedded_server=embedded_server,
            clock=clock,
        )

    @property
    def provider(self) -> ProviderSpec:
        """The provider this gateway calls."""
        return self._router.provider

    @property
    def embedded_server(self) -> EmbeddedServer | None:
        """The embedded llama.cpp server, if the provider is ``embedded``."""
        connection = self._router.connection
        return connection.server if connection is not None else None

    def generate(
        self,
        spec: PromptSpec[FactsT, ResponseT],
        facts: FactsT,
        *,
        fallback: Callable[[], ResponseT],
        seed: int = 0,
    ) -> Generated[ResponseT]:
        """Produce one validated value: from the cache, the provider, or ``fallback``.

        Args:
            spec: Prompt contract.
            facts: Template inputs (also the source of the validation context).
            fallback: Procedural writer, called only when the LLM path yields nothing valid.
            seed: Sampling seed; derive it from the entity's stable key for reproducibility.

        Returns:
            The value and its call record (also kept for ``drain_records``).

        Raises:
            PromptRenderingError: If the template or facts are wrong (a bug, not an LLM issue).
        """
        started = time.perf_counter()
        router = self._router
        item = router.prepare(spec, facts, seed)
        if item.route.connection is None:
            return router.fall_back(item, fallback, started, "llm_disabled", "provider none")
        with router.key_lock(item.key):
            hit = router.lookup(item)
            if hit is not None:
                return router.finish(item, hit, started, outcome="cache")
            return router.call(item, fallback, started, reserved=False)

    def generate_many(
        self,
        spec: PromptSpec[FactsT, ResponseT],
        requests: Sequence[GenerationRequest[FactsT, ResponseT]],
        *,
        max_workers: int | None = None,
    ) -> list[Generated[ResponseT]]:
        """Generate a batch with bounded concurrency; results come back in input order.

        Which requests get a provider call under a call budget is decided in input order,
        and identical requests are sent once, so the outcome does not depend on thread
        timing (given a deterministic provider).

        Args:
            spec: Prompt contract shared by the batch.
            requests: Per-entity facts, fallbacks and seeds.
            max_workers: Threads; defaults to ``GatewayLimits.max_workers``.

        Returns:
            One ``Generated`` per request, in the same order.
        """
        router = self._router
        started = time.perf_counter()
        items = [router.prepare(spec, r.facts, r.seed) for r in requests]
        if items and items[0].route.connection is None:
            return [
                router.fall_back(item, r.fallback, started, "llm_disabled", "provider none")
                for item, r in zip(items, requests, strict=True)
            ]
        results: list[Generated[ResponseT] | None] = [None] * len(items)
        leaders: dict[str, int] = {}
        reserved: dict[int, bool] = {}
        for index, item in enumerate(items):
            if item.key in leaders:
                continue
            hit = router.lookup(item)
            if hit is not None:
                results[index] = router.finish(item, hit, started, outcome="cache")
                continue
            leaders[item.key] = index
            reserved[index] = router.budget.try_reserve_call()

        def run_leader(index: int) -> Generated[ResponseT]:
            return self._run_reserved(items[index], requests[index], reserved[index], started)

        workers = max(1, max_workers or self._limits.max_workers)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm") as pool:
            for index, result in zip(
                leaders.values(), pool.map(run_leader, leaders.values()), strict=True
            ):
                results[index] = result
        for index, item in enumerate(items):
            if results[index] is None:
                leader = results[leaders[item.key]]
                assert leader is not None
                results[index] = self._follow(item, leader, requests[index], started)
        return [result for result in results if result is not None]

    def drain_records(self) -> list[CallRecord]:
        """Return the call records kept since the last drain (in completion order); clear them."""
        return self._router.drain()

    def status(self, *, probe_timeout_s: float = 2.0) -> LLMStatus:
        """Probe the provider and summarise the cache and this run.

        For ``embedded`` the probe starts the server (``close`` stops it); for ``ollama`` and
        ``openai`` it lists the server's models with a short timeout.
        """
        router = self._router
        if router.connection is None:
            reachable, detail = True, "procedural writers only"
        else:
            reachable, detail = router.connection.probe(timeout_s=probe_timeout_s)
        for template, route in sorted(router.routes.items()):
            detail += f"; {template} -> {route.provider.label}"
        stats = router.cache.stats() if router.cache is not None else None
        with router.records_lock:
            outcomes = dict(router.outcomes)
            reasons = {str(reason): n for reason, n in router.reasons.items()}
        return LLMStatus(
            provider=router.provider.label,
            model=router.provider.model,
            reachable=reachable,
            detail=detail,
            cache_dir=str(router.cache.directory) if router.cache is not None else None,
            cache_entries=stats.entries if stats else 0,
            cache_hits=stats.hits if stats else 0,
            cache_misses=stats.misses if stats else 0,
            calls=sum(outcomes.values()),
            fallbacks=outcomes.get("fallback", 0),
            fallback_reasons=reasons,
            breaker_open=any(r.breaker.is_open for r in router.all_routes()),
            calls_used=router.budget.calls_used,
            tokens_used=router.budget.tokens_used,
        )

    def pull(self, *, progress: Callable[[str], None]) -> None:
        """Have the default provider (an Ollama model) download its model.

        Raises:
            ProviderCallError: If the provider is not Ollama, or the pull fails.
        """
        connection = self._router.connection
        if connection is None:
            raise ProviderCallError("llm_disabled", "provider none has no model to pull")
        connection.pull(progress=progress)

    def local_models(self) -> list[str]:
        """The models the default provider's Ollama server has.

        Raises:
            ProviderCallError: If the provider is not Ollama, or the server cannot be asked.
        """
        connection = self._router.connection
        if connection is None:
            raise ProviderCallError("llm_disabled", "provider none has no models")
        return connection.ollama().local_models()

    def close(self) -> None:
        """Stop the embedded server, close the HTTP clients and the cache (idempotent)."""
        for route in self._router.all_routes():
            if route.connection is not None:
                route.connection.close()
        if self._router.cache is not None:
            self._router.cache.close()

    def __enter__(self) -> LLMGateway:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _run_reserved(
        self,
        item: PreparedRequest[ResponseT],
        request: GenerationRequest[FactsT, ResponseT],
        reserved: bool,
        started: float,
    ) -> Generated[ResponseT]:
        router = self._router
        with router.key_lock(item.key):
            # Another thread's generate() may have answered this key since the batch lookup.
            hit = router.lookup(item, count=False)
            if hit is not None:
                if reserved:
                    router.budget.release_call()
                return router.finish(item, hit, started, outcome="cache")
            if not reserved:
                return router.fall_back(item, request.fallback, started, "budget", "call budget")
            return router.call(item, request.fallback, started, reserved=True)

    def _follow(
        self,
        item: PreparedRequest[ResponseT],
        leader: Generated[ResponseT],
        request: GenerationRequest[FactsT, ResponseT],
        started: float,
    ) -> Generated[ResponseT]:
        # A duplicate of a request earlier in the batch shares its fate without another call.
        reason = leader.record.fallback_reason
        if reason is not None:
            return self._router.fall_back(
                item, request.fallback, started, reason, "same request as an earlier one"
            )
        return self._router.finish(item, leader.value, started, outcome="cache")


def open_gateway(
    provider: str,
    *,
    cache_dir: Path | None,
    limits: GatewayLimits | None = None,
    http_client: httpx2.Client | None = None,
    environ: Mapping[str, str] | None = None,
    routes: Mapping[str, str] | None = None,
) -> LLMGateway:
    """Build a gateway from a provider string, per-template routes and a cache folder.

    Args:
        provider: One of `PROVIDER_FORMS` (``embedded``, ``ollama/MODEL``...).
        routes: Provider string per template name, overriding `provider` for that template.
        cache_dir: Cache folder (e.g. ``$WORLDLOOM_HOME/llm-cache``), or ``None`` for no cache.
        limits: Budgets, breaker and timeouts.
        http_client: Custom HTTP transport (tests, proxies).
        environ: Environment for URLs and ``OPENAI_API_KEY``; defaults to ``os.environ``.

    Returns:
        A gateway that owns its cache and (for ``embedded``) its server.

    Raises:
        ProviderConfigError: On an unknown provider string or template, or a missing key.
    """
    spec = parse_provider(provider, environ=environ)
    routed = {
        template: parse_provider(text, environ=environ) for template, text in (routes or {}).items()
    }
    cache = ResponseCache(cache_dir) if cache_dir is not None else None
    try:
        return LLMGateway(
            spec,
            cache=cache,
            limits=limits,
            http_client=http_client,
            environ=environ,
            routes=routed,
        )
    except Exception:
        if cache is not None:
            cache.close()
        raise
