"""Snapshots: the verified, versioned export of a world that the game runtime reads."""

from __future__ import annotations

from worldloom.infrastructure.snapshot.errors import (
    SnapshotCorruptError,
    SnapshotError,
    SnapshotInputError,
    SnapshotMissingError,
    SnapshotVersionError,
    UnknownTableError,
)
from worldloom.infrastructure.snapshot.manifest import (
    FORMAT,
    FORMAT_VERSION,
    ColumnEntry,
    FileEntry,
    Manifest,
    TableEntry,
)
from worldloom.infrastructure.snapshot.reader import (
    Snapshot,
    inspect_snapshot,
    open_snapshot,
    verify_snapshot,
)
from worldloom.infrastructure.snapshot.writer import (
    SnapshotMeta,
    TableData,
    remove_stale_staging,
    snapshot_id_for,
    write_snapshot,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ColumnEntry",
    "FileEntry",
    "Manifest",
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
    "remove_stale_staging",
    "snapshot_id_for",
    "verify_snapshot",
    "write_snapshot",
]
