"""A world's record (its `worlds` row) and the readers later stages start from: the world, its
terrain, and where its file lies.

No Prefect here: a run's side processes (`tasks.story_year`) import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import StoreError, UnknownWorldError, WorldStore
from worldloom.systems.world import WorldConfig
from worldloom.systems.world_generation import Terrain
from worldloom.tasks.tables import terrain_from_rows


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
