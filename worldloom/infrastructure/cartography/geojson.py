"""GeoJSON for the world map: regions, rivers, routes and points of interest on a flat km grid."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

COORDINATE_DECIMALS: Final = 3
"""Kilometres to 3 decimals is 1 m: finer than any map feature, and stable across runs."""

FEATURE_KINDS: Final = ("region", "river", "route", "poi")
"""Feature kinds in the order they appear in the collection (areas under lines under points)."""

CRS_NOTE: Final = (
    "Planar coordinates in kilometres on a flat map: x grows east from the west edge, "
    "y grows south from the north edge. Not WGS84 longitude/latitude."
)

_RESERVED_PROPERTIES: Final = frozenset({"kind", "id"})


def build_geojson(
    *,
    regions: Sequence[Mapping[str, Any]],
    rivers: Sequence[Mapping[str, Any]],
    points: Sequence[Mapping[str, Any]],
    routes: Sequence[Mapping[str, Any]] = (),
    bbox: tuple[float, float, float, float] | None = None,
) -> dict[str, Any]:
    """Assemble the world's FeatureCollection.

    Every feature gets ``properties.kind`` (``region``, ``river``, ``route`` or ``poi``) and
    ``properties.id`` (the caller's id); the feature id is ``"<kind>-<id>"`` so ids stay unique
    across kinds. Features are ordered by kind, then id; property keys are sorted after
    ``kind`` and ``id``; coordinates are rounded to 3 decimals. The same input therefore always
    gives the same document, whatever order the items came in.

    Args:
        regions: Items with ``id``, ``geometry`` (a GeoJSON Polygon or MultiPolygon, e.g. from
            ``region_outlines``) and ``properties``.
        rivers: Items with ``id``, ``coordinates`` (``[(x, y), ...]``, at least two points) and
            ``properties``.
        points: Items with ``id``, ``coordinate`` (``(x, y)``) and ``properties``.
        routes: Items like ``rivers``: roads, trails and sea lanes.
        bbox: ``(min_x, min_y, max_x, max_y)`` of the map; defaults to the features' extent.

    Returns:
        A GeoJSON FeatureCollection with top-level ``bbox`` and ``properties`` saying the
        coordinates are planar kilometres.

    Raises:
        ValueError: A geometry is malformed, an id repeats within a kind, or properties use
            the reserved keys ``kind`` or ``id``.
    """
    features = [
        *_features("region", regions, lambda item: _area_geometry(item["geometry"])),
        *_features("river", rivers, _line_string),
        *_features("route", routes, _line_string),
        *_features(
            "poi",
            points,
            lambda item: {"type": "Point", "coordinates": _line([item["coordinate"]])[0]},
        ),
    ]
    extent = bbox if bbox is not None else _extent(features)
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if extent is not None:
        collection["bbox"] = [_round(value) for value in extent]
    collection["properties"] = {"units": "km", "crs": "planar", "note": CRS_NOTE}
    collection["features"] = features
    return collection


def to_geojson_geometry(geometry: BaseGeometry) -> dict[str, Any]:
    """Convert a shapely Point, LineString, Polygon or MultiPolygon to GeoJSON, rounded."""
    kind = geometry.geom_type
    if kind == "Polygon":
        return {"type": kind, "coordinates": _polygon_rings(geometry)}
    if kind == "MultiPolygon":
        parts = [_polygon_rings(part) for part in shapely.get_parts(geometry)]
        return {"type": kind, "coordinates": parts}
    if kind == "LineString":
        return {"type": kind, "coordinates": _line(shapely.get_coordinates(geometry))}
    if kind == "Point":
        return {"type": kind, "coordinates": _line(shapely.get_coordinates(geometry))[0]}
    raise ValueError(f"cannot convert a {kind} to a map feature")


def _features(
    kind: str,
    items: Iterable[Mapping[str, Any]],
    geometry_of: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    features: list[tuple[tuple[bool, Any], dict[str, Any]]] = []
    seen: set[Any] = set()
    for item in items:
        identifier = item["id"]
        if identifier in seen:
            raise ValueError(f"{kind} id {identifier!r} appears twice")
        seen.add(identifier)
        properties = dict(item.get("properties") or {})
        clash = _RESERVED_PROPERTIES & properties.keys()
        if clash:
            raise ValueError(f"{kind} {identifier!r}: properties may not set {sorted(clash)}")
        try:
            geometry = geometry_of(item)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{kind} {identifier!r}: bad geometry: {error}") from error
        feature = {
            "type": "Feature",
            "id": f"{kind}-{identifier}",
            "geometry": geometry,
            "properties": {
                "kind": kind,
                "id": identifier,
                **{key: properties[key] for key in sorted(properties)},
            },
        }
        # Ints sort before strings so a kind with either kind of id has one stable order.
        features.append(((isinstance(identifier, str), identifier), feature))
    features.sort(key=lambda pair: pair[0])
    return [feature for _, feature in features]


def _line_string(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": _line(item["coordinates"])}


def _area_geometry(geometry: Mapping[str, Any]) -> dict[str, Any]:
    kind = geometry["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"expected a Polygon or MultiPolygon, got {kind}")
    return {"type": kind, "coordinates": _round_nested(geometry["coordinates"])}


def _line(coordinates: ArrayLike) -> list[list[float]]:
    array = np.asarray(coordinates, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or not np.isfinite(array).all():
        raise ValueError(f"expected finite (x, y) pairs, got shape {array.shape}")
    return _rounded(array)


def _polygon_rings(polygon: BaseGeometry) -> list[list[list[float]]]:
    count = shapely.get_num_interior_rings(polygon)
    rings = [shapely.get_exterior_ring(polygon)] + [
        shapely.get_interior_ring(polygon, index) for index in range(count)
    ]
    return [_rounded(shapely.get_coordinates(ring)) for ring in rings]


def _rounded(array: NDArray[np.float64]) -> list[list[float]]:
    # Adding 0.0 turns -0.0 into 0.0 so that equal maps print equal text.
    rounded: list[list[float]] = (np.round(array, COORDINATE_DECIMALS) + 0.0).tolist()
    return rounded


def _round(value: float) -> float:
    return round(float(value), COORDINATE_DECIMALS) + 0.0


def _round_nested(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_round_nested(item) for item in value]
    return _round(value)


def _extent(features: list[dict[str, Any]]) -> tuple[float, float, float, float] | None:
    coordinates = [
        pair for feature in features for pair in _flatten_pairs(feature["geometry"]["coordinates"])
    ]
    if not coordinates:
        return None
    array = np.asarray(coordinates, dtype=np.float64)
    low, high = array.min(axis=0), array.max(axis=0)
    return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))


def _flatten_pairs(value: Any) -> Iterable[list[float]]:
    if value and isinstance(value[0], int | float):
        yield value
        return
    for item in value:
        yield from _flatten_pairs(item)
