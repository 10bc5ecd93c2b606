"""How a world table is declared: columns, primary key, references, whether snapshots export it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl

_SCALARS: Mapping[str, pl.DataType] = {
    "BOOLEAN": pl.Boolean(),
    "TINYINT": pl.Int8(),
    "SMALLINT": pl.Int16(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "UBIGINT": pl.UInt64(),
    "REAL": pl.Float32(),
    "DOUBLE": pl.Float64(),
    "VARCHAR": pl.String(),
    "TIMESTAMPTZ": pl.Datetime("us", "UTC"),
}
"""DuckDB's types as Polars reads them back (`WorldStore.read`)."""
_CONSTRAINTS = re.compile(r"\s+(NOT NULL|DEFAULT .*)$")


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its name, its DuckDB type (with `NOT NULL` unless it may be null), what it
    holds, and its unit (`m`, `km2`, `copper`, `days`...) where it is a quantity."""

    name: str
    sql_type: str
    description: str = ""
    unit: str | None = None

    @property
    def nullable(self) -> bool:
        return "NOT NULL" not in self.sql_type

    @property
    def dtype(self) -> pl.DataType:
        """The column's type in a Polars frame of the table."""
        return polars_type(self.sql_type)


@cache  # a few dozen types, parsed for each column of every write (~0.2 ms a table)
def polars_type(sql_type: str) -> pl.DataType:
    """`INTEGER NOT NULL` -> Int32, `VARCHAR[]` -> List(String), `STRUCT(a INTEGER)[]` -> ..."""
    bare = sql_type.strip()
    while (stripped := _CONSTRAINTS.sub("", bare)) != bare:
        bare = stripped
    if bare.endswith("[]"):
        return pl.List(polars_type(bare[:-2]))
    if bare.startswith("STRUCT(") and bare.endswith(")"):
        fields = [field.strip().split(None, 1) for field in bare[7:-1].split(",")]
        return pl.Struct({name: polars_type(kind) for name, kind in fields})
    try:
        return _SCALARS[bare]
    except KeyError:
        raise ValueError(f"no Polars type for SQL type {sql_type!r}") from None


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
    keys, or a million rows), and the exported tables a simulated year adds to or revises,
    whose indexes the year's write updated and its commit wrote out again (a medium world's
    100th year: its stories' write 0.24 -> 0.10-0.16 s, the economy's and vitals' ~0.15 s
    less)."""
    references: tuple[Reference, ...] = ()
    description: str = ""
    """What one row is, for the snapshot's reference."""

    def ddl(self) -> str:
        body = [f"{column.name} {column.sql_type}" for column in self.columns]
        if self.indexed:
            body.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  " + ",\n  ".join(body) + "\n)"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def world_key(self) -> tuple[str, ...]:
        """The primary key within one world (without `world_id`, the same for all its rows)."""
        return tuple(column for column in self.primary_key if column != "world_id")

    @property
    def schema(self) -> pl.Schema:
        """The Polars schema of the table's rows as stages write them (without `world_id`)."""
        return pl.Schema({c.name: c.dtype for c in self.columns if c.name != "world_id"})

    def frame(self, columns: Mapping[str, Any]) -> pl.DataFrame:
        """Rows from column values (sequences, numpy arrays or Series), in the table's types.

        Raises:
            ValueError: the columns are not exactly the table's (minus `world_id`), or a value
                does not fit its column's type.
        """
        expected = self.schema
        if set(columns) != set(expected):
            missing = sorted(set(expected) - set(columns))
            extra = sorted(set(columns) - set(expected))
            raise ValueError(f"table {self.name}: missing columns {missing}, unexpected {extra}")
        return pl.DataFrame({name: columns[name] for name in expected}, schema=expected)


_UNIT = re.compile(r"^\[(?P<unit>[^\]]+)\]\s*")
WORLD_ID = Column("world_id", "VARCHAR NOT NULL", "The world the row belongs to.")


def declare(
    name: str,
    key: tuple[str, ...],
    spec: str,
    *,
    description: str = "",
    exported: bool = True,
    indexed: bool = True,
    references: Mapping[str, str] | None = None,
) -> Table:
    """Declare a table from one line per column; `world_id` is always the first column.

    A line is `name TYPE [NOT NULL] [DEFAULT ...] -- [unit] What the column holds.`: the unit in
    brackets only for quantities, and a nullable column says what null means.

    Args:
        description: what one row of the table is.
        references: column -> the table its values name rows of, as `table` (by that table's
            one-column key, which must be spelt like the column or given) or `table.column`.
    """
    columns = [WORLD_ID]
    for line in spec.strip().splitlines():
        definition, _, doc = line.strip().partition(" -- ")
        column_name, sql_type = definition.strip().rstrip(",").split(None, 1)
        unit = _UNIT.match(doc)
        columns.append(
            Column(
                column_name,
                sql_type.strip(),
                description=doc[unit.end() :].strip() if unit else doc.strip(),
                unit=unit.group("unit") if unit else None,
            )
        )
    names = {column.name for column in columns}
    links = []
    for column, target in (references or {}).items():
        if column not in names:
            raise ValueError(f"table {name}: a reference from unknown column {column!r}")
        table, _, target_column = target.partition(".")
        links.append(Reference(column, table, target_column or column))
    return Table(
        name,
        tuple(columns),
        ("world_id", *key),
        exported,
        indexed,
        tuple(links),
        description,
    )
