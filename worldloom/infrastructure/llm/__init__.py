"""LLM layer: one gateway from prompt templates to validated pydantic models (DESIGN §5).

Typical use::

    with open_gateway("embedded", cache_dir=home / "llm-cache") as gateway:
        result = gateway.generate(REGION_PROMPT, facts, fallback=lambda: writer(...), seed=s)
        rows = records_to_frame(gateway.drain_records())
"""

from __future__ import annotations

from worldloom.infrastructure.llm.cache import CacheStats, ResponseCache, compute_cache_key
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
    ProviderConfigError,
    ProviderSpec,
    parse_provider,
)
from worldloom.infrastructure.llm.record import (
    FALLBACK_REASONS,
    LLM_CALLS_SCHEMA,
    CallRecord,
    FallbackReason,
    Outcome,
    records_to_frame,
)
from worldloom.infrastructure.llm.router import Generated
from worldloom.infrastructure.llm.status import LLMStatus

__all__ = [
    "FALLBACK_REASONS",
    "LLM_CALLS_SCHEMA",
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
    "ProviderConfigError",
    "ProviderSpec",
    "RenderedPrompt",
    "ResponseCache",
    "compute_cache_key",
    "locate_model_file",
    "open_gateway",
    "parse_provider",
    "records_to_frame",
]
