"""GeoJSON (RFC 7946) of the world map: the flat kilometre map placed on the WGS84 globe."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from worldloom.infrastructure.cartography.projection import (
    DEGREE_DECIMALS,
    MapProjection,
    coordinate_pairs,
)

KM_DECIMALS: Final = 3
"""Map kilometres to 3 decimals is 1 m: finer than any map feature, and stable across runs."""

MAX_SEGMENT_KM: Final = 25.0
"""Longer map edges get extra vertices before projection: a straight map edge is a curve in
lon/lat, and a 25 km chord strays from it by at most about 1.5 m on a 5,000 km map."""

FEATURE_KINDS: Final = ("region", "lake", "river", "route", "settlement", "poi")
"""Feature kinds in the order they appear in the collection (areas under lines under points).

Each feature's id is ``"<kind>-<id>"`` and its properties name the id ``<kind>_id``, after the
key column of the table the feature comes from (``regions.region_id``, ``pois.poi_id``, ...)."""


def build_geojson(
    *,
    projection: MapProjection,
    regions: Sequence[Mapping[str, Any]] = (),
    lakes: Sequence[Mapping[str, Any]] = (),
    rivers: Sequence[Mapping[str, Any]] = (),
    routes: Sequence[Mapping[str, Any]] = (),
    settlements: Sequence[Mapping[str, Any]] = (),
    pois: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Assemble the world's FeatureCollection from map-kilometre items, in lon/lat.

    Every feature gets ``properties.kind`` (one of :data:`FEATURE_KINDS`) and
    ``properties.<kind>_id`` (the caller's id); the feature id is ``"<kind>-<id>"``, unique
    across the collection. Features are ordered by kind, then id; property keys are sorted after
    ``kind`` and the id; polygons follow the right-hand rule; coordinates are rounded to 6
    decimals. The same input therefore always gives the same document, whatever order the
    items came in.

    Args:
        projection: The map's size and its placement on the globe.
        regions: Items with ``id``, ``geometry`` (a km GeoJSON Polygon or MultiPolygon, e.g.
            from ``region_outlines``) and ``properties``.
        lakes: Items like ``regions``.
        rivers: Items with ``id``, ``coordinates`` (``[(x, y), ...]`` km, at least two points)
            and ``properties``.
        routes: Items like ``rivers``: roads, trails and sea lanes.
        settlements: Items with ``id``, ``coordinate`` (``(x, y)`` km) and ``properties``.
        pois: Items like ``settlements``.

    Returns:
        A GeoJSON FeatureCollection with a lon/lat ``bbox`` of the whole map and a
        ``worldloom`` member describing the projection (see :meth:`MapProjection.describe`).

    Raises:
        ValueError: A geometry is malformed, an id repeats within a kind, or properties use
            the reserved keys ``kind`` or ``<kind>_id``.
    """

    def area(item: Mapping[str, Any]) -> BaseGeometry:
        geometry = shape(item["geometry"])
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"expected a Polygon or MultiPolygon, got {geometry.geom_type}")
        return geometry

    def line(item: Mapping[str, Any]) -> BaseGeometry:
        coordinates = coordinate_pairs(item["coordinates"])
        if len(coordinates) < 2:
            raise ValueError(f"a line needs two points, got {len(coordinates)}")
        return shapely.linestrings(coordinates)

    def point(item: Mapping[str, Any]) -> BaseGeometry:
        return shapely.points(coordinate_pairs([item["coordinate"]])[0])

    def lines(items: Sequence[Mapping[str, Any]]) -> NDArray[np.object_]:
        coordinates = [coordinate_pairs(item["coordinates"]) for item in items]
        counts = np.array([len(pairs) for pairs in coordinates], dtype=np.int64)
        if (counts < 2).any():
            raise ValueError("a line needs two points")
        indices = np.repeat(np.arange(len(items)), counts)
        built: NDArray[np.object_] = shapely.linestrings(
            np.concatenate(coordinates), indices=indices
        )
        return built

    def points(items: Sequence[Mapping[str, Any]]) -> NDArray[np.object_]:
        built: NDArray[np.object_] = shapely.points(
            coordinate_pairs([item["coordinate"] for item in items])
        )
        return built

    def areas(items: Sequence[Mapping[str, Any]]) -> NDArray[np.object_]:
        return np.array([area(item) for item in items], dtype=object)

    parts = (
        ("region", regions, area, areas),
        ("lake", lakes, area, areas),
        ("river", rivers, line, lines),
        ("route", routes, line, lines),
        ("settlement", settlements, point, points),
        ("poi", pois, point, points),
    )
    return {
        "type": "FeatureCollection",
        "bbox": projection.bbox(),
        "worldloom": projection.describe(),
        "features": [
            feature
            for kind, items, geometry_of, together in parts
            for feature in _features(
                kind, items, geometry_of, projection, _placed_together(items, together, projection)
            )
        ],
    }


def to_geojson_geometry(geometry: BaseGeometry) -> dict[str, Any]:
    """Convert a shapely Point, LineString, Polygon or MultiPolygon in map km to GeoJSON,
    rounded to 1 m."""
    return _geometry_dict(geometry, KM_DECIMALS)


def _features(
    kind: str,
    items: Iterable[Mapping[str, Any]],
    geometry_of: Callable[[Mapping[str, Any]], BaseGeometry],
    projection: MapProjection,
    placed: Sequence[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The kind's features; `placed` holds the items' GeoJSON geometries when they were placed
    together (else each item's geometry is built and placed here, naming the item it fails)."""
    id_key = f"{kind}_id"
    features: list[tuple[tuple[bool, Any], dict[str, Any]]] = []
    seen: set[Any] = set()
    for index, item in enumerate(items):
        identifier = item["id"]
        if identifier in seen:
            raise ValueError(f"{kind} id {identifier!r} appears twice")
        seen.add(identifier)
        properties = dict(item.get("properties") or {})
        clash = {"kind", id_key} & properties.keys()
        if clash:
            raise ValueError(f"{kind} {identifier!r}: properties may not set {sorted(clash)}")
        try:
            geometry = placed[index] if placed else _placed(geometry_of(item), projection)
        except (KeyError, TypeError, ValueError, AttributeError, ShapelyError) as error:
            raise ValueError(f"{kind} {identifier!r}: bad geometry: {error}") from error
        feature = {
            "type": "Feature",
            "id": f"{kind}-{identifier}",
            "geometry": geometry,
            "properties": {
                "kind": kind,
                id_key: identifier,
                **{key: properties[key] for key in sorted(properties)},
            },
        }
        # Ints sort before strings so a kind with either kind of id has one stable order.
        features.append(((isinstance(identifier, str), identifier), feature))
    features.sort(key=lambda pair: pair[0])
    return [feature for _, feature in features]


def _placed_together(
    items: Sequence[Mapping[str, Any]],
    build: Callable[[Sequence[Mapping[str, Any]]], NDArray[np.object_]],
    projection: MapProjection,
) -> list[dict[str, Any]] | None:
    """Every item's geometry placed as `_placed` places one, in one pass over all their
    coordinates (thousands of places and routes: a pass each cost ~0.1 ms); None when an item
    is malformed, so that placing the items one by one names it."""
    if not items:
        return None
    try:
        geometries = build(items)
        if not np.isfinite(shapely.get_coordinates(geometries)).all():
            return None
        dense = shapely.segmentize(geometries, MAX_SEGMENT_KM)
        # The projection maps each point on its own, so one call over all gives the same values.
        placed = shapely.transform(dense, projection.to_lonlat)
    except (KeyError, TypeError, ValueError, AttributeError, ShapelyError):
        return None
    if shapely.get_type_id(placed).max() <= _LINE:
        return _point_and_line_dicts(placed)
    areas = shapely.orient_polygons(shapely.set_precision(placed, 10.0**-DEGREE_DECIMALS))
    if shapely.is_empty(areas).any():
        return None
    return [_geometry_dict(area, DEGREE_DECIMALS) for area in areas]


def _point_and_line_dicts(placed: NDArray[np.object_]) -> list[dict[str, Any]]:
    """`_geometry_dict` of points or of lines (one kind), rounding all coordinates at once."""
    flat, owner = shapely.get_coordinates(placed, return_index=True)
    rounded = _rounded(flat, DEGREE_DECIMALS)
    bounds = np.searchsorted(owner, np.arange(len(placed) + 1)).tolist()
    if shapely.get_type_id(placed[0]) == _POINT:
        return [{"type": "Point", "coordinates": rounded[start]} for start in bounds[:-1]]
    return [
        {"type": "LineString", "coordinates": rounded[start:end]}
        for start, end in itertools.pairwise(bounds)
    ]


_POINT: Final = 0
_LINE: Final = 1
"""Shapely's type ids of a Point and a LineString."""


def _placed(geometry: BaseGeometry, projection: MapProjection) -> dict[str, Any]:
    """A km geometry as rounded lon/lat GeoJSON; polygons valid and right-hand oriented."""
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        raise ValueError("coordinates must be finite")
    dense = shapely.segmentize(geometry, MAX_SEGMENT_KM)
    placed = shapely.transform(dense, projection.to_lonlat)
    if placed.geom_type in ("Polygon", "MultiPolygon"):
        # Snapping to the output grid here (rather than rounding at the end) keeps the polygon
        # valid; y turning from south to north flips every ring, so orient afterwards.
        placed = shapely.orient_polygons(shapely.set_precision(placed, 10.0**-DEGREE_DECIMALS))
        if placed.is_empty:
            raise ValueError("the area vanishes at the output precision")
    return _geometry_dict(placed, DEGREE_DECIMALS)


def _geometry_dict(geometry: BaseGeometry, decimals: int) -> dict[str, Any]:
    kind = geometry.geom_type
    if kind == "Polygon":
        return {"type": kind, "coordinates": _polygon_rings(geometry, decimals)}
    if kind == "MultiPolygon":
        parts = [_polygon_rings(part, decimals) for part in shapely.get_parts(geometry)]
        return {"type": kind, "coordinates": parts}
    coordinates = _rounded(shapely.get_coordinates(geometry), decimals)
    if kind == "LineString":
        return {"type": kind, "coordinates": coordinates}
    if kind == "Point":
        return {"type": kind, "coordinates": coordinates[0]}
    raise ValueError(f"cannot convert a {kind} to a map feature")


def _polygon_rings(polygon: BaseGeometry, decimals: int) -> list[list[list[float]]]:
    count = shapely.get_num_interior_rings(polygon)
    rings = [shapely.get_exterior_ring(polygon)] + [
        shapely.get_interior_ring(polygon, index) for index in range(count)
    ]
    return [_rounded(shapely.get_coordinates(ring), decimals) for ring in rings]


def _rounded(array: NDArray[np.float64], decimals: int) -> list[list[float]]:
    # Adding 0.0 turns -0.0 into 0.0 so that equal maps print equal text.
    rounded: list[list[float]] = (np.round(array, decimals) + 0.0).tolist()
    return rounded
