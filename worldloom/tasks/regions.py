"""The regions stage task: named regions over the stored terrain, and the location tree."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import StoreError, open_store
from worldloom.systems.location import build_location_tree
from worldloom.systems.region import generate_regions
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.tables import (
    cell_rows,
    location_rows,
    region_rows,
    terrain_from_rows,
)
from worldloom.tasks.world import load_world, world_db


@task(name="generate-regions", cache_policy=NO_CACHE)
def generate_regions_stage(*, home: str, world_id: str) -> dict[str, int]:
    """Generate regions on the stored terrain; rewrites cells with their region ids."""
    path = world_db(home, world_id)
    with open_store(path) as store:
        world = load_world(store, world_id)
        cells = store.read("cells", world_id)
        if cells.height == 0:
            raise StoreError(f"world {world_id!r} has no terrain yet: run the terrain stage first")
        terrain = terrain_from_rows(
            cells,
            store.read("rivers", world_id),
            store.read("lakes", world_id),
            width_km=world.config.terrain.width_km,
            height_km=world.config.terrain.height_km,
        )
    region_map = generate_regions(
        terrain,
        seeds=Seeds(world.config.seed),
        biomes=catalog.biome_table(),
        count=world.config.regions.count,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
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
                "regions": region_rows(region_map),
                "locations": location_rows(tree),
            },
        )
    get_run_logger().info("regions: %d regions", len(region_map.regions))
    return written
