"""A snapshot that is tampered, partial, linked, foreign or of another format is refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.reader.samples import export, flip_byte, png_bytes, rewrite_manifest
from worldloom.infrastructure.snapshot import (
    FORMAT_VERSION,
    SnapshotCorruptError,
    SnapshotMissingError,
    SnapshotVersionError,
    inspect_snapshot,
    open_snapshot,
    verify_snapshot,
)


def _link_table_outside(snapshot: Path) -> None:
    # An identical file, so only the link itself can be what is refused.
    table = snapshot / "tables/regions.parquet"
    outside = snapshot.parent / "elsewhere.parquet"
    outside.write_bytes(table.read_bytes())
    table.unlink()
    table.symlink_to(outside)


def _link_tables_folder(snapshot: Path) -> None:
    outside = snapshot.parent / "elsewhere"
    (snapshot / "tables").rename(outside)
    (snapshot / "tables").symlink_to(outside, target_is_directory=True)


def _link_map_to_a_listed_file(snapshot: Path) -> None:
    (snapshot / "map.png").unlink()
    (snapshot / "map.png").symlink_to(snapshot / "world.geojson")


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: flip_byte(p / "tables/npcs.parquet"), r"npcs\.parquet: checksum"),
        (
            lambda p: (p / "tables/regions.parquet").unlink(),
            r"regions\.parquet: table file is missing",
        ),
        (
            lambda p: rewrite_manifest(p, lambda m: m["tables"]["regions"].update(rows=6)),
            r"regions\.parquet: 5 rows, manifest says 6",
        ),
        (
            lambda p: rewrite_manifest(
                p, lambda m: m["tables"]["regions"]["columns"][1].update(type="int64")
            ),
            r"regions\.parquet: columns",
        ),
        (
            lambda p: rewrite_manifest(
                p, lambda m: m["tables"]["regions"]["columns"][1].update(name="title")
            ),
            r"regions\.parquet: columns",
        ),
        (lambda p: (p / "map.png").write_bytes(png_bytes((9, 9, 9))), r"map\.png: checksum"),
        (lambda p: (p / "world.geojson").write_text("{}"), r"world\.geojson: 2 bytes"),
        (lambda p: (p / "map.png").unlink(), r"map\.png: file is missing"),
        (lambda p: (p / "tables/extra.parquet").write_bytes(b"x"), r"extra\.parquet: .*not listed"),
        (lambda p: (p / "notes.txt").write_text("x"), r"notes\.txt: .*not listed"),
        (lambda p: (p / "tables/sub").mkdir(), r"sub: file is not listed"),
        (_link_table_outside, r"regions\.parquet: is a symbolic link"),
        (_link_tables_folder, r"tables: is a symbolic link"),
        (_link_map_to_a_listed_file, r"map\.png: is a symbolic link"),
        (
            lambda p: (p / "manifest.json").write_text("{not json"),
            r"manifest\.json: not valid JSON",
        ),
        (
            lambda p: rewrite_manifest(p, lambda m: m["tables"]["regions"].update(file="../x")),
            r"manifest\.json: does not match the schema: tables\.regions\.file",
        ),
        (
            lambda p: rewrite_manifest(
                p, lambda m: m["tables"].update({"../../y": m["tables"]["npcs"]})
            ),
            r"manifest\.json: does not match the schema: tables\.\.\./\.\./y",
        ),
        (
            lambda p: rewrite_manifest(p, lambda m: m.update(format="other.format")),
            r"manifest\.json: format is 'other\.format'",
        ),
    ],
    ids=[
        "flipped-parquet-byte",
        "deleted-table",
        "edited-row-count",
        "edited-column-type",
        "edited-column-name",
        "changed-map",
        "changed-geojson",
        "deleted-map",
        "unlisted-table-file",
        "unlisted-top-level-file",
        "folder-among-tables",
        "table-linked-outside",
        "tables-folder-linked",
        "map-linked",
        "manifest-not-json",
        "manifest-path-escape",
        "manifest-table-name-escape",
        "foreign-format",
    ],
)
def test_tampered_snapshot_is_refused_naming_the_file(
    tmp_path: Path, tamper: Any, message: str
) -> None:
    path = export(tmp_path)
    tamper(path)

    with pytest.raises(SnapshotCorruptError, match=message):
        open_snapshot(path)


def test_a_link_to_the_snapshot_folder_itself_is_followed(tmp_path: Path) -> None:
    # Only links inside a snapshot are refused; a "latest" link to one is a fine way to name it.
    path = export(tmp_path)
    latest = tmp_path / "latest"
    latest.symlink_to(path, target_is_directory=True)

    assert open_snapshot(latest).manifest == verify_snapshot(path)


def test_table_read_rechecks_the_file_after_opening(tmp_path: Path) -> None:
    snapshot = open_snapshot(export(tmp_path))
    flip_byte(snapshot.path / "tables/regions.parquet")

    for read in (snapshot.table, snapshot.polars):
        with pytest.raises(SnapshotCorruptError, match=r"regions\.parquet: checksum"):
            read("regions")


def test_the_geojson_is_rechecked_on_every_read_and_given_as_written(tmp_path: Path) -> None:
    snapshot = open_snapshot(export(tmp_path))
    geojson = snapshot.path / "world.geojson"
    assert snapshot.geojson_bytes() == geojson.read_bytes()

    flip_byte(geojson)
    for read in (snapshot.geojson, snapshot.geojson_bytes):
        with pytest.raises(SnapshotCorruptError, match=r"world\.geojson: checksum"):
            read()
    geojson.unlink()
    with pytest.raises(SnapshotCorruptError, match=r"world\.geojson: file is missing"):
        snapshot.geojson_bytes()


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="the OS cannot refuse to follow links")
def test_a_file_swapped_for_a_link_after_opening_is_refused(tmp_path: Path) -> None:
    snapshot = open_snapshot(export(tmp_path))
    _link_table_outside(snapshot.path)

    with pytest.raises(SnapshotCorruptError, match=r"regions\.parquet: .* it is a symbolic link$"):
        snapshot.table("regions")


def test_a_folder_swapped_in_after_opening_is_refused_naming_the_file_once(tmp_path: Path) -> None:
    snapshot = open_snapshot(export(tmp_path))
    table = snapshot.path / "tables/regions.parquet"
    table.unlink()
    table.mkdir()

    with pytest.raises(SnapshotCorruptError) as refused:
        snapshot.table("regions")

    assert str(refused.value) == f"{table}: cannot read the file: Is a directory"


def test_inspect_reads_only_the_manifest(tmp_path: Path) -> None:
    path = export(tmp_path)
    (path / "tables/npcs.parquet").unlink()

    assert inspect_snapshot(path).tables["npcs"].rows == 3000
    with pytest.raises(SnapshotCorruptError, match=r"npcs\.parquet"):
        verify_snapshot(path)


def test_missing_snapshot_or_manifest_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SnapshotMissingError, match="no snapshot folder"):
        open_snapshot(tmp_path / "nope")
    path = export(tmp_path)
    (path / "manifest.json").unlink()
    with pytest.raises(SnapshotMissingError, match=r"manifest\.json: manifest is missing"):
        open_snapshot(path)


def test_a_linked_manifest_is_refused(tmp_path: Path) -> None:
    path = export(tmp_path)
    outside = tmp_path / "manifest.json"
    (path / "manifest.json").rename(outside)
    (path / "manifest.json").symlink_to(outside)

    for read in (open_snapshot, inspect_snapshot):
        with pytest.raises(SnapshotCorruptError, match=r"manifest\.json: is a symbolic link"):
            read(path)


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (FORMAT_VERSION + 1, rf"format_version {FORMAT_VERSION + 1} is newer .* upgrade"),
        (1, r"format_version 1 is not supported; .* export the world again"),
        (0, r"format_version 0 is not supported; this reader supports format_version 2"),
    ],
)
def test_unsupported_format_version_is_refused(tmp_path: Path, version: int, message: str) -> None:
    path = export(tmp_path)
    # A future format may also add fields; the version must be reported, not the new field.
    rewrite_manifest(path, lambda m: m.update(format_version=version, new_field=True))

    for read in (open_snapshot, inspect_snapshot):
        with pytest.raises(SnapshotVersionError, match=message):
            read(path)


def test_a_format_1_manifest_is_refused_for_its_version(tmp_path: Path) -> None:
    # What format 1 wrote: Polars type names, no documentation, no $schema.
    path = export(tmp_path)

    def as_format_1(manifest: dict[str, Any]) -> None:
        del manifest["$schema"]
        manifest["format_version"] = 1
        for table in manifest["tables"].values():
            del table["description"], table["references"]
            table["columns"] = [{"name": c["name"], "type": "Int64"} for c in table["columns"]]

    rewrite_manifest(path, as_format_1)

    with pytest.raises(SnapshotVersionError, match="export the world again"):
        open_snapshot(path)


def test_unfinished_export_folder_is_not_a_snapshot(tmp_path: Path) -> None:
    path = export(tmp_path)
    staged = path.rename(path.parent / ".tmp-abc123")

    with pytest.raises(SnapshotCorruptError, match="unfinished export"):
        open_snapshot(staged)
