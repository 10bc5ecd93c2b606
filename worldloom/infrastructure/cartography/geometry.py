"""Voronoi cells of the map's sites, clipped to the map rectangle, and region outlines."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import Polygon

from worldloom.infrastructure.cartography.geojson import to_geojson_geometry

OUTLINE_GRID_KM: Final = 0.001
"""Outlines are snapped to a 1 m grid: GeoJSON stays small and coordinates stay stable."""

_MIRROR_SPACINGS: Final = 4.0
"""Points closer than this many mean cell spacings to an edge get a mirror image across it."""

_SNAP_RELATIVE: Final = 1e-9
"""Vertices this close to an edge (relative to the map size) are put exactly on it."""


def cell_polygons(points: ArrayLike, width: float, height: float) -> list[Polygon]:
    """Return the Voronoi cell of every point, clipped to ``[0, width] x [0, height]``.

    Coordinates are kilometres with y growing southward. The cells tile the rectangle
    exactly: neighbours share vertices, so the cells form a valid polygon coverage and
    their areas sum to ``width * height``.

    Args:
        points: ``(n, 2)`` distinct points strictly inside the rectangle, in cell order.
        width: Map width in km.
        height: Map height in km.

    Returns:
        One polygon per point, in the order of ``points``.

    Raises:
        ValueError: Points are not ``(n, 2)``, not finite, outside the rectangle or repeated.
    """
    return list(voronoi_cells(points, width, height))


def voronoi_cells(points: ArrayLike, width: float, height: float) -> NDArray[np.object_]:
    """Like :func:`cell_polygons`, but as a shapely geometry array for vectorised use."""
    sites = _validated_points(points, width, height)
    count = len(sites)
    if count == 0:
        return np.empty(0, dtype=object)
    # Mirror images across an edge make that edge the bisector between a point and its image,
    # so cells come out already clipped, with boundary vertices shared between neighbours.
    # Clipping afterwards would compute each shared boundary vertex twice, not always equally.
    spacing = float(np.sqrt(width * height / count))
    distance_to_edge = np.column_stack(
        [sites[:, 0], width - sites[:, 0], sites[:, 1], height - sites[:, 1]]
    )
    mirrored = distance_to_edge < _MIRROR_SPACINGS * spacing
    tolerance = _SNAP_RELATIVE * max(width, height)
    while True:
        cells = _diagram(sites, mirrored, width, height)
        bounds = shapely.bounds(cells)
        escaped = (
            (bounds[:, 0] < -tolerance)
            | (bounds[:, 1] < -tolerance)
            | (bounds[:, 2] > width + tolerance)
            | (bounds[:, 3] > height + tolerance)
        )
        if not escaped.any():
            break
        # A cell reaching past an edge belongs to a point far from it in a sparse area;
        # mirroring that point across every edge bounds its cell, and adding sites only
        # shrinks the other cells, so one more round is enough.
        if mirrored[escaped].all():
            raise RuntimeError(
                "Voronoi cells escape the map although all their points are mirrored"
            )
        mirrored[escaped] = True
    cells = _snap_to_edges(cells, bounds, width, height, tolerance)
    return _repair_degenerate(cells, (width, height), tolerance)


def region_outlines(
    points: ArrayLike, width: float, height: float, labels: ArrayLike
) -> dict[int, dict[str, Any]]:
    """Return a GeoJSON geometry per region: the union of the cells carrying its label.

    Args:
        points: ``(n, 2)`` cell sites, as for :func:`cell_polygons`.
        width: Map width in km.
        height: Map height in km.
        labels: ``(n,)`` integer region per cell; ``-1`` (any negative) means no region.

    Returns:
        ``{label: {"type": "Polygon" | "MultiPolygon", "coordinates": ...}}`` in label order,
        valid geometries with coordinates rounded to 3 decimals (1 m) and exterior rings
        counter-clockwise in map coordinates.
    """
    return outline_cells(voronoi_cells(points, width, height), labels)


def outline_cells(cells: NDArray[np.object_], labels: ArrayLike) -> dict[int, dict[str, Any]]:
    """`region_outlines` over cells already built (:func:`voronoi_cells`): outlining a map
    more than once (regions, lakes) then builds its diagram once."""
    cell_labels = np.asarray(labels)
    if cell_labels.shape != (len(cells),) or not np.issubdtype(cell_labels.dtype, np.integer):
        raise ValueError(f"labels must be {len(cells)} integers, got {cell_labels.shape}")
    order = np.argsort(cell_labels, kind="stable")
    unique, starts = np.unique(cell_labels[order], return_index=True)
    outlines: dict[int, dict[str, Any]] = {}
    for label, members in zip(unique, np.split(order, starts[1:]), strict=True):
        if label < 0:
            continue
        # Cells share their edges exactly, so the coverage union (fast, no overlay) applies.
        merged = shapely.coverage_union_all(cells[members])
        snapped = shapely.orient_polygons(shapely.set_precision(merged, OUTLINE_GRID_KM))
        outlines[int(label)] = to_geojson_geometry(snapped)
    return outlines


def _validated_points(points: ArrayLike, width: float, height: float) -> NDArray[np.float64]:
    if not (np.isfinite(width) and np.isfinite(height) and width > 0 and height > 0):
        raise ValueError(f"map size must be positive, got {width} x {height}")
    sites = np.asarray(points, dtype=np.float64)
    if sites.size == 0:
        return sites.reshape(0, 2)
    if sites.ndim != 2 or sites.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {sites.shape}")
    if not np.isfinite(sites).all():
        raise ValueError("points must be finite")
    inside = (sites[:, 0] > 0) & (sites[:, 0] < width) & (sites[:, 1] > 0) & (sites[:, 1] < height)
    if not inside.all():
        raise ValueError(
            f"{int((~inside).sum())} point(s) are not strictly inside 0..{width} x 0..{height}, "
            f"e.g. {sites[~inside][0].tolist()}"
        )
    if len(np.unique(sites, axis=0)) != len(sites):
        raise ValueError("points must be distinct: two cells cannot share a site")
    return sites


def _diagram(
    sites: NDArray[np.float64], mirrored: NDArray[np.bool_], width: float, height: float
) -> NDArray[np.object_]:
    """Return the Voronoi cells of ``sites`` with the chosen mirror images added as guards."""
    x, y = sites[:, 0], sites[:, 1]
    images = [
        np.column_stack([-x, y])[mirrored[:, 0]],
        np.column_stack([2 * width - x, y])[mirrored[:, 1]],
        np.column_stack([x, -y])[mirrored[:, 2]],
        np.column_stack([x, 2 * height - y])[mirrored[:, 3]],
    ]
    everything = np.vstack([sites, *images])
    # GEOS clips unbounded cells to an envelope; making it far larger than the map means a
    # cell clipped there shows up as escaping rather than silently stopping short of an edge.
    envelope = shapely.box(-2 * width, -2 * height, 3 * width, 3 * height)
    diagram = shapely.voronoi_polygons(
        shapely.multipoints(everything), extend_to=envelope, ordered=True
    )
    cells: NDArray[np.object_] = shapely.get_parts(diagram)[: len(sites)]
    return cells


def _snap_to_edges(
    cells: NDArray[np.object_],
    bounds: NDArray[np.float64],
    width: float,
    height: float,
    tolerance: float,
) -> NDArray[np.object_]:
    """Make the vertices on the map's edges exact and shared between neighbouring cells.

    A site and its mirror image are cocircular with a neighbour and its image, so one boundary
    vertex can come out as two circumcentres a rounding error apart, each kept by a different
    cell. Putting such vertices exactly on the edge and merging those that lie within
    ``tolerance`` along it restores shared vertices, which the coverage union needs.
    """
    touching = (
        (bounds[:, 0] < tolerance)
        | (bounds[:, 1] < tolerance)
        | (bounds[:, 2] > width - tolerance)
        | (bounds[:, 3] > height - tolerance)
    )
    edge_cells = cells[touching]
    coordinates = shapely.get_coordinates(edge_cells)
    extents = (width, height)
    _snap_onto_edges(coordinates, extents, tolerance)
    for axis, extent in ((0, 0.0), (0, width), (1, 0.0), (1, height)):
        on_edge = coordinates[:, axis] == extent
        along = 1 - axis
        coordinates[on_edge, along] = _merge_close(coordinates[on_edge, along], tolerance)
    # Merging may move a vertex off a corner; snapping again is a function of the value,
    # so merged vertices stay equal.
    _snap_onto_edges(coordinates, extents, tolerance)
    result = cells.copy()
    result[touching] = shapely.remove_repeated_points(
        shapely.set_coordinates(edge_cells.copy(), coordinates)
    )
    return result


def _repair_degenerate(
    cells: NDArray[np.object_], extents: tuple[float, float], tolerance: float
) -> NDArray[np.object_]:
    """Remove the needle-thin spikes that cocircular sites (e.g. a regular grid) produce.

    Four cocircular sites yield two circumcentres a rounding error apart; a cell keeping both
    can fold back on itself. Rounding every vertex to a grid far finer than any cell merges
    them, and being a function of the value it keeps shared vertices shared. Random sites
    almost never need it, so the (costlier) rounding only runs when a cell is invalid.
    """
    if shapely.is_valid(cells).all():
        return cells
    coordinates = np.round(shapely.get_coordinates(cells) / tolerance) * tolerance
    # The map's far edges are rarely on the grid; put them back where they were.
    _snap_onto_edges(coordinates, extents, tolerance)
    repaired = shapely.remove_repeated_points(shapely.set_coordinates(cells.copy(), coordinates))
    if not shapely.is_valid(repaired).all():
        raise ValueError("points are too close together to form valid cells")
    repaired_cells: NDArray[np.object_] = repaired
    return repaired_cells


def _snap_onto_edges(
    coordinates: NDArray[np.float64], extents: tuple[float, float], tolerance: float
) -> None:
    for axis, extent in enumerate(extents):
        values = coordinates[:, axis]
        values[values < tolerance] = 0.0
        values[values > extent - tolerance] = extent


def _merge_close(values: NDArray[np.float64], tolerance: float) -> NDArray[np.float64]:
    """Replace each run of values closer than ``tolerance`` to the next by the run's minimum."""
    if len(values) == 0:
        return values
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.concatenate([[True], np.diff(ordered) > tolerance])
    representative = ordered[starts][np.cumsum(starts) - 1]
    merged = np.empty_like(values)
    merged[order] = representative
    return merged
