"""One JSON file per table (an array of row objects in primary-key order) and a manifest
listing each file's rows, size and sha256, beside the snapshot's own manifest."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

from worldloom.reader import Manifest, Snapshot, SnapshotCorruptError
from worldloom.reader.checksum import sha256_file
from worldloom.reader.copies import (
    COPY_MANIFEST,
    check_copy_file,
    read_copy_manifest,
    write_copy_manifest,
)
from worldloom.runtime.export.rows import batches, export_copy

FORMAT: Final = "worldloom.snapshot.json"
FORMAT_VERSION: Final = 1
TABLES: Final = "tables"


def export_json(snapshot_path: Path, out_dir: Path) -> Path:
    """Write `<out_dir>/<world_id>/<snapshot_id>-json/` from a verified snapshot; verify it.

    An existing folder of that name that verifies is kept as it is.

    Raises:
        SnapshotError: The snapshot fails verification, or the files written do not verify.
    """
    return export_copy(snapshot_path, out_dir, suffix="-json", write=_write, verify=verify_json)


def _write(snapshot: Snapshot, folder: Path) -> None:
    manifest = snapshot.manifest
    (folder / TABLES).mkdir(parents=True)
    files = {}
    for name in manifest.tables:
        file = f"{TABLES}/{name}.json"
        rows = _write_table(folder / file, snapshot.table(name))
        files[name] = {
            "file": file,
            "rows": rows,
            "bytes": (folder / file).stat().st_size,
            "sha256": sha256_file(folder / file),
        }
    write_copy_manifest(
        folder, manifest, format=FORMAT, version=FORMAT_VERSION, listing="tables", files=files
    )


def verify_json(path: Path) -> Manifest:
    """Check a JSON export: only listed files, no links, every file's size, checksum and row
    count; return the snapshot's manifest.

    Raises:
        SnapshotCorruptError: Anything differs, or the folder is not such an export.
    """
    snapshot, files = read_copy_manifest(
        path, format=FORMAT, version=FORMAT_VERSION, listing="tables", what="JSON export"
    )
    if set(files) != set(snapshot.tables):
        raise SnapshotCorruptError(f"{path / COPY_MANIFEST}: lists other tables than the snapshot")
    _check_layout(path, {f"{name}.json" for name in files})
    for name, entry in files.items():
        file = path / TABLES / f"{name}.json"
        if entry.get("file") != f"{TABLES}/{name}.json":
            raise SnapshotCorruptError(f"{file}: missing")
        check_copy_file(file, entry)
        rows = json.loads(file.read_text(encoding="utf-8"))
        if len(rows) != entry.get("rows") or len(rows) != snapshot.tables[name].rows:
            raise SnapshotCorruptError(f"{file}: {len(rows)} rows, manifest says {entry['rows']}")
    return snapshot


def _write_table(path: Path, table: Any) -> int:
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for batch in batches(table):
            for row in batch:
                out.write(",\n" if rows else "\n")
                out.write(json.dumps(row, ensure_ascii=False, allow_nan=False))
                rows += 1
        out.write("\n]\n")
        out.flush()
        os.fsync(out.fileno())
    return rows


def _check_layout(path: Path, listed: set[str]) -> None:
    for entry in path.iterdir():
        if entry.is_symlink() or entry.name not in {COPY_MANIFEST, TABLES}:
            raise SnapshotCorruptError(f"{entry}: not listed in the export's manifest")
    for entry in (path / TABLES).iterdir():
        if entry.is_symlink() or entry.name not in listed or not entry.is_file():
            raise SnapshotCorruptError(f"{entry}: not listed in the export's manifest")
