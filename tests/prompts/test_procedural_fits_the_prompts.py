"""Procedural text is every LLM call's fallback, so it must fit the same response models."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.worlds import build_world
from worldloom.prompts.description import DescriptionText
from worldloom.prompts.lore import WorldLore
from worldloom.prompts.notable import NotableBio
from worldloom.prompts.region import RegionText
from worldloom.systems.prose import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    NOTABLE_BIO_MAX,
    REGION_DESCRIPTION_MAX,
    WORLD_LORE_MAX,
)
from worldloom.systems.region import REGION_NAME_MAX


def test_bounds_agree_with_the_response_models() -> None:
    fields = RegionText.model_fields
    assert any(getattr(m, "max_length", None) == REGION_NAME_MAX for m in fields["name"].metadata)
    assert any(
        getattr(m, "max_length", None) == REGION_DESCRIPTION_MAX
        for m in fields["description"].metadata
    )
    assert any(
        getattr(m, "max_length", None) == WORLD_LORE_MAX
        for m in WorldLore.model_fields["lore"].metadata
    )


def test_description_bounds_agree_with_the_response_models() -> None:
    """Settlement, faction and religion descriptions and notable biographies (the flow tests
    validate real ones)."""
    for field, (low, high) in (
        (DescriptionText.model_fields["description"], (DESCRIPTION_MIN, DESCRIPTION_MAX)),
        (NotableBio.model_fields["biography"], (DESCRIPTION_MIN, NOTABLE_BIO_MAX)),
    ):
        assert any(getattr(m, "min_length", None) == low for m in field.metadata)
        assert any(getattr(m, "max_length", None) == high for m in field.metadata)


@given(
    seed=st.integers(min_value=0, max_value=2**40),
    template=st.sampled_from(["continents", "archipelago", "pangea", "inland_sea"]),
    count=st.integers(min_value=4, max_value=60),
)
@settings(max_examples=12, deadline=None)
def test_every_procedural_region_text_validates(seed: int, template: str, count: int) -> None:
    world = build_world(
        seed,
        name="Vellmar",
        overrides={"terrain.cells": 3_000, "terrain.template": template},
        region_count=count,
    )
    regions, descriptions, lore = world.regions, world.descriptions, world.lore
    for region, description in zip(regions.regions, descriptions, strict=True):
        RegionText(name=region.name, description=description)
    WorldLore(world_name="Vellmar", lore=lore)
    assert pl.Series([r.name for r in regions.regions]).n_unique() == len(regions.regions)
