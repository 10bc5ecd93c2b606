"""DuckDB storage: one file per world, one module owning schema, migrations, reads and writes."""

from worldloom.infrastructure.store.errors import (
    SchemaTooNewError,
    StoreError,
    UnknownWorldError,
    WorldLockedError,
)
from worldloom.infrastructure.store.opening import (
    copy_database,
    keep_open,
    keep_open_letting_go,
    open_store,
    remove_database,
)
from worldloom.infrastructure.store.revision import Revision, RowRange
from worldloom.infrastructure.store.schema import SCHEMA_VERSION, TABLES, Table
from worldloom.infrastructure.store.store import (
    ReadMemory,
    WorldStore,
    Writes,
    describe_tables,
    stored_rows,
    strictly_ascending,
    table_frame,
    table_revision,
)

__all__ = [
    "SCHEMA_VERSION",
    "TABLES",
    "ReadMemory",
    "Revision",
    "RowRange",
    "SchemaTooNewError",
    "StoreError",
    "Table",
    "UnknownWorldError",
    "WorldLockedError",
    "WorldStore",
    "Writes",
    "copy_database",
    "describe_tables",
    "keep_open",
    "keep_open_letting_go",
    "open_store",
    "remove_database",
    "stored_rows",
    "strictly_ascending",
    "table_frame",
    "table_revision",
]
