"""Schemas 12 and 13: the tables a simulation changes in place carry the tick they describe; an
older file gains the column, its rows at tick 0 (the day a generated world describes). Schema
13's holy sites remember their desecration (none in an older file)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from worldloom.infrastructure.store import SCHEMA_VERSION, TABLES, open_store
from worldloom.infrastructure.store.schema import MIGRATIONS

TIMED = ("settlements", "population_groups", "npcs", "factions", "provinces", "diplomacy")
"""Timed by schema 12."""
FAITHS = ("holy_sites", "religion_shares")
"""Timed by schema 13."""


@pytest.mark.parametrize("name", TIMED + FAITHS)
def test_a_timed_table_says_which_day_it_describes(name: str) -> None:
    column = next(c for c in TABLES[name].columns if c.name == "tick")
    assert column.sql_type == "BIGINT NOT NULL DEFAULT 0"
    assert column.unit == "tick"


def test_migration_12_adds_the_tick_to_exactly_the_timed_tables() -> None:
    twelve = MIGRATIONS[11]
    assert twelve.version == 12
    assert sorted(c.table.name for c in twelve.columns) == sorted(TIMED)
    assert {c.column for c in twelve.columns} == {"tick"}
    assert twelve.tables == ()


def test_migration_13_times_the_faiths_and_lets_holy_sites_remember_desecration() -> None:
    thirteen = MIGRATIONS[12]
    assert thirteen.version == 13
    assert sorted((c.table.name, c.column) for c in thirteen.columns) == [
        ("holy_sites", "desecrated_event_id"),
        ("holy_sites", "desecrated_tick"),
        ("holy_sites", "tick"),
        ("markets", "bankrupt"),
        ("religion_shares", "tick"),
    ]
    assert thirteen.tables == ()


def test_a_schema_12_file_s_holy_sites_are_kept_at_tick_0(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    with duckdb.connect(str(path)) as connection:  # turn it back into a schema-12 file
        for column in ("desecrated_tick", "desecrated_event_id", "tick"):
            connection.execute(f"ALTER TABLE holy_sites DROP COLUMN {column}")
        connection.execute("ALTER TABLE religion_shares DROP COLUMN tick")
        connection.execute(
            "INSERT INTO holy_sites (world_id, poi_id, religion_id, region_id, settlement_id) "
            "VALUES ('a', 7, 2, 3, NULL)"
        )
        connection.execute("DELETE FROM schema_version WHERE version > 12")
    with open_store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        row = store.read("holy_sites", "a").row(0, named=True)
    assert row == {"poi_id": 7, "religion_id": 2, "region_id": 3, "settlement_id": None,
                   "desecrated_tick": None, "desecrated_event_id": None, "tick": 0}  # fmt: skip


def test_a_schema_11_file_gains_the_tick_and_keeps_its_rows_at_tick_0(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    with duckdb.connect(str(path)) as connection:  # turn it back into a schema-11 file
        for name in TIMED:
            connection.execute(f"ALTER TABLE {name} DROP COLUMN tick")
        connection.execute(
            "INSERT INTO provinces (world_id, region_id, faction_id, is_core) "
            "VALUES ('a', 3, 1, true)"
        )
        connection.execute("DELETE FROM schema_version WHERE version > 11")
    with open_store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        row = store.read("provinces", "a").row(0, named=True)
    assert row == {"region_id": 3, "faction_id": 1, "is_core": True, "tick": 0}
    with open_store(path) as store:  # and again: nothing more to do
        assert store.read("provinces", "a").height == 1
