"""The people stage task: cultures, religions, population, NPCs, factions and diplomacy."""

from __future__ import annotations

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import StoreError, open_store
from worldloom.systems.faction import generate_diplomacy, generate_factions
from worldloom.systems.people import (
    generate_cultures,
    generate_npcs,
    generate_population,
    name_pool,
    plan_npcs,
)
from worldloom.systems.prose import write_people_prose
from worldloom.systems.religion import generate_religions
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
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
        stored_settlements = store.read("settlements", world_id)
        stored_pois = store.read("pois", world_id)
    if stored_settlements.height == 0:
        raise StoreError(f"world {world_id!r} has no settlements yet: run the places stage first")
    region_map = region_map_from_rows(cells, regions)
    seeds = Seeds(world.config.seed)
    settlements = stored_settlements.select(
        "settlement_id",
        "region_id",
        "cell_id",
        "name",
        "tier",
        pl.col("population").cast(pl.Int64),
        pl.col("is_port").alias("coastal"),
    )
    # Temples and shrines inside towns are sub-locations; free-standing POIs sit outside any.
    pois = stored_pois.select(
        "poi_id",
        "kind",
        "region_id",
        "cell_id",
        "name",
        pl.lit(-1, dtype=pl.Int32).alias("settlement_id"),
    )
    people = catalog.character_table()
    cultures = generate_cultures(
        region_map,
        seeds=seeds,
        biomes=catalog.biome_table(),
        name_bases=catalog.name_bases(),
        rules=catalog.culture_rules(),
    )
    religions = generate_religions(
        region_map.regions,
        settlements=settlements,
        pois=pois,
        region_cultures=cultures.regions(),
        cultures=cultures.table(),
        seeds=seeds,
        table=catalog.religion_table(),
        name_bases=catalog.name_bases(),
    )
    population = generate_population(
        settlements,
        seeds=seeds,
        region_map=region_map,
        cultures=cultures,
        culture_rules=catalog.culture_rules(),
        table=people,
        religion_shares=religions.shares,
    )
    npcs = generate_npcs(
        settlements,
        population,
        seeds=seeds,
        plan=plan_npcs(settlements, target_npcs=world.config.population.npcs, table=people),
        table=people,
        names=[
            name_pool(c, seeds=seeds, name_bases=catalog.name_bases()) for c in cultures.cultures
        ],
    )
    factions = generate_factions(
        region_map.regions,
        settlements=settlements,
        region_cultures=cultures.regions(),
        cultures=cultures.table(),
        religions=religions,
        npcs=npcs,
        seeds=seeds,
        table=catalog.faction_table(),
        name_bases=catalog.name_bases(),
    )
    diplomacy = generate_diplomacy(
        factions.factions,
        factions.provinces,
        region_map.regions,
        religion_relations=religions.relations,
        seeds=seeds,
    )
    prose = write_people_prose(
        settlements=stored_settlements,
        regions=regions,
        pois=stored_pois,
        religions=religions.religions,
        deities=religions.deities,
        holy_sites=religions.holy_sites,
        shares=religions.shares,
        npcs=npcs,
        factions=factions.factions,
        provinces=factions.provinces,
        templates=catalog.prose_templates(),
        seeds=seeds,
    )
    with open_store(path) as store:
        written = store.replace_rows(
            world_id,
            {
                # Settlements are the places stage's; their text needs faith and rule, so here.
                "settlements": stored_settlements.with_columns(
                    pl.Series("description", prose.settlements)
                ),
                "cultures": cultures.table(),
                "region_cultures": cultures.regions(),
                "religions": religions.religions.with_columns(
                    pl.Series("description", prose.religions)
                ),
                "deities": religions.deities,
                "holy_sites": religions.holy_sites,
                "religion_shares": religions.shares,
                "religion_relations": religions.relations,
                "population_groups": population,
                "npcs": npcs,
                "notable_bios": prose.bios,
                "factions": factions.factions.with_columns(
                    pl.Series("description", prose.factions)
                ),
                # A province is its region: its name lives there (and follows LLM renames).
                "provinces": factions.provinces.drop("name"),
                "diplomacy": diplomacy.pairs,
                "people_prose_baseline": prose.baseline,
            },
        )
    get_run_logger().info(
        "people: %d cultures, %d religions, %d NPCs, %d factions",
        written["cultures"],
        written["religions"],
        written["npcs"],
        written["factions"],
    )
    return written
