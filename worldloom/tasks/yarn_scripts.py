"""The notables' dialogue as Yarn Spinner 2 scripts, written from a verified snapshot (an engine
copy beside the SQLite and JSON ones: `worldloom export WORLD --format yarn`).

The folder holds `dialogue/<npc_id>-<name>.yarn`, one file per notable with a node per
conversation (start at `N<npc_id>_Greeting`), and `manifest.json`: the format, the snapshot's
manifest, and each script's size, sha256 and node titles, checked by `verify_yarn`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

import polars as pl

from worldloom.reader import Manifest, Snapshot, SnapshotCorruptError
from worldloom.reader.checksum import sha256_file
from worldloom.reader.validation import ManifestError, parse_manifest
from worldloom.systems.narrative import Names
from worldloom.systems.narrative.dialogue import render_yarn

FORMAT: Final = "worldloom.snapshot.yarn"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
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
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "snapshot_id": manifest.snapshot_id,
        "world_id": manifest.world_id,
        "start": "N<npc_id>_Greeting",
        "scripts": files,
        "snapshot": manifest.to_json(),
    }
    (folder / MANIFEST).write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def verify_yarn(path: Path) -> Manifest:
    """Check a Yarn export: only listed files, no links, each script's size, checksum and node
    titles as the manifest says; return the snapshot's manifest.

    Raises:
        SnapshotCorruptError: Anything differs, or the folder is not such an export.
    """
    manifest_path = path / MANIFEST
    if not path.is_dir() or path.is_symlink() or manifest_path.is_symlink():
        raise SnapshotCorruptError(f"{path}: no Yarn export here")
    try:
        document = json.loads(manifest_path.read_text(encoding="utf-8"))
        snapshot = parse_manifest(document["snapshot"])
        scripts: dict[str, dict[str, Any]] = document["scripts"]
    except (OSError, ValueError, KeyError, TypeError, ManifestError) as error:
        raise SnapshotCorruptError(
            f"{manifest_path}: not a Yarn export manifest: {error}"
        ) from None
    if document.get("format") != FORMAT or document.get("format_version") != FORMAT_VERSION:
        raise SnapshotCorruptError(f"{manifest_path}: not {FORMAT} v{FORMAT_VERSION}")
    found = {
        str(entry.relative_to(path))
        for entry in path.rglob("*")
        if entry.is_symlink() or not entry.is_dir()
    }
    if found != {MANIFEST, *scripts}:
        stray = sorted(found - {MANIFEST, *scripts}) or sorted({*scripts} - found)
        raise SnapshotCorruptError(f"{path}: files differ from the manifest: {stray[:3]}")
    for name, entry in scripts.items():
        file = path / name
        if file.is_symlink():
            raise SnapshotCorruptError(f"{file}: is a symbolic link")
        if file.stat().st_size != entry.get("bytes") or sha256_file(file) != entry.get("sha256"):
            raise SnapshotCorruptError(f"{file}: checksum does not match the manifest (tampered?)")
        if _TITLE.findall(file.read_text(encoding="utf-8")) != entry.get("nodes"):
            raise SnapshotCorruptError(f"{file}: its nodes differ from the manifest")
    return snapshot
