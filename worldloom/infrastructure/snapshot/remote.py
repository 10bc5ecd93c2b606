"""Publish a verified snapshot to shared storage (an fsspec URL: `s3://bucket/prefix`, ...), so
workers and runtimes on other machines read the same, verified bytes.

An object store has no rename, so a snapshot is uploaded whole under a temporary prefix, then
copied into place inside the store, its manifest last: a reader finds no manifest, or a
complete snapshot. The copy in place is then read back and verified.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from fsspec.core import url_to_fs

from worldloom.infrastructure.snapshot.writer import host_tag
from worldloom.reader import Manifest, SnapshotCorruptError, SnapshotError, verify_snapshot
from worldloom.reader.manifest import MANIFEST_FILE, TEMP_PREFIX
from worldloom.reader.remote import fetch_snapshot


def publish_snapshot(
    snapshot: str | os.PathLike[str],
    url: str,
    *,
    storage_options: dict[str, Any] | None = None,
) -> str:
    """Upload the local snapshot folder `snapshot` to `<url>/<world_id>/<snapshot_id>` and
    return that URL; an identical snapshot already there is kept (ids are content digests).

    Raises:
        SnapshotCorruptError: The local snapshot does not verify, or the uploaded copy does
            not read back as it was written (nothing is left under the temporary prefix).
    """
    folder = Path(snapshot)
    manifest = verify_snapshot(folder)
    options = storage_options or {}
    fs, root = url_to_fs(url, skip_instance_cache=True, **options)  # as the reader does
    base = f"{str(root).rstrip('/')}/{manifest.world_id}"
    target = f"{base}/{manifest.snapshot_id}"
    location = f"{url.rstrip('/')}/{manifest.world_id}/{manifest.snapshot_id}"
    if not fs.exists(f"{target}/{MANIFEST_FILE}"):
        staging = f"{base}/{TEMP_PREFIX}{host_tag()}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            for relative in _files(manifest):
                fs.put_file(str(folder / relative), f"{staging}/{relative}")
            for relative in _files(manifest):  # in the store, the manifest last
                fs.copy(f"{staging}/{relative}", f"{target}/{relative}")
        finally:
            if fs.exists(staging):
                fs.rm(staging, recursive=True)
    try:
        with tempfile.TemporaryDirectory(prefix="worldloom-readback-") as readback:
            fetch_snapshot(location, cache_dir=readback, storage_options=options)
    except SnapshotError as error:
        raise SnapshotCorruptError(
            f"{location} does not verify after the upload ({error}); delete it and export again"
        ) from error
    return location


def _files(manifest: Manifest) -> list[str]:
    """The data files, then the manifest: it is what makes a snapshot visible to readers."""
    data = sorted(entry.file for entry in manifest.tables.values()) + sorted(manifest.files)
    return [*data, MANIFEST_FILE]
