"""The terrain stage task: mesh, heightmap, climate, rivers, lakes and biomes for a world."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import open_store
from worldloom.systems.region import name_waters
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import generate_terrain
from worldloom.tasks import catalog
from worldloom.tasks.stages import downstream_tables
from worldloom.tasks.tables import cell_rows, lake_rows, river_rows
from worldloom.tasks.world_record import load_world, world_db


@task(name="generate-terrain", cache_policy=NO_CACHE)
def generate_terrain_stage(*, home: str, world_id: str) -> dict[str, int]:
    """Generate and store the terrain; regions built on an older terrain are cleared."""
    path = world_db(home, world_id)
    with open_store(path) as store:
        world = load_world(store, world_id)
    seeds = Seeds(world.config.seed)
    terrain = generate_terrain(world.config.terrain, seeds=seeds, biomes=catalog.biome_table())
    names = name_waters(
        terrain,
        seeds=seeds,
        biomes=catalog.biome_table(),
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    with open_store(path) as store:
        written = store.replace_rows(
            world_id,
            {
                "cells": cell_rows(terrain),
                "rivers": river_rows(terrain.rivers, names.rivers),
                "lakes": lake_rows(terrain.lakes, names.lakes),
            },
            clear=downstream_tables("terrain"),
        )
    land = float(terrain.is_land.mean())
    get_run_logger().info(
        "terrain: %d cells (%.0f%% land), %d rivers, %d lakes",
        terrain.mesh.size,
        100 * land,
        len(terrain.rivers),
        len(terrain.lakes),
    )
    return written
