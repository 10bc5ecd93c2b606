"""The values terrain generation produces: a cell mesh and per-cell terrain layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Float32Array = NDArray[np.float32]
IntArray = NDArray[np.int32]
BoolArray = NDArray[np.bool_]

NO_CELL = -1
"""Sentinel in index arrays: no downstream cell, no river, no lake, no land mass."""


@dataclass(frozen=True, slots=True, eq=False)
class Mesh:
    """Jittered points, their Delaunay neighbours and Voronoi areas, in kilometres.

    Neighbours are stored as CSR: the neighbours of cell `i` are
    `neighbor_indices[neighbor_indptr[i]:neighbor_indptr[i + 1]]`, sorted ascending.
    """

    points: FloatArray
    """(n, 2) cell centres; x grows east, y grows south (row 0 is the north edge)."""
    width_km: float
    height_km: float
    neighbor_indptr: IntArray
    neighbor_indices: IntArray
    area_km2: FloatArray
    """(n,) Voronoi cell areas, clipped to the map rectangle; they sum to width x height."""
    is_border: BoolArray
    """(n,) cells whose Voronoi polygon touches the map edge."""

    @property
    def size(self) -> int:
        return int(self.points.shape[0])

    def neighbors(self, cell: int) -> IntArray:
        return self.neighbor_indices[self.neighbor_indptr[cell] : self.neighbor_indptr[cell + 1]]


@dataclass(frozen=True, slots=True)
class River:
    """A river from its source to where it ends; tributaries end where they join it."""

    river_id: int
    cells: tuple[int, ...]
    """Ordered source -> mouth; the last cell is in the sea, a lake, or the river it joins."""
    ends_in: Literal["sea", "lake", "river"]
    discharge_m3s: float
    """Flow at the mouth."""
    length_km: float
    parent_id: int
    """The river this one flows into, or NO_CELL."""


@dataclass(frozen=True, slots=True)
class Lake:
    """Standing water filling a depression; endorheic lakes have no outlet."""

    lake_id: int
    cells: tuple[int, ...]
    surface_m: float
    outlet_cell: int
    """Land cell the lake drains into, or NO_CELL for an endorheic (salt) lake."""
    area_km2: float


@dataclass(frozen=True, slots=True, eq=False)
class Terrain:
    """Per-cell terrain layers over a mesh; arrays are indexed by cell id (0..n-1)."""

    mesh: Mesh
    elevation_m: Float32Array
    """Height above sea level; negative under the sea (lake beds keep their land height)."""
    is_land: BoolArray
    """Above sea level and not under a lake."""
    is_lake: BoolArray
    temperature_c: Float32Array
    """Mean annual temperature."""
    precipitation_mm: Float32Array
    """Mean annual precipitation."""
    flow_to: IntArray
    """Downstream cell of each land or lake cell, NO_CELL at the sea and in endorheic lakes."""
    discharge_m3s: Float32Array
    """Water flowing out of each cell."""
    river_id: IntArray
    lake_id: IntArray
    landmass_id: IntArray
    """Connected land masses, largest first; NO_CELL for water."""
    biome_id: NDArray[np.int16]
    rivers: tuple[River, ...]
    lakes: tuple[Lake, ...]
