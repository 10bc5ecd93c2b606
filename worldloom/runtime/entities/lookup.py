"""Small reads every entity needs: one row by id, a name by id, the short forms of rows."""

from __future__ import annotations

from typing import Any, Final

from worldloom.runtime.engine import SnapshotEngine, quote
from worldloom.runtime.errors import NotFoundError

NAMES_KEPT: Final = 200_000
"""Tables up to this many rows have their names kept in memory (one query per snapshot)."""
NPC_REF: Final = "npc_id, name, family_name, age, sex, profession, notable_role"
FACTION_REF: Final = "faction_id, name, kind"


def one(engine: SnapshotEngine, table: str, key: str, value: int, *, what: str) -> dict[str, Any]:
    """The row of `table` whose `key` is `value`.

    Raises:
        NotFoundError: The snapshot has no such table or no such row (the message names both).
    """
    if not engine.has(table):
        raise NotFoundError(f"snapshot {engine.snapshot_id} of {engine.world_id!r} has no {table}")
    rows = engine.keyed(table, key, value)
    row = rows[0] if rows else None
    if row is None:
        raise NotFoundError(
            f"world {engine.world_id!r} (snapshot {engine.snapshot_id}) has no {what} {value}"
        )
    return row


def name_of(engine: SnapshotEngine, table: str, key: str, value: object) -> str | None:
    """The `name` of the row of `table` whose `key` is `value`, or None."""
    entry = engine.table(table)
    if value is None or entry is None:
        return None
    if entry.rows <= NAMES_KEPT:
        return names(engine, table, key).get(value)
    name = engine.scalar(f"SELECT name FROM {quote(table)} WHERE {quote(key)} = ?", [value])
    return str(name) if name is not None else None


def names(engine: SnapshotEngine, table: str, key: str) -> dict[object, str]:
    """Every row's name by key, read once per snapshot (for tables of few rows)."""

    def build() -> dict[object, str]:
        sql = f"SELECT {quote(key)} AS id, name FROM {quote(table)}"
        return {row["id"]: row["name"] for row in engine.rows(sql)}

    return engine.memo(("names", table, key), build)


def state_of_region(engine: SnapshotEngine, region_id: object) -> dict[str, Any] | None:
    """The state holding a region (its faction_id, name and kind), or None."""
    if not (engine.has("provinces") and engine.has("factions")):
        return None

    def build() -> dict[object, dict[str, Any]]:
        rows = engine.rows(
            f'SELECT p.region_id, {prefixed("f", FACTION_REF)} FROM "provinces" p '
            'JOIN "factions" f USING (faction_id)'
        )
        return {row.pop("region_id"): row for row in rows}

    return engine.memo(("states",), build).get(region_id)


def prefixed(alias: str, columns: str) -> str:
    """`a, b` as `x.a, x.b`."""
    return ", ".join(f"{alias}.{c.strip()}" for c in columns.split(","))


def plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row without its world id (every row of a snapshot has the same)."""
    return {k: v for k, v in row.items() if k != "world_id"}


def short(row: dict[str, Any], columns: str) -> dict[str, Any]:
    """The columns of `columns` (as NPC_REF lists them) of a full row."""
    return {c.strip(): row.get(c.strip()) for c in columns.split(",")}


def grouped(engine: SnapshotEngine, table: str, column: str) -> dict[object, list[dict[str, Any]]]:
    """A table's rows (without world_id) by one column's value, in key order (read once per
    snapshot: for the tables of places, not of people)."""

    def build() -> dict[object, list[dict[str, Any]]]:
        entry = engine.table(table)
        if entry is None:
            return {}
        order = ", ".join(quote(c) for c in entry.primary_key)
        groups: dict[object, list[dict[str, Any]]] = {}
        for row in engine.rows(f"SELECT * FROM {quote(table)} ORDER BY {order}"):
            groups.setdefault(row[column], []).append(plain(row))
        return groups

    return engine.memo(("grouped", table, column), build)
