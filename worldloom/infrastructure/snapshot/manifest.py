"""The snapshot manifest: the typed contract between the exporter and the game runtime."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

FORMAT: Final = "worldloom.snapshot"
"""Value of ``manifest.format``; anything else is not a Worldloom snapshot."""

FORMAT_VERSION: Final = 1
"""The only ``format_version`` this code writes and reads. Bump it on any breaking change."""

MANIFEST_FILE: Final = "manifest.json"
GEOJSON_FILE: Final = "world.geojson"
MAP_FILE: Final = "map.png"
TABLES_DIR: Final = "tables"
TEMP_PREFIX: Final = ".tmp-"
"""Unfinished exports live in ``<world_id>/.tmp-*``; the reader refuses such folders."""

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
TableName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
"""Table names double as file names, so they are restricted to a path-safe alphabet."""
WorldId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
"""World ids double as folder names: no separators, no leading dot (temp dirs start with one)."""
FileName = Literal["world.geojson", "map.png"]

# Attribute docstrings become schema descriptions, so the checked-in schema documents itself.
_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class ColumnEntry(BaseModel):
    """One column of a table: its name and its Polars dtype as text (e.g. ``Int64``)."""

    model_config = _FROZEN

    name: str = Field(min_length=1)
    type: str = Field(min_length=1)


class TableEntry(BaseModel):
    """Where a table lives in the snapshot and what it must contain."""

    model_config = _FROZEN

    file: str = Field(pattern=r"^tables/[a-z][a-z0-9_]{0,63}\.parquet$")
    rows: int = Field(ge=0)
    sha256: Sha256
    primary_key: tuple[str, ...] = Field(min_length=1)
    """Rows are stored sorted by these columns, which are unique and non-null together."""
    columns: tuple[ColumnEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _key_is_a_column(self) -> TableEntry:
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate column names in {names}")
        missing = [key for key in self.primary_key if key not in names]
        if missing:
            raise ValueError(f"primary key columns {missing} are not among the columns {names}")
        return self


class FileEntry(BaseModel):
    """A non-table file of the snapshot (GeoJSON, map) and its checksum."""

    model_config = _FROZEN

    sha256: Sha256
    bytes: int = Field(ge=0)


class Manifest(BaseModel):
    """``manifest.json``: identity of the world, provenance, and a checksum for every file."""

    model_config = _FROZEN

    format: Literal["worldloom.snapshot"]
    format_version: int = Field(ge=1)
    snapshot_id: str = Field(pattern=r"^tick[0-9]{6,}-[0-9a-f]{12}$")
    world_id: WorldId
    world_name: str
    seed: int
    preset: str
    config_hash: str
    code_version: str
    tick: int = Field(ge=0)
    created_at: datetime
    """When the snapshot was written (UTC). The only field not covered by ``snapshot_id``."""
    tables: dict[TableName, TableEntry]
    files: dict[FileName, FileEntry]

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.utcoffset() != timedelta(0):
            raise ValueError("created_at must be in UTC")
        return value

    @model_validator(mode="after")
    def _consistent_paths(self) -> Manifest:
        # The reader opens files by these paths, so a manifest must not point anywhere else.
        for name, entry in self.tables.items():
            if entry.file != f"{TABLES_DIR}/{name}.parquet":
                raise ValueError(f"table {name!r} must live in {TABLES_DIR}/{name}.parquet")
        missing = sorted({GEOJSON_FILE, MAP_FILE} - set(self.files))
        if missing:
            raise ValueError(f"files is missing entries for {missing}")
        return self
