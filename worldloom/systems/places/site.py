"""Site features of every cell (coast, harbour, lake shore, river, confluence, border, peak,
waterfall): what makes a place worth settling or marking, computed over all cells at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.world_generation import BiomeTable, Mesh, Terrain
from worldloom.systems.world_generation.model import BoolArray, FloatArray, IntArray

_WATERFALL_DROP_M = 200.0
"""A river falling this far into its next cell has a waterfall (or a run of falls) on it."""


@dataclass(frozen=True, slots=True, eq=False)
class SiteFeatures:
    """Per-cell flags (indexed by cell id); only land cells are ever true."""

    coast: BoolArray
    """Land next to the sea (lakes do not count)."""
    harbour: BoolArray
    """Coast with exactly one sea neighbour: a sheltered inlet rather than an open shore."""
    lake_shore: BoolArray
    river: BoolArray
    confluence: BoolArray
    """Two or more river cells flow into this one."""
    border: BoolArray
    """Land next to another region."""
    peak: BoolArray
    """Higher than every neighbour."""
    waterfall: BoolArray


def mesh_edges(mesh: Mesh) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every directed neighbour pair `(rows[i], cols[i])` of the mesh's CSR adjacency."""
    rows = np.repeat(np.arange(mesh.size, dtype=np.int64), np.diff(mesh.neighbor_indptr))
    return rows, mesh.neighbor_indices.astype(np.int64)


def biome_values(biomes: BiomeTable, attribute: str) -> FloatArray:
    """A lookup array indexed by biome id of one numeric biome attribute, e.g. `"danger"`."""
    table = np.zeros(max(biome.biome_id for biome in biomes.biomes) + 1)
    for biome in biomes.biomes:
        table[biome.biome_id] = float(getattr(biome, attribute))
    return table


def describe_sites(terrain: Terrain, *, cell_region: IntArray) -> SiteFeatures:
    """Find the site features of every cell.

    Args:
        terrain: the world's terrain.
        cell_region: region of every cell (negative for water).
    """
    mesh, land = terrain.mesh, terrain.is_land
    rows, cols = mesh_edges(mesh)
    ocean = ~terrain.is_land & ~terrain.is_lake
    sea_neighbours = np.bincount(rows, weights=ocean[cols], minlength=mesh.size)
    lake_neighbours = np.bincount(rows, weights=terrain.is_lake[cols], minlength=mesh.size)
    other_region = (cell_region[cols] >= 0) & (cell_region[cols] != cell_region[rows])
    river = land & (terrain.river_id >= 0)
    downstream = terrain.flow_to
    flows_on = river & (downstream >= 0)
    inflows = np.bincount(downstream[flows_on], minlength=mesh.size)
    # Every mesh cell has neighbours, so reduceat never sees an empty slice.
    highest_neighbour = np.maximum.reduceat(terrain.elevation_m[cols], mesh.neighbor_indptr[:-1])
    drop = np.zeros(mesh.size, dtype=np.float64)
    drop[flows_on] = terrain.elevation_m[flows_on] - terrain.elevation_m[downstream[flows_on]]
    coast = land & (sea_neighbours > 0)
    return SiteFeatures(
        coast=coast,
        harbour=coast & (sea_neighbours == 1),
        lake_shore=land & (lake_neighbours > 0),
        river=river,
        confluence=river & (inflows >= 2),
        border=land & (np.bincount(rows, weights=other_region, minlength=mesh.size) > 0),
        peak=land & (terrain.elevation_m > highest_neighbour),
        waterfall=flows_on & (drop >= _WATERFALL_DROP_M),
    )
