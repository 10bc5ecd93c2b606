"""Rivers: cells carrying enough water, split into main stems and tributaries."""

from __future__ import annotations

from typing import Literal

import numpy as np

from worldloom.systems.world_generation.model import (
    NO_CELL,
    BoolArray,
    FloatArray,
    IntArray,
    Mesh,
    River,
)

_MIN_CATCHMENT_CELLS = 12.0
"""A river needs the runoff of about this many average cells..."""

_REFERENCE_RUNOFF_MM = 250.0
"""...each shedding this much water a year, so rivers appear at the same density whatever the
map's size, and finer meshes draw finer streams."""

SECONDS_PER_YEAR = 365.25 * 86_400.0


def river_threshold_m3s(mesh: Mesh) -> float:
    """The discharge at which a stream is drawn as a river on this mesh."""
    mean_area_km2 = mesh.width_km * mesh.height_km / mesh.size
    volume_m3 = _MIN_CATCHMENT_CELLS * mean_area_km2 * 1e6 * _REFERENCE_RUNOFF_MM / 1_000.0
    return volume_m3 / SECONDS_PER_YEAR


def trace_rivers(
    mesh: Mesh,
    *,
    flow_to: IntArray,
    discharge_m3s: FloatArray,
    is_sea: BoolArray,
    is_lake: BoolArray,
) -> tuple[tuple[River, ...], IntArray]:
    """Trace rivers from their sources to the sea, a lake or the river they join.

    At each confluence the inflow carrying the most water keeps the river's id; the others
    are tributaries that end on the confluence cell. Rivers are numbered by discharge at the
    mouth (largest first), then by their last land cell.

    Args:
        mesh: the cell mesh.
        flow_to: (n,) downstream cell, NO_CELL at the sea and in endorheic lakes.
        discharge_m3s: (n,) water leaving each cell.
        is_sea: (n,) sea cells.
        is_lake: (n,) lake cells.

    Returns:
        The rivers and a (n,) river id per land cell (NO_CELL off rivers; a confluence cell
        belongs to the river that continues through it).
    """
    n = mesh.size
    is_river = ~is_sea & ~is_lake & (discharge_m3s >= river_threshold_m3s(mesh))
    is_river = _close_downstream(is_river, flow_to, ~is_sea & ~is_lake)
    cells = np.flatnonzero(is_river)
    target = flow_to[cells]
    # The main inflow of each river cell: the river child with the most water (ties: lowest id).
    feeding = is_river[np.maximum(target, 0)] & (target >= 0)
    children, into = cells[feeding], target[feeding]
    order = np.lexsort((children, -discharge_m3s[children], into))
    children, into = children[order], into[order]
    is_first = np.ones(into.size, dtype=np.bool_)
    is_first[1:] = into[1:] != into[:-1]
    next_cell = np.full(n, NO_CELL, dtype=np.int64)
    next_cell[children[is_first]] = into[is_first]
    continued = np.zeros(n, dtype=np.bool_)
    continued[into[is_first]] = True
    sources = cells[~continued[cells]]

    flow = flow_to.tolist()
    follow = next_cell.tolist()
    chains: list[list[int]] = []
    for source in sources.tolist():
        chain = [source]
        while follow[chain[-1]] >= 0:
            chain.append(follow[chain[-1]])
        chains.append(chain)

    mouths = np.array([chain[-1] for chain in chains], dtype=np.int64)
    mouth_discharge = discharge_m3s[mouths] if mouths.size else np.zeros(0)
    ranking = np.lexsort((mouths, -mouth_discharge))
    river_id = np.full(n, NO_CELL, dtype=np.int32)
    for new_id, index in enumerate(ranking.tolist()):
        river_id[chains[index]] = new_id

    points = mesh.points
    rivers = []
    for new_id, index in enumerate(ranking.tolist()):
        chain = chains[index]
        end = flow[chain[-1]]
        ends_in: Literal["sea", "lake", "river"]
        parent = NO_CELL
        if is_sea[end]:
            ends_in = "sea"
        elif is_lake[end]:
            ends_in = "lake"
        else:
            ends_in = "river"
            parent = int(river_id[end])
        path = [*chain, end]
        steps = np.diff(points[path], axis=0)
        rivers.append(
            River(
                river_id=new_id,
                cells=tuple(path),
                ends_in=ends_in,
                discharge_m3s=float(discharge_m3s[chain[-1]]),
                length_km=float(np.hypot(steps[:, 0], steps[:, 1]).sum()),
                parent_id=parent,
            )
        )
    return tuple(rivers), river_id


def _close_downstream(is_river: BoolArray, flow_to: IntArray, open_land: BoolArray) -> BoolArray:
    """Extend rivers down to the sea or a lake.

    Discharge only grows downstream on land, so this rarely adds a cell; it guards against a
    lake whose exits sum to less than one of them carries.
    """
    result = is_river.copy()
    while True:
        downstream = flow_to[result]
        downstream = downstream[downstream >= 0]
        new = downstream[open_land[downstream] & ~result[downstream]]
        if new.size == 0:
            return result
        result[new] = True
