"""The regions stage task: named regions over the stored terrain, and the location tree."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import open_store
from worldloom.systems.places import build_location_tree
from worldloom.systems.prose import describe_region, write_world_lore
from worldloom.systems.region import RegionMap, generate_regions, rivers_by_region
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import Terrain
from worldloom.tasks import catalog
from worldloom.tasks.stages import downstream_tables
from worldloom.tasks.tables import (
    cell_rows,
    location_rows,
    prose_baseline_rows,
    region_rows,
)
from worldloom.tasks.world_record import load_terrain, load_world, world_db


@task(name="generate-regions", cache_policy=NO_CACHE)
def generate_regions_stage(*, home: str, world_id: str) -> dict[str, int]:
    """Generate regions on the stored terrain; rewrites cells with their region ids."""
    path = world_db(home, world_id)
    with open_store(path) as store:
        world = load_world(store, world_id)
        terrain = load_terrain(store, world)
        rivers = store.read("rivers", world_id)
        worlds = store.read("worlds", world_id)
    region_map = generate_regions(
        terrain,
        seeds=Seeds(world.config.seed),
        biomes=catalog.biome_table(),
        count=world.config.regions.count,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    region_rivers = rivers_by_region(terrain, region_map.cell_region)
    descriptions, lore = write_prose(
        world_name=world.name,
        seeds=Seeds(world.config.seed),
        terrain=terrain,
        region_map=region_map,
        region_rivers=region_rivers,
        river_names=dict(zip(rivers["river_id"], rivers["name"], strict=True)),
    )
    tree = build_location_tree(
        world_name=world.name,
        region_names=[region.name for region in region_map.regions],
        cell_region=region_map.cell_region,
    )
    with open_store(path) as store:
        written = store.replace_rows(
            world_id,
            {
                "cells": cell_rows(terrain, region_map.cell_region),
                "regions": region_rows(region_map, descriptions=descriptions, rivers=region_rivers),
                "locations": location_rows(tree),
                "worlds": worlds.with_columns(pl.lit(lore).alias("lore")),
                "prose_baseline": prose_baseline_rows(region_map, descriptions, world.name, lore),
            },
            # Places and people stand on regions: new regions leave them stale.
            clear=downstream_tables("regions"),
        )
    get_run_logger().info("regions: %d regions", len(region_map.regions))
    return written


def write_prose(
    *,
    world_name: str,
    seeds: Seeds,
    terrain: Terrain,
    region_map: RegionMap,
    region_rivers: list[tuple[int, ...]],
    river_names: Mapping[int, str],
) -> tuple[list[str], str]:
    """Procedural region descriptions and world lore (an LLM may rewrite them later)."""
    regions = region_map.regions
    descriptions = [
        describe_region(
            region,
            biome_key=catalog.biome_table().by_id(region.dominant_biome_id).key,
            river_names=[river_names[r] for r in rivers],
            neighbour_names=[regions[n].name for n in region.neighbors],
            templates=catalog.prose_templates(),
            seeds=seeds,
        )
        for region, rivers in zip(regions, region_rivers, strict=True)
    ]
    longest = max(terrain.rivers, key=lambda r: (r.length_km, -r.river_id), default=None)
    lore = write_world_lore(
        world_name=world_name,
        region_names=[region.name for region in regions],
        longest_river=None
        if longest is None
        else (river_names[longest.river_id], longest.length_km),
        era=catalog.calendar().era,
        templates=catalog.prose_templates(),
        seeds=seeds,
    )
    return descriptions, lore
