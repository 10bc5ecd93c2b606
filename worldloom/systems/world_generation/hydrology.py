"""Hydrology: filled depressions, drainage, lakes (endorheic where arid) and discharge."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

from worldloom.systems.world_generation.forest import fold_to_root, sum_subtrees
from worldloom.systems.world_generation.mesh import label_components
from worldloom.systems.world_generation.model import (
    NO_CELL,
    BoolArray,
    FloatArray,
    IntArray,
    Lake,
    Mesh,
)

SECONDS_PER_YEAR = 365.25 * 86_400.0

_MIN_LAKE_DEPTH_M = 10.0
"""Depressions shallower than this are filled with sediment and drain across, not lakes."""


@dataclass(frozen=True, slots=True, eq=False)
class Drainage:
    """Where water goes: the filled surface, lakes, and discharge per cell."""

    elevation_m: FloatArray
    """Input elevation with shallow depressions filled; lake beds keep their height."""
    surface_m: FloatArray
    """Water-filled surface: lakes at their level, sea cells at their floor."""
    is_lake: BoolArray
    lake_id: IntArray
    flow_to: IntArray
    discharge_m3s: FloatArray
    lakes: tuple[Lake, ...]


def potential_evaporation_mm(temperature_c: FloatArray) -> FloatArray:
    """Mean annual evaporation from open water or wet ground: ~300 mm at 0 C, ~1550 mm at 25 C."""
    result: FloatArray = np.clip(300.0 + 50.0 * temperature_c, 50.0, 2_500.0)
    return result


def route_water(
    mesh: Mesh,
    elevation_m: FloatArray,
    *,
    temperature_c: FloatArray,
    precipitation_mm: FloatArray,
) -> Drainage:
    """Fill depressions, drain every land cell to the sea or a lake, and accumulate discharge.

    Depression filling uses a minimum spanning tree over edges weighted by the higher of their
    two cells: the tree path from a cell to the sea crosses the lowest possible highest point,
    which is exactly the level the cell's depression fills to (priority-flood's answer), and
    the tree's edges are drainage directions that never run uphill on the filled surface.
    Depressions deeper than `_MIN_LAKE_DEPTH_M` become lakes; a lake whose evaporation exceeds
    its inflow keeps its water (endorheic: no outlet, `flow_to` = NO_CELL for its cells).

    Args:
        mesh: the cell mesh.
        elevation_m: (n,) elevation; below zero is sea.
        temperature_c: (n,) mean annual temperature, for evaporation.
        precipitation_mm: (n,) mean annual precipitation.

    Returns:
        The drainage layers and the lakes, numbered by their lowest cell id.
    """
    n = mesh.size
    is_sea = elevation_m < 0.0
    parent, order = _drainage_tree(mesh, elevation_m, is_sea)
    filled, _ = fold_to_root(np.where(is_sea, np.arange(n), parent), elevation_m, np.maximum)
    filled = np.where(is_sea, elevation_m, filled)

    depression = ~is_sea & (filled > elevation_m)
    groups = label_components(mesh, depression)
    depth = np.where(depression, filled - elevation_m, 0.0)
    deepest = np.zeros(int(groups.max()) + 2, dtype=np.float64)
    np.maximum.at(deepest, groups[depression], depth[depression])
    is_lake = depression & (deepest[np.where(depression, groups, 0)] >= _MIN_LAKE_DEPTH_M)
    lake_id = _number_lakes(groups, is_lake)
    # Shallow hollows silt up: their cells take the filled level, so every path runs downhill.
    ground = np.where(depression & ~is_lake, filled, elevation_m)

    flow_to = np.where(is_sea, NO_CELL, parent).astype(np.int64)
    area = mesh.area_km2
    evaporation = potential_evaporation_mm(temperature_c)
    # Land loses part of its rain to evapotranspiration (a Budyko-like curve: wet land sheds
    # most of its rain as runoff, dry land almost none); lakes lose their full evaporation.
    land_runoff = precipitation_mm**2 / (precipitation_mm + evaporation)
    runoff_mm = np.where(is_lake, precipitation_mm - evaporation, land_runoff)
    runoff = np.where(is_sea, 0.0, runoff_mm / 1_000.0 * area * 1e6 / SECONDS_PER_YEAR)

    lake_count = int(lake_id.max()) + 1
    # One spare slot, so lookups with a clamped NO_CELL index stay in bounds when there is no lake.
    endorheic = np.zeros(lake_count + 1, dtype=np.bool_)
    while True:
        discharge = sum_subtrees(flow_to, runoff, order)
        exits = is_lake & (flow_to >= 0)
        exits &= ~is_lake[np.maximum(flow_to, 0)] | (lake_id[np.maximum(flow_to, 0)] != lake_id)
        outflow = np.bincount(lake_id[exits], weights=discharge[exits], minlength=lake_count + 1)
        outflow[lake_count] = 1.0
        dry = (outflow <= 0.0) & ~endorheic
        if not dry.any():
            break
        # A lake that evaporates more than it receives never spills: cut it off and re-sum,
        # since losing its outflow can leave a lake downstream dry too.
        endorheic |= dry
        flow_to[is_lake & endorheic[np.maximum(lake_id, 0)]] = NO_CELL

    lake_outflow = np.maximum(outflow, 0.0)
    discharge = np.where(is_lake, lake_outflow[np.maximum(lake_id, 0)], discharge)
    discharge = np.maximum(discharge, 0.0)
    surface = np.where(is_lake, filled, ground)
    lakes = _describe_lakes(
        lake_id,
        exits=exits,
        flow_to=flow_to,
        filled=filled,
        area=area,
        endorheic=endorheic[:lake_count],
    )
    return Drainage(
        elevation_m=ground,
        surface_m=surface,
        is_lake=is_lake,
        lake_id=lake_id,
        flow_to=flow_to.astype(np.int32),
        discharge_m3s=discharge,
        lakes=lakes,
    )


def _drainage_tree(
    mesh: Mesh, elevation_m: FloatArray, is_sea: BoolArray
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each cell's downstream cell on the minimum spanning tree rooted at the sea.

    Returns the parent array (sea cells: -1) and a BFS order (parents before children).
    """
    n = mesh.size
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(mesh.neighbor_indptr))
    cols = mesh.neighbor_indices.astype(np.int64)
    keep = (rows < cols) & ~(is_sea[rows] & is_sea[cols])
    a, b = rows[keep], cols[keep]
    high = np.maximum(elevation_m[a], elevation_m[b])
    low = np.minimum(elevation_m[a], elevation_m[b])
    # Ties on the higher end break towards the lower neighbour, so a slope drains to its lowest
    # neighbour. scipy drops zero weights, so everything is shifted to be at least 1.
    weight = high + 1e-6 * low
    weight = weight - weight.min() + 1.0
    sea = np.flatnonzero(is_sea)
    root = n
    graph = coo_matrix(
        (
            np.concatenate([weight, np.full(sea.size, 0.5)]),
            (np.concatenate([a, sea]), np.concatenate([b, np.full(sea.size, root)])),
        ),
        shape=(n + 1, n + 1),
    ).tocsr()
    tree = minimum_spanning_tree(graph)
    order, predecessor = breadth_first_order(tree, root, directed=False, return_predecessors=True)
    parent = predecessor[:n].astype(np.int64)
    parent[parent == root] = -1
    parent[parent < 0] = -1
    return parent, order[order != root].astype(np.int64)


def _number_lakes(groups: IntArray, is_lake: BoolArray) -> IntArray:
    """Lake ids 0..k-1 ordered by each lake's lowest cell id; NO_CELL elsewhere."""
    lake_groups = np.unique(groups[is_lake])
    first = np.full(lake_groups.size, np.iinfo(np.int64).max, dtype=np.int64)
    index = np.searchsorted(lake_groups, groups[is_lake])
    np.minimum.at(first, index, np.flatnonzero(is_lake))
    rank = np.empty(lake_groups.size, dtype=np.int32)
    rank[np.argsort(first)] = np.arange(lake_groups.size, dtype=np.int32)
    lake_id = np.full(groups.shape[0], NO_CELL, dtype=np.int32)
    lake_id[is_lake] = rank[index]
    return lake_id


def _describe_lakes(
    lake_id: IntArray,
    *,
    exits: BoolArray,
    flow_to: NDArray[np.int64],
    filled: FloatArray,
    area: FloatArray,
    endorheic: BoolArray,
) -> tuple[Lake, ...]:
    cells_of = np.argsort(lake_id, kind="stable")
    cells_of = cells_of[lake_id[cells_of] >= 0]
    bounds = np.searchsorted(lake_id[cells_of], np.arange(endorheic.size + 1))
    none = np.iinfo(np.int64).max
    outlet = np.full(endorheic.size, none, dtype=np.int64)
    exit_cells = np.flatnonzero(exits & (flow_to >= 0))
    # All of a lake's exits spill over its rim's lowest cell; take the smallest to be safe.
    np.minimum.at(outlet, lake_id[exit_cells], flow_to[exit_cells])
    outlet[outlet == none] = NO_CELL
    lakes = []
    for lake in range(endorheic.size):
        cells = cells_of[bounds[lake] : bounds[lake + 1]]
        spill = NO_CELL if endorheic[lake] else int(outlet[lake])
        lakes.append(
            Lake(
                lake_id=lake,
                cells=tuple(int(c) for c in cells),
                surface_m=float(filled[cells[0]]),
                outlet_cell=spill,
                area_km2=float(area[cells].sum()),
            )
        )
    return tuple(lakes)
