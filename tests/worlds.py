"""Worlds built in-process from the systems (no Prefect, no store), for tests that need one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from worldloom.systems.region import (
    RegionMap,
    WaterNames,
    generate_regions,
    name_waters,
    rivers_by_region,
)
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import Terrain, generate_terrain
from worldloom.tasks import catalog
from worldloom.tasks.regions import write_prose


@dataclass(frozen=True)
class BuiltWorld:
    """What the terrain and regions stages would store, before it is laid out in tables."""

    name: str
    terrain: Terrain
    regions: RegionMap
    waters: WaterNames
    region_rivers: list[tuple[int, ...]]
    descriptions: list[str]
    lore: str


def build_world(
    seed: int,
    *,
    name: str = "Golden",
    overrides: dict[str, Any] | None = None,
    region_count: int | None = None,
) -> BuiltWorld:
    """Terrain, water names, regions and their prose for a tiny-preset world."""
    config = catalog.world_config(preset="tiny", seed=seed, overrides=overrides)
    seeds = Seeds(seed)
    biomes = catalog.biome_table()
    terrain = generate_terrain(config.terrain, seeds=seeds, biomes=biomes)
    waters = name_waters(
        terrain,
        seeds=seeds,
        biomes=biomes,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    regions = generate_regions(
        terrain,
        seeds=seeds,
        biomes=biomes,
        count=region_count or config.regions.count,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    region_rivers = rivers_by_region(terrain, regions.cell_region)
    descriptions, lore = write_prose(
        world_name=name,
        seeds=seeds,
        terrain=terrain,
        region_map=regions,
        region_rivers=region_rivers,
        river_names=dict(enumerate(waters.rivers)),
    )
    return BuiltWorld(name, terrain, regions, waters, region_rivers, descriptions, lore)
