"""How a world table is declared: columns, primary key, references, whether snapshots export it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    sql_type: str


@dataclass(frozen=True, slots=True)
class Reference:
    """`column` names a row of `table` by its `target` column (a foreign key). Null, and for
    now a negative id, means the row names none."""

    column: str
    table: str
    target: str


@dataclass(frozen=True, slots=True)
class Table:
    """A world table. Every table carries `world_id`; `exported` tables go into snapshots."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    exported: bool = True
    indexed: bool = True
    """False: the key orders rows and is checked unique at export, but the database keeps no
    index on it — for big derived tables whose keys cost seconds per write (wide composite
    keys, or a million rows)."""
    references: tuple[Reference, ...] = ()

    def ddl(self) -> str:
        body = [f"{column.name} {column.sql_type}" for column in self.columns]
        if self.indexed:
            body.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(body) + "\n)"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def declare(
    name: str,
    key: tuple[str, ...],
    spec: str,
    *,
    exported: bool = True,
    indexed: bool = True,
    references: Mapping[str, str] | None = None,
) -> Table:
    """Declare a table from `name TYPE` lines; `world_id VARCHAR` is always the first column.

    Args:
        references: column -> the table its values name rows of, as `table` (by that table's
            one-column key, which must be spelt like the column or given) or `table.column`.
    """
    columns = [Column("world_id", "VARCHAR NOT NULL")]
    for line in spec.strip().splitlines():
        column_name, sql_type = line.strip().rstrip(",").split(None, 1)
        columns.append(Column(column_name, sql_type))
    names = {column.name for column in columns}
    links = []
    for column, target in (references or {}).items():
        if column not in names:
            raise ValueError(f"table {name}: a reference from unknown column {column!r}")
        table, _, target_column = target.partition(".")
        links.append(Reference(column, table, target_column or column))
    return Table(name, tuple(columns), ("world_id", *key), exported, indexed, tuple(links))
