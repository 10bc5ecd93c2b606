"""Regions: contiguous land areas grown from seeds over travel cost, with their climate,
resources, danger and names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from worldloom.systems.naming import MarkovNamer, NameBases, PlacePatterns
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import Biome, BiomeTable, Terrain
from worldloom.systems.world_generation.model import NO_CELL, IntArray

Cells = NDArray[np.integer[Any]]
"""Cell ids (or positions), whatever their integer width."""

REGION_NAME_MAX = 40
"""Longest region name, matching what the LLM may write in the same slot."""

_LLOYD_ROUNDS = 3
"""Re-centre seeds this many times: regions come out compact without losing their terrain shape."""
_SLOPE_COST = 25.0
"""Extra travel cost per unit slope: ridges become borders."""
_RIVER_CROSSING_COST = 0.6
"""Extra cost for stepping on or off a major river: large rivers become borders."""
_MAJOR_RIVER_M3S = 60.0
_RESOURCE_SHARE = 0.12
"""A biome covering at least this share of a region contributes its resources."""
_RUGGED_M = 500.0
"""Each 500 m of elevation spread adds a point of danger (at most three): broken ground hides
things and kills the careless."""
"""A biome covering at least this share of a region contributes its resources."""


@dataclass(frozen=True, slots=True)
class Region:
    """One region's facts; ids index `RegionMap.regions`."""

    region_id: int
    name: str
    name_base: str
    landmass_id: int
    seed_cell: int
    center: tuple[float, float]
    cell_count: int
    area_km2: float
    dominant_biome_id: int
    climate: str
    mean_temperature_c: float
    mean_precipitation_mm: float
    mean_elevation_m: float
    max_elevation_m: float
    coastal: bool
    river_count: int
    danger_level: int
    resources: tuple[str, ...]
    neighbors: tuple[int, ...]


@dataclass(frozen=True, slots=True, eq=False)
class RegionMap:
    """Regions plus the region of every cell (NO_CELL for water)."""

    cell_region: IntArray
    regions: tuple[Region, ...]


def generate_regions(
    terrain: Terrain,
    *,
    seeds: Seeds,
    biomes: BiomeTable,
    count: int,
    name_bases: NameBases,
    patterns: PlacePatterns,
) -> RegionMap:
    """Divide all land into contiguous regions and describe each.

    Each land mass gets a share of `count` by area (at least one region, so islands are regions
    of their own). Seeds are placed by habitability and re-centred a few times; every land cell
    joins the seed it can reach most cheaply (travel cost grows with biome, slope and major river
    crossings), which makes each region connected.

    Args:
        terrain: the generated terrain.
        seeds: the world's seed tree.
        biomes: the biome table the terrain was classified with.
        count: target number of regions.
        name_bases: culture name bases and how places pick one.
        patterns: place-name patterns by kind.
    """
    land = np.flatnonzero(terrain.is_land)
    if land.size == 0:
        return RegionMap(np.full(terrain.mesh.size, NO_CELL, dtype=np.int32), ())
    graph = _land_graph(terrain, biomes, land)
    seed_cells = _initial_seeds(terrain, biomes, land, seeds=seeds, count=count)
    labels = _assign(graph, land, seed_cells)
    for _ in range(_LLOYD_ROUNDS):
        recentred = _recentre(terrain, land, labels, seed_cells)
        if np.array_equal(recentred, seed_cells):
            break
        seed_cells = recentred
        labels = _assign(graph, land, seed_cells)
    cell_region = np.full(terrain.mesh.size, NO_CELL, dtype=np.int32)
    cell_region[land] = labels
    regions = _describe(terrain, biomes, cell_region, seed_cells)
    return RegionMap(cell_region, _name(regions, biomes, seeds, name_bases, patterns))


def _land_graph(terrain: Terrain, biomes: BiomeTable, land: Cells) -> csr_matrix:
    """Travel-cost graph over land cells (indices into `land`)."""
    mesh = terrain.mesh
    index = np.full(mesh.size, -1, dtype=np.int64)
    index[land] = np.arange(land.size)
    rows = np.repeat(np.arange(mesh.size), np.diff(mesh.neighbor_indptr))
    cols = mesh.neighbor_indices.astype(np.int64)
    keep = (index[rows] >= 0) & (index[cols] >= 0)
    rows, cols = rows[keep], cols[keep]
    distance = np.linalg.norm(mesh.points[rows] - mesh.points[cols], axis=1)
    cell_cost = _by_biome(biomes, lambda biome: biome.movement_cost)[terrain.biome_id]
    rise = np.abs(terrain.elevation_m[rows].astype(np.float64) - terrain.elevation_m[cols])
    slope = rise / np.maximum(distance * 1000.0, 1e-9)
    major = terrain.discharge_m3s >= _MAJOR_RIVER_M3S
    crossing = major[rows] != major[cols]
    cost = distance * 0.5 * (cell_cost[rows] + cell_cost[cols])
    cost *= 1.0 + _SLOPE_COST * slope + _RIVER_CROSSING_COST * crossing
    # Dijkstra treats zero weights as missing edges.
    cost = np.maximum(cost, 1e-6)
    return csr_matrix((cost, (index[rows], index[cols])), shape=(land.size, land.size))


def _initial_seeds(
    terrain: Terrain, biomes: BiomeTable, land: Cells, *, seeds: Seeds, count: int
) -> IntArray:
    """Seed cells, by land mass: area-proportional counts, placed by habitability."""
    masses = terrain.landmass_id[land]
    sizes = np.bincount(masses)
    quotas = count * sizes / sizes.sum()
    allotted = np.maximum(1, np.floor(quotas)).astype(np.int64)
    spare = count - int(allotted.sum())
    if spare > 0:
        # Largest remainders first; ties go to the larger (lower-numbered) land mass.
        order = np.lexsort((np.arange(sizes.size), -(quotas - np.floor(quotas))))
        allotted[order[:spare]] += 1
    allotted = np.minimum(allotted, sizes)
    habitability = _by_biome(biomes, lambda biome: biome.habitability)
    chosen = []
    for mass, k in enumerate(allotted):
        cells = land[masses == mass]
        weight = habitability[terrain.biome_id[cells]] + 0.05
        rng = seeds.stream("region.seeds", mass)
        chosen.append(rng.choice(cells, size=int(k), replace=False, p=weight / weight.sum()))
    return np.sort(np.concatenate(chosen)).astype(np.int32)


def _assign(graph: csr_matrix, land: Cells, seed_cells: Cells) -> IntArray:
    """Label every land cell with the index (into seed_cells) of its cheapest seed."""
    position = np.searchsorted(land, seed_cells)
    _, _, sources = dijkstra(
        graph, directed=False, indices=position, min_only=True, return_predecessors=True
    )
    lookup = np.full(land.size, -1, dtype=np.int64)
    lookup[position] = np.arange(position.size)
    labels: IntArray = lookup[sources].astype(np.int32)
    if (labels < 0).any():  # every land mass has a seed, so this means a broken graph
        raise ValueError("some land cells could not reach any region seed")
    return labels


def _recentre(terrain: Terrain, land: Cells, labels: Cells, seed_cells: Cells) -> IntArray:
    """Move each seed to its region's cell nearest the region's area-weighted centroid."""
    points = terrain.mesh.points[land]
    area = terrain.mesh.area_km2[land]
    k = seed_cells.size
    weight = np.bincount(labels, weights=area, minlength=k)
    cx = np.bincount(labels, weights=points[:, 0] * area, minlength=k) / weight
    cy = np.bincount(labels, weights=points[:, 1] * area, minlength=k) / weight
    distance = np.hypot(points[:, 0] - cx[labels], points[:, 1] - cy[labels])
    # Nearest cell per label: sort by (label, distance, cell id) and take each label's first.
    order = np.lexsort((land, distance, labels))
    first = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1]])
    return np.sort(land[order[first]]).astype(np.int32)


def _describe(
    terrain: Terrain, biomes: BiomeTable, cell_region: IntArray, seed_cells: Cells
) -> list[Region]:
    """Facts per region, computed with bincounts over all cells at once."""
    k = seed_cells.size
    land = np.flatnonzero(cell_region >= 0)
    label = cell_region[land]
    area = terrain.mesh.area_km2[land]
    total = np.bincount(label, weights=area, minlength=k)

    def mean(values: NDArray[np.floating]) -> NDArray[np.float64]:
        return np.bincount(label, weights=values[land] * area, minlength=k) / total

    elevation = terrain.elevation_m.astype(np.float64)
    max_elevation = np.full(k, -np.inf)
    np.maximum.at(max_elevation, label, elevation[land])
    n_biomes = int(terrain.biome_id.max()) + 1
    biome_area = np.bincount(
        label * n_biomes + terrain.biome_id[land], weights=area, minlength=k * n_biomes
    ).reshape(k, n_biomes)
    coastal, neighbors = _borders(terrain, cell_region, k)
    river_count = _river_counts(terrain, cell_region, k)
    points = terrain.mesh.points
    cell_count = np.bincount(label, minlength=k)
    temperature, precipitation = mean(terrain.temperature_c), mean(terrain.precipitation_mm)
    mean_elevation = mean(elevation)
    danger = _danger(biomes, biome_area / total[:, None], elevation, label, land)
    regions = []
    for r in range(k):
        dominant = int(np.argmax(biome_area[r]))
        shares = biome_area[r] / total[r]
        resources = {
            resource
            for biome_id in np.flatnonzero(shares >= _RESOURCE_SHARE)
            for resource in biomes.by_id(int(biome_id)).resources
        }
        if coastal[r]:
            resources.add("fish")
        if max_elevation[r] > 1_200:
            resources.update(("ore", "stone"))
        seed = int(seed_cells[r])
        regions.append(
            Region(
                region_id=r,
                name="",
                name_base="",
                landmass_id=int(terrain.landmass_id[seed]),
                seed_cell=seed,
                center=(float(points[seed, 0]), float(points[seed, 1])),
                cell_count=int(cell_count[r]),
                area_km2=float(total[r]),
                dominant_biome_id=dominant,
                climate=classify_climate(float(temperature[r]), float(precipitation[r])),
                mean_temperature_c=float(temperature[r]),
                mean_precipitation_mm=float(precipitation[r]),
                mean_elevation_m=float(mean_elevation[r]),
                max_elevation_m=float(max_elevation[r]),
                coastal=bool(coastal[r]),
                river_count=int(river_count[r]),
                danger_level=int(danger[r]),
                resources=tuple(sorted(resources)),
                neighbors=neighbors[r],
            )
        )
    return regions


def _borders(
    terrain: Terrain, cell_region: IntArray, k: int
) -> tuple[NDArray[np.bool_], list[tuple[int, ...]]]:
    """Which regions touch the sea, and each region's land neighbours."""
    mesh = terrain.mesh
    rows = np.repeat(np.arange(mesh.size), np.diff(mesh.neighbor_indptr))
    cols = mesh.neighbor_indices
    a, b = cell_region[rows], cell_region[cols]
    ocean = ~terrain.is_land & ~terrain.is_lake
    coastal = np.zeros(k, dtype=bool)
    coastal[a[(a >= 0) & ocean[cols]]] = True
    pairs = np.unique(np.stack([a, b], axis=1)[(a >= 0) & (b >= 0) & (a != b)], axis=0)
    neighbors: list[list[int]] = [[] for _ in range(k)]
    for left, right in pairs:
        neighbors[int(left)].append(int(right))
    return coastal, [tuple(n) for n in neighbors]


def _river_counts(terrain: Terrain, cell_region: IntArray, k: int) -> NDArray[np.int64]:
    on_river = (terrain.river_id >= 0) & (cell_region >= 0)
    pairs = np.unique(np.stack([cell_region[on_river], terrain.river_id[on_river]], axis=1), axis=0)
    return np.bincount(pairs[:, 0], minlength=k) if pairs.size else np.zeros(k, dtype=np.int64)


def _danger(
    biomes: BiomeTable,
    shares: NDArray[np.float64],
    elevation: NDArray[np.float64],
    label: Cells,
    land: Cells,
) -> NDArray[np.int64]:
    """1 (safe farmland) to 10 (deadly wilds): biome danger, ruggedness and poor habitability
    (a grassland plain scores about 2, a taiga range about 5, a glaciated massif 10).

    `shares` is (regions, biomes): the area share of each biome in each region.
    """
    k, n_biomes = shares.shape
    danger = _by_biome(biomes, lambda biome: float(biome.danger))[:n_biomes]
    habitability = _by_biome(biomes, lambda biome: biome.habitability)[:n_biomes]
    count = np.bincount(label, minlength=k)
    mean = np.bincount(label, weights=elevation[land], minlength=k) / count
    square = np.bincount(label, weights=elevation[land] ** 2, minlength=k) / count
    ruggedness = np.minimum(np.sqrt(np.maximum(square - mean**2, 0.0)) / _RUGGED_M, 3.0)
    score = 0.6 * (shares @ danger) + ruggedness + 2.0 * (1.0 - shares @ habitability)
    return np.clip(np.round(score), 1, 10).astype(np.int64)


def classify_climate(temperature_c: float, precipitation_mm: float) -> str:
    """A reader's climate label from mean annual temperature and precipitation."""
    if temperature_c < -8:
        return "polar"  # all polar climates are dry; a moisture qualifier adds nothing
    if temperature_c < 2:
        band = "subarctic"
    elif temperature_c < 10:
        band = "cool temperate"
    elif temperature_c < 17:
        band = "warm temperate"
    elif temperature_c < 22:
        band = "subtropical"
    else:
        band = "tropical"
    if precipitation_mm < 250:
        return f"arid {band}"
    if precipitation_mm < 500:
        return f"semi-arid {band}"
    if precipitation_mm > 2_000:
        return f"wet {band}"
    return band


def _name(
    regions: list[Region],
    biomes: BiomeTable,
    seeds: Seeds,
    name_bases: NameBases,
    patterns: PlacePatterns,
) -> tuple[Region, ...]:
    """Give every region a unique name from the name base its land suggests."""
    namers = {base.key: MarkovNamer.learn(base) for base in name_bases.bases}
    regions_per_mass = np.bincount([r.landmass_id for r in regions])
    taken: set[str] = set()
    named = []
    for region in regions:
        biome = biomes.by_id(region.dominant_biome_id)
        base = name_bases.affinity.base_for(
            biome_key=biome.key, mean_elevation_m=region.mean_elevation_m
        )
        rng = seeds.stream("region.name", region.seed_cell)
        is_island = regions_per_mass[region.landmass_id] == 1 and region.landmass_id > 0
        kind = _landform(region, biome, is_island=is_island)
        while True:  # a long root in a long pattern is drawn again (the crowded case only)
            root = namers[base].generate(rng=rng, taken=taken)
            taken.add(root.lower())
            name = patterns.apply(kind, root, rng=rng)
            if len(name) <= REGION_NAME_MAX:
                break
        named.append(replace(region, name=name, name_base=base))
    return tuple(named)


def _landform(region: Region, biome: Biome, *, is_island: bool) -> str:
    if is_island:
        return "island"
    if region.mean_elevation_m > 1_500:
        return "mountains"
    if region.coastal and region.cell_count < 40:
        return "coast"
    return biome.key


def _by_biome(biomes: BiomeTable, value: Callable[[Biome], float]) -> NDArray[np.float64]:
    """A lookup array indexed by biome id."""
    table = np.zeros(max(biome.biome_id for biome in biomes.biomes) + 1)
    for biome in biomes.biomes:
        table[biome.biome_id] = value(biome)
    return table


def rivers_by_region(terrain: Terrain, cell_region: IntArray) -> list[tuple[int, ...]]:
    """The rivers flowing through each region, greatest discharge first (ties by river id)."""
    k = int(cell_region.max()) + 1 if cell_region.size else 0
    found: list[list[tuple[float, int]]] = [[] for _ in range(k)]
    for river in terrain.rivers:
        regions = np.unique(cell_region[np.asarray(river.cells)])
        for region in regions[regions >= 0]:
            found[int(region)].append((-river.discharge_m3s, river.river_id))
    return [tuple(river_id for _, river_id in sorted(rivers)) for rivers in found]


def describe_relief(*, mean_elevation_m: float, max_elevation_m: float) -> str:
    """The lie of a region's land in a few words."""
    if max_elevation_m > 2_500 and mean_elevation_m > 1_200:
        return "high mountains"
    if mean_elevation_m > 1_200:
        return "highlands"
    if max_elevation_m > 1_500:
        return "hills below mountains"
    if mean_elevation_m > 400:
        return "rolling hills"
    return "lowlands"
