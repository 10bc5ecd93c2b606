"""The data dictionary: every table and column says what it holds, in one unit vocabulary, and
null (never -1) is the one way to say "none"."""

from __future__ import annotations

import polars as pl
import pytest

from worldloom.infrastructure.store import TABLES
from worldloom.infrastructure.store.schema import Column, Table

UNITS = frozenset(
    {
        "m",  # metres: elevations, heights above sea level
        "km",  # kilometres: map coordinates, lengths
        "km2",  # square kilometres: areas
        "°C",  # degrees Celsius
        "mm/year",  # precipitation
        "m3/s",  # water discharge
        "days",  # a duration (one tick is one day)
        "tick",  # a point on the world's clock: a tick number
        "years",  # ages
        "copper",  # the economy's money
        "coins",  # NPC wealth, whose denomination the character table does not fix
        "units",  # counts of a good
        "kg",  # weight
        "rations",  # food: one ration feeds a worker for a day
        "people",  # headcounts
        "count",  # counts of anything else (cells, regions, agents, attempts...)
        "share",  # a fraction or chance, 0-1
        "score",  # a dimensionless index or multiplier (attributes, hostility, power...)
        "level",  # danger, 0-10 (regions and places 1-10)
        "tokens",  # LLM tokens
        "ms",  # milliseconds
    }
)
"""The one unit vocabulary: a column's `[unit]` is one of these."""

SUFFIX_UNITS = {
    "_km2": "km2",
    "_km": "km",
    "_m3s": "m3/s",
    "_mm": "mm/year",
    "_ms": "ms",
    "_m": "m",
    "_c": "°C",
    "_days": "days",
    "_tick": "tick",
    "_tokens": "tokens",
    "_count": "count",
    "_level": "level",
}
"""A name ending like this is a quantity in this unit (longest suffixes first)."""

QUANTITY_NAMES = frozenset(
    {
        "x",
        "y",
        "age",
        "agents",
        "attempts",
        "bankruptcies",
        "consumed",
        "cost",
        "count",
        "danger",
        "days",
        "demand",
        "habitability",
        "hostility",
        "hunger",
        "labor",
        "mean_profit",
        "money",
        "movement_cost",
        "nutrition",
        "people",
        "perish",
        "population",
        "power",
        "price",
        "produced",
        "profit",
        "qty",
        "score",
        "share",
        "spoiled",
        "stock",
        "supply",
        "tension",
        "tick",
        "time",
        "toll",
        "treasury",
        "value",
        "volume",
        "wealth",
        "wear",
        "weight",
    }
)
"""Columns that hold a quantity whatever their name's ending."""

COLUMNS = [(table, column) for table in TABLES.values() for column in table.columns]


def column_id(param: object) -> str:
    if isinstance(param, Table):
        return param.name
    assert isinstance(param, Column)
    return param.name


def is_numeric(dtype: pl.DataType) -> bool:
    """Numbers, or lists of numbers (per-good and per-slot arrays)."""
    if isinstance(dtype, pl.List):
        return dtype.inner.is_numeric()
    return dtype.is_numeric()


def unit_expected(column: Column) -> str | None:
    for suffix, unit in SUFFIX_UNITS.items():
        if column.name.endswith(suffix):
            return unit
    return None


@pytest.mark.parametrize("table", TABLES.values(), ids=column_id)
def test_every_table_says_what_one_row_is(table: Table) -> None:
    assert table.description.strip(), f"table {table.name} has no description"


@pytest.mark.parametrize(("table", "column"), COLUMNS, ids=column_id)
def test_every_column_says_what_it_holds(table: Table, column: Column) -> None:
    assert column.description.strip(), f"{table.name}.{column.name} has no description"
    assert not column.description.startswith("["), (
        f"{table.name}.{column.name}: a malformed unit ({column.description[:20]!r}...)"
    )


def test_units_come_from_the_vocabulary() -> None:
    strays = {
        f"{table.name}.{column.name}": column.unit
        for table, column in COLUMNS
        if column.unit is not None and column.unit not in UNITS
    }
    assert not strays, f"units outside the vocabulary: {strays}"


def test_only_numbers_carry_units() -> None:
    wrong = [
        f"{table.name}.{column.name}"
        for table, column in COLUMNS
        if column.unit is not None and not is_numeric(column.dtype)
    ]
    assert not wrong, f"units on columns that hold no number: {wrong}"


def test_quantities_carry_a_unit() -> None:
    missing = [
        f"{table.name}.{column.name}"
        for table, column in COLUMNS
        if column.unit is None
        and (column.name in QUANTITY_NAMES or unit_expected(column) is not None)
    ]
    assert not missing, f"quantities without a unit: {missing}"


def test_a_unit_suffix_in_the_name_matches_the_unit() -> None:
    mismatched = {
        f"{table.name}.{column.name}": (column.unit, unit_expected(column))
        for table, column in COLUMNS
        if unit_expected(column) is not None and column.unit != unit_expected(column)
    }
    assert not mismatched, f"(unit, the name's unit): {mismatched}"


def test_a_nullable_column_says_what_null_means() -> None:
    silent = [
        f"{table.name}.{column.name}"
        for table, column in COLUMNS
        if column.nullable and "null" not in column.description.lower()
    ]
    assert not silent, f"nullable columns that do not say what null means: {silent}"


def test_primary_key_columns_are_never_null() -> None:
    nullable = [
        f"{table.name}.{name}"
        for table in TABLES.values()
        for name in table.primary_key
        if next(c for c in table.columns if c.name == name).nullable
    ]
    assert not nullable, f"nullable key columns: {nullable}"


NULL_FOR_NONE = frozenset(
    {
        "cells.flow_to",
        "cells.river_id",
        "cells.lake_id",
        "cells.landmass_id",
        "cells.region_id",
        "rivers.parent_id",
        "lakes.outlet_cell",
        "locations.parent_id",
        "sublocations.parent_id",
        "routes.end_place",
        "religions.parent_id",
        "religions.origin_settlement_id",
        "religions.origin_region_id",
        "holy_sites.settlement_id",
        "holy_sites.desecrated_tick",
        "holy_sites.desecrated_event_id",
        "npcs.father_id",
        "npcs.mother_id",
        "npcs.spouse_id",
        "factions.seat_settlement_id",
        "factions.state_id",
        "factions.religion_id",
        "factions.leader_npc_id",
        "equipment.artifact_id",
        "artifacts.maker_npc_id",
        "artifacts.holder_npc_id",
        "artifacts.sublocation_id",
        "item_history.from_npc_id",
        "item_history.to_npc_id",
        "item_history.place_id",
        "item_history.sublocation_id",
        "poi_loot.item_id",
        "poi_loot.artifact_id",
        "encounters.sublocation_id",
        "events.npc_id",
        "events.faction_id",
        "events.other_faction_id",
        "events.settlement_id",
        "events.region_id",
        "events.poi_id",
        "npc_vitals.born_tick",  # born before the world's history began
        "npc_vitals.died_tick",  # alive
        "ruler_history.npc_id",
        "ruler_history.previous_npc_id",
        "border_history.faction_id",
        "border_history.previous_faction_id",
        "arc_roles.npc_id",
        "arc_roles.faction_id",
        "arc_roles.settlement_id",
        "arc_roles.region_id",
        "arc_roles.poi_id",
        "quests.arc_id",
        "quests.cause_event_id",
        "quests.reward_item_id",
        "quests.closed_tick",  # open
        "quest_steps.npc_id",
        "quest_steps.settlement_id",
        "quest_steps.poi_id",
        "quest_steps.item_id",
        "rumor_versions.parent_version",  # the truth
        "rumor_frontier.parent_version",  # the truth, or an arrival bringing no new version
        "dialogue_lines.rumor_id",
        "dialogue_lines.quest_id",
        "dialogue_lines.memory_id",
    }
)
"""The integer columns that may name nothing (or a day that has not come): null there, never
-1. The economy's internal state (`economy_agents`, `economy_books`, not exported) keeps -1 in
its arrays."""


def test_the_integer_columns_that_may_name_nothing_are_nullable() -> None:
    nullable = {
        f"{table.name}.{column.name}"
        for table, column in COLUMNS
        if column.nullable and column.dtype.is_integer()
    }
    assert nullable == NULL_FOR_NONE
