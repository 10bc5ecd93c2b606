"""A verified snapshot's tables, GeoJSON and map, each re-checked against its checksum on read."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from worldloom.reader.checksum import read_buffer, read_file, sha256_bytes
from worldloom.reader.errors import SnapshotCorruptError, UnknownTableError, unreadable
from worldloom.reader.manifest import GEOJSON_FILE, MAP_FILE, Manifest, TableEntry
from worldloom.reader.remote import fetch_snapshot, is_remote, local_path
from worldloom.reader.verification import verify_snapshot

if TYPE_CHECKING:
    import polars as pl


_Read = TypeVar("_Read")
"""What a file is read as: bytes, or a buffer Arrow allocated (a table's)."""


class Snapshot:
    """A verified snapshot on disk. Every read re-checks the file's checksum."""

    __slots__ = ("_manifest", "_path")

    def __init__(self, path: Path, manifest: Manifest) -> None:
        """Wrap an already verified snapshot; use :func:`open_snapshot` to get one."""
        self._path = path
        self._manifest = manifest

    @property
    def path(self) -> Path:
        """The snapshot folder."""
        return self._path

    @property
    def manifest(self) -> Manifest:
        """The validated manifest."""
        return self._manifest

    @property
    def table_names(self) -> tuple[str, ...]:
        """Names of the tables in this snapshot, sorted."""
        return tuple(sorted(self._manifest.tables))

    def table(self, name: str) -> pa.Table:
        """Return a table's rows in primary-key order, as a pyarrow Table.

        Raises:
            UnknownTableError: The snapshot has no table of that name.
            SnapshotCorruptError: The file changed since the snapshot was verified.
        """
        # Into memory Arrow owns (`read_buffer`): Arrow's threads may be the last to let go of it.
        entry = self._table_entry(name)
        data = self._read_verified(entry.file, entry.sha256, read_buffer)
        try:
            return pq.read_table(pa.BufferReader(data))
        except (pa.ArrowException, OSError) as error:
            raise SnapshotCorruptError(f"{self._path}: table {name!r} is unreadable") from error

    def polars(self, name: str) -> pl.DataFrame:
        """Return a table's rows in primary-key order, as a Polars frame (needs polars).

        Raises:
            ImportError: polars is not installed.
            UnknownTableError: The snapshot has no table of that name.
            SnapshotCorruptError: The file changed since the snapshot was verified.
        """
        try:
            # Lazily, so the reader runs where only pyarrow is installed.
            import polars as pl  # noqa: PLC0415
        except ImportError as error:
            raise ImportError(
                "Snapshot.polars needs polars (pip install polars); "
                "Snapshot.table returns the same rows as a pyarrow Table"
            ) from error
        entry = self._table_entry(name)
        return pl.read_parquet(io.BytesIO(self._read_verified(entry.file, entry.sha256, read_file)))

    def geojson(self) -> dict[str, Any]:
        """Return the world's GeoJSON FeatureCollection."""
        loaded: dict[str, Any] = json.loads(self.geojson_bytes())
        return loaded

    def geojson_bytes(self) -> bytes:
        """Return the world's GeoJSON as its file's bytes (to serve them as they are)."""
        sha256 = self._manifest.files[GEOJSON_FILE].sha256
        return self._read_verified(GEOJSON_FILE, sha256, read_file)

    def map_png(self) -> bytes:
        """Return the rendered map as PNG bytes."""
        return self._read_verified(MAP_FILE, self._manifest.files[MAP_FILE].sha256, read_file)

    def _table_entry(self, name: str) -> TableEntry:
        entry = self._manifest.tables.get(name)
        if entry is None:
            known = ", ".join(self.table_names) or "none"
            raise UnknownTableError(f"{self._path}: no table {name!r}; tables are: {known}")
        return entry

    def _read_verified(self, relative: str, sha256: str, read: Callable[[Path], _Read]) -> _Read:
        # Reading and checking the same bytes leaves no window for a swap after verification.
        path = self._path / relative
        try:
            data = read(path)
        except FileNotFoundError as error:
            raise SnapshotCorruptError(f"{path}: file is missing") from error
        except OSError as error:
            raise unreadable(path, error) from error
        if sha256_bytes(data) != sha256:
            raise SnapshotCorruptError(f"{path}: checksum does not match the manifest (tampered?)")
        return data


def open_snapshot(
    path: str | os.PathLike[str],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> Snapshot:
    """Verify a snapshot (see :func:`verify_snapshot`) and return a reader for it.

    Args:
        path: The snapshot folder, ``<snapshots>/<world_id>/<snapshot_id>``, a ``file://``
            URL of one, or an object-store URL (``s3://bucket/prefix/<world_id>/<snapshot_id>``,
            needs ``pip install 'worldloom[s3]'``), fetched into `cache_dir` first.
        cache_dir: Where fetched snapshots are kept (default: see ``remote.default_cache_dir``).
        storage_options: Passed to fsspec for an object-store URL (e.g. ``endpoint_url``).

    Raises:
        SnapshotMissingError: No snapshot at ``path``.
        SnapshotVersionError: Written in a format version this reader does not support.
        SnapshotCorruptError: Tampered, partial, or holding links or unlisted files.
    """
    if is_remote(path):
        folder = fetch_snapshot(str(path), cache_dir=cache_dir, storage_options=storage_options)
    else:
        folder = local_path(path)
    return Snapshot(folder, verify_snapshot(folder))
