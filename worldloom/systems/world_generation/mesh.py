"""The cell mesh: jittered grid points, Voronoi-adjacency neighbours and clipped cell areas."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from worldloom.systems.rng import Seeds
from worldloom.systems.world import TerrainConfig
from worldloom.systems.world_generation.model import NO_CELL, BoolArray, FloatArray, IntArray, Mesh

_JITTER = 0.45
"""Points move up to this share of the grid spacing from their grid node (Azgaar uses 0.45 too):
enough to hide the grid, little enough that no two points come close."""

_MIRROR_BAND = 2.5
"""Points within this many spacings of an edge are mirrored across it. A point's own mirror image
clips its Voronoi cell to that edge, and border cells reach at most ~1.5 spacings in."""


def generate_mesh(config: TerrainConfig, *, seeds: Seeds) -> Mesh:
    """Scatter about `config.cells` jittered points over the map and connect them.

    Points outside the map are mirrored copies of points near its edges, so one Delaunay
    triangulation yields both the neighbours (cells whose clipped Voronoi polygons share an edge)
    and the clipped Voronoi areas, which sum exactly to the map's area.

    Args:
        config: map size and cell count.
        seeds: the world's seed tree; draws from stream `world_generation.mesh`.

    Returns:
        The mesh; its cell count is the grid's, within about 1% of `config.cells`.
    """
    width, height = config.width_km, config.height_km
    grid = _jittered_grid(width, height, config.cells, seeds=seeds)
    points = grid.points
    n = points.shape[0]
    band = max(grid.step_x, grid.step_y) * _MIRROR_BAND
    all_points = np.concatenate([points, _mirror_near_edges(points, width, height, band)])
    simplices = _delaunay(all_points, grid)

    indptr, indices, is_border = _neighbours(simplices, n)
    area = _voronoi_areas(all_points, simplices, n)
    return Mesh(
        points=points,
        width_km=width,
        height_km=height,
        neighbor_indptr=indptr,
        neighbor_indices=indices,
        area_km2=area,
        is_border=is_border,
    )


@dataclass(frozen=True, slots=True)
class _Grid:
    """Jittered grid points; each stays inside its own grid square, which identifies it."""

    points: FloatArray
    columns: int
    rows: int
    step_x: float
    step_y: float


def _jittered_grid(width: float, height: float, cells: int, *, seeds: Seeds) -> _Grid:
    """Row-major grid nodes (row 0 north), each moved by a uniform jitter."""
    spacing = float(np.sqrt(width * height / cells))
    # Of the two column counts around the ideal, keep the one whose grid comes closest to `cells`.
    candidates = [
        (columns, max(2, round(cells / columns)))
        for columns in {max(2, int(width / spacing)), max(2, int(width / spacing) + 1)}
    ]
    columns, rows = min(candidates, key=lambda c: (abs(c[0] * c[1] - cells), c[0]))
    step_x, step_y = width / columns, height / rows
    xs = (np.arange(columns) + 0.5) * step_x
    ys = (np.arange(rows) + 0.5) * step_y
    grid_x, grid_y = np.meshgrid(xs, ys)
    rng = seeds.stream("world_generation.mesh")
    jitter = rng.uniform(-_JITTER, _JITTER, size=(rows * columns, 2))
    points = np.column_stack(
        [grid_x.ravel() + jitter[:, 0] * step_x, grid_y.ravel() + jitter[:, 1] * step_y]
    )
    return _Grid(points, columns, rows, step_x, step_y)


def _delaunay(points: FloatArray, grid: _Grid) -> NDArray[np.int64]:
    """Counter-clockwise Delaunay triangles of `points` as (m, 3) point indices.

    GEOS triangulates a jittered grid about twice as fast as Qhull, but returns coordinates,
    not indices. Every point (mirrors included) sits alone in a square of the grid extended
    past the map edges, so the square a coordinate falls in names the point.
    """
    # from_ragged_array builds the MultiPoint without one Python-level Point per cell.
    cloud = shapely.from_ragged_array(
        shapely.GeometryType.MULTIPOINT, points, (np.array([0, points.shape[0]]),)
    )[0]
    triangles = shapely.delaunay_triangles(cloud)
    # Each triangle is a closed ring of four coordinates; the fourth repeats the first.
    corners = shapely.get_coordinates(triangles).reshape(-1, 4, 2)[:, :3]
    pad = int(np.ceil(_MIRROR_BAND)) + 1
    span = grid.columns + 2 * pad
    lookup = np.full(span * (grid.rows + 2 * pad), -1, dtype=np.int64)
    lookup[_square_of(points, grid, pad)] = np.arange(points.shape[0])
    simplices = lookup[_square_of(corners.reshape(-1, 2), grid, pad)].reshape(-1, 3)
    clockwise = _signed_area(corners[:, 0], corners[:, 1], corners[:, 2]) < 0
    simplices[clockwise] = simplices[clockwise][:, [0, 2, 1]]
    return simplices


def _square_of(xy: FloatArray, grid: _Grid, pad: int) -> NDArray[np.int64]:
    col = np.floor(xy[:, 0] / grid.step_x).astype(np.int64) + pad
    row = np.floor(xy[:, 1] / grid.step_y).astype(np.int64) + pad
    return row * (grid.columns + 2 * pad) + col


def _mirror_near_edges(points: FloatArray, width: float, height: float, band: float) -> FloatArray:
    """Reflections of edge-near points across each edge and each corner."""
    x, y = points[:, 0], points[:, 1]
    near_w, near_e = x < band, x > width - band
    near_n, near_s = y < band, y > height - band
    parts = [
        np.column_stack([-x[near_w], y[near_w]]),
        np.column_stack([2 * width - x[near_e], y[near_e]]),
        np.column_stack([x[near_n], -y[near_n]]),
        np.column_stack([x[near_s], 2 * height - y[near_s]]),
    ]
    # Corner reflections keep the mirrored ring closed, so corner cells have a full fan.
    for near_x, mx in ((near_w, -x), (near_e, 2 * width - x)):
        for near_y, my in ((near_n, -y), (near_s, 2 * height - y)):
            both = near_x & near_y
            parts.append(np.column_stack([mx[both], my[both]]))
    return np.concatenate(parts)


def _neighbours(
    simplices: NDArray[np.int64], n: int
) -> tuple[IntArray, IntArray, NDArray[np.bool_]]:
    """CSR adjacency among real points (sorted rows) and which points touch a mirror."""
    # Triangles are counter-clockwise, so each directed edge a -> b occurs in exactly one of
    # them: the half-edges alone list every neighbour pair once in each direction.
    a = simplices.ravel()
    b = simplices[:, [1, 2, 0]].ravel()
    is_border = np.zeros(n, dtype=np.bool_)
    touches_mirror = (a < n) & (b >= n)
    is_border[a[touches_mirror]] = True
    real = (a < n) & (b < n)
    keys = np.sort(a[real] * n + b[real])
    rows, cols = keys // n, keys % n
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, cols.astype(np.int32), is_border


def _voronoi_areas(points: FloatArray, simplices: NDArray[np.int64], n: int) -> FloatArray:
    """Voronoi cell areas of the first `n` points from their Delaunay triangles.

    Each triangle gives each of its corners the two signed triangles (corner, edge midpoint,
    circumcentre); summed around a point they tile its Voronoi cell exactly, obtuse triangles
    included, because the signs cancel the parts that fall outside.
    """
    corners = points[simplices]  # (m, 3, 2)
    centre = _circumcentres(corners)
    area = np.zeros(n, dtype=np.float64)
    for k in range(3):
        p = corners[:, k]
        nxt = corners[:, (k + 1) % 3]
        prv = corners[:, (k + 2) % 3]
        mid_next = 0.5 * (p + nxt)
        mid_prev = 0.5 * (p + prv)
        signed = _signed_area(p, mid_next, centre) + _signed_area(p, centre, mid_prev)
        vertex = simplices[:, k]
        real = vertex < n
        area += np.bincount(vertex[real], weights=signed[real], minlength=n)
    return area


def _circumcentres(corners: FloatArray) -> FloatArray:
    a, b, c = corners[:, 0], corners[:, 1], corners[:, 2]
    bx, by = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
    cx, cy = c[:, 0] - a[:, 0], c[:, 1] - a[:, 1]
    d = 2.0 * (bx * cy - by * cx)
    b2, c2 = bx * bx + by * by, cx * cx + cy * cy
    ux = (cy * b2 - by * c2) / d
    uy = (bx * c2 - cx * b2) / d
    return np.column_stack([a[:, 0] + ux, a[:, 1] + uy])


def _signed_area(p: FloatArray, q: FloatArray, r: FloatArray) -> FloatArray:
    return 0.5 * (
        (q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (r[:, 0] - p[:, 0]) * (q[:, 1] - p[:, 1])
    )


def label_components(mesh: Mesh, mask: BoolArray) -> IntArray:
    """Label the connected groups of `mask` cells, largest first (ties: smallest cell id).

    Args:
        mesh: the cell mesh whose neighbours define connectivity.
        mask: cells to group; cells outside it get `NO_CELL`.

    Returns:
        (n,) labels 0..k-1, `NO_CELL` where `mask` is false.
    """
    n = mesh.size
    rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(mesh.neighbor_indptr))
    cols = mesh.neighbor_indices
    inside = mask[rows] & mask[cols]
    graph = coo_matrix(
        (np.ones(int(inside.sum()), dtype=np.int8), (rows[inside], cols[inside])), shape=(n, n)
    ).tocsr()
    _, raw = connected_components(graph, directed=False)
    raw = np.where(mask, raw, -1)
    labels = np.full(n, NO_CELL, dtype=np.int32)
    if not mask.any():
        return labels
    kept = raw[mask]
    sizes = np.bincount(kept)
    first_cell = np.full(sizes.shape[0], n, dtype=np.int64)
    np.minimum.at(first_cell, kept, np.flatnonzero(mask))
    present = np.flatnonzero(sizes)
    # Order by size descending, then by first cell, so labels never depend on scipy's numbering.
    order = present[np.lexsort((first_cell[present], -sizes[present]))]
    rank = np.empty(sizes.shape[0], dtype=np.int32)
    rank[order] = np.arange(order.shape[0], dtype=np.int32)
    labels[mask] = rank[kept]
    return labels
