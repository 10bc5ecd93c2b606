"""The people stage's steps as tasks: cultures, religions, population, factions, diplomacy and
their prose (the NPCs are `people_npcs`'); each reads what it needs from the world's store and
saves its own tables, so the UI shows the steps and a killed run resumes between them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import TABLES, StoreError, open_store
from worldloom.systems.faction import Factions, generate_diplomacy, generate_factions
from worldloom.systems.people import (
    Cultures,
    PeopleTables,
    generate_cultures,
    generate_population,
    poi_sites,
    settlement_places,
)
from worldloom.systems.prose import write_people_prose
from worldloom.systems.region import RegionMap
from worldloom.systems.religion import Religions, generate_religions
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.stages import STAGE_TABLES, downstream_tables
from worldloom.tasks.tables import region_map_from_rows
from worldloom.tasks.world_record import WorldRecord, load_world, world_db

GENERATED = pl.lit(0, dtype=pl.Int64).alias("tick")
"""The tick the generated world's rows describe: its first day (simulate moves it on)."""
CULTURE_TABLES = ("cultures", "region_cultures")
"""The tables a `Cultures` is read back from."""
RELIGION_TABLES = ("religions", "deities", "holy_sites", "religion_shares", "religion_relations")
"""The tables a `Religions` is read back from."""


@dataclass(frozen=True, slots=True)
class Stored:
    """A world's record and the rows of the tables a step reads."""

    world: WorldRecord
    rows: Mapping[str, pl.DataFrame]

    @property
    def seeds(self) -> Seeds:
        return Seeds(self.world.config.seed)

    def region_map(self) -> RegionMap:
        return region_map_from_rows(self.rows["cells"], self.rows["regions"])

    def places(self) -> pl.DataFrame:
        return settlement_places(self.rows["settlements"])

    def cultures(self) -> Cultures:
        return Cultures.from_tables(self.rows["cultures"], self.rows["region_cultures"])

    def religions(self) -> Religions:
        """The faiths as `generate_religions` made them (none is -1, as systems say it)."""
        rows = {name: as_made(name, self.rows[name]) for name in RELIGION_TABLES}
        return Religions(
            religions=rows["religions"].drop("description"),
            deities=rows["deities"],
            holy_sites=rows["holy_sites"].drop("desecrated_tick", "desecrated_event_id", "tick"),
            shares=rows["religion_shares"].drop("tick"),
            relations=rows["religion_relations"],
        )

    def factions(self) -> Factions:
        """The powers as `generate_factions` made them: provinces carry their region's name."""
        names = self.rows["regions"].select("region_id", "name")
        return Factions(
            as_made("factions", self.rows["factions"]).drop("description", "tick"),
            as_made("provinces", self.rows["provinces"])
            .drop("tick")
            .join(names, on="region_id", how="left", maintain_order="left")
            .select("region_id", "faction_id", "name", "is_core"),
        )


NOTABLES: Final[Mapping[str, Mapping[str, object]]] = {"npcs": {"notable": True}}
"""Of the NPCs, the notables only: all that factions (their leaders) and prose (their lives)
read of a large world's million people."""


def read_stored(
    home: str,
    world_id: str,
    names: Iterable[str],
    where: Mapping[str, Mapping[str, object]] | None = None,
) -> Stored:
    """The world and the named tables' rows (of a table in `where`, the rows matching it).

    Raises:
        StoreError: the world has no settlements yet (the places stage has not run).
    """
    where = where or {}
    with open_store(world_db(home, world_id), read_only=True) as store:
        world = load_world(store, world_id)
        rows = {
            name: store.read(name, world_id, where=where.get(name))
            for name in ("settlements", *names)
        }
    if rows["settlements"].height == 0:
        raise StoreError(f"world {world_id!r} has no settlements yet: run the places stage first")
    return Stored(world, rows)


def as_made(name: str, rows: pl.DataFrame) -> pl.DataFrame:
    """Stored rows with a null in a nullable integer column back as -1 (a system's "none")."""
    nullable = [c.name for c in TABLES[name].columns if c.nullable and c.dtype.is_integer()]
    return rows.with_columns(pl.col(nullable).fill_null(-1))


def save(
    home: str, world_id: str, frames: Mapping[str, pl.DataFrame], *, clear: Iterable[str] = ()
) -> dict[str, int]:
    """Replace the world's rows of each table in one transaction; returns rows per table."""
    with open_store(world_db(home, world_id)) as store:
        return store.replace_rows(world_id, frames, clear=clear)


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


@task(name="people-cultures", cache_policy=NO_CACHE)
def generate_cultures_step(*, home: str, world_id: str) -> dict[str, int]:
    """Cultures over the regions. The first step: it clears the stage's other tables and all
    that stood on the people, so a stage cut short never leaves old people beside new ones."""
    stored = read_stored(home, world_id, ("cells", "regions"))
    tables = people_tables()
    cultures = generate_cultures(
        stored.region_map(),
        seeds=stored.seeds,
        biomes=tables.biomes,
        name_bases=tables.name_bases,
        rules=tables.cultures,
    )
    frames = {"cultures": cultures.table(), "region_cultures": cultures.regions()}
    others = [name for name in STAGE_TABLES["people"] if name not in frames]
    return save(home, world_id, frames, clear=[*others, *downstream_tables("people")])


@task(name="people-religions", cache_policy=NO_CACHE)
def generate_religions_step(*, home: str, world_id: str) -> dict[str, int]:
    """The faiths: founded, spread over the settlements, and how they regard each other (their
    descriptions come with the prose step)."""
    stored = read_stored(home, world_id, ("cells", "regions", "pois", *CULTURE_TABLES))
    tables = people_tables()
    cultures = stored.cultures()
    religions = generate_religions(
        stored.region_map().regions,
        settlements=stored.places(),
        pois=poi_sites(stored.rows["pois"]),
        region_cultures=cultures.regions(),
        cultures=cultures.table(),
        seeds=stored.seeds,
        table=tables.religions,
        name_bases=tables.name_bases,
    )
    frames = {
        "religions": religions.religions.with_columns(pl.lit("").alias("description")),
        "deities": religions.deities,
        # Kept, as every site begins: simulate desecrates some (`keep_faiths`).
        "holy_sites": religions.holy_sites.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("desecrated_tick"),
            pl.lit(None, dtype=pl.Int64).alias("desecrated_event_id"),
            GENERATED,
        ),
        "religion_shares": religions.shares.with_columns(GENERATED),
        "religion_relations": religions.relations,
    }
    return save(home, world_id, frames)


@task(name="people-population", cache_policy=NO_CACHE)
def generate_population_step(*, home: str, world_id: str) -> dict[str, int]:
    """Everyone, counted (Tier 1)."""
    stored = read_stored(home, world_id, ("cells", "regions", *CULTURE_TABLES, "religion_shares"))
    tables = people_tables()
    population = generate_population(
        stored.places(),
        seeds=stored.seeds,
        region_map=stored.region_map(),
        cultures=stored.cultures(),
        culture_rules=tables.cultures,
        table=tables.characters,
        religion_shares=stored.rows["religion_shares"].drop("tick"),
    )
    return save(home, world_id, {"population_groups": population.with_columns(GENERATED)})


@task(name="people-factions", cache_policy=NO_CACHE)
def generate_factions_step(*, home: str, world_id: str) -> dict[str, int]:
    """The powers that rule the people: states, orders, guilds and outlaws, with leaders."""
    names = ("cells", "regions", *CULTURE_TABLES, *RELIGION_TABLES, "npcs")
    stored = read_stored(home, world_id, names, where=NOTABLES)
    tables = people_tables()
    cultures = stored.cultures()
    factions = generate_factions(
        stored.region_map().regions,
        settlements=stored.places(),
        region_cultures=cultures.regions(),
        cultures=cultures.table(),
        religions=stored.religions(),
        npcs=as_made("npcs", stored.rows["npcs"]).drop("tick"),
        seeds=stored.seeds,
        table=tables.factions,
        name_bases=tables.name_bases,
    )
    frames = {
        "factions": factions.factions.with_columns(pl.lit("").alias("description"), GENERATED),
        # A province is its region: its name lives there (and follows LLM renames).
        "provinces": factions.provinces.drop("name").with_columns(GENERATED),
    }
    return save(home, world_id, frames)


@task(name="people-diplomacy", cache_policy=NO_CACHE)
def generate_diplomacy_step(*, home: str, world_id: str) -> dict[str, int]:
    """How every pair of powers stands."""
    names = ("cells", "regions", "factions", "provinces", "religion_relations")
    stored = read_stored(home, world_id, names)
    factions = stored.factions()
    diplomacy = generate_diplomacy(
        factions.factions,
        factions.provinces,
        stored.region_map().regions,
        religion_relations=stored.rows["religion_relations"],
        seeds=stored.seeds,
    )
    return save(home, world_id, {"diplomacy": diplomacy.pairs.with_columns(GENERATED)})


@task(name="people-prose", cache_policy=NO_CACHE)
def write_people_prose_step(*, home: str, world_id: str) -> dict[str, int]:
    """The text a reader meets first: settlements (which needs faith and rule), faiths, powers
    and notables' lives; the stage's last step."""
    names = ("regions", "pois", *RELIGION_TABLES, "npcs", "factions", "provinces")
    stored = read_stored(home, world_id, names, where=NOTABLES)
    religions, factions = stored.religions(), stored.factions()
    prose = write_people_prose(
        settlements=stored.rows["settlements"],
        regions=stored.rows["regions"],
        pois=stored.rows["pois"],
        religions=religions.religions,
        deities=religions.deities,
        holy_sites=religions.holy_sites,
        shares=religions.shares,
        npcs=as_made("npcs", stored.rows["npcs"]).drop("tick"),
        factions=factions.factions,
        provinces=factions.provinces,
        templates=people_tables().prose,
        seeds=stored.seeds,
    )
    frames = {
        "settlements": stored.rows["settlements"].with_columns(
            pl.Series("description", prose.settlements)
        ),
        "religions": stored.rows["religions"].with_columns(
            pl.Series("description", prose.religions)
        ),
        "factions": stored.rows["factions"].with_columns(pl.Series("description", prose.factions)),
        "notable_bios": prose.bios,
        "people_prose_baseline": prose.baseline,
    }
    written = save(home, world_id, frames)
    get_run_logger().info(
        "people: %d religions, %d factions, %d notables described",
        written["religions"],
        written["factions"],
        written["notable_bios"],
    )
    return written
