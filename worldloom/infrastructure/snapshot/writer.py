"""Write a world's tables, GeoJSON and map as a content-addressed snapshot, atomically."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from worldloom.infrastructure.processes import process_alive
from worldloom.infrastructure.snapshot.durable import fsync_dir, write_durably
from worldloom.infrastructure.snapshot.table import PreparedTable, TableData, prepare_tables
from worldloom.reader import (
    FORMAT,
    FORMAT_VERSION,
    ColumnEntry,
    FileEntry,
    Manifest,
    SnapshotCorruptError,
    SnapshotError,
    SnapshotInputError,
    TableEntry,
    UnsupportedTypeError,
    verify_snapshot,
)
from worldloom.reader.checksum import sha256_bytes
from worldloom.reader.column_type import schema_types
from worldloom.reader.manifest import (
    GEOJSON_FILE,
    MANIFEST_FILE,
    MAP_FILE,
    TABLES_DIR,
    TEMP_PREFIX,
    WORLD_ID_PATTERN,
    table_json,
)

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_ASSEMBLY: Final = "snapshot"
"""The folder inside a staging folder where a snapshot is assembled and verified (under a name
the reader accepts) before it is renamed into place."""

# Every knob that changes Parquet bytes is pinned, so identical frames give identical files
# (and checksums) whatever the defaults of the installed Polars or the thread count.
_PARQUET_OPTIONS: Final[dict[str, Any]] = {
    "compression": "zstd",
    "compression_level": 3,
    "statistics": True,
    "row_group_size": 128 * 1024,
    "data_page_size": 1024 * 1024,
}

WorldId = Annotated[str, StringConstraints(pattern=WORLD_ID_PATTERN)]


class SnapshotMeta(BaseModel):
    """What the manifest says about the world besides its tables."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_id: WorldId
    world_name: str
    seed: int = Field(ge=0)
    preset: str
    config_hash: str
    code_version: str
    tick: int = Field(ge=0)


def write_snapshot(
    *,
    snapshots_dir: Path,
    meta: SnapshotMeta,
    tables: Mapping[str, TableData],
    geojson: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    map_png: bytes | Callable[[], bytes],
) -> Path:
    """Export a snapshot to ``<snapshots_dir>/<world_id>/<snapshot_id>/`` and return its path.

    The snapshot id is derived from the content (tables, files and world metadata, not the
    creation time), so exporting the same world twice returns the existing folder untouched.
    Files are written to a temporary folder next to the target, fsynced, verified with the
    reader and renamed into place: a crash leaves either no snapshot or a complete one, never
    half of one.

    Args:
        snapshots_dir: Root of all snapshots (``$WORLDLOOM_HOME/snapshots``).
        meta: World identity and provenance recorded in the manifest.
        tables: Table name (lowercase, ``[a-z0-9_]``) to its rows, primary key and
            documentation. Rows are written sorted by the key.
        geojson: A GeoJSON FeatureCollection (see ``cartography.build_geojson``), or what
            gives it once the tables are written (a drawing still under way, e.g. a future's
            ``result``).
        map_png: The rendered map as PNG bytes, or what gives them once the tables are written.

    Returns:
        The snapshot folder.

    Raises:
        SnapshotInputError: A table cannot be exported (see ``prepare_tables``: its name, key,
            column types, nulls or references), the GeoJSON is not serialisable or the map is
            not a PNG.
        SnapshotCorruptError: A folder with this snapshot id exists but fails verification.
    """
    prepared = prepare_tables(tables)
    # Given as values, the GeoJSON and map are checked before anything is written; given as
    # what gives them (drawings under way), once the tables are.
    drawn = None if callable(geojson) or callable(map_png) else _map_files(geojson, map_png)
    world_dir = snapshots_dir / meta.world_id
    world_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(world_dir)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(), dir=world_dir))
    try:
        folder = staging / _ASSEMBLY
        (folder / TABLES_DIR).mkdir(parents=True)
        entries = {name: _write_table(folder, name, table) for name, table in prepared.items()}
        geojson_bytes, png = drawn or _map_files(_given(geojson), _given(map_png))
        files = {
            GEOJSON_FILE: _write_file(folder / GEOJSON_FILE, geojson_bytes),
            MAP_FILE: _write_file(folder / MAP_FILE, png),
        }
        snapshot_id = snapshot_id_for(meta=meta, tables=entries, files=files)
        manifest = Manifest(
            format=FORMAT,
            format_version=FORMAT_VERSION,
            snapshot_id=snapshot_id,
            **meta.model_dump(),
            created_at=datetime.now(UTC),
            tables=entries,
            files=files,
        )
        _write_file(folder / MANIFEST_FILE, _encode_manifest(manifest))
        fsync_dir(folder / TABLES_DIR)
        fsync_dir(folder)
        _verify_written(folder)
        return _publish(folder, world_dir / snapshot_id)
    finally:
        # Empty once the snapshot was renamed out of it; whatever is left was never published.
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale_staging(world_dir: Path) -> list[Path]:
    """Remove the staging folders of exports whose process is gone (killed mid-export).

    A staging folder is named `.tmp-<host>-<pid>-<random>`: one of this host whose process no
    longer runs is stale; so is one without that form (left by an older Worldloom). Folders of
    other hosts (shared storage) and of live processes are left alone.

    Returns:
        The folders removed.
    """
    removed = []
    host = host_tag()
    for folder in sorted(world_dir.glob(f"{TEMP_PREFIX}*")) if world_dir.is_dir() else []:
        parts = folder.name.removeprefix(TEMP_PREFIX).split("-")
        ours = len(parts) >= 3 and parts[-2].isdigit() and "-".join(parts[:-2]) == host
        if ours and process_alive(int(parts[-2])):
            continue
        if len(parts) >= 3 and parts[-2].isdigit() and not ours:
            continue  # another host's export, on shared storage: not ours to judge
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _staging_prefix() -> str:
    return f"{TEMP_PREFIX}{host_tag()}-{os.getpid()}-"


def host_tag() -> str:
    """The host name as it may stand in a folder name."""
    return "".join(c if c.isalnum() else "_" for c in socket.gethostname()) or "host"


def snapshot_id_for(
    *, meta: SnapshotMeta, tables: Mapping[str, TableEntry], files: Mapping[str, FileEntry]
) -> str:
    """Return ``tick<NNNNNN>-<12 hex>``, a digest of everything in a snapshot but its timestamp.

    World metadata is part of the digest so that the same tables exported under another code
    version or config hash get their own folder instead of reusing one whose manifest says
    otherwise.
    """
    identity = {
        "format_version": FORMAT_VERSION,
        "meta": meta.model_dump(mode="json"),
        "tables": {name: table_json(tables[name]) for name in sorted(tables)},
        "files": {name: files[name].sha256 for name in sorted(files)},
    }
    digest = sha256_bytes(json.dumps(identity, sort_keys=True, separators=(",", ":")).encode())
    return f"tick{meta.tick:06d}-{digest[:12]}"


def _write_table(folder: Path, name: str, table: PreparedTable) -> TableEntry:
    buffer = io.BytesIO()
    table.frame.write_parquet(buffer, **_PARQUET_OPTIONS)
    data = buffer.getvalue()
    file = f"{TABLES_DIR}/{name}.parquet"
    written = _write_file(folder / file, data)
    # Types are named from what the file holds, as the reader will see them.
    try:
        types = dict(schema_types(pq.read_schema(pa.BufferReader(data))))
    except UnsupportedTypeError as error:
        raise SnapshotInputError(f"table {name!r}: {error}") from None
    return TableEntry(
        file=file,
        rows=table.frame.height,
        sha256=written.sha256,
        description=table.data.description,
        primary_key=tuple(table.data.primary_key),
        references=table.references,
        columns=tuple(
            ColumnEntry(
                name=doc.name,
                type=types[doc.name],
                nullable=doc.nullable,
                description=doc.description,
                unit=doc.unit,
            )
            for doc in table.columns
        ),
    )


def _write_file(path: Path, data: bytes) -> FileEntry:
    write_durably(path, data)
    return FileEntry(sha256=sha256_bytes(data), bytes=len(data))


def _encode_manifest(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _verify_written(folder: Path) -> None:
    """Check the assembled snapshot with the reader's own verification before publishing it."""
    try:
        verify_snapshot(folder)
    except SnapshotError as error:
        raise SnapshotCorruptError(
            f"the snapshot just written does not verify ({error}); nothing was published"
        ) from error


T = TypeVar("T")


def _given(value: T | Callable[[], T]) -> T:
    """`value`, or what it gives when it is a callable (a drawing's `result`)."""
    return value() if callable(value) else value


def _map_files(geojson: Mapping[str, Any], map_png: bytes) -> tuple[bytes, bytes]:
    """The GeoJSON's bytes and the map's, checked.

    Raises:
        SnapshotInputError: the GeoJSON is not serialisable or the map is not a PNG.
    """
    if not map_png.startswith(_PNG_SIGNATURE):
        raise SnapshotInputError(f"{MAP_FILE}: the map bytes are not a PNG image")
    return _encode_geojson(geojson), map_png


def _encode_geojson(geojson: Mapping[str, Any]) -> bytes:
    if geojson.get("type") != "FeatureCollection":
        raise SnapshotInputError(f"{GEOJSON_FILE}: expected a GeoJSON FeatureCollection")
    try:
        # Sorted keys and no NaN: the same map always gives the same bytes and valid JSON.
        text = json.dumps(
            geojson, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise SnapshotInputError(f"{GEOJSON_FILE}: not serialisable as JSON: {error}") from error
    return text.encode("utf-8")


def _publish(folder: Path, target: Path) -> Path:
    """Rename the finished snapshot to ``target``, or reuse an identical snapshot there."""
    if not target.exists():
        try:
            os.rename(folder, target)
        except OSError:
            # Another export of the same content won the race; fall through and check it.
            if not target.exists():
                raise
        else:
            fsync_dir(target.parent)
            return target
    try:
        verify_snapshot(target)
    except SnapshotError as error:
        raise SnapshotCorruptError(
            f"{target} already exists but fails verification ({error}); delete it and export again"
        ) from error
    return target
