"""The world database schema: every table, its primary key, and the migrations (additive, but
for one that drops key indexes older files kept).

One package owns it: tables are declared per stage in the modules beside this one; the
migrations below say in which version each table (or added column) appeared.
"""

from __future__ import annotations

from dataclasses import dataclass

from worldloom.infrastructure.store.schema.economy import (
    CARAVANS,
    ECONOMY_AGENTS,
    ECONOMY_BOOKS,
    ECONOMY_HEALTH,
    ECONOMY_LEDGER,
    GOODS,
    ITEMS,
    MARKET_GOODS,
    MARKET_LINKS,
    MARKET_PRICE_PERIODS,
    MARKET_PRICES,
    MARKETS,
    MONEY_SUPPLY,
    RECIPES,
    ROLE_STATS,
    TRADES,
)
from worldloom.infrastructure.store.schema.foundation import (
    BIOMES,
    CALENDAR_MONTHS,
    CELLS,
    LAKES,
    LOCATIONS,
    REGIONS,
    RIVERS,
    RUNS,
    WORLDS,
)
from worldloom.infrastructure.store.schema.gear import (
    ARTIFACTS,
    CASTERS,
    ENCOUNTERS,
    EQUIPMENT,
    INVENTORIES,
    ITEM_HISTORY,
    MAGIC_SCHOOLS,
    MERCHANT_STOCK,
    MONSTERS,
    POI_LOOT,
    SPELLS,
    STAT_BLOCKS,
)
from worldloom.infrastructure.store.schema.history import (
    BORDER_HISTORY,
    CHAOS_DISCOVERED,
    CHAOS_EVENTS,
    CHAOS_LOAD,
    CHAOS_RECENT,
    CHAOS_STATE,
    EVENTS,
    NPC_VITALS,
    POPULATION_HISTORY,
    RULER_HISTORY,
    WAR_COUNTERS,
    WAR_EVENTS,
    WAR_FACTIONS,
    WAR_PAIRS,
    WAR_REGIONS,
    WAR_SETTLEMENTS,
    WAR_SOLDIERS,
    WAR_TRIBUTES,
    WAR_WARS,
)
from worldloom.infrastructure.store.schema.llm import (
    LLM_CALLS,
    PEOPLE_PROSE_BASELINE,
    PROSE_BASELINE,
)
from worldloom.infrastructure.store.schema.narrative import (
    ARC_EVENTS,
    ARC_PARTIALS,
    ARC_ROLES,
    ARCS,
    DIALOGUE_LINES,
    MEMORIES,
    MOTIFS,
    NARRATIVE_STATE,
    QUEST_STEPS,
    QUESTS,
    REFLECTIONS,
    REGION_MOTIFS,
    RUMOR_BELIEFS,
    RUMOR_FRONTIER,
    RUMOR_VERSIONS,
    RUMORS,
)
from worldloom.infrastructure.store.schema.people import (
    CULTURES,
    DEITIES,
    DIPLOMACY,
    FACTIONS,
    HOLY_SITES,
    NOTABLE_BIOS,
    NPCS,
    POPULATION_GROUPS,
    PROVINCES,
    REGION_CULTURES,
    RELIGION_RELATIONS,
    RELIGION_SHARES,
    RELIGIONS,
)
from worldloom.infrastructure.store.schema.places import POIS, ROUTES, SETTLEMENTS, SUBLOCATIONS
from worldloom.infrastructure.store.schema.table import Column, Table

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "TABLES", "AddedColumn", "Column", "Migration", "Table"]


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
    """One schema step; applied once, in version order, recorded in schema_version.

    Tables are always created with their newest definition, so on a new file the columns a
    later migration adds already exist and are skipped; on an older file they are added.
    """

    version: int
    description: str
    tables: tuple[Table, ...] = ()
    columns: tuple[AddedColumn, ...] = ()
    nulls: tuple[Table, ...] = ()
    """Tables whose nullable integer columns once said "none" with a negative id: the step
    lets them hold null and turns the negative ids already stored into nulls."""
    unindexed: tuple[Table, ...] = ()
    """Tables declared without a key index (`Table.indexed` false) that an older file may still
    index: the step rebuilds each one the file indexes as declared, keeping its rows (DuckDB
    cannot drop a primary key in place)."""

    def statements(
        self, existing: set[tuple[str, str]], indexed: frozenset[str] = frozenset()
    ) -> list[str]:
        """DDL to run, given the (table, column) pairs the file already has and the tables it
        keeps a primary key index on."""
        added = [c.ddl() for c in self.columns if (c.table.name, c.column) not in existing]
        nulls = [
            statement
            for table in self.nulls
            for column in table.columns
            if column.nullable and column.dtype.is_integer()
            for statement in (
                f"ALTER TABLE {table.name} ALTER COLUMN {column.name} DROP NOT NULL",
                f"UPDATE {table.name} SET {column.name} = NULL WHERE {column.name} < 0",
            )
        ]
        rebuilt = [
            statement
            for table in self.unindexed
            if table.name in indexed
            for statement in (
                f"ALTER TABLE {table.name} RENAME TO {table.name}__indexed",
                table.ddl(),
                f"INSERT INTO {table.name} BY NAME SELECT * FROM {table.name}__indexed",
                f"DROP TABLE {table.name}__indexed",
            )
        ]
        return [table.ddl() for table in self.tables] + added + nulls + rebuilt


_EARLIER: tuple[Migration, ...] = (
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
    Migration(
        5,
        "prose for places and people: descriptions, notable biographies, their baseline",
        tables=(NOTABLE_BIOS, PEOPLE_PROSE_BASELINE),
        columns=(
            AddedColumn(SETTLEMENTS, "description"),
            AddedColumn(FACTIONS, "description"),
            AddedColumn(RELIGIONS, "description"),
        ),
    ),
    Migration(
        6,
        "economy: goods, items, recipes, markets, prices, trades, caravans, roles, agent state",
        tables=(
            GOODS,
            ITEMS,
            RECIPES,
            MARKETS,
            MARKET_LINKS,
            MARKET_GOODS,
            MARKET_PRICES,
            TRADES,
            CARAVANS,
            ROLE_STATS,
            ECONOMY_LEDGER,
            MONEY_SUPPLY,
            ECONOMY_AGENTS,
            ECONOMY_BOOKS,
        ),
    ),
    Migration(
        7,
        "one missing-value convention: ids that name nothing are null, not -1",
        nulls=(CELLS, RIVERS, LAKES, SUBLOCATIONS, ROUTES, RELIGIONS, HOLY_SITES, NPCS, FACTIONS),
    ),
    Migration(
        8,
        "gear, magic and combat: monsters, spells, casters, stat blocks, equipment, inventories, "
        "merchants' stock, artifacts and their history, loot, encounters",
        tables=(
            MONSTERS,
            MAGIC_SCHOOLS,
            SPELLS,
            CASTERS,
            STAT_BLOCKS,
            ARTIFACTS,
            EQUIPMENT,
            INVENTORIES,
            MERCHANT_STOCK,
            ITEM_HISTORY,
            POI_LOOT,
            ENCOUNTERS,
        ),
    ),
    Migration(
        9,
        "economy history that fits: months and years of books (market_price_periods), daily "
        "health figures (economy_health), a length (days) on role, ledger and money rows, "
        "agents' running sales, idle days and tenure",
        tables=(MARKET_PRICE_PERIODS, ECONOMY_HEALTH),
        columns=(
            AddedColumn(ROLE_STATS, "days"),
            AddedColumn(ECONOMY_LEDGER, "days"),
            AddedColumn(MONEY_SUPPLY, "days"),
            AddedColumn(ECONOMY_AGENTS, "sold"),
            AddedColumn(ECONOMY_AGENTS, "idle"),
            AddedColumn(ECONOMY_AGENTS, "tenure"),
        ),
    ),
    Migration(
        10,
        "history: the event log, population accounts, births and deaths, rulers and borders, "
        "the chaos storyteller's and the war room's memory",
        tables=(
            EVENTS,
            POPULATION_HISTORY,
            NPC_VITALS,
            RULER_HISTORY,
            BORDER_HISTORY,
            CHAOS_STATE,
            CHAOS_LOAD,
            CHAOS_RECENT,
            CHAOS_DISCOVERED,
            CHAOS_EVENTS,
            WAR_FACTIONS,
            WAR_PAIRS,
            WAR_SETTLEMENTS,
            WAR_REGIONS,
            WAR_SOLDIERS,
            WAR_WARS,
            WAR_TRIBUTES,
            WAR_COUNTERS,
            WAR_EVENTS,
        ),
    ),
    Migration(
        11,
        "stories: arcs sifted from the events, quests, rumors and beliefs, notables' memories "
        "and reflections, motifs, dialogue",
        tables=(
            ARCS,
            ARC_EVENTS,
            ARC_ROLES,
            ARC_PARTIALS,
            QUESTS,
            QUEST_STEPS,
            RUMORS,
            RUMOR_VERSIONS,
            RUMOR_BELIEFS,
            RUMOR_FRONTIER,
            MEMORIES,
            REFLECTIONS,
            MOTIFS,
            REGION_MOTIFS,
            DIALOGUE_LINES,
            NARRATIVE_STATE,
        ),
    ),
    Migration(
        12,
        "time: the tables a simulation changes in place carry the tick they describe",
        columns=(
            AddedColumn(SETTLEMENTS, "tick"),
            AddedColumn(POPULATION_GROUPS, "tick"),
            AddedColumn(NPCS, "tick"),
            AddedColumn(FACTIONS, "tick"),
            AddedColumn(PROVINCES, "tick"),
            AddedColumn(DIPLOMACY, "tick"),
        ),
    ),
    Migration(
        13,
        "faiths over history: holy sites remember their desecration; holy sites and religion "
        "shares carry the tick they describe; markets count the year's bankruptcies",
        columns=(
            AddedColumn(HOLY_SITES, "desecrated_tick"),
            AddedColumn(HOLY_SITES, "desecrated_event_id"),
            AddedColumn(HOLY_SITES, "tick"),
            AddedColumn(RELIGION_SHARES, "tick"),
            AddedColumn(MARKETS, "bankrupt"),
        ),
    ),
)
"""Steps 1-13: they declare every table (step 14 rebuilds those declared unindexed)."""

MIGRATIONS: tuple[Migration, ...] = (
    *_EARLIER,
    Migration(
        14,
        "keys without indexes: the big tables and those a simulated year revises keep their "
        "keys unindexed (checked unique at export) in files made before they did too",
        unindexed=tuple(table for m in _EARLIER for table in m.tables if not table.indexed),
    ),
)

TABLES: dict[str, Table] = {table.name: table for m in MIGRATIONS for table in m.tables}
"""Every table by name, as of the newest migration."""

SCHEMA_VERSION = MIGRATIONS[-1].version
