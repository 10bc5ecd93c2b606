"""Open a snapshot only after checking its format version and every checksum."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from worldloom.infrastructure.snapshot.checksum import sha256_bytes, sha256_file
from worldloom.infrastructure.snapshot.errors import (
    SnapshotCorruptError,
    SnapshotMissingError,
    SnapshotVersionError,
    UnknownTableError,
)
from worldloom.infrastructure.snapshot.manifest import (
    FORMAT,
    FORMAT_VERSION,
    GEOJSON_FILE,
    MANIFEST_FILE,
    MAP_FILE,
    TABLES_DIR,
    TEMP_PREFIX,
    FileEntry,
    Manifest,
    TableEntry,
)


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

    def table(self, name: str) -> pl.DataFrame:
        """Return a table's rows in primary-key order.

        Raises:
            UnknownTableError: The snapshot has no table of that name.
            SnapshotCorruptError: The file changed since the snapshot was written.
        """
        entry = self._manifest.tables.get(name)
        if entry is None:
            known = ", ".join(self.table_names) or "none"
            raise UnknownTableError(f"{self._path}: no table {name!r}; tables are: {known}")
        data = self._read_verified(entry.file, entry.sha256)
        return pl.read_parquet(io.BytesIO(data))

    def geojson(self) -> dict[str, Any]:
        """Return the world's GeoJSON FeatureCollection."""
        data = self._read_verified(GEOJSON_FILE, self._manifest.files[GEOJSON_FILE].sha256)
        loaded: dict[str, Any] = json.loads(data)
        return loaded

    def map_png(self) -> bytes:
        """Return the rendered map as PNG bytes."""
        return self._read_verified(MAP_FILE, self._manifest.files[MAP_FILE].sha256)

    def _read_verified(self, relative: str, sha256: str) -> bytes:
        # Reading and checking the same bytes leaves no window for a swap after verification.
        path = self._path / relative
        try:
            data = path.read_bytes()
        except FileNotFoundError as error:
            raise SnapshotCorruptError(f"{path}: file is missing") from error
        if sha256_bytes(data) != sha256:
            raise SnapshotCorruptError(f"{path}: checksum does not match the manifest (tampered?)")
        return data


def inspect_snapshot(path: Path) -> Manifest:
    """Read and validate a snapshot's manifest without checking the files it lists.

    Raises:
        SnapshotMissingError: No snapshot folder or no manifest at ``path``.
        SnapshotVersionError: The manifest has a format version this reader does not support.
        SnapshotCorruptError: The manifest is not valid JSON or does not match the schema.
    """
    if not path.is_dir():
        raise SnapshotMissingError(f"{path}: no snapshot folder here")
    if path.name.startswith(TEMP_PREFIX):
        raise SnapshotCorruptError(f"{path}: this is an unfinished export, not a snapshot")
    manifest_path = path / MANIFEST_FILE
    try:
        text = manifest_path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise SnapshotMissingError(f"{manifest_path}: manifest is missing") from error
    except (OSError, UnicodeDecodeError) as error:
        raise SnapshotCorruptError(f"{manifest_path}: cannot read the manifest: {error}") from error
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise SnapshotCorruptError(f"{manifest_path}: not valid JSON: {error}") from error
    if not isinstance(raw, dict):
        raise SnapshotCorruptError(f"{manifest_path}: expected a JSON object")
    _check_format(manifest_path, raw)
    try:
        return Manifest.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '<root>'}: {item['msg']}"
            for item in error.errors()
        )
        raise SnapshotCorruptError(
            f"{manifest_path}: does not match the schema: {problems}"
        ) from error


def verify_snapshot(path: Path) -> Manifest:
    """Check a snapshot completely and return its manifest.

    Verifies the manifest, the format version, that every listed file exists with the
    recorded checksum (and, for tables, row count and columns), and that ``tables/`` holds
    no file the manifest does not list.

    Raises:
        SnapshotMissingError: No snapshot at ``path``.
        SnapshotVersionError: Unsupported format version.
        SnapshotCorruptError: Any file is missing, unlisted or differs from the manifest.
    """
    manifest = inspect_snapshot(path)
    for entry in manifest.tables.values():
        _verify_table(path, entry)
    for name, file_entry in manifest.files.items():
        _verify_file(path / name, file_entry)
    listed = {Path(entry.file).name for entry in manifest.tables.values()}
    for stray in sorted(_names_in(path / TABLES_DIR)):
        if stray not in listed:
            raise SnapshotCorruptError(
                f"{path / TABLES_DIR / stray}: file is not listed in the manifest"
            )
    return manifest


def open_snapshot(path: Path) -> Snapshot:
    """Verify a snapshot (see :func:`verify_snapshot`) and return a reader for it."""
    return Snapshot(path, verify_snapshot(path))


def _check_format(manifest_path: Path, raw: dict[str, Any]) -> None:
    # Checked before the schema so a newer snapshot gets "upgrade" rather than a field error.
    if raw.get("format") != FORMAT:
        raise SnapshotCorruptError(
            f"{manifest_path}: format is {raw.get('format')!r}, expected {FORMAT!r}"
        )
    version = raw.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SnapshotCorruptError(f"{manifest_path}: format_version {version!r} is not an integer")
    if version > FORMAT_VERSION:
        raise SnapshotVersionError(
            f"{manifest_path}: snapshot format_version {version} is newer than this reader, "
            f"which supports format_version {FORMAT_VERSION}; upgrade worldloom to read it"
        )
    if version != FORMAT_VERSION:
        raise SnapshotVersionError(
            f"{manifest_path}: snapshot format_version {version} is not supported; "
            f"this reader supports format_version {FORMAT_VERSION}; export the world again"
        )


def _verify_file(path: Path, entry: FileEntry) -> None:
    if not path.is_file():
        raise SnapshotCorruptError(f"{path}: file is missing")
    size = path.stat().st_size
    if size != entry.bytes:
        raise SnapshotCorruptError(f"{path}: {size} bytes, manifest says {entry.bytes}")
    if sha256_file(path) != entry.sha256:
        raise SnapshotCorruptError(f"{path}: checksum does not match the manifest (tampered?)")


def _verify_table(root: Path, entry: TableEntry) -> None:
    path = root / entry.file
    if not path.is_file():
        raise SnapshotCorruptError(f"{path}: table file is missing")
    if sha256_file(path) != entry.sha256:
        raise SnapshotCorruptError(f"{path}: checksum does not match the manifest (tampered?)")
    try:
        schema = pl.read_parquet_schema(path)
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    except Exception as error:  # Polars raises several unrelated types for unreadable files.
        raise SnapshotCorruptError(f"{path}: not a readable Parquet file: {error}") from error
    if rows != entry.rows:
        raise SnapshotCorruptError(f"{path}: {rows} rows, manifest says {entry.rows}")
    columns = [(column.name, column.type) for column in entry.columns]
    actual = [(name, str(dtype)) for name, dtype in schema.items()]
    if actual != columns:
        raise SnapshotCorruptError(f"{path}: columns {actual} differ from the manifest's {columns}")


def _names_in(folder: Path) -> Iterator[str]:
    if folder.is_dir():
        yield from (child.name for child in folder.iterdir())
