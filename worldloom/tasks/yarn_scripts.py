"""The notables' dialogue as Yarn Spinner 2 scripts, written from a verified snapshot (an engine
copy beside the SQLite and JSON ones: `worldloom export WORLD --format yarn`).

The folder holds `dialogue/<npc_id>-<name>.yarn`, one file per notable with a node per
conversation (start at `N<npc_id>_Greeting`), and `manifest.json`: the format, the snapshot's
manifest, and each script's size, sha256 and node titles, checked by `verify_yarn`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import polars as pl

from worldloom.reader import Manifest, Snapshot, SnapshotCorruptError
from worldloom.reader.checksum import sha256_file
from worldloom.reader.copies import (
    COPY_MANIFEST,
    check_copy_file,
    read_copy_manifest,
    write_copy_manifest,
)
from worldloom.systems.narrative import Names
from worldloom.systems.narrative.dialogue import render_yarn

FORMAT: Final = "worldloom.snapshot.yarn"
FORMAT_VERSION: Final = 1
_TITLE = re.compile(r"^title: (\S+)$", re.MULTILINE)


def write_yarn(snapshot: Snapshot, folder: Path) -> None:
    """Render the snapshot's `dialogue_lines` as Yarn scripts into `folder` (new)."""
    manifest = snapshot.manifest
    lines = snapshot.polars("dialogue_lines").drop("world_id")
    npcs = snapshot.polars("npcs").filter(pl.col("notable"))
    names = Names(
        npc=dict(
            npcs.select("npc_id", pl.concat_str("name", "family_name", separator=" ")).iter_rows()
        )
    )
    folder.mkdir(parents=True)
    files: dict[str, dict[str, Any]] = {}
    for name, script in render_yarn(lines, names=names).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script, encoding="utf-8")
        files[name] = {
            "bytes": path.stat().st_size,
            "sha256": sha256_file(path),
            "nodes": _TITLE.findall(script),
        }
    write_copy_manifest(
        folder,
        manifest,
        format=FORMAT,
        version=FORMAT_VERSION,
        listing="scripts",
        files=files,
        extra={"start": "N<npc_id>_Greeting"},
    )


def verify_yarn(path: Path) -> Manifest:
    """Check a Yarn export: only listed files, no links, each script's size, checksum and node
    titles as the manifest says; return the snapshot's manifest.

    Raises:
        SnapshotCorruptError: Anything differs, or the folder is not such an export.
    """
    snapshot, scripts = read_copy_manifest(
        path, format=FORMAT, version=FORMAT_VERSION, listing="scripts", what="Yarn export"
    )
    found = {
        str(entry.relative_to(path))
        for entry in path.rglob("*")
        if entry.is_symlink() or not entry.is_dir()
    }
    if found != {COPY_MANIFEST, *scripts}:
        stray = sorted(found - {COPY_MANIFEST, *scripts}) or sorted({*scripts} - found)
        raise SnapshotCorruptError(f"{path}: files differ from the manifest: {stray[:3]}")
    for name, entry in scripts.items():
        file = path / name
        check_copy_file(file, entry)
        if _TITLE.findall(file.read_text(encoding="utf-8")) != entry.get("nodes"):
            raise SnapshotCorruptError(f"{file}: its nodes differ from the manifest")
    return snapshot
