"""What every engine-friendly copy shares: how it is written beside its target and renamed
into place once verified, a snapshot table's rows as plain values, and the row digest."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pyarrow as pa

from worldloom.reader import Manifest, Snapshot, SnapshotCorruptError, open_snapshot

BATCH_ROWS: Final = 20_000
TEMP_PREFIX: Final = ".tmp-"
"""Exports are assembled under this prefix beside their target and renamed into place."""


def plain_value(value: Any) -> Any:
    """A value as JSON (and SQLite) hold it: timestamps as ISO 8601, non-finite floats null."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    return value


def batches(table: pa.Table) -> Iterator[list[dict[str, Any]]]:
    """The table's rows (in stored, primary-key order) as dicts of plain values, in batches."""
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        yield [{k: plain_value(v) for k, v in row.items()} for row in batch.to_pylist()]


class RowDigest:
    """sha256 over rows in order, each encoded as canonical JSON (one line per row)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.rows = 0

    def add(self, values: list[Any]) -> None:
        line = json.dumps(values, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        self._hash.update(line.encode("utf-8") + b"\n")
        self.rows += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def staging_path(target: Path) -> Path:
    """A temporary name beside `target`, unique to this host and process."""
    host = "".join(c if c.isalnum() else "_" for c in socket.gethostname()) or "host"
    return target.with_name(f"{TEMP_PREFIX}{host}-{os.getpid()}-{target.name}")


def remove(path: Path) -> None:
    """Remove a file or folder if present."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def export_copy(
    snapshot_path: Path,
    out_dir: Path,
    *,
    suffix: str,
    write: Callable[[Snapshot, Path], None],
    verify: Callable[[Path], Manifest],
) -> Path:
    """Write `<out_dir>/<world_id>/<snapshot_id><suffix>` from a verified snapshot with
    `write`, check it with `verify`, and rename it into place; return it.

    An existing copy of that name that verifies is kept as it is; one that does not is made
    again. A failure leaves no copy (the staging file or folder is removed).

    Raises:
        SnapshotError: The snapshot fails verification, or the copy written does not verify.
    """
    snapshot = open_snapshot(snapshot_path)
    manifest = snapshot.manifest
    target = out_dir / manifest.world_id / f"{manifest.snapshot_id}{suffix}"
    if target.exists():
        try:
            verify(target)
            return target
        except SnapshotCorruptError:
            remove(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_path(target)
    remove(staging)
    try:
        write(snapshot, staging)
        verify(staging)
        os.replace(staging, target)
    finally:
        remove(staging)
    return target
