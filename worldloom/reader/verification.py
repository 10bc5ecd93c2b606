"""Check a snapshot folder against its manifest: format, layout, checksums, rows and columns."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from worldloom.reader.checksum import open_file, read_file, sha256_file
from worldloom.reader.column_type import schema_types
from worldloom.reader.errors import (
    SnapshotCorruptError,
    SnapshotMissingError,
    SnapshotVersionError,
    unreadable,
)
from worldloom.reader.manifest import (
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
from worldloom.reader.validation import ManifestError, parse_manifest

_TOP_LEVEL: Final = frozenset({MANIFEST_FILE, GEOJSON_FILE, MAP_FILE, TABLES_DIR})
"""Everything a snapshot folder holds; anything else there was not written by the exporter."""


def inspect_snapshot(path: str | os.PathLike[str]) -> Manifest:
    """Read and validate a snapshot's manifest without checking the files it lists.

    Raises:
        SnapshotMissingError: No snapshot folder or no manifest at ``path``.
        SnapshotVersionError: The manifest has a format version this reader does not support.
        SnapshotCorruptError: The folder is an unfinished export, or the manifest is a
            symbolic link, not valid JSON or does not match the schema.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise SnapshotMissingError(f"{folder}: no snapshot folder here")
    if folder.resolve().name.startswith(TEMP_PREFIX):
        raise SnapshotCorruptError(f"{folder}: this is an unfinished export, not a snapshot")
    manifest_path = folder / MANIFEST_FILE
    if manifest_path.is_symlink():
        raise SnapshotCorruptError(f"{manifest_path}: is a symbolic link, not a file")
    try:
        text = read_file(manifest_path).decode("utf-8")
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
        return parse_manifest(raw)
    except ManifestError as error:
        raise SnapshotCorruptError(
            f"{manifest_path}: does not match the schema: {error}"
        ) from error


def verify_snapshot(path: str | os.PathLike[str]) -> Manifest:
    """Check a snapshot completely and return its manifest.

    Verifies the manifest and its format version; that the folder holds only what the
    manifest lists, with no symbolic links; and that every listed file exists with the
    recorded size or checksum (and, for tables, row count, column names and types).

    Raises:
        SnapshotMissingError: No snapshot at ``path``.
        SnapshotVersionError: Unsupported format version.
        SnapshotCorruptError: Any file is missing, unlisted, a link or differs from the manifest.
    """
    folder = Path(path)
    manifest = inspect_snapshot(folder)
    _check_layout(folder, manifest)
    for entry in manifest.tables.values():
        _verify_table(folder, entry)
    for name, file_entry in manifest.files.items():
        _verify_file(folder / name, file_entry)
    return manifest


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


def _check_layout(folder: Path, manifest: Manifest) -> None:
    """Refuse links (they could lead reads out of the folder) and files no manifest lists."""
    for entry in _entries(folder):
        path = folder / entry.name
        if entry.is_symlink():
            raise SnapshotCorruptError(f"{path}: is a symbolic link; a snapshot holds none")
        if entry.name not in _TOP_LEVEL:
            raise SnapshotCorruptError(f"{path}: file is not listed in the manifest")
        if entry.name == TABLES_DIR and not entry.is_dir(follow_symlinks=False):
            raise SnapshotCorruptError(f"{path}: is not a folder")
        if entry.name != TABLES_DIR and not entry.is_file(follow_symlinks=False):
            raise SnapshotCorruptError(f"{path}: is not a file")
    tables = folder / TABLES_DIR
    listed = {Path(entry.file).name for entry in manifest.tables.values()}
    for entry in _entries(tables) if tables.is_dir() else []:
        path = tables / entry.name
        if entry.is_symlink():
            raise SnapshotCorruptError(f"{path}: is a symbolic link; a snapshot holds none")
        if entry.name not in listed:
            raise SnapshotCorruptError(f"{path}: file is not listed in the manifest")
        if not entry.is_file(follow_symlinks=False):
            raise SnapshotCorruptError(f"{path}: is not a file")


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as error:
        raise SnapshotCorruptError(f"{folder}: cannot list the folder: {error}") from error


def _verify_file(path: Path, entry: FileEntry) -> None:
    if not path.is_file():
        raise SnapshotCorruptError(f"{path}: file is missing")
    size = path.stat().st_size
    if size != entry.bytes:
        raise SnapshotCorruptError(f"{path}: {size} bytes, manifest says {entry.bytes}")
    if _checksum(path) != entry.sha256:
        raise SnapshotCorruptError(f"{path}: checksum does not match the manifest (tampered?)")


def _verify_table(folder: Path, entry: TableEntry) -> None:
    path = folder / entry.file
    if not path.is_file():
        raise SnapshotCorruptError(f"{path}: table file is missing")
    if _checksum(path) != entry.sha256:
        raise SnapshotCorruptError(f"{path}: checksum does not match the manifest (tampered?)")
    try:
        with open_file(path) as handle:
            parquet = pq.ParquetFile(handle)
            rows, schema = parquet.metadata.num_rows, parquet.schema_arrow
        actual = schema_types(schema)
    except (pa.ArrowException, OSError, ValueError) as error:
        # UnsupportedTypeError is a ValueError: a column type no manifest can name.
        raise SnapshotCorruptError(f"{path}: not a readable Parquet file: {error}") from error
    if rows != entry.rows:
        raise SnapshotCorruptError(f"{path}: {rows} rows, manifest says {entry.rows}")
    expected = [(column.name, column.type) for column in entry.columns]
    if actual != expected:
        raise SnapshotCorruptError(
            f"{path}: columns {actual} differ from the manifest's {expected}"
        )


def _checksum(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as error:
        raise unreadable(path, error) from error
