"""A world file's schema: migrations to the current version (additive, but for one that drops
key indexes older files kept), and the data dictionary kept as DuckDB comments."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb

from worldloom.infrastructure.store.errors import SchemaTooNewError
from worldloom.infrastructure.store.schema import MIGRATIONS, SCHEMA_VERSION, TABLES

_DOCS = "Schema versions applied; data dictionary "
"""The comment of `schema_version` before the dictionary's digest."""


def migrate(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Bring a writable world file to the current schema (migrations, each in one transaction)
    and its data dictionary up to date.

    Raises:
        SchemaTooNewError: the file's schema is newer than this code knows.
    """
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMPTZ)"
    )
    current = scalar(connection, "SELECT max(version) FROM schema_version")
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(too_new(path, current))
    pending = [migration for migration in MIGRATIONS if migration.version > current]
    for migration in pending:
        existing = {
            (str(table), str(column))
            for table, column in connection.execute(
                "SELECT table_name, column_name FROM information_schema.columns"
            ).fetchall()
        }
        # Only a step that rebuilds tables asks which ones the file indexes (~2 ms a query, on
        # each step of a new file's fourteen otherwise).
        indexed = _key_indexed(connection) if migration.unindexed else frozenset()
        connection.execute("BEGIN TRANSACTION")
        for statement in migration.statements(existing, indexed):
            connection.execute(statement)
        connection.execute(
            "INSERT INTO schema_version VALUES (?, ?, ?)",
            [migration.version, migration.description, datetime.now(UTC)],
        )
        connection.execute("COMMIT")
    # A migration may rebuild a table, which comes back without its comments.
    _document(connection, recheck=bool(pending))


def _key_indexed(connection: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The tables the file keeps a primary key index on."""
    rows = connection.execute(
        "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    return frozenset(str(table) for (table,) in rows)


@cache  # the schema's, the same for every open (~7 ms to build and digest)
def _dictionary() -> tuple[tuple[tuple[str, str | None, str], ...], str]:
    """Every table's and column's description (and unit), and their digest."""
    wanted: list[tuple[str, str | None, str]] = []
    for table in TABLES.values():
        wanted.append((table.name, None, table.description))
        for column in table.columns:
            unit = f" [{column.unit}]" if column.unit else ""
            wanted.append((table.name, column.name, column.description + unit))
    return tuple(wanted), _DOCS + hashlib.sha256(repr(wanted).encode()).hexdigest()


def _document(connection: duckdb.DuckDBPyConnection, *, recheck: bool = False) -> None:
    """Keep every table's and column's description (and unit) as DuckDB comments, so a
    DuckDB client sees the data dictionary; only comments that differ are written. The
    dictionary's digest, kept as the comment of `schema_version`, spares a file already
    documented by this code the comparison (~0.1 s on every writable open), unless `recheck`."""
    wanted, digest = _dictionary()
    documented = connection.execute(
        "SELECT comment FROM duckdb_tables() WHERE table_name = 'schema_version'"
    ).fetchall()
    if documented and documented[0][0] == digest and not recheck:
        return
    stored: dict[tuple[str, str | None], str | None] = {
        (str(table), None): comment
        for table, comment in connection.execute(
            "SELECT table_name, comment FROM duckdb_tables()"
        ).fetchall()
    } | {
        (str(table), str(column)): comment
        for table, column, comment in connection.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns()"
        ).fetchall()
    }
    changes = [
        f"COMMENT ON TABLE {table} IS {_quoted(text)}"
        if column is None
        else f"COMMENT ON COLUMN {table}.{column} IS {_quoted(text)}"
        for table, column, text in wanted
        if (stored.get((table, column)) or "") != text
    ]
    connection.execute("BEGIN TRANSACTION")
    for statement in changes:
        connection.execute(statement)
    connection.execute(f"COMMENT ON TABLE schema_version IS {_quoted(digest)}")
    connection.execute("COMMIT")


def _quoted(text: str) -> str:
    """A SQL string literal (the schema's own text, not user input)."""
    return "'" + text.replace("'", "''") + "'"


def too_new(path: Path, version: int) -> str:
    """Why a file of schema `version` is refused."""
    return (
        f"world database {path} has schema version {version}; this Worldloom reads up to "
        f"{SCHEMA_VERSION}: upgrade Worldloom"
    )


def scalar(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    params: list[object] | dict[str, object] | None = None,
) -> int:
    """An integer query's single value (0 for NULL). Fetches everything: DuckDB 2 refuses
    further work on a connection whose last result was only partly fetched."""
    rows = connection.execute(sql, params or []).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0
