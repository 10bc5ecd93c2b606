"""Snapshots: the verified, versioned export of a world that the game runtime reads.

Writing lives here; reading and verifying is :mod:`worldloom.reader`'s (which needs only
pyarrow), re-exported so the pipeline has one way in and one verification.
"""

from __future__ import annotations

from worldloom.infrastructure.snapshot.remote import publish_snapshot
from worldloom.infrastructure.snapshot.table import ColumnDoc, TableData
from worldloom.infrastructure.snapshot.writer import (
    SnapshotMeta,
    remove_stale_staging,
    snapshot_id_for,
    write_snapshot,
)
from worldloom.reader import (
    FORMAT,
    FORMAT_VERSION,
    SCHEMA_ID,
    ColumnEntry,
    FileEntry,
    Manifest,
    ReferenceEntry,
    Snapshot,
    SnapshotCorruptError,
    SnapshotError,
    SnapshotInputError,
    SnapshotMissingError,
    SnapshotVersionError,
    TableEntry,
    UnknownTableError,
    inspect_snapshot,
    open_snapshot,
    verify_snapshot,
)
from worldloom.reader.manifest import MAP_FILE

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAP_FILE",
    "SCHEMA_ID",
    "ColumnDoc",
    "ColumnEntry",
    "FileEntry",
    "Manifest",
    "ReferenceEntry",
    "Snapshot",
    "SnapshotCorruptError",
    "SnapshotError",
    "SnapshotInputError",
    "SnapshotMeta",
    "SnapshotMissingError",
    "SnapshotVersionError",
    "TableData",
    "TableEntry",
    "UnknownTableError",
    "inspect_snapshot",
    "open_snapshot",
    "publish_snapshot",
    "remove_stale_staging",
    "snapshot_id_for",
    "verify_snapshot",
    "write_snapshot",
]
