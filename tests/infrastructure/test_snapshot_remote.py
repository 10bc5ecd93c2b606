"""Snapshots on shared storage, against a real S3 server (moto on 127.0.0.1): published whole
(the manifest last, nothing left under the temporary prefix), read back verified, and refused
when anything there differs from the manifest."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.objectstore import BUCKET, ObjectStore, object_store
from tests.reader.samples import export
from worldloom.infrastructure.snapshot import publish_snapshot
from worldloom.reader import (
    SnapshotCorruptError,
    SnapshotMissingError,
    open_snapshot,
    verify_snapshot,
)
from worldloom.reader.remote import default_cache_dir, is_remote, local_path


@pytest.fixture(scope="module")
def store() -> Iterator[ObjectStore]:
    with object_store() as running:
        yield running


@pytest.fixture
def s3(store: ObjectStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    for key, value in store.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WORLDLOOM_SNAPSHOT_CACHE", str(tmp_path / "cache"))
    return store.filesystem()


def _folder(request: pytest.FixtureRequest) -> str:
    """The test's own folder in the bucket (no brackets: fsspec would take them as a glob)."""
    return re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")


def _prefix(request: pytest.FixtureRequest) -> str:
    return f"s3://{BUCKET}/{_folder(request)}"


def test_a_published_snapshot_reads_back_the_same(
    s3: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    local = export(tmp_path / "local")
    prefix = _prefix(request)

    url = publish_snapshot(local, prefix)

    assert url == f"{prefix}/w7-small/{local.name}"
    objects = [path.split("/", 2)[2] for path in s3.find(f"{BUCKET}/{_folder(request)}")]
    assert sorted(objects) == sorted(
        f"w7-small/{local.name}/{path.relative_to(local)}"
        for path in local.rglob("*")
        if path.is_file()
    )  # nothing else: the temporary prefix is gone
    remote = open_snapshot(url)
    assert remote.path.is_relative_to(tmp_path / "cache")
    assert remote.manifest == verify_snapshot(local)
    assert remote.table("npcs").equals(open_snapshot(local).table("npcs"))
    assert remote.map_png() == (local / "map.png").read_bytes()
    # Published again: the same URL, nothing rewritten (ids are content digests).
    stamp = s3.info(f"{url.removeprefix('s3://')}/manifest.json")["LastModified"]
    assert publish_snapshot(local, prefix) == url
    assert s3.info(f"{url.removeprefix('s3://')}/manifest.json")["LastModified"] == stamp


def test_a_prefix_without_its_manifest_is_no_snapshot(
    s3: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # What an upload that died before its manifest leaves where the snapshot would be.
    local = export(tmp_path / "local")
    target = f"{BUCKET}/{_folder(request)}/w7-small/{local.name}"
    s3.put(str(local / "tables"), f"{target}/tables", recursive=True)

    with pytest.raises(SnapshotMissingError, match=r"no manifest\.json"):
        open_snapshot(f"s3://{target}")


@pytest.mark.parametrize(
    ("damage", "refusal"),
    [
        ("tamper", "checksum does not match"),
        ("extra", "not listed in the manifest"),
        ("drop", "file is missing"),
        ("rename", "not this prefix's"),
    ],
)
def test_a_damaged_remote_snapshot_is_refused(
    s3: Any, tmp_path: Path, request: pytest.FixtureRequest, damage: str, refusal: str
) -> None:
    local = export(tmp_path / "local")
    url = publish_snapshot(local, _prefix(request))
    key = url.removeprefix("s3://")
    if damage == "tamper":
        data = bytearray(s3.cat(f"{key}/tables/npcs.parquet"))
        data[len(data) // 2] ^= 0xFF
        s3.pipe(f"{key}/tables/npcs.parquet", bytes(data))
    elif damage == "extra":
        s3.pipe(f"{key}/tables/notes.txt", b"hello")
    elif damage == "drop":
        s3.rm(f"{key}/world.geojson")
    else:
        moved = f"{key.rsplit('/', 1)[0]}/tick000003-000000000000"
        s3.copy(key, moved, recursive=True)
        key = moved

    with pytest.raises(SnapshotCorruptError, match=refusal):
        open_snapshot(f"s3://{key}")
    # Nothing of the refused fetch is kept, so nothing unverified is ever read from the cache.
    assert not list((tmp_path / "cache").glob("w7-small/*"))
    if damage == "tamper":  # and publishing over a damaged copy says so
        with pytest.raises(SnapshotCorruptError, match="does not verify after the upload"):
            publish_snapshot(local, _prefix(request))


def test_a_cached_copy_is_reused_and_a_damaged_one_fetched_again(
    s3: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = publish_snapshot(export(tmp_path / "local"), _prefix(request))
    first = open_snapshot(url).path
    (first / "world.geojson").write_text(json.dumps({"type": "FeatureCollection"}))

    again = open_snapshot(url)

    assert again.path == first
    assert again.geojson()["features"][0]["id"] == "poi-1"  # fetched again, verified


def test_local_paths_and_file_urls_are_read_in_place(tmp_path: Path) -> None:
    local = export(tmp_path / "local")

    assert open_snapshot(f"file://{local}").path == local
    assert not is_remote(local)
    assert not is_remote(f"file://{local}")
    assert is_remote("s3://bucket/w/tick000001-0123456789ab")
    assert local_path(f"file://{local}") == local


def test_the_cache_lives_under_xdg_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLDLOOM_SNAPSHOT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/me")
    assert default_cache_dir() == Path("/var/cache/me/worldloom/snapshots")
    monkeypatch.setenv("WORLDLOOM_SNAPSHOT_CACHE", "/srv/snapshots")
    assert default_cache_dir() == Path("/srv/snapshots")


def test_each_store_the_environment_names_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fsspec caches a client per arguments: one made for an earlier endpoint must not be reused.
    local = export(tmp_path / "local")
    for attempt in range(2):
        with object_store() as store:
            for key, value in store.env.items():
                monkeypatch.setenv(key, value)
            url = publish_snapshot(local, f"s3://{BUCKET}/shared")
            remote = open_snapshot(url, cache_dir=tmp_path / f"cache{attempt}")
            assert remote.manifest.snapshot_id == local.name
            assert store.filesystem().exists(f"{url.removeprefix('s3://')}/manifest.json")  # type: ignore[attr-defined]
