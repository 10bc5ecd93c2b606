"""The snapshot manifest: the typed contract between the exporter and the game runtime."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

FORMAT: Final = "worldloom.snapshot"
"""Value of ``manifest.format``; anything else is not a Worldloom snapshot."""

FORMAT_VERSION: Final = 2
"""The only ``format_version`` this code writes and reads. Bump it on any breaking change."""

SCHEMA_ID: Final = f"urn:worldloom:snapshot-manifest:{FORMAT_VERSION}"
"""The ``$id`` of the manifest's JSON Schema, and the manifest's own ``$schema``."""

MANIFEST_FILE: Final = "manifest.json"
GEOJSON_FILE: Final = "world.geojson"
MAP_FILE: Final = "map.png"
TABLES_DIR: Final = "tables"
TEMP_PREFIX: Final = ".tmp-"
"""Unfinished exports live in ``<world_id>/.tmp-*``; the reader refuses such folders."""

TABLE_NAME_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"
"""Table names double as file names, so they are restricted to a path-safe alphabet."""
WORLD_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
"""World ids double as folder names: no separators, no leading dot (temp dirs start with one)."""
SNAPSHOT_ID_PATTERN: Final = r"^tick[0-9]{6,}-[0-9a-f]{12}$"
SHA256_PATTERN: Final = r"^[0-9a-f]{64}$"
TYPE_NAME_PATTERN: Final = (
    r"^(bool|u?int(8|16|32|64)|float(32|64)|string"
    r"|timestamp\[(s|ms|us|ns)(, tz=[^\]]+)?\]|list<.+>|struct<.+>)$"
)
"""What a manifest's column type may look like (see column_type.type_name)."""


SCHEMA_FILE: Final = "manifest.schema.json"
"""The manifest's JSON Schema (draft 2020-12), shipped beside this module."""


def manifest_schema() -> dict[str, Any]:
    """Return the manifest's JSON Schema, for tools that validate manifests themselves."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@dataclass(frozen=True, slots=True)
class ColumnEntry:
    """One column of a table.

    Attributes:
        name: The column's name.
        type: Its type in the snapshot's tool-neutral vocabulary (`int32`, `string`,
            `list<string>`, `struct<good: string, units: int32>`, `timestamp[us, tz=UTC]`...),
            derived from the Parquet file's Arrow schema.
        nullable: Whether the column may hold nulls (key columns never do).
        description: What the column holds; what a null means where it may be null.
        unit: The unit of a quantity (`km`, `m3/s`, `copper`...), None for anything else.
    """

    name: str
    type: str
    nullable: bool
    description: str
    unit: str | None


@dataclass(frozen=True, slots=True)
class ReferenceEntry:
    """A foreign key: every non-null value of `column` is a `target` value of `table`."""

    column: str
    table: str
    target: str


@dataclass(frozen=True, slots=True)
class TableEntry:
    """Where a table lives in the snapshot, what it must contain and what it means.

    Attributes:
        file: ``tables/<name>.parquet``.
        rows: The number of rows.
        sha256: Hex SHA-256 of the file.
        description: What one row is.
        primary_key: Rows are stored sorted by these columns, unique and non-null together.
        references: The table's foreign keys into tables of the same snapshot.
        columns: Every column, in file order.
    """

    file: str
    rows: int
    sha256: str
    description: str
    primary_key: tuple[str, ...]
    references: tuple[ReferenceEntry, ...]
    columns: tuple[ColumnEntry, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """The columns' names, in file order."""
        return tuple(column.name for column in self.columns)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A non-table file of the snapshot (GeoJSON, map): its checksum and size."""

    sha256: str
    bytes: int


@dataclass(frozen=True, slots=True)
class Manifest:
    """``manifest.json``: identity of the world, provenance, and a checksum for every file.

    ``created_at`` (UTC) is the only field the snapshot id does not cover.
    """

    format: str
    format_version: int
    snapshot_id: str
    world_id: str
    world_name: str
    seed: int
    preset: str
    config_hash: str
    code_version: str
    tick: int
    created_at: datetime
    tables: Mapping[str, TableEntry]
    files: Mapping[str, FileEntry]

    def __post_init__(self) -> None:
        # Read-only views (in sorted order) so a frozen manifest cannot be edited through them.
        for name in ("tables", "files"):
            items = getattr(self, name)
            object.__setattr__(self, name, MappingProxyType(dict(sorted(items.items()))))

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON-ready data, in the order ``manifest.json`` lists it."""
        return {
            "$schema": SCHEMA_ID,
            "format": self.format,
            "format_version": self.format_version,
            "snapshot_id": self.snapshot_id,
            "world_id": self.world_id,
            "world_name": self.world_name,
            "seed": self.seed,
            "preset": self.preset,
            "config_hash": self.config_hash,
            "code_version": self.code_version,
            "tick": self.tick,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "tables": {name: table_json(entry) for name, entry in self.tables.items()},
            "files": {name: file_json(entry) for name, entry in self.files.items()},
        }


def table_json(entry: TableEntry) -> dict[str, Any]:
    """A table entry as JSON-ready data."""
    return {
        "file": entry.file,
        "rows": entry.rows,
        "sha256": entry.sha256,
        "description": entry.description,
        "primary_key": list(entry.primary_key),
        "references": [
            {"column": ref.column, "table": ref.table, "target": ref.target}
            for ref in entry.references
        ],
        "columns": [
            {
                "name": column.name,
                "type": column.type,
                "nullable": column.nullable,
                "description": column.description,
                "unit": column.unit,
            }
            for column in entry.columns
        ],
    }


def file_json(entry: FileEntry) -> dict[str, Any]:
    """A file entry as JSON-ready data."""
    return {"sha256": entry.sha256, "bytes": entry.bytes}
