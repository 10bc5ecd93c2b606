"""Cartography: cell geometry, region outlines, GeoJSON and the rendered map of a world."""

from __future__ import annotations

from worldloom.infrastructure.cartography.geojson import (
    FEATURE_KINDS,
    build_geojson,
    to_geojson_geometry,
)
from worldloom.infrastructure.cartography.geometry import (
    cell_polygons,
    region_outlines,
    voronoi_cells,
)
from worldloom.infrastructure.cartography.projection import MapProjection
from worldloom.infrastructure.cartography.render import Marker, River, render_map
from worldloom.infrastructure.cartography.world_map import MAP_TABLES, world_geojson, world_map_png

__all__ = [
    "FEATURE_KINDS",
    "MAP_TABLES",
    "MapProjection",
    "Marker",
    "River",
    "build_geojson",
    "cell_polygons",
    "region_outlines",
    "render_map",
    "to_geojson_geometry",
    "voronoi_cells",
    "world_geojson",
    "world_map_png",
]
