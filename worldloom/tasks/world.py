"""Tasks that create a world record and read it back for later stages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import (
    StoreError,
    UnknownWorldError,
    WorldStore,
    describe_tables,
    open_store,
)
from worldloom.systems.world import WorldConfig
from worldloom.systems.world_generation import Terrain
from worldloom.tasks import catalog
from worldloom.tasks.tables import biome_rows, calendar_rows, terrain_from_rows


@dataclass(frozen=True, slots=True)
class WorldRecord:
    """A world's identity and config as stored."""

    world_id: str
    name: str
    config: WorldConfig
    tick: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> WorldRecord:
        """The record a `worlds` row (with its `world_id`, which the store's reads leave out) or
        `as_row`'s copy of one holds."""
        return cls(
            world_id=row["world_id"],
            name=row["name"],
            config=WorldConfig.model_validate_json(row["config_json"]),
            tick=row["tick"],
        )

    def as_row(self) -> dict[str, Any]:
        """The record as a `worlds` row's fields (`from_row` reads it back)."""
        return {
            "world_id": self.world_id,
            "name": self.name,
            "config_json": self.config.model_dump_json(),
            "tick": self.tick,
        }


def world_db(home: str, world_id: str) -> Path:
    return Settings(home=Path(home)).world_db(world_id)


def load_world(store: WorldStore, world_id: str) -> WorldRecord:
    """Read the world row.

    Raises:
        UnknownWorldError: the database holds no such world.
    """
    rows = store.read("worlds", world_id)
    if rows.height == 0:
        raise UnknownWorldError(f"no world {world_id!r} in {store.path}")
    return WorldRecord.from_row(rows.row(0, named=True) | {"world_id": world_id})


def load_terrain(store: WorldStore, world: WorldRecord) -> Terrain:
    """Rebuild the stored terrain a later stage works on.

    Raises:
        StoreError: the world has no terrain yet.
    """
    cells = store.read("cells", world.world_id)
    if cells.height == 0:
        raise StoreError(
            f"world {world.world_id!r} has no terrain yet: run the terrain stage first"
        )
    return terrain_from_rows(
        cells,
        store.read("rivers", world.world_id),
        store.read("lakes", world.world_id),
        width_km=world.config.terrain.width_km,
        height_km=world.config.terrain.height_km,
    )


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
