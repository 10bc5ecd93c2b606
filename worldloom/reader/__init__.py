"""Read Worldloom snapshots with the standard library and pyarrow alone (polars optional).

```python
from worldloom.reader import open_snapshot

snapshot = open_snapshot("snapshots/w7/tick000000-3f2a9c1b7d4e")  # verifies it first
regions = snapshot.table("regions")  # a pyarrow Table, rows in primary-key order
features = snapshot.geojson()["features"]
```
"""

from __future__ import annotations

from worldloom.reader.column_type import UnsupportedTypeError, type_name
from worldloom.reader.errors import (
    SnapshotCorruptError,
    SnapshotError,
    SnapshotInputError,
    SnapshotMissingError,
    SnapshotVersionError,
    UnknownTableError,
)
from worldloom.reader.manifest import (
    FORMAT,
    FORMAT_VERSION,
    SCHEMA_ID,
    ColumnEntry,
    FileEntry,
    Manifest,
    ReferenceEntry,
    TableEntry,
    manifest_schema,
)
from worldloom.reader.snapshot import Snapshot, open_snapshot
from worldloom.reader.verification import inspect_snapshot, verify_snapshot

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "SCHEMA_ID",
    "ColumnEntry",
    "FileEntry",
    "Manifest",
    "ReferenceEntry",
    "Snapshot",
    "SnapshotCorruptError",
    "SnapshotError",
    "SnapshotInputError",
    "SnapshotMissingError",
    "SnapshotVersionError",
    "TableEntry",
    "UnknownTableError",
    "UnsupportedTypeError",
    "inspect_snapshot",
    "manifest_schema",
    "open_snapshot",
    "type_name",
    "verify_snapshot",
]
