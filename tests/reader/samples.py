"""A small hand-built snapshot (two documented tables, one reference) and ways to damage it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import polars as pl
from PIL import Image

from worldloom.infrastructure.snapshot import (
    ColumnDoc,
    ReferenceEntry,
    SnapshotMeta,
    TableData,
    write_snapshot,
)

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

REGION_DOCS = (
    ColumnDoc("region_id", "The region's id."),
    ColumnDoc("name", "The region's name; null while it has none."),
    ColumnDoc("area_km2", "Land area.", unit="km2", nullable=False),
    ColumnDoc("tags", "Keywords for the region's character."),
)
NPC_DOCS = (
    ColumnDoc("region_id", "The region the person lives in (regions)."),
    ColumnDoc("npc_id", "The person's id within the region."),
    ColumnDoc("age", "Age in whole years.", unit="years", nullable=False),
    ColumnDoc("wealth", "Coin to hand.", unit="copper", nullable=False),
)


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
        "regions": TableData(
            frame=regions,
            primary_key=("region_id",),
            description="A region of the map.",
            columns=REGION_DOCS,
        ),
        "npcs": TableData(
            frame=npcs,
            primary_key=("region_id", "npc_id"),
            description="A person.",
            columns=NPC_DOCS,
            references=(ReferenceEntry("region_id", "regions", "region_id"),),
        ),
    }


def export(root: Path, **overrides: Any) -> Path:
    """Write the sample snapshot under ``root`` (with any argument of write_snapshot replaced)."""
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


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
