"""Snapshots on shared storage (`s3://bucket/prefix/<world>/<snapshot>`, any fsspec URL): fetched
into a local cache, verified there like any folder, and read from it.

fsspec (and s3fs for `s3://`) are an optional extra, `pip install 'worldloom[s3]'`, imported
only when a URL is opened: the reader alone still needs nothing but pyarrow.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from worldloom.reader.errors import SnapshotCorruptError, SnapshotError, SnapshotMissingError
from worldloom.reader.manifest import MANIFEST_FILE, TEMP_PREFIX, Manifest
from worldloom.reader.verification import inspect_snapshot, verify_snapshot

CACHE_ENV: Final = "WORLDLOOM_SNAPSHOT_CACHE"
"""Where fetched snapshots are kept (default: `$XDG_CACHE_HOME/worldloom/snapshots`)."""

_ASSEMBLY: Final = "snapshot"


def is_remote(location: str | os.PathLike[str]) -> bool:
    """Whether `location` is a URL of another store than the local disk (`file://` is local)."""
    if not isinstance(location, str) or "://" not in location:
        return False
    return urlsplit(location).scheme not in {"", "file"}


def local_path(location: str | os.PathLike[str]) -> Path:
    """A folder path, or the path of a `file://` URL."""
    if isinstance(location, str) and location.startswith("file://"):
        return Path(urlsplit(location).path)
    return Path(location)


def default_cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "worldloom" / "snapshots"


def fetch_snapshot(
    url: str,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> Path:
    """Copy the snapshot at `url` into the cache (once: snapshots never change under their id)
    and return the verified local folder.

    Only what the manifest lists is fetched, into a staging folder that is verified before it
    is renamed into the cache; a prefix holding files the manifest does not list is refused,
    as a folder holding them would be.

    Raises:
        ImportError: fsspec (or the store's own package, e.g. s3fs) is not installed.
        SnapshotMissingError: No manifest at `url`.
        SnapshotCorruptError: A file is missing, unlisted or does not match the manifest.
    """
    fs, root = _filesystem(url, storage_options or {})
    root = root.rstrip("/")
    cache = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=cache))
    try:
        folder = staging / _ASSEMBLY
        folder.mkdir()
        try:
            (folder / MANIFEST_FILE).write_bytes(fs.cat_file(f"{root}/{MANIFEST_FILE}"))
        except FileNotFoundError as error:
            raise SnapshotMissingError(f"{url}: no snapshot here (no {MANIFEST_FILE})") from error
        manifest = inspect_snapshot(folder)
        if root.rsplit("/", 1)[-1] != manifest.snapshot_id:
            raise SnapshotCorruptError(
                f"{url}: the manifest is snapshot {manifest.snapshot_id}, not this prefix's"
            )
        _check_listing(url, fs, root, manifest)
        target = cache / manifest.world_id / manifest.snapshot_id
        if target.is_dir():
            try:
                verify_snapshot(target)
            except SnapshotError:
                shutil.rmtree(target)  # a damaged copy: fetched again below
            else:
                return target
        for relative in _listed(manifest):
            destination = folder / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                fs.get_file(f"{root}/{relative}", str(destination))
            except FileNotFoundError as error:
                raise SnapshotCorruptError(f"{url}/{relative}: file is missing") from error
        verify_snapshot(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(folder, target)
        except OSError:
            if not target.is_dir():  # another reader fetched it first: theirs is as good
                raise
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _listed(manifest: Manifest) -> list[str]:
    return sorted([entry.file for entry in manifest.tables.values()] + list(manifest.files))


def _check_listing(url: str, fs: Any, root: str, manifest: Manifest) -> None:
    expected = {*_listed(manifest), MANIFEST_FILE}
    found = {path.removeprefix(f"{root}/") for path in fs.find(root)}
    unlisted = sorted(found - expected)
    if unlisted:
        raise SnapshotCorruptError(f"{url}/{unlisted[0]}: file is not listed in the manifest")


def _filesystem(url: str, storage_options: dict[str, Any]) -> tuple[Any, str]:
    try:
        # Lazily: the reader's own install has neither fsspec nor a store's client.
        from fsspec.core import url_to_fs  # noqa: PLC0415

        # A new client each time: fsspec's cached one keeps the endpoint and credentials it was
        # made with, whatever the environment says now.
        fs, root = url_to_fs(url, skip_instance_cache=True, **storage_options)
    except ImportError as error:
        raise ImportError(
            f"reading {urlsplit(url).scheme}:// snapshots needs fsspec and the store's "
            f"package: pip install 'worldloom[s3]' ({error})"
        ) from error
    return fs, str(root)
