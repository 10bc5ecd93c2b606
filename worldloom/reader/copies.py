"""Engine copies of a snapshot (its tables as JSON, its dialogue as Yarn scripts): the manifest
written beside their files — format, the snapshot's own manifest, each file's size and sha256 —
and the checks that read it back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from worldloom.reader.checksum import sha256_file
from worldloom.reader.errors import SnapshotCorruptError
from worldloom.reader.manifest import Manifest
from worldloom.reader.validation import ManifestError, parse_manifest

COPY_MANIFEST: Final = "manifest.json"
"""The manifest's name in a copy's folder."""


def write_copy_manifest(
    folder: Path,
    snapshot: Manifest,
    *,
    format: str,  # the document's own key
    version: int,
    listing: str,
    files: Mapping[str, Mapping[str, Any]],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write the copy's manifest: `format` v`version`, the snapshot's ids and manifest, and
    `files` (each file's entry, e.g. size and sha256) under the key `listing`."""
    document = {
        "format": format,
        "format_version": version,
        "snapshot_id": snapshot.snapshot_id,
        "world_id": snapshot.world_id,
        **(extra or {}),
        listing: dict(files),
        "snapshot": snapshot.to_json(),
    }
    (folder / COPY_MANIFEST).write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def read_copy_manifest(
    path: Path,
    *,
    format: str,  # the document's own key
    version: int,
    listing: str,
    what: str,
) -> tuple[Manifest, dict[str, dict[str, Any]]]:
    """The snapshot manifest a copy was written from, and its files' entries (under
    `listing`), after checking the folder is a copy of `format` v`version`.

    Raises:
        SnapshotCorruptError: No such folder, a linked manifest, a manifest that does not
            parse, or another format (`what` names the copy in the message: "JSON export").
    """
    manifest_path = path / COPY_MANIFEST
    if not path.is_dir() or path.is_symlink() or manifest_path.is_symlink():
        raise SnapshotCorruptError(f"{path}: no {what} here")
    try:
        document = json.loads(manifest_path.read_text(encoding="utf-8"))
        snapshot = parse_manifest(document["snapshot"])
        files: dict[str, dict[str, Any]] = document[listing]
    except (OSError, ValueError, KeyError, TypeError, ManifestError) as error:
        raise SnapshotCorruptError(f"{manifest_path}: not a {what} manifest: {error}") from None
    if document.get("format") != format or document.get("format_version") != version:
        raise SnapshotCorruptError(f"{manifest_path}: not {format} v{version}")
    return snapshot, files


def check_copy_file(file: Path, entry: Mapping[str, Any]) -> None:
    """Refuse a listed file that is missing, a link, or of another size or sha256.

    Raises:
        SnapshotCorruptError: Naming the file.
    """
    if file.is_symlink():
        raise SnapshotCorruptError(f"{file}: is a symbolic link")
    if not file.is_file():
        raise SnapshotCorruptError(f"{file}: missing")
    if file.stat().st_size != entry.get("bytes") or sha256_file(file) != entry.get("sha256"):
        raise SnapshotCorruptError(f"{file}: checksum does not match the manifest (tampered?)")
