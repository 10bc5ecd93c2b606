"""Schema 12: the tables a simulation changes in place carry the tick they describe; an older
file gains the column, its rows at tick 0 (the day a generated world describes)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from worldloom.infrastructure.store import SCHEMA_VERSION, TABLES, open_store
from worldloom.infrastructure.store.schema import MIGRATIONS

TIMED = ("settlements", "population_groups", "npcs", "factions", "provinces", "diplomacy")


@pytest.mark.parametrize("name", TIMED)
def test_a_timed_table_says_which_day_it_describes(name: str) -> None:
    column = next(c for c in TABLES[name].columns if c.name == "tick")
    assert column.sql_type == "BIGINT NOT NULL DEFAULT 0"
    assert column.unit == "tick"


def test_migration_12_adds_the_tick_to_exactly_the_timed_tables() -> None:
    last = MIGRATIONS[-1]
    assert (last.version, SCHEMA_VERSION) == (12, 12)
    assert sorted(c.table.name for c in last.columns) == sorted(TIMED)
    assert {c.column for c in last.columns} == {"tick"}
    assert last.tables == ()


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
