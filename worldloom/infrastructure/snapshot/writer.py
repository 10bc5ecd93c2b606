"""Write a world's tables, GeoJSON and map as a content-addressed snapshot, atomically."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from worldloom.infrastructure.snapshot.checksum import (
    fsync_dir,
    sha256_bytes,
    write_durably,
)
from worldloom.infrastructure.snapshot.errors import (
    SnapshotCorruptError,
    SnapshotError,
    SnapshotInputError,
)
from worldloom.infrastructure.snapshot.manifest import (
    FORMAT,
    FORMAT_VERSION,
    GEOJSON_FILE,
    MANIFEST_FILE,
    MAP_FILE,
    TABLES_DIR,
    TEMP_PREFIX,
    ColumnEntry,
    FileEntry,
    Manifest,
    TableEntry,
    WorldId,
)
from worldloom.infrastructure.snapshot.reader import verify_snapshot

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_TABLE_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")

# Every knob that changes Parquet bytes is pinned, so identical frames give identical files
# (and checksums) whatever the defaults of the installed Polars or the thread count.
_PARQUET_OPTIONS: Final[dict[str, Any]] = {
    "compression": "zstd",
    "compression_level": 3,
    "statistics": True,
    "row_group_size": 128 * 1024,
    "data_page_size": 1024 * 1024,
}


@dataclass(frozen=True, slots=True)
class TableData:
    """A table to export: its rows and the columns that identify a row."""

    frame: pl.DataFrame
    primary_key: tuple[str, ...]


class SnapshotMeta(BaseModel):
    """What the manifest says about the world besides its tables."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_id: WorldId
    world_name: str
    seed: int
    preset: str
    config_hash: str
    code_version: str
    tick: int = Field(ge=0)


def write_snapshot(
    *,
    snapshots_dir: Path,
    meta: SnapshotMeta,
    tables: Mapping[str, TableData],
    geojson: Mapping[str, Any],
    map_png: bytes,
) -> Path:
    """Export a snapshot to ``<snapshots_dir>/<world_id>/<snapshot_id>/`` and return its path.

    The snapshot id is derived from the content (tables, files and world metadata, not the
    creation time), so exporting the same world twice returns the existing folder untouched.
    Files are written to a temporary folder next to the target, fsynced and renamed into place:
    a crash leaves either no snapshot or a complete one, never half of one.

    Args:
        snapshots_dir: Root of all snapshots (``$WORLDLOOM_HOME/snapshots``).
        meta: World identity and provenance recorded in the manifest.
        tables: Table name (lowercase, ``[a-z0-9_]``) to its rows and primary key. Rows are
            written sorted by the key.
        geojson: A GeoJSON FeatureCollection (see ``cartography.build_geojson``).
        map_png: The rendered map as PNG bytes.

    Returns:
        The snapshot folder.

    Raises:
        SnapshotInputError: A table name is invalid, a key column is missing, null or not
            unique, the GeoJSON is not serialisable or the map is not a PNG.
        SnapshotCorruptError: A folder with this snapshot id exists but fails verification.
    """
    prepared = {name: _prepare_table(name, data) for name, data in sorted(tables.items())}
    geojson_bytes = _encode_geojson(geojson)
    if not map_png.startswith(_PNG_SIGNATURE):
        raise SnapshotInputError(f"{MAP_FILE}: the map bytes are not a PNG image")

    world_dir = snapshots_dir / meta.world_id
    world_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(world_dir)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(), dir=world_dir))
    try:
        (staging / TABLES_DIR).mkdir()
        entries = {
            name: _write_table(staging, name, frame, key) for name, (frame, key) in prepared.items()
        }
        files = {
            GEOJSON_FILE: _write_file(staging / GEOJSON_FILE, geojson_bytes),
            MAP_FILE: _write_file(staging / MAP_FILE, map_png),
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
        _write_file(staging / MANIFEST_FILE, (manifest.model_dump_json(indent=2) + "\n").encode())
        fsync_dir(staging / TABLES_DIR)
        fsync_dir(staging)
        return _publish(staging, world_dir / snapshot_id)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_stale_staging(world_dir: Path) -> list[Path]:
    """Remove the staging folders of exports whose process is gone (killed mid-export).

    A staging folder is named `.tmp-<host>-<pid>-<random>`: one of this host whose process no
    longer runs is stale; so is one without that form (left by an older Worldloom). Folders of
    other hosts (shared storage) and of live processes are left alone.

    Returns:
        The folders removed.
    """
    removed = []
    host = _host_tag()
    for folder in sorted(world_dir.glob(f"{TEMP_PREFIX}*")) if world_dir.is_dir() else []:
        parts = folder.name.removeprefix(TEMP_PREFIX).split("-")
        ours = len(parts) >= 3 and parts[-2].isdigit() and "-".join(parts[:-2]) == host
        if ours and _alive(int(parts[-2])):
            continue
        if len(parts) >= 3 and parts[-2].isdigit() and not ours:
            continue  # another host's export, on shared storage: not ours to judge
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _staging_prefix() -> str:
    return f"{TEMP_PREFIX}{_host_tag()}-{os.getpid()}-"


def _host_tag() -> str:
    """The host name as it may stand in a folder name."""
    return "".join(c if c.isalnum() else "_" for c in socket.gethostname()) or "host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


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
        "tables": {name: tables[name].model_dump(mode="json") for name in sorted(tables)},
        "files": {name: files[name].sha256 for name in sorted(files)},
    }
    digest = sha256_bytes(json.dumps(identity, sort_keys=True, separators=(",", ":")).encode())
    return f"tick{meta.tick:06d}-{digest[:12]}"


def _prepare_table(name: str, data: TableData) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Check a table can be keyed by its primary key and return it in key order."""
    if not name or not set(name) <= _TABLE_NAME_CHARS or not name[0].isalpha() or len(name) > 64:
        raise SnapshotInputError(
            f"table name {name!r} must be 1-64 characters of a-z, 0-9 and _, starting with a letter"
        )
    frame, key = data.frame, tuple(data.primary_key)
    if not key:
        raise SnapshotInputError(f"table {name!r} has no primary key")
    missing = [column for column in key if column not in frame.columns]
    if missing:
        raise SnapshotInputError(
            f"table {name!r}: primary key columns {missing} are not in {frame.columns}"
        )
    nulls = frame.filter(pl.any_horizontal(pl.col(key).is_null()))
    if nulls.height:
        raise SnapshotInputError(
            f"table {name!r}: primary key {list(key)} is null in {nulls.height} row(s)"
        )
    duplicates = frame.filter(pl.struct(key).is_duplicated())
    if duplicates.height:
        example = duplicates.select(key).row(0, named=True)
        raise SnapshotInputError(
            f"table {name!r}: primary key {list(key)} is not unique "
            f"({duplicates.height} rows share a key, e.g. {example})"
        )
    # With default options Polars lays out large frames' row groups per chunk, and sorting an
    # already sorted frame keeps its chunks; a single chunk plus a pinned row-group size keeps
    # the bytes independent of how the frame was assembled.
    return frame.sort(key).rechunk(), key


def _write_table(staging: Path, name: str, frame: pl.DataFrame, key: tuple[str, ...]) -> TableEntry:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, **_PARQUET_OPTIONS)
    file = f"{TABLES_DIR}/{name}.parquet"
    written = _write_file(staging / file, buffer.getvalue())
    return TableEntry(
        file=file,
        rows=frame.height,
        sha256=written.sha256,
        primary_key=key,
        columns=tuple(
            ColumnEntry(name=column, type=str(dtype)) for column, dtype in frame.schema.items()
        ),
    )


def _write_file(path: Path, data: bytes) -> FileEntry:
    write_durably(path, data)
    return FileEntry(sha256=sha256_bytes(data), bytes=len(data))


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


def _publish(staging: Path, target: Path) -> Path:
    """Rename the finished staging folder to ``target``, or reuse an identical snapshot there."""
    if not target.exists():
        try:
            os.rename(staging, target)
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
    shutil.rmtree(staging, ignore_errors=True)
    return target
