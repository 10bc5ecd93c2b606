"""Procedural text is every LLM call's fallback, so it must fit the same response models."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.prompts.lore import WorldLore
from worldloom.prompts.region import RegionText
from worldloom.systems.hydronym import name_waters
from worldloom.systems.prose import REGION_DESCRIPTION_MAX, WORLD_LORE_MAX
from worldloom.systems.region import REGION_NAME_MAX, generate_regions, rivers_by_region
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import generate_terrain
from worldloom.tasks import catalog
from worldloom.tasks.regions import write_prose


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


@given(
    seed=st.integers(min_value=0, max_value=2**40),
    template=st.sampled_from(["continents", "archipelago", "pangea", "inland_sea"]),
    count=st.integers(min_value=4, max_value=60),
)
@settings(max_examples=12, deadline=None)
def test_every_procedural_region_text_validates(seed: int, template: str, count: int) -> None:
    config = catalog.world_config(
        preset="tiny", seed=seed, overrides={"terrain.cells": 3_000, "terrain.template": template}
    )
    seeds = Seeds(seed)
    terrain = generate_terrain(config.terrain, seeds=seeds, biomes=catalog.biome_table())
    regions = generate_regions(
        terrain,
        seeds=seeds,
        biomes=catalog.biome_table(),
        count=count,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    names = name_waters(
        terrain,
        seeds=seeds,
        biomes=catalog.biome_table(),
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    descriptions, lore = write_prose(
        world_name="Vellmar",
        seeds=seeds,
        terrain=terrain,
        region_map=regions,
        region_rivers=rivers_by_region(terrain, regions.cell_region),
        river_names=dict(enumerate(names.rivers)),
    )
    for region, description in zip(regions.regions, descriptions, strict=True):
        RegionText(name=region.name, description=description)
    WorldLore(world_name="Vellmar", lore=lore)
    assert pl.Series([r.name for r in regions.regions]).n_unique() == len(regions.regions)
