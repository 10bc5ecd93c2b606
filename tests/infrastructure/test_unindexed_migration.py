"""Schema 14: the tables declared without a key index lose the one a file made before they were
so declared still keeps (DuckDB cannot drop a primary key: each is rebuilt, its rows kept); a
file then indexes exactly the tables a new one does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from worldloom.infrastructure.store import SCHEMA_VERSION, TABLES, open_store
from worldloom.infrastructure.store.schema import MIGRATIONS

OLD_KEYS = ("npc_vitals", "memories")
"""Declared unindexed by now; indexed in files of the day (restored so in the test below)."""


def test_migration_14_rebuilds_the_tables_declared_unindexed_and_adds_nothing() -> None:
    last = MIGRATIONS[-1]
    assert (last.version, SCHEMA_VERSION) == (14, 14)
    assert {t.name for t in last.unindexed} == {t.name for t in TABLES.values() if not t.indexed}
    assert set(OLD_KEYS) <= {t.name for t in last.unindexed}
    assert (last.tables, last.columns, last.nulls) == ((), (), ())


def test_only_the_unindexed_tables_a_file_still_indexes_are_rebuilt() -> None:
    vitals = TABLES["npc_vitals"]
    statements = MIGRATIONS[-1].statements(set(), frozenset({"npc_vitals", "settlements"}))
    assert statements == [
        "ALTER TABLE npc_vitals RENAME TO npc_vitals__indexed",
        vitals.ddl(),
        "INSERT INTO npc_vitals BY NAME SELECT * FROM npc_vitals__indexed",
        "DROP TABLE npc_vitals__indexed",
    ]
    assert "PRIMARY KEY" not in vitals.ddl()
    assert MIGRATIONS[-1].statements(set(), frozenset({"settlements"})) == []


def _indexed(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as connection:
        rows = connection.execute(
            "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    return {str(table) for (table,) in rows} - {"schema_version"}


def test_a_new_file_indexes_exactly_the_tables_declared_indexed(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    assert _indexed(path) == {t.name for t in TABLES.values() if t.indexed}


@pytest.fixture
def schema_13_file(tmp_path: Path) -> Path:
    """A current file turned back into one of schema 13 whose `OLD_KEYS` tables kept their
    primary keys (and, rebuilt so, no comments), with rows in npc_vitals."""
    path = tmp_path / "w.duckdb"
    with open_store(path):
        pass
    with duckdb.connect(str(path)) as connection:
        for name in OLD_KEYS:
            connection.execute(f"DROP TABLE {name}")
            connection.execute(replace(TABLES[name], indexed=True).ddl())
        connection.execute(
            "INSERT INTO npc_vitals (world_id, npc_id, born_tick, died_tick, death_cause) "
            "VALUES ('a', 4, 365, NULL, NULL), ('a', 2, NULL, 730, 'plague')"
        )
        connection.execute("DELETE FROM schema_version WHERE version > 13")
    assert set(OLD_KEYS) <= _indexed(path)
    return path


def test_a_schema_13_file_drops_the_key_indexes_and_keeps_rows_and_comments(
    schema_13_file: Path,
) -> None:
    with open_store(schema_13_file) as store:
        assert store.schema_version() == SCHEMA_VERSION
        vitals = store.read("npc_vitals", "a")
    assert vitals.rows() == [(2, None, 730, "plague"), (4, 365, None, None)]
    assert _indexed(schema_13_file) == {t.name for t in TABLES.values() if t.indexed}
    with duckdb.connect(str(schema_13_file), read_only=True) as connection:
        for name in OLD_KEYS:
            table = TABLES[name]
            comment = connection.execute(
                "SELECT comment FROM duckdb_tables() WHERE table_name = ?", [name]
            ).fetchall()
            columns = connection.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                "ORDER BY column_index",
                [name],
            ).fetchall()
            assert comment == [(table.description,)]
            assert tuple(c for (c,) in columns) == table.column_names
            assert not connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE table_name = ?",
                [f"{name}__indexed"],
            ).fetchall()
    with open_store(schema_13_file) as store:  # and again: nothing more to do
        assert store.read("npc_vitals", "a").height == 2
