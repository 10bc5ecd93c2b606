"""Snapshot export and verified reading: round trip, manifest, determinism, atomicity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

from tests.reader.samples import (
    FRAMES_SOURCE,
    GEOJSON,
    META,
    export,
    npcs_frame,
    png_bytes,
    regions_frame,
    sample_tables,
)
from worldloom.infrastructure.snapshot import (
    FORMAT_VERSION,
    SCHEMA_ID,
    ColumnEntry,
    ReferenceEntry,
    SnapshotCorruptError,
    SnapshotInputError,
    TableData,
    UnknownTableError,
    inspect_snapshot,
    open_snapshot,
    verify_snapshot,
)
from worldloom.infrastructure.snapshot import writer as writer_module


def test_round_trip_returns_rows_in_key_order(tmp_path: Path) -> None:
    path = export(tmp_path, tables=sample_tables(shuffle_seed=11))

    assert path.parent == tmp_path / "w7-small"
    assert path.name.startswith("tick000003-")
    snapshot = open_snapshot(path)
    assert snapshot.path == path
    assert snapshot.table_names == ("npcs", "regions")
    assert_frame_equal(snapshot.polars("regions"), regions_frame().sort("region_id"))
    assert_frame_equal(snapshot.polars("npcs"), npcs_frame().sort("region_id", "npc_id"))
    regions = snapshot.table("regions")
    assert isinstance(regions, pa.Table)
    assert regions.column("region_id").to_pylist() == [1, 2, 3, 4, 5]
    assert regions.column("tags").to_pylist()[1] == ["coast", "port"]
    assert snapshot.geojson() == GEOJSON
    assert snapshot.map_png() == png_bytes()


def test_a_path_may_be_given_as_text(tmp_path: Path) -> None:
    path = export(tmp_path)

    for read in (open_snapshot, verify_snapshot, inspect_snapshot):
        assert read(str(path)) is not None
    assert open_snapshot(str(path)).path == path


def test_manifest_carries_identity_and_the_data_dictionary(tmp_path: Path) -> None:
    path = export(tmp_path)
    manifest = open_snapshot(path).manifest

    assert manifest.snapshot_id == path.name
    assert (manifest.format, manifest.format_version) == ("worldloom.snapshot", FORMAT_VERSION)
    assert FORMAT_VERSION == 2
    assert (manifest.world_name, manifest.seed, manifest.tick) == ("Aldmere", 7, 3)
    assert manifest.created_at.utcoffset() is not None
    regions = manifest.tables["regions"]
    assert (regions.file, regions.rows, regions.primary_key, regions.description) == (
        "tables/regions.parquet",
        5,
        ("region_id",),
        "A region of the map.",
    )
    assert regions.columns == (
        ColumnEntry("region_id", "int64", False, "The region's id.", None),
        ColumnEntry("name", "string", True, "The region's name; null while it has none.", None),
        ColumnEntry("area_km2", "float64", False, "Land area.", "km2"),
        ColumnEntry("tags", "list<string>", True, "Keywords for the region's character.", None),
    )
    assert regions.references == ()
    npcs = manifest.tables["npcs"]
    assert npcs.references == (ReferenceEntry("region_id", "regions", "region_id"),)
    assert [(c.name, c.nullable, c.unit) for c in npcs.columns] == [
        ("region_id", False, None),  # a key column, whatever its document said
        ("npc_id", False, None),
        ("age", False, "years"),
        ("wealth", False, "copper"),
    ]
    assert manifest.files["map.png"].bytes == len(png_bytes())
    assert inspect_snapshot(path) == manifest == verify_snapshot(path)


def test_manifest_file_names_its_schema_and_lists_fields_in_order(tmp_path: Path) -> None:
    raw = json.loads((export(tmp_path) / "manifest.json").read_text(encoding="utf-8"))

    assert raw["$schema"] == SCHEMA_ID == "urn:worldloom:snapshot-manifest:2"
    assert list(raw)[:3] == ["$schema", "format", "format_version"]
    assert raw["created_at"].endswith("Z")
    assert list(raw["tables"]["npcs"]) == [
        "file",
        "rows",
        "sha256",
        "description",
        "primary_key",
        "references",
        "columns",
    ]
    assert raw["tables"]["npcs"]["columns"][3] == {
        "name": "wealth",
        "type": "float64",
        "nullable": False,
        "description": "Coin to hand.",
        "unit": "copper",
    }


def test_manifest_is_frozen(tmp_path: Path) -> None:
    manifest = open_snapshot(export(tmp_path)).manifest

    with pytest.raises(AttributeError):
        manifest.tick = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        manifest.tables["x"] = manifest.tables["npcs"]  # type: ignore[index]


def test_same_frames_give_identical_bytes_whatever_the_row_order(tmp_path: Path) -> None:
    first = open_snapshot(export(tmp_path / "a")).manifest
    second = open_snapshot(export(tmp_path / "b", tables=sample_tables(shuffle_seed=5))).manifest

    assert first.snapshot_id == second.snapshot_id
    for name in ("regions", "npcs"):
        assert first.tables[name].sha256 == second.tables[name].sha256
        file = first.tables[name].file
        a = (tmp_path / "a" / "w7-small" / first.snapshot_id / file).read_bytes()
        b = (tmp_path / "b" / "w7-small" / second.snapshot_id / file).read_bytes()
        assert a == b


def test_chunking_of_a_large_frame_does_not_change_bytes(tmp_path: Path) -> None:
    # Above ~260k rows Polars' default row groups follow the frame's chunks; an already
    # sorted frame keeps its chunks through the writer's sort.
    n = 300_000
    frame = pl.DataFrame(
        {"cell_id": pl.int_range(n, eager=True), "height": pl.int_range(n, eager=True) % 977}
    )
    chunked = pl.concat([frame[:1000], frame[1000:1001], frame[1001:]], rechunk=False)
    shas = [
        open_snapshot(
            export(tmp_path / label, tables={"cells": TableData(frame=f, primary_key=("cell_id",))})
        )
        .manifest.tables["cells"]
        .sha256
        for label, f in (("whole", frame), ("chunked", chunked))
    ]
    assert shas[0] == shas[1]


def test_parquet_bytes_do_not_depend_on_the_thread_count(tmp_path: Path) -> None:
    manifest = open_snapshot(export(tmp_path)).manifest
    script = (
        FRAMES_SOURCE
        + """
import hashlib, io, sys
from worldloom.infrastructure.snapshot.writer import _PARQUET_OPTIONS
frame = npcs_frame().sort("region_id", "npc_id").rechunk()
buffer = io.BytesIO()
frame.write_parquet(buffer, **_PARQUET_OPTIONS)
print(hashlib.sha256(buffer.getvalue()).hexdigest())
"""
    )
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == manifest.tables["npcs"].sha256


def test_changed_content_or_provenance_gets_a_new_snapshot_id(tmp_path: Path) -> None:
    base = export(tmp_path)
    tables = sample_tables()
    changed = tables["regions"].frame.with_columns(pl.col("area_km2") + 0.001)
    tables["regions"] = TableData(frame=changed, primary_key=("region_id",))
    described = sample_tables()
    described["npcs"] = TableData(
        frame=npcs_frame(), primary_key=("region_id", "npc_id"), description="Someone."
    )

    other_rows = export(tmp_path, tables=tables)
    other_docs = export(tmp_path, tables=described)
    other_map = export(tmp_path, map_png=png_bytes((0, 0, 0)))
    other_code = export(tmp_path, meta=META.model_copy(update={"code_version": "0.2.0"}))

    paths = (other_rows, other_docs, other_map, other_code)
    assert len({base.name, *(path.name for path in paths)}) == 5
    assert all(open_snapshot(path) for path in paths)


def test_re_export_of_identical_content_returns_the_existing_folder(tmp_path: Path) -> None:
    first = export(tmp_path)
    manifest_before = (first / "manifest.json").read_bytes()

    second = export(tmp_path, tables=sample_tables(shuffle_seed=3))

    assert second == first
    # The folder was reused, not rewritten: created_at would differ otherwise.
    assert (first / "manifest.json").read_bytes() == manifest_before
    assert sorted(p.name for p in (tmp_path / "w7-small").iterdir()) == [first.name]


def test_re_export_over_a_damaged_snapshot_is_refused(tmp_path: Path) -> None:
    path = export(tmp_path)
    (path / "map.png").write_bytes(png_bytes((1, 2, 3)))

    with pytest.raises(SnapshotCorruptError, match="already exists but fails verification"):
        export(tmp_path)
    assert sorted(p.name for p in (tmp_path / "w7-small").iterdir()) == [path.name]


def test_crash_mid_export_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = writer_module._write_file

    def failing_write(path: Path, data: bytes) -> Any:
        if path.name == "map.png":
            raise OSError("disk full")
        return real_write(path, data)

    monkeypatch.setattr(writer_module, "_write_file", failing_write)
    with pytest.raises(OSError, match="disk full"):
        export(tmp_path)
    assert list((tmp_path / "w7-small").iterdir()) == []


def test_what_was_written_is_verified_before_it_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = writer_module._write_file

    def damaging_write(path: Path, data: bytes) -> Any:
        entry = real_write(path, data)
        if path.name == "world.geojson":
            path.write_bytes(data[:-1] + b" ")  # same size, other bytes: as a bad disk would
        return entry

    monkeypatch.setattr(writer_module, "_write_file", damaging_write)
    with pytest.raises(SnapshotCorruptError, match=r"just written does not verify .*geojson"):
        export(tmp_path)
    assert list((tmp_path / "w7-small").iterdir()) == []


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (
            {"npcs": TableData(frame=npcs_frame(), primary_key=("region_id",))},
            r"table 'npcs': primary key \['region_id'\] is not unique .*'region_id': 1",
        ),
        (
            {"regions": TableData(frame=regions_frame(), primary_key=("name",))},
            r"table 'regions': primary key \['name'\] is null in 1 row",
        ),
        (
            {"regions": TableData(frame=regions_frame(), primary_key=("id",))},
            r"table 'regions': primary key columns \['id'\] are not in",
        ),
        (
            {"../escape": TableData(frame=regions_frame(), primary_key=("region_id",))},
            r"table name '\.\./escape'",
        ),
    ],
    ids=["duplicate-key", "null-key", "missing-key-column", "unsafe-name"],
)
def test_bad_tables_are_refused_before_anything_is_written(
    tmp_path: Path, tables: dict[str, TableData], message: str
) -> None:
    with pytest.raises(SnapshotInputError, match=message):
        export(tmp_path, tables=tables)
    assert not (tmp_path / "w7-small").exists()


def test_bad_map_or_geojson_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SnapshotInputError, match=r"map\.png"):
        export(tmp_path, map_png=b"GIF89a")
    with pytest.raises(SnapshotInputError, match=r"world\.geojson: not serialisable"):
        export(tmp_path, geojson={**GEOJSON, "bbox": [float("nan"), 0, 1, 1]})


def test_a_map_and_geojson_drawn_meanwhile_give_the_same_snapshot(tmp_path: Path) -> None:
    """Given as what gives them (a drawing still under way), the GeoJSON and map are taken
    once the tables are written: the same snapshot as with the values."""
    calls: list[str] = []

    def drawn_geojson() -> dict[str, Any]:
        calls.append("geojson")
        return GEOJSON

    def drawn_map() -> bytes:
        calls.append("map")
        return png_bytes()

    assert export(tmp_path / "b", geojson=drawn_geojson, map_png=drawn_map).name == (
        export(tmp_path / "a").name
    )
    assert sorted(calls) == ["geojson", "map"]


def test_a_bad_map_drawn_meanwhile_publishes_nothing(tmp_path: Path) -> None:
    with pytest.raises(SnapshotInputError, match=r"map\.png"):
        export(tmp_path, map_png=lambda: b"GIF89a")
    assert list((tmp_path / "w7-small").iterdir()) == []  # the tables written were removed


def test_unknown_table_lists_the_known_ones(tmp_path: Path) -> None:
    snapshot = open_snapshot(export(tmp_path))

    for read in (snapshot.table, snapshot.polars):
        with pytest.raises(UnknownTableError, match="no table 'quests'; tables are: npcs, regions"):
            read("quests")
