"""The world itself: its config and identity (name, id) and its calendar (time)."""

from __future__ import annotations

from worldloom.systems.world.config import (
    ConfigError,
    HeightmapTemplate,
    TerrainConfig,
    WorldConfig,
    check_world_name,
    config_keys,
    name_world,
    resolve_config,
    world_id_for,
)
from worldloom.systems.world.time import Calendar, Date

__all__ = [
    "Calendar",
    "ConfigError",
    "Date",
    "HeightmapTemplate",
    "TerrainConfig",
    "WorldConfig",
    "check_world_name",
    "config_keys",
    "name_world",
    "resolve_config",
    "world_id_for",
]
