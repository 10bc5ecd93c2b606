"""The people stage task: cultures, religions, population, NPCs, factions and diplomacy."""

from __future__ import annotations

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import StoreError, open_store
from worldloom.systems.people import People, PeopleTables, generate_people
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.stages import downstream_tables
from worldloom.tasks.tables import region_map_from_rows
from worldloom.tasks.world import load_world, world_db


@task(name="generate-people", cache_policy=NO_CACHE)
def generate_people_stage(*, home: str, world_id: str) -> dict[str, int]:
    """Populate the stored settlements: who lives there, what they believe, who rules."""
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        world = load_world(store, world_id)
        cells = store.read("cells", world_id)
        regions = store.read("regions", world_id)
        settlements = store.read("settlements", world_id)
        pois = store.read("pois", world_id)
    if settlements.height == 0:
        raise StoreError(f"world {world_id!r} has no settlements yet: run the places stage first")
    people = generate_people(
        region_map_from_rows(cells, regions),
        regions=regions,
        settlements=settlements,
        pois=pois,
        seeds=Seeds(world.config.seed),
        tables=people_tables(),
        npcs=world.config.population.npcs,
    )
    with open_store(path) as store:
        written = store.replace_rows(
            world_id,
            people_rows(people, settlements=settlements),
            # The economy stands on the population: a new one leaves its markets stale.
            clear=downstream_tables("people"),
        )
    get_run_logger().info(
        "people: %d cultures, %d religions, %d NPCs, %d factions",
        written["cultures"],
        written["religions"],
        written["npcs"],
        written["factions"],
    )
    return written


def people_tables() -> PeopleTables:
    return PeopleTables(
        characters=catalog.character_table(),
        cultures=catalog.culture_rules(),
        religions=catalog.religion_table(),
        factions=catalog.faction_table(),
        biomes=catalog.biome_table(),
        name_bases=catalog.name_bases(),
        prose=catalog.prose_templates(),
    )


GENERATED = pl.lit(0, dtype=pl.Int64).alias("tick")
"""The tick the generated world's rows describe: its first day (simulate moves it on)."""


def people_rows(people: People, *, settlements: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The stage's tables; settlements (the places stage's) gain their text here, which needs
    faith and rule."""
    prose = people.prose
    return {
        "settlements": settlements.with_columns(pl.Series("description", prose.settlements)),
        "cultures": people.cultures.table(),
        "region_cultures": people.cultures.regions(),
        "religions": people.religions.religions.with_columns(
            pl.Series("description", prose.religions)
        ),
        "deities": people.religions.deities,
        "holy_sites": people.religions.holy_sites,
        "religion_shares": people.religions.shares,
        "religion_relations": people.religions.relations,
        "population_groups": people.population.with_columns(GENERATED),
        "npcs": people.npcs.with_columns(GENERATED),
        "notable_bios": prose.bios,
        "factions": people.factions.factions.with_columns(
            pl.Series("description", prose.factions), GENERATED
        ),
        # A province is its region: its name lives there (and follows LLM renames).
        "provinces": people.factions.provinces.drop("name").with_columns(GENERATED),
        "diplomacy": people.diplomacy.pairs.with_columns(GENERATED),
        "people_prose_baseline": prose.baseline,
    }
