"""The gear stage task: magic, equipment, inventories, merchants' stock, artifacts, loot,
encounters and stat blocks over the stored people, places and markets."""

from __future__ import annotations

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import StoreError, open_store, table_frame
from worldloom.systems.gear import Gear, GearTables, GearWorld, generate_gear
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.stages import STAGE_TABLES, downstream_tables
from worldloom.tasks.world_record import load_world, world_db

_READS = (
    "npcs",
    "settlements",
    "pois",
    "sublocations",
    "regions",
    "cultures",
    "deities",
    "holy_sites",
    "markets",
    "market_goods",
)
"""What the stage stands on, in `GearWorld`'s order."""


@task(name="generate-gear", cache_policy=NO_CACHE)
def generate_gear_stage(*, home: str, world_id: str) -> dict[str, int]:
    """Equip, pack and empower the stored NPCs; fill the rooms; set the monsters."""
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        world = load_world(store, world_id)
        frames = {name: store.read(name, world_id) for name in _READS}
    # A desecrated holy site (simulate's `keep_faiths`) draws no casters until consecrated again.
    frames["holy_sites"] = frames["holy_sites"].filter(pl.col("desecrated_tick").is_null())
    if frames["markets"].height == 0:
        raise StoreError(f"world {world_id!r} has no markets yet: run the economy stage first")
    gear = generate_gear(
        GearWorld(**frames, tick=world.tick),
        seeds=Seeds(world.config.seed),
        tables=gear_tables(),
    )
    with open_store(path) as store:
        written = store.replace_rows(world_id, gear_rows(gear), clear=downstream_tables("gear"))
    get_run_logger().info(
        "gear: %d NPCs equipped, %d casters, %d loot lots, %d encounters, %d artifacts",
        written["stat_blocks"],
        written["casters"],
        written["poi_loot"],
        written["encounters"],
        written["artifacts"],
    )
    return written


def gear_tables() -> GearTables:
    return GearTables(
        goods=catalog.goods_table(),
        gear=catalog.gear_table(),
        loot=catalog.loot_table(),
        magic=catalog.magic_table(),
        combat=catalog.combat_rulebook(),
        name_bases=catalog.name_bases(),
        days_per_year=catalog.calendar().days_per_year,
    )


def gear_rows(gear: Gear) -> dict[str, pl.DataFrame]:
    """The stage's tables in their declared row shapes."""
    return {name: table_frame(name, getattr(gear, name).to_dict()) for name in STAGE_TABLES["gear"]}
