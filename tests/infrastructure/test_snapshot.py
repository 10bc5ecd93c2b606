"""Snapshot export and verified reading: round trip, determinism, atomicity, tamper refusal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from PIL import Image
from polars.testing import assert_frame_equal

from worldloom.infrastructure.snapshot import (
    FORMAT_VERSION,
    SnapshotCorruptError,
    SnapshotInputError,
    SnapshotMeta,
    SnapshotMissingError,
    SnapshotVersionError,
    TableData,
    UnknownTableError,
    inspect_snapshot,
    open_snapshot,
    verify_snapshot,
    write_snapshot,
)
from worldloom.infrastructure.snapshot import writer as writer_module

META = SnapshotMeta(
    world_id="w7-small",
    world_name="Aldmere",
    seed=7,
    preset="small",
    config_hash="cfg-3f2a",
    code_version="0.1.0+test",
    tick=3,
)

GEOJSON: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "poi-1",
            "geometry": {"type": "Point", "coordinates": [1.5, 2.25]},
            "properties": {"kind": "poi", "name": "Ostwick"},
        }
    ],
}

# Builds the sample frames; shared verbatim with a subprocess in the thread-count test.
FRAMES_SOURCE = """
import polars as pl

def regions_frame():
    return pl.DataFrame({
        "region_id": [3, 1, 2, 5, 4],
        "name": ["Fenmarch", "Aldmere", "Brackwater", None, "Coldharbour"],
        "area_km2": [120.5, 80.25, 99.0, 10.0, 400.75],
        "tags": [["marsh"], [], ["coast", "port"], None, ["hills"]],
    })

def npcs_frame():
    n = 3000
    return pl.DataFrame({
        "region_id": [i % 5 + 1 for i in range(n)],
        "npc_id": [(i * 7919) % n for i in range(n)],
        "age": [(i * 31) % 90 for i in range(n)],
        "wealth": [((i * 2654435761) % 10007) / 7.0 for i in range(n)],
    })
"""
_namespace: dict[str, Any] = {}
exec(FRAMES_SOURCE, _namespace)
regions_frame = _namespace["regions_frame"]
npcs_frame = _namespace["npcs_frame"]


def png_bytes(color: tuple[int, int, int] = (10, 80, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 4), color).save(buffer, format="PNG")
    return buffer.getvalue()


def sample_tables(*, shuffle_seed: int | None = None) -> dict[str, TableData]:
    regions, npcs = regions_frame(), npcs_frame()
    if shuffle_seed is not None:
        regions = regions.sample(fraction=1.0, shuffle=True, seed=shuffle_seed)
        # Several chunks as well as another row order: both must not change the bytes.
        npcs = pl.concat(
            [
                part.sample(fraction=1.0, shuffle=True, seed=shuffle_seed)
                for part in (npcs[:1000], npcs[1000:1001], npcs[1001:])
            ],
            rechunk=False,
        )
        assert npcs.n_chunks() > 1
    return {
        "regions": TableData(frame=regions, primary_key=("region_id",)),
        "npcs": TableData(frame=npcs, primary_key=("region_id", "npc_id")),
    }


def export(root: Path, **overrides: Any) -> Path:
    arguments: dict[str, Any] = {
        "snapshots_dir": root,
        "meta": META,
        "tables": sample_tables(),
        "geojson": GEOJSON,
        "map_png": png_bytes(),
    }
    arguments.update(overrides)
    return write_snapshot(**arguments)


def rewrite_manifest(snapshot: Path, edit: Any) -> None:
    path = snapshot / "manifest.json"
    raw = json.loads(path.read_text())
    edit(raw)
    path.write_text(json.dumps(raw))


def test_round_trip_returns_rows_in_key_order(tmp_path: Path) -> None:
    path = export(tmp_path, tables=sample_tables(shuffle_seed=11))

    assert path.parent == tmp_path / "w7-small"
    assert path.name.startswith("tick000003-")
    snapshot = open_snapshot(path)
    assert snapshot.path == path
    assert snapshot.table_names == ("npcs", "regions")
    assert_frame_equal(snapshot.table("regions"), regions_frame().sort("region_id"))
    assert_frame_equal(snapshot.table("npcs"), npcs_frame().sort("region_id", "npc_id"))
    assert snapshot.geojson() == GEOJSON
    assert snapshot.map_png() == png_bytes()

    manifest = snapshot.manifest
    assert manifest.snapshot_id == path.name
    assert (manifest.format, manifest.format_version) == ("worldloom.snapshot", FORMAT_VERSION)
    assert (manifest.world_name, manifest.seed, manifest.tick) == ("Aldmere", 7, 3)
    assert manifest.created_at.utcoffset() is not None
    regions = manifest.tables["regions"]
    assert (regions.file, regions.rows, regions.primary_key) == (
        "tables/regions.parquet",
        5,
        ("region_id",),
    )
    assert [(c.name, c.type) for c in regions.columns] == [
        ("region_id", "Int64"),
        ("name", "String"),
        ("area_km2", "Float64"),
        ("tags", "List(String)"),
    ]
    assert manifest.files["map.png"].bytes == len(png_bytes())
    assert inspect_snapshot(path) == manifest == verify_snapshot(path)


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

    other_rows = export(tmp_path, tables=tables)
    other_map = export(tmp_path, map_png=png_bytes((0, 0, 0)))
    other_code = export(tmp_path, meta=META.model_copy(update={"code_version": "0.2.0"}))

    names = {base.name, other_rows.name, other_map.name, other_code.name}
    assert len(names) == 4
    assert all(open_snapshot(path) for path in (other_rows, other_map, other_code))


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


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: _flip_byte(p / "tables/npcs.parquet"), r"npcs\.parquet: checksum"),
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
                p, lambda m: m["tables"]["regions"]["columns"][1].update(type="Int64")
            ),
            r"regions\.parquet: columns",
        ),
        (lambda p: (p / "map.png").write_bytes(png_bytes((9, 9, 9))), r"map\.png: checksum"),
        (lambda p: (p / "world.geojson").write_text("{}"), r"world\.geojson: 2 bytes"),
        (lambda p: (p / "map.png").unlink(), r"map\.png: file is missing"),
        (lambda p: (p / "tables/extra.parquet").write_bytes(b"x"), r"extra\.parquet: .*not listed"),
        (
            lambda p: (p / "manifest.json").write_text("{not json"),
            r"manifest\.json: not valid JSON",
        ),
        (
            lambda p: rewrite_manifest(p, lambda m: m["tables"]["regions"].update(file="../x")),
            r"manifest\.json: does not match the schema: tables\.regions\.file",
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
        "changed-map",
        "changed-geojson",
        "deleted-map",
        "unlisted-table-file",
        "manifest-not-json",
        "manifest-path-escape",
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


def test_table_read_rechecks_the_file_after_opening(tmp_path: Path) -> None:
    snapshot = open_snapshot(export(tmp_path))
    _flip_byte(snapshot.path / "tables/regions.parquet")

    with pytest.raises(SnapshotCorruptError, match=r"regions\.parquet: checksum"):
        snapshot.table("regions")


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


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (FORMAT_VERSION + 1, rf"format_version {FORMAT_VERSION + 1} is newer .* supports "),
        (0, r"format_version 0 is not supported; this reader supports format_version "),
    ],
)
def test_unsupported_format_version_is_refused(tmp_path: Path, version: int, message: str) -> None:
    path = export(tmp_path)
    # A future format may also add fields; the version must be reported, not the new field.
    rewrite_manifest(path, lambda m: m.update(format_version=version, new_field=True))

    for read in (open_snapshot, inspect_snapshot):
        with pytest.raises(SnapshotVersionError, match=message):
            read(path)


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


def test_unfinished_export_folder_is_not_a_snapshot(tmp_path: Path) -> None:
    path = export(tmp_path)
    staged = path.rename(path.parent / ".tmp-abc123")

    with pytest.raises(SnapshotCorruptError, match="unfinished export"):
        open_snapshot(staged)


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


def test_unknown_table_lists_the_known_ones(tmp_path: Path) -> None:
    snapshot = open_snapshot(export(tmp_path))

    with pytest.raises(UnknownTableError, match="no table 'quests'; tables are: npcs, regions"):
        snapshot.table("quests")
