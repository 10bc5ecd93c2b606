"""The export task: a world's tables, GeoJSON and map, written as a verified snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

import worldloom
from worldloom.infrastructure.cartography import build_geojson, region_outlines, render_map
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.snapshot import SnapshotMeta, TableData, write_snapshot
from worldloom.infrastructure.store import describe_tables, open_store
from worldloom.tasks.world import load_world, world_db

_RIVER_MIN_WIDTH_PX, _RIVER_MAX_WIDTH_PX = 1.0, 5.0
_ROAD_WIDTH_PX = {"road": 2.0, "trail": 1.0}
"""Sea lanes are left off the map: they would hide the coasts."""
_MARKER_SIZE = {"capital": 2.2, "city": 1.7, "town": 1.2, "village": 0.8, "hamlet": 0.5}
_NAMED_TIERS = ("capital", "city")
"""Only the largest places are named on the map; the rest would bury it in text."""


@task(name="export-snapshot", cache_policy=NO_CACHE)
def export_snapshot(*, home: str, world_id: str, out_dir: str | None = None) -> str:
    """Write the world's current state as a snapshot; returns the snapshot folder."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        world = load_world(store, world_id)
        tables = {name: store.read(name, world_id) for name in describe_tables()}
    cells, regions, rivers = tables["cells"], tables["regions"], tables["rivers"]
    width, height = world.config.terrain.width_km, world.config.terrain.height_km
    points = cells.select("x", "y").to_numpy()
    snapshots_dir = Path(out_dir) if out_dir else Settings(home=Path(home)).snapshots_dir
    path = write_snapshot(
        snapshots_dir=snapshots_dir,
        meta=SnapshotMeta(
            world_id=world_id,
            world_name=world.name,
            seed=world.config.seed,
            preset=world.config.preset,
            config_hash=world.config.config_hash(),
            code_version=worldloom.__version__,
            tick=world.tick,
        ),
        tables={
            name: TableData(
                frame=frame.select(pl.lit(world_id).alias("world_id"), pl.all()),
                primary_key=("world_id", *key),
            )
            for name, (frame, key) in _with_keys(tables).items()
        },
        geojson=build_geojson(
            regions=_region_features(
                points,
                width=width,
                height=height,
                cells=cells,
                regions=regions,
                biomes=tables["biomes"],
            ),
            rivers=_river_features(points, rivers),
            points=_place_features(tables["settlements"], tables["pois"]),
            routes=_route_features(points, tables["routes"]),
            bbox=(0.0, 0.0, width, height),
        ),
        map_png=render_map(
            points=points,
            width_km=width,
            height_km=height,
            cell_rgb=_cell_colors(cells, tables["biomes"]),
            cell_region=cells["region_id"].to_numpy(),
            cell_is_land=cells["is_land"].to_numpy(),
            cell_elevation=cells["elevation_m"].to_numpy(),
            rivers=_river_lines(points, rivers),
            roads=[
                (points[row["cells"]], _ROAD_WIDTH_PX[row["kind"]])
                for row in tables["routes"].iter_rows(named=True)
                if row["kind"] in _ROAD_WIDTH_PX
            ],
            markers=[
                (row["x"], row["y"], row["name"] if row["tier"] in _NAMED_TIERS else "")
                for row in tables["settlements"].iter_rows(named=True)
            ],
            marker_sizes=[_MARKER_SIZE[tier] for tier in tables["settlements"]["tier"]],
            labels=[
                (row["center_x"], row["center_y"], row["name"])
                for row in regions.iter_rows(named=True)
            ],
        ),
    )
    get_run_logger().info("snapshot %s", path)
    return str(path)


def _with_keys(tables: dict[str, pl.DataFrame]) -> dict[str, tuple[pl.DataFrame, tuple[str, ...]]]:
    keys = describe_tables()
    # `worlds` has one row per world: the snapshot keys it by its (implicit) world.
    return {name: (frame, keys[name] or ("name",)) for name, frame in tables.items()}


def _region_features(
    points: np.ndarray[Any, Any],
    *,
    width: float,
    height: float,
    cells: pl.DataFrame,
    regions: pl.DataFrame,
    biomes: pl.DataFrame,
) -> list[dict[str, Any]]:
    outlines = region_outlines(points, width, height, cells["region_id"].to_numpy())
    biome_names = dict(zip(biomes["biome_id"], biomes["name"], strict=True))
    return [
        {
            "id": row["region_id"],
            "geometry": outlines[row["region_id"]],
            "properties": {
                "name": row["name"],
                "area_km2": round(row["area_km2"], 1),
                "climate": row["climate"],
                "biome": biome_names[row["dominant_biome_id"]],
                "danger_level": row["danger_level"],
                "resources": row["resources"],
            },
        }
        for row in regions.iter_rows(named=True)
    ]


def _river_features(points: np.ndarray[Any, Any], rivers: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "id": row["river_id"],
            "coordinates": points[row["cells"]],
            "properties": {
                "name": row["name"],
                "discharge_m3s": round(row["discharge_m3s"], 1),
                "length_km": round(row["length_km"], 1),
                "ends_in": row["ends_in"],
            },
        }
        for row in rivers.iter_rows(named=True)
        if len(row["cells"]) >= 2
    ]


def _place_features(settlements: pl.DataFrame, pois: pl.DataFrame) -> list[dict[str, Any]]:
    """Settlements and POIs as points; they share one id space (place ids)."""
    towns = [
        {
            "id": row["settlement_id"],
            "coordinate": (row["x"], row["y"]),
            "properties": {
                "name": row["name"],
                "place": "settlement",
                "tier": row["tier"],
                "population": row["population"],
                "port": row["is_port"],
            },
        }
        for row in settlements.iter_rows(named=True)
    ]
    others = [
        {
            "id": row["poi_id"],
            "coordinate": (row["x"], row["y"]),
            "properties": {
                "name": row["name"],
                "place": row["kind"],
                "danger_level": row["danger_level"],
            },
        }
        for row in pois.iter_rows(named=True)
    ]
    return towns + others


def _route_features(points: np.ndarray[Any, Any], routes: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "id": row["route_id"],
            "coordinates": points[row["cells"]],
            "properties": {
                "route": row["kind"],
                "start_place": row["start_place"],
                "end_place": row["end_place"],
                "length_km": round(row["length_km"], 1),
                "travel_days": round(row["travel_days"], 2),
            },
        }
        for row in routes.iter_rows(named=True)
        if len(row["cells"]) >= 2
    ]


def _river_lines(
    points: np.ndarray[Any, Any], rivers: pl.DataFrame
) -> list[tuple[np.ndarray[Any, Any], float]]:
    """River polylines with a width growing with the square root of discharge."""
    if rivers.height == 0:
        return []
    peak = float(rivers["discharge_m3s"].max())  # type: ignore[arg-type]  # non-empty numeric column
    lines = []
    for row in rivers.iter_rows(named=True):
        if len(row["cells"]) < 2:
            continue
        share = (row["discharge_m3s"] / peak) ** 0.5 if peak > 0 else 0.0
        width = _RIVER_MIN_WIDTH_PX + share * (_RIVER_MAX_WIDTH_PX - _RIVER_MIN_WIDTH_PX)
        lines.append((points[row["cells"]], width))
    return lines


def _cell_colors(cells: pl.DataFrame, biomes: pl.DataFrame) -> np.ndarray[Any, Any]:
    """Each cell's biome colour as RGB bytes."""
    palette = np.zeros((int(biomes["biome_id"].max()) + 1, 3), dtype=np.uint8)  # type: ignore[arg-type]  # non-empty integer column
    for biome_id, color in zip(biomes["biome_id"], biomes["color"], strict=True):
        palette[biome_id] = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    colors: np.ndarray[Any, Any] = palette[cells["biome_id"].to_numpy()]
    return colors
