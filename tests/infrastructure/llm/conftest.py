"""Fixtures for LLM-layer tests: region facts, valid answers and a scripted gateway factory."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.infrastructure.llm.scripted import ScriptedEndpoint
from worldloom.infrastructure.llm import (
    GatewayLimits,
    LLMGateway,
    ProviderSpec,
    ResponseCache,
)
from worldloom.prompts.region import RegionColour, RegionFacts

TEST_PROVIDER = ProviderSpec(kind="openai", model="test-model", base_url="http://llm.test/v1")
"""An OpenAI-compatible endpoint (its key comes from `TEST_ENVIRON`); SDK retries are off
unless a test asks for them."""
TEST_ENVIRON = {"OPENAI_API_KEY": "sk-test-secret"}

GatewayFactory = Callable[..., LLMGateway]


@pytest.fixture(autouse=True)
def _quiet_instructor() -> Iterator[None]:
    # instructor logs every exhausted retry at ERROR with a traceback; failures are the point
    # of these tests.
    logger = logging.getLogger("instructor")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def facts() -> RegionFacts:
    """A forest region with two neighbours, a river and two names to choose from."""
    return RegionFacts(
        biome="temperate forest",
        climate="mild and wet",
        danger_level=3,
        neighbours=("Ashvale", "Greymoor"),
        rivers=("Silverrun",),
        resources=("timber",),
        entry="Emberfall is a small mild land of broadleaf woods. The Silverrun runs through it.",
        name_candidates=("Emberfall", "Ember Vale"),
    )


VALID = {"name": 2, "mood": "misty", "sound": "birdsong", "smell": "moss"}
"""An answer the facts above allow."""
REAL_WORLD = {"name": 1, "mood": "misty", "sound": "birdsong", "smell": "hot stone"}
"""An answer the facts above refuse: hot stone does not fit a wet forest."""


def colour(mood: str) -> dict[str, object]:
    """Another valid answer, told apart by its mood."""
    return {**VALID, "mood": mood}


def procedural() -> RegionColour:
    """The stand-in procedural writer."""
    return RegionColour.model_construct(name=1, mood="quiet", sound="birdsong", smell="moss")


@pytest.fixture
def make_gateway(tmp_path: Path) -> Iterator[GatewayFactory]:
    """Build gateways over a scripted endpoint and a per-test cache; closes them afterwards."""
    opened: list[LLMGateway] = []

    def make(
        endpoint: ScriptedEndpoint,
        *,
        cache_dir: Path | None = tmp_path / "llm-cache",
        **limits: object,
    ) -> LLMGateway:
        limits.setdefault("http_retries", 0)
        gateway = LLMGateway(
            TEST_PROVIDER,
            cache=ResponseCache(cache_dir) if cache_dir is not None else None,
            limits=GatewayLimits(**limits),  # type: ignore[arg-type]  # test-only passthrough
            http_client=endpoint.client(),
            environ=TEST_ENVIRON,
        )
        opened.append(gateway)
        return gateway

    yield make
    for gateway in opened:
        gateway.close()
