"""The world database schema: every table, its primary key, and the additive migrations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    sql_type: str


@dataclass(frozen=True, slots=True)
class Table:
    """A world table. Every table carries `world_id`; `exported` tables go into snapshots."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    exported: bool = True

    def ddl(self) -> str:
        body = [f"{column.name} {column.sql_type}" for column in self.columns]
        body.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(body) + "\n)"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _table(name: str, key: tuple[str, ...], spec: str, *, exported: bool = True) -> Table:
    """Declare a table from `name TYPE` lines; `world_id VARCHAR` is always the first column."""
    columns = [Column("world_id", "VARCHAR NOT NULL")]
    for line in spec.strip().splitlines():
        column_name, sql_type = line.strip().rstrip(",").split(None, 1)
        columns.append(Column(column_name, sql_type))
    return Table(name, tuple(columns), ("world_id", *key), exported)


WORLDS = _table(
    "worlds",
    (),
    """
    name VARCHAR NOT NULL
    seed UBIGINT NOT NULL
    preset VARCHAR NOT NULL
    config_json VARCHAR NOT NULL
    config_hash VARCHAR NOT NULL
    width_km DOUBLE NOT NULL
    height_km DOUBLE NOT NULL
    tick BIGINT NOT NULL
    lore VARCHAR NOT NULL DEFAULT ''
    """,
)
BIOMES = _table(
    "biomes",
    ("biome_id",),
    """
    biome_id SMALLINT NOT NULL
    key VARCHAR NOT NULL
    name VARCHAR NOT NULL
    color VARCHAR NOT NULL
    habitability DOUBLE NOT NULL
    movement_cost DOUBLE NOT NULL
    danger INTEGER NOT NULL
    resources VARCHAR[] NOT NULL
    is_water BOOLEAN NOT NULL
    """,
)
CALENDAR_MONTHS = _table(
    "calendar_months",
    ("month",),
    """
    month INTEGER NOT NULL
    name VARCHAR NOT NULL
    days INTEGER NOT NULL
    season VARCHAR NOT NULL
    """,
)
CELLS = _table(
    "cells",
    ("cell_id",),
    """
    cell_id INTEGER NOT NULL
    x DOUBLE NOT NULL
    y DOUBLE NOT NULL
    area_km2 DOUBLE NOT NULL
    elevation_m REAL NOT NULL
    is_land BOOLEAN NOT NULL
    is_lake BOOLEAN NOT NULL
    is_border BOOLEAN NOT NULL
    temperature_c REAL NOT NULL
    precipitation_mm REAL NOT NULL
    flow_to INTEGER NOT NULL
    discharge_m3s REAL NOT NULL
    river_id INTEGER NOT NULL
    lake_id INTEGER NOT NULL
    landmass_id INTEGER NOT NULL
    biome_id SMALLINT NOT NULL
    region_id INTEGER NOT NULL
    neighbors INTEGER[] NOT NULL
    """,
)
RIVERS = _table(
    "rivers",
    ("river_id",),
    """
    river_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    ends_in VARCHAR NOT NULL
    parent_id INTEGER NOT NULL
    discharge_m3s DOUBLE NOT NULL
    length_km DOUBLE NOT NULL
    source_cell INTEGER NOT NULL
    mouth_cell INTEGER NOT NULL
    cells INTEGER[] NOT NULL
    """,
)
LAKES = _table(
    "lakes",
    ("lake_id",),
    """
    lake_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    surface_m DOUBLE NOT NULL
    area_km2 DOUBLE NOT NULL
    outlet_cell INTEGER NOT NULL
    endorheic BOOLEAN NOT NULL
    cells INTEGER[] NOT NULL
    """,
)
REGIONS = _table(
    "regions",
    ("region_id",),
    """
    region_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    description VARCHAR NOT NULL DEFAULT ''
    name_base VARCHAR NOT NULL
    landmass_id INTEGER NOT NULL
    seed_cell INTEGER NOT NULL
    center_x DOUBLE NOT NULL
    center_y DOUBLE NOT NULL
    cell_count INTEGER NOT NULL
    area_km2 DOUBLE NOT NULL
    dominant_biome_id SMALLINT NOT NULL
    climate VARCHAR NOT NULL
    mean_temperature_c DOUBLE NOT NULL
    mean_precipitation_mm DOUBLE NOT NULL
    mean_elevation_m DOUBLE NOT NULL
    max_elevation_m DOUBLE NOT NULL
    coastal BOOLEAN NOT NULL
    river_count INTEGER NOT NULL
    rivers INTEGER[] NOT NULL DEFAULT []
    danger_level INTEGER NOT NULL
    resources VARCHAR[] NOT NULL
    neighbors INTEGER[] NOT NULL
    """,
)
LOCATIONS = _table(
    "locations",
    ("location_id",),
    """
    location_id BIGINT NOT NULL
    parent_id BIGINT
    kind VARCHAR NOT NULL
    ref_id BIGINT NOT NULL
    name VARCHAR NOT NULL
    depth INTEGER NOT NULL
    """,
)
RUNS = _table(
    "runs",
    ("run_id",),
    """
    run_id VARCHAR NOT NULL
    flow VARCHAR NOT NULL
    parameters_hash VARCHAR NOT NULL
    parameters_json VARCHAR NOT NULL
    code_version VARCHAR NOT NULL
    started_at TIMESTAMPTZ NOT NULL
    finished_at TIMESTAMPTZ
    status VARCHAR NOT NULL
    error VARCHAR
    """,
    exported=False,
)


LLM_CALLS = _table(
    "llm_calls",
    ("run_id", "call_seq"),
    """
    run_id VARCHAR NOT NULL
    call_seq INTEGER NOT NULL
    stage VARCHAR NOT NULL
    entity VARCHAR NOT NULL
    template VARCHAR NOT NULL
    template_hash VARCHAR NOT NULL
    provider VARCHAR NOT NULL
    model VARCHAR NOT NULL
    cache_key VARCHAR NOT NULL
    cache_hit BOOLEAN NOT NULL
    prompt_tokens BIGINT NOT NULL
    completion_tokens BIGINT NOT NULL
    latency_ms DOUBLE NOT NULL
    attempts INTEGER NOT NULL
    outcome VARCHAR NOT NULL
    fallback_reason VARCHAR
    detail VARCHAR
    """,
    exported=False,
)


PROSE_BASELINE = _table(
    "prose_baseline",
    ("entity",),
    """
    entity VARCHAR NOT NULL
    name VARCHAR NOT NULL
    text VARCHAR NOT NULL
    """,
    exported=False,
)
"""The procedural names and text the LLM stage starts from, so re-running it sees the same
facts (and hits the cache) however the previous run renamed things."""


SETTLEMENTS = _table(
    "settlements",
    ("settlement_id",),
    """
    settlement_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    tier VARCHAR NOT NULL
    population INTEGER NOT NULL
    cell_id INTEGER NOT NULL
    region_id INTEGER NOT NULL
    landmass_id INTEGER NOT NULL
    x DOUBLE NOT NULL
    y DOUBLE NOT NULL
    is_port BOOLEAN NOT NULL
    score DOUBLE NOT NULL
    """,
)
"""Settlement ids are population ranks and share one id space with `pois` (a place id)."""
POIS = _table(
    "pois",
    ("poi_id",),
    """
    poi_id INTEGER NOT NULL
    kind VARCHAR NOT NULL
    name VARCHAR NOT NULL
    cell_id INTEGER NOT NULL
    region_id INTEGER NOT NULL
    landmass_id INTEGER NOT NULL
    x DOUBLE NOT NULL
    y DOUBLE NOT NULL
    danger_level INTEGER NOT NULL
    interior VARCHAR NOT NULL
    """,
)
SUBLOCATIONS = _table(
    "sublocations",
    ("sublocation_id",),
    """
    sublocation_id INTEGER NOT NULL
    place_id INTEGER NOT NULL
    parent_id INTEGER NOT NULL
    category VARCHAR NOT NULL
    kind VARCHAR NOT NULL
    name VARCHAR NOT NULL
    depth INTEGER NOT NULL
    """,
)
"""`place_id` is a settlement or POI id; `parent_id` another sub-location, -1 for none."""
ROUTES = _table(
    "routes",
    ("route_id",),
    """
    route_id INTEGER NOT NULL
    kind VARCHAR NOT NULL
    start_place INTEGER NOT NULL
    end_place INTEGER NOT NULL
    start_cell INTEGER NOT NULL
    end_cell INTEGER NOT NULL
    length_km DOUBLE NOT NULL
    travel_days DOUBLE NOT NULL
    cells INTEGER[] NOT NULL
    """,
)
"""Roads, trails and sea lanes; an end place of -1 is a junction on another route."""


CULTURES = _table(
    "cultures",
    ("culture_id",),
    """
    culture_id INTEGER NOT NULL
    key VARCHAR NOT NULL
    name VARCHAR NOT NULL
    name_base VARCHAR NOT NULL
    type VARCHAR NOT NULL
    hearth_region_id INTEGER NOT NULL
    """,
)
REGION_CULTURES = _table(
    "region_cultures",
    ("region_id",),
    """
    region_id INTEGER NOT NULL
    culture_id INTEGER NOT NULL
    """,
)
RELIGIONS = _table(
    "religions",
    ("religion_id",),
    """
    religion_id INTEGER NOT NULL
    kind VARCHAR NOT NULL
    name VARCHAR NOT NULL
    form VARCHAR NOT NULL
    culture_id INTEGER NOT NULL
    parent_id INTEGER NOT NULL
    origin_settlement_id INTEGER NOT NULL
    origin_region_id INTEGER NOT NULL
    """,
)
DEITIES = _table(
    "deities",
    ("deity_id",),
    """
    deity_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    rank SMALLINT NOT NULL
    name VARCHAR NOT NULL
    epithet VARCHAR NOT NULL
    domains VARCHAR[] NOT NULL
    """,
)
HOLY_SITES = _table(
    "holy_sites",
    ("poi_id",),
    """
    poi_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    region_id INTEGER NOT NULL
    settlement_id INTEGER NOT NULL
    """,
)
RELIGION_SHARES = _table(
    "religion_shares",
    ("settlement_id", "religion_id"),
    """
    settlement_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    share DOUBLE NOT NULL
    """,
)
RELIGION_RELATIONS = _table(
    "religion_relations",
    ("a_id", "b_id"),
    """
    a_id INTEGER NOT NULL
    b_id INTEGER NOT NULL
    stance VARCHAR NOT NULL
    hostility SMALLINT NOT NULL
    """,
)
POPULATION_GROUPS = _table(
    "population_groups",
    ("settlement_id", "age_band", "sex", "culture_id", "religion_id", "profession"),
    """
    settlement_id INTEGER NOT NULL
    age_band VARCHAR NOT NULL
    sex VARCHAR NOT NULL
    culture_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    profession VARCHAR NOT NULL
    count BIGINT NOT NULL
    """,
)
"""Tier 1: everyone, as counts per settlement, age band, sex, culture, religion, profession."""
NPCS = _table(
    "npcs",
    ("npc_id",),
    """
    npc_id BIGINT NOT NULL
    settlement_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    family_name VARCHAR NOT NULL
    age SMALLINT NOT NULL
    sex VARCHAR NOT NULL
    culture_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    profession VARCHAR NOT NULL
    trait_1 VARCHAR
    trait_2 VARCHAR
    trait_3 VARCHAR
    strength TINYINT NOT NULL
    dexterity TINYINT NOT NULL
    constitution TINYINT NOT NULL
    intelligence TINYINT NOT NULL
    wisdom TINYINT NOT NULL
    charisma TINYINT NOT NULL
    skill_melee TINYINT NOT NULL
    skill_archery TINYINT NOT NULL
    skill_craft TINYINT NOT NULL
    skill_survival TINYINT NOT NULL
    skill_lore TINYINT NOT NULL
    skill_trade TINYINT NOT NULL
    household_id BIGINT NOT NULL
    father_id BIGINT NOT NULL
    mother_id BIGINT NOT NULL
    spouse_id BIGINT NOT NULL
    wealth BIGINT NOT NULL
    notable BOOLEAN NOT NULL
    notable_role VARCHAR
    """,
)
"""Tier 2: individual people; -1 in a link column means none."""
FACTIONS = _table(
    "factions",
    ("faction_id",),
    """
    faction_id INTEGER NOT NULL
    kind VARCHAR NOT NULL
    form VARCHAR NOT NULL
    name VARCHAR NOT NULL
    seat_settlement_id INTEGER NOT NULL
    seat_region_id INTEGER NOT NULL
    state_id INTEGER NOT NULL
    culture_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    people BIGINT NOT NULL
    territory_regions INTEGER NOT NULL
    territory_km2 DOUBLE NOT NULL
    power DOUBLE NOT NULL
    leader_npc_id BIGINT NOT NULL
    """,
)
PROVINCES = _table(
    "provinces",
    ("region_id",),
    """
    region_id INTEGER NOT NULL
    faction_id INTEGER NOT NULL
    is_core BOOLEAN NOT NULL
    """,
)
DIPLOMACY = _table(
    "diplomacy",
    ("a_id", "b_id"),
    """
    a_id INTEGER NOT NULL
    b_id INTEGER NOT NULL
    status VARCHAR NOT NULL
    tension SMALLINT NOT NULL
    shared_border BOOLEAN NOT NULL
    """,
)
"""One row per faction pair (a < b); `status` is a's standing towards b (a vassal of b...)."""


@dataclass(frozen=True, slots=True)
class AddedColumn:
    """A column a later migration adds to an earlier table."""

    table: Table
    column: str

    def ddl(self) -> str:
        column = next(c for c in self.table.columns if c.name == self.column)
        return f"ALTER TABLE {self.table.name} ADD COLUMN {column.name} {column.sql_type}"


@dataclass(frozen=True, slots=True)
class Migration:
    """One additive schema step; applied once, in version order, recorded in schema_version.

    Tables are always created with their newest definition, so on a new file the columns a
    later migration adds already exist and are skipped; on an older file they are added.
    """

    version: int
    description: str
    tables: tuple[Table, ...] = ()
    columns: tuple[AddedColumn, ...] = ()

    def statements(self, existing: set[tuple[str, str]]) -> list[str]:
        """DDL to run, given the (table, column) pairs the file already has."""
        added = [c.ddl() for c in self.columns if (c.table.name, c.column) not in existing]
        return [table.ddl() for table in self.tables] + added


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "foundation: worlds, biomes, calendar, terrain, regions, locations, runs",
        (WORLDS, BIOMES, CALENDAR_MONTHS, CELLS, RIVERS, LAKES, REGIONS, LOCATIONS, RUNS),
    ),
    Migration(
        2,
        "llm: call records, prose baseline, region descriptions and rivers, world lore",
        tables=(LLM_CALLS, PROSE_BASELINE),
        columns=(
            AddedColumn(REGIONS, "description"),
            AddedColumn(REGIONS, "rivers"),
            AddedColumn(WORLDS, "lore"),
        ),
    ),
    Migration(
        3,
        "places: settlements, points of interest, sub-locations, routes",
        tables=(SETTLEMENTS, POIS, SUBLOCATIONS, ROUTES),
    ),
    Migration(
        4,
        "people and powers: cultures, religions, population, NPCs, factions, diplomacy",
        tables=(
            CULTURES,
            REGION_CULTURES,
            RELIGIONS,
            DEITIES,
            HOLY_SITES,
            RELIGION_SHARES,
            RELIGION_RELATIONS,
            POPULATION_GROUPS,
            NPCS,
            FACTIONS,
            PROVINCES,
            DIPLOMACY,
        ),
    ),
)

TABLES: dict[str, Table] = {table.name: table for m in MIGRATIONS for table in m.tables}
"""Every table by name, as of the newest migration."""

SCHEMA_VERSION = MIGRATIONS[-1].version
