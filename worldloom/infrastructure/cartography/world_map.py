"""The world as a map: its GeoJSON and its rendered PNG, drawn from the world's stored tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from worldloom.infrastructure.cartography.geojson import build_geojson
from worldloom.infrastructure.cartography.geometry import outline_cells, voronoi_cells
from worldloom.infrastructure.cartography.projection import MapProjection
from worldloom.infrastructure.cartography.render import render_map

_RIVER_MIN_WIDTH_PX, _RIVER_MAX_WIDTH_PX = 1.0, 5.0
_ROAD_WIDTH_PX = {"road": 2.0, "trail": 1.0}
"""Sea lanes are left off the map: they would hide the coasts."""
_MARKER_SIZE = {"capital": 2.2, "city": 1.7, "town": 1.2, "village": 0.8, "hamlet": 0.5}
_NAMED_TIERS = ("capital", "city")
"""Only the largest places are named on the map; the rest would bury it in text."""
MAP_TABLES = (
    "cells", "regions", "biomes", "lakes", "rivers", "routes", "settlements", "pois",
    "poi_loot", "encounters",
)  # fmt: skip
"""The tables `world_geojson` and `world_map_png` draw from."""


def world_geojson(
    tables: Mapping[str, pl.DataFrame], *, width_km: float, height_km: float
) -> dict[str, Any]:
    """The world's regions, lakes, rivers, routes, settlements and POIs as RFC 7946 GeoJSON.

    Coordinates are WGS84 lon/lat from the map's equal-area placement on the globe (see
    ``MapProjection``); each feature keeps its km facts (``area_km2``, ``length_km``).

    Args:
        tables: the world's stored rows: cells, regions, lakes, rivers, biomes, settlements,
            pois, routes.
        width_km: the map's width.
        height_km: the map's height.
    """
    cells = tables["cells"]
    points = cells.select("x", "y").to_numpy()
    # One Voronoi diagram for both outlinings (regions, then lakes): it is most of their cost.
    polygons = voronoi_cells(points, width_km, height_km)
    return build_geojson(
        projection=MapProjection(width_km=width_km, height_km=height_km),
        regions=_region_features(
            polygons, cells=cells, regions=tables["regions"], biomes=tables["biomes"]
        ),
        lakes=_lake_features(polygons, lakes=tables["lakes"]),
        rivers=_river_features(points, tables["rivers"]),
        routes=_route_features(points, tables["routes"]),
        settlements=_settlement_features(tables["settlements"]),
        pois=_poi_features(
            tables["pois"], loot=tables.get("poi_loot"), encounters=tables.get("encounters")
        ),
    )


def world_map_png(
    tables: Mapping[str, pl.DataFrame], *, width_km: float, height_km: float
) -> bytes:
    """The world's map: relief and biomes, region borders, rivers, roads and trails, places
    (dots sized by tier; capitals and cities named) and region names.

    Args:
        tables: the world's stored rows: cells, regions, rivers, biomes, settlements, pois, routes.
        width_km: the map's width.
        height_km: the map's height.
    """
    cells, regions, settlements = tables["cells"], tables["regions"], tables["settlements"]
    points = cells.select("x", "y").to_numpy()
    return render_map(
        points=points,
        width_km=width_km,
        height_km=height_km,
        cell_rgb=_cell_colors(cells, tables["biomes"]),
        cell_region=cells["region_id"].fill_null(-1).to_numpy(),
        cell_is_land=cells["is_land"].to_numpy(),
        cell_elevation=cells["elevation_m"].to_numpy(),
        rivers=_river_lines(points, tables["rivers"]),
        roads=[
            (points[row["cells"]], _ROAD_WIDTH_PX[row["kind"]])
            for row in tables["routes"].iter_rows(named=True)
            if row["kind"] in _ROAD_WIDTH_PX
        ],
        markers=[
            (row["x"], row["y"], row["name"] if row["tier"] in _NAMED_TIERS else "")
            for row in settlements.iter_rows(named=True)
        ],
        marker_sizes=[_MARKER_SIZE[tier] for tier in settlements["tier"]],
        labels=[
            (row["center_x"], row["center_y"], row["name"]) for row in regions.iter_rows(named=True)
        ],
    )


def _region_features(
    polygons: np.ndarray[Any, Any],
    *,
    cells: pl.DataFrame,
    regions: pl.DataFrame,
    biomes: pl.DataFrame,
) -> list[dict[str, Any]]:
    labels = cells["region_id"].fill_null(-1).to_numpy()
    outlines = outline_cells(polygons, labels)
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


def _lake_features(polygons: np.ndarray[Any, Any], *, lakes: pl.DataFrame) -> list[dict[str, Any]]:
    """Lakes outlined from their cells like regions; lake cells belong to no region, so each
    lake fills a hole in the land."""
    if lakes.height == 0:
        return []
    labels = np.full(len(polygons), -1, dtype=np.int64)
    for lake_id, members in zip(lakes["lake_id"], lakes["cells"], strict=True):
        labels[members.to_numpy()] = lake_id
    outlines = outline_cells(polygons, labels)
    return [
        {
            "id": row["lake_id"],
            "geometry": outlines[row["lake_id"]],
            "properties": {
                "name": row["name"],
                "area_km2": round(row["area_km2"], 1),
                "surface_m": round(row["surface_m"], 1),
                "endorheic": row["endorheic"],
            },
        }
        for row in lakes.iter_rows(named=True)
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


def _settlement_features(settlements: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "id": row["settlement_id"],
            "coordinate": (row["x"], row["y"]),
            "properties": {
                "name": row["name"],
                "tier": row["tier"],
                "population": row["population"],
                "port": row["is_port"],
            },
        }
        for row in settlements.iter_rows(named=True)
    ]


def _poi_features(
    pois: pl.DataFrame,
    *,
    loot: pl.DataFrame | None = None,
    encounters: pl.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """POIs share the settlements' id space (place ids); their kind tells them apart. With the
    gear stage's tables, each also says what treasure its rooms hold (copper, lots) and how
    hard its hardest encounter is for the reference party."""
    treasure: dict[int, tuple[int, int]] = {}
    if loot is not None and loot.height:
        totals = loot.group_by("poi_id").agg(pl.col("value").sum(), pl.len())
        treasure = {row[0]: (int(row[1]), int(row[2])) for row in totals.iter_rows()}
    hardest: dict[int, dict[str, Any]] = {}
    if encounters is not None and encounters.height:
        for row in encounters.sort("adjusted_xp", "encounter_id").iter_rows(named=True):
            seen = hardest.setdefault(row["poi_id"], {"encounters": 0})
            seen.update(
                encounters=seen["encounters"] + 1,
                difficulty=row["difficulty"],
                adjusted_xp=row["adjusted_xp"],
                win_chance=round(row["win_chance"], 3),
            )
    features = []
    for row in pois.iter_rows(named=True):
        properties: dict[str, Any] = {
            "name": row["name"],
            "poi_kind": row["kind"],
            "danger_level": row["danger_level"],
        }
        if loot is not None:
            copper, lots = treasure.get(row["poi_id"], (0, 0))
            properties.update(treasure_copper=copper, treasure_lots=lots)
        if encounters is not None:
            properties.update(
                hardest.get(
                    row["poi_id"],
                    {"encounters": 0, "difficulty": None, "adjusted_xp": 0, "win_chance": None},
                )
            )
        coordinate = (row["x"], row["y"])
        features.append({"id": row["poi_id"], "coordinate": coordinate, "properties": properties})
    return features


def _route_features(points: np.ndarray[Any, Any], routes: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "id": row["route_id"],
            "coordinates": points[row["cells"]],
            "properties": {
                "route_kind": row["kind"],
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
