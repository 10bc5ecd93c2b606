"""SNAPSHOT.md: the snapshot's reference for a runtime developer, generated from the store's
data dictionary (what every exported table and column holds, in which unit and type, which
rows it names), so the document and the data cannot drift apart.

Regenerate the checked-in copy with `python -m worldloom.infrastructure.snapshot.reference >
SNAPSHOT.md` (a test compares them).
"""

from __future__ import annotations

import polars as pl

from worldloom.infrastructure.store import TABLES, Table
from worldloom.reader import FORMAT, FORMAT_VERSION, SCHEMA_ID
from worldloom.reader.column_type import type_name

INTRODUCTION = f"""\
# Snapshot reference

Generated from the store's data dictionary by `python -m
worldloom.infrastructure.snapshot.reference`; do not edit by hand.

A snapshot is a folder `snapshots/<world_id>/<snapshot_id>/` holding `manifest.json`, one
Parquet file per table in `tables/`, `world.geojson` and `map.png`. The manifest
(`format` `{FORMAT}`, `format_version` {FORMAT_VERSION}, `$schema` `{SCHEMA_ID}`; its JSON
Schema ships as `worldloom/reader/manifest.schema.json`) names the world (`world_id`,
`world_name`, `seed`, `preset`, `config_hash`), the code that made it (`code_version`), the
world's clock (`tick`, in days), and for every table its file, row count, sha256, primary key,
description, references and columns (name, type, nullable, description, unit); the snapshot id
is a digest of the content. Read it with any Parquet client, or verified with
`worldloom.reader.open_snapshot(path).table(name)` (needs only `pyarrow`).

Conventions every table follows:

- Every table has `world_id`; rows are stored in primary-key order, the key unique and never
  null.
- Missing values are **null**, never a sentinel such as -1; a nullable column says what null
  means.
- A reference (foreign key) names a row of another table by its key; the export refuses a
  snapshot in which a reference names a row that does not exist.
- Quantities carry a unit: `m`, `km`, `km2`, `°C`, `mm/year`, `m3/s`, `days` (a duration),
  `tick` (a day on the world's clock), `years`, `copper` (the economy's money), `coins`
  (an NPC's wealth, not the economy's copper), `units` (of a good), `kg`, `rations`,
  `people`, `count`, `share` (0-1), `score` (a dimensionless index), `level`, `tokens`, `ms`.
- Types are Arrow's, named tool-neutrally: `bool`, `int8`-`int64`, `uint8`-`uint64`,
  `float32`, `float64`, `string`, `timestamp[us, tz=UTC]`, `list<T>`, `struct<name: T, ...>`.
- `world.geojson` is RFC 7946 (WGS84 longitude/latitude): the flat map placed on the globe
  by an equal-area projection; its top-level `worldloom` member carries the PROJ string back
  to map kilometres.
"""


def snapshot_reference() -> str:
    """The whole document: the introduction, an index, then a section per exported table."""
    tables = sorted((t for t in TABLES.values() if t.exported), key=lambda t: t.name)
    index = "\n".join(
        f"- [`{t.name}`](#{t.name}): {_first_sentence(t.description)}" for t in tables
    )
    sections = "\n\n".join(_section(table) for table in tables)
    return f"{INTRODUCTION}\n## Tables\n\n{index}\n\n{sections}\n"


def column_type(table: Table, column: str) -> str:
    """The manifest type of a column, as the snapshot's Parquet file will carry it."""
    dtype = next(c.dtype for c in table.columns if c.name == column)
    return type_name(pl.Series([], dtype=dtype).to_arrow().type)


def _section(table: Table) -> str:
    key = ", ".join(f"`{column}`" for column in table.primary_key)
    lines = [f"## {table.name}", "", table.description, "", f"Primary key: {key}."]
    if table.references:
        named = ", ".join(
            f"`{ref.column}` → `{ref.table}.{ref.target}`" for ref in table.references
        )
        lines.append(f"References: {named}.")
    lines += ["", "| column | type | null | unit | description |", "|---|---|---|---|---|"]
    for column in table.columns:
        lines.append(
            f"| `{column.name}` | `{column_type(table, column.name)}` | "
            f"{'yes' if column.nullable else ''} | {column.unit or ''} | "
            f"{column.description.replace('|', '/')} |"
        )
    return "\n".join(lines)


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + (dot.strip() or "")


if __name__ == "__main__":
    print(snapshot_reference(), end="")  # the module's purpose is this output
