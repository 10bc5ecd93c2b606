"""The task that creates a world record (`tasks.world_record` reads it back)."""

from __future__ import annotations

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import describe_tables, open_store
from worldloom.systems.world import WorldConfig
from worldloom.tasks import catalog
from worldloom.tasks.tables import biome_rows, calendar_rows
from worldloom.tasks.world_record import world_db


@task(name="create-world", cache_policy=NO_CACHE)
def create_world(*, home: str, world_id: str, name: str, config_json: str) -> str:
    """Write the world row and its reference tables, replacing whatever the world held."""
    config = WorldConfig.model_validate_json(config_json)
    world = pl.DataFrame(
        {
            "name": [name],
            "seed": [config.seed],
            "preset": [config.preset],
            "config_json": [config.model_dump_json()],
            "config_hash": [config.config_hash()],
            "width_km": [config.terrain.width_km],
            "height_km": [config.terrain.height_km],
            "tick": [0],
            "lore": [""],
        },
        schema_overrides={"seed": pl.UInt64},
    )
    with open_store(world_db(home, world_id)) as store:
        # A regenerated world starts from nothing; its run history (provenance) stays.
        store.replace_rows(
            world_id,
            {
                "worlds": world,
                "biomes": biome_rows(catalog.biome_table()),
                "calendar_months": calendar_rows(catalog.calendar()),
            },
            clear=describe_tables(),
        )
    get_run_logger().info(
        "world %s (%s), preset %s, seed %d", world_id, name, config.preset, config.seed
    )
    return world_id
