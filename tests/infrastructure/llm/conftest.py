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
from worldloom.prompts.region import RegionFacts, RegionText

TEST_PROVIDER = ProviderSpec(kind="ollama", model="test-model", base_url="http://llm.test/v1")

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
    """A forest region with two neighbours and a river."""
    return RegionFacts(
        biome="temperate forest",
        climate="mild and wet",
        danger_level=3,
        neighbours=("Ashvale", "Greymoor"),
        rivers=("Silverrun",),
        resources=("timber",),
    )


VALID = {
    "name": "Emberfall",
    "description": "Emberfall is a land of warm forests and slow hills. "
    "The Silverrun winds past Ashvale to the north.",
}
REAL_WORLD = {
    "name": "Emberfall",
    "description": "Emberfall is a land of warm forests like Southern China. Its hills are green.",
}


def procedural() -> RegionText:
    """The stand-in procedural writer."""
    return RegionText(name="Quietmoor", description="A quiet land of low hills. Nothing stirs.")


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
        gateway = LLMGateway(
            TEST_PROVIDER,
            cache=ResponseCache(cache_dir) if cache_dir is not None else None,
            limits=GatewayLimits(**limits),  # type: ignore[arg-type]  # test-only passthrough
            http_client=endpoint.client(),
        )
        opened.append(gateway)
        return gateway

    yield make
    for gateway in opened:
        gateway.close()
