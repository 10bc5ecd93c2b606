"""LLM layer: one gateway from prompt templates to validated pydantic models (DESIGN §5).

Typical use::

    with open_gateway("embedded", cache_dir=home / "llm-cache") as gateway:
        result = gateway.generate(REGION_PROMPT, facts, fallback=lambda: writer(...), seed=s)
        records = gateway.drain_records()  # one CallRecord per generate(), for llm_calls
"""

from __future__ import annotations

from worldloom.infrastructure.llm.cache import CacheStats, ResponseCache, compute_cache_key
from worldloom.infrastructure.llm.client import ProviderCallError
from worldloom.infrastructure.llm.embedded import (
    EmbeddedModelError,
    EmbeddedServer,
    locate_model_file,
)
from worldloom.infrastructure.llm.gateway import (
    GatewayLimits,
    GenerationRequest,
    LLMGateway,
    open_gateway,
)
from worldloom.infrastructure.llm.prompt import (
    PromptFacts,
    PromptRenderer,
    PromptRenderingError,
    PromptSpec,
    RenderedPrompt,
)
from worldloom.infrastructure.llm.provider import (
    PROVIDER_FORMS,
    ProviderConfigError,
    ProviderSpec,
    parse_provider,
)
from worldloom.infrastructure.llm.record import (
    FALLBACK_REASONS,
    CallRecord,
    FallbackReason,
    Outcome,
)
from worldloom.infrastructure.llm.router import Generated
from worldloom.infrastructure.llm.status import LLMStatus

__all__ = [
    "FALLBACK_REASONS",
    "PROVIDER_FORMS",
    "CacheStats",
    "CallRecord",
    "EmbeddedModelError",
    "EmbeddedServer",
    "FallbackReason",
    "GatewayLimits",
    "Generated",
    "GenerationRequest",
    "LLMGateway",
    "LLMStatus",
    "Outcome",
    "PromptFacts",
    "PromptRenderer",
    "PromptRenderingError",
    "PromptSpec",
    "ProviderCallError",
    "ProviderConfigError",
    "ProviderSpec",
    "RenderedPrompt",
    "ResponseCache",
    "compute_cache_key",
    "locate_model_file",
    "open_gateway",
    "parse_provider",
]
