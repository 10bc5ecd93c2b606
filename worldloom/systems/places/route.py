"""Routes: roads between settlements over the land's travel cost, trails out to remote places,
and sea lanes between ports, each with its cell path, length and travel time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree

from worldloom.systems.places.settlement import Settlement
from worldloom.systems.places.site import biome_values, mesh_edges
from worldloom.systems.world_generation import BiomeTable, Terrain
from worldloom.systems.world_generation.model import BoolArray, FloatArray

RouteKind = Literal["road", "trail", "sea"]

NO_PLACE = -1
"""Route end that is a junction on another route rather than a place."""

KM_PER_DAY: dict[RouteKind, float] = {"road": 30.0, "trail": 20.0, "sea": 120.0}
"""Travel on open grassland by road, on foot by trail, under sail; rough land slows roads and
trails by the biomes' movement cost."""

_SLOPE_COST = 30.0
"""Extra cost per unit slope: roads go round hills rather than over them."""
_RIVER_CROSSING_KM = 8.0
"""A big river costs about a day's detour to ford or bridge: roads cross rarely and on purpose."""
_BIG_RIVER_M3S = 50.0
_ROAD_DETOUR = 1.5
"""Beyond the backbone, two neighbouring hubs get their own road when the backbone's way round
is at least this much longer than the direct one (Urquhart-like redundancy)."""
_SEA_DETOUR = 2.0
_DETOUR_BATCH = 256
"""Backbone distances are computed for this many hubs at a time, bounding memory."""
_UNREACHED = -9999
"""scipy's predecessor value for a source or an unreached node."""


@dataclass(frozen=True, slots=True)
class Route:
    """One route; `cells` runs from its start to its end over neighbouring cells."""

    route_id: int
    kind: RouteKind
    start_place: int
    """Settlement or POI id at the start, or NO_PLACE."""
    end_place: int
    cells: tuple[int, ...]
    length_km: float
    travel_days: float


@dataclass(frozen=True, slots=True, eq=False)
class RouteGraphs:
    """Travel-cost graphs over all cells: land (land-to-land edges) and sea (sea-to-sea edges
    plus the steps between ports and the sea)."""

    land: csr_matrix
    sea: csr_matrix


def build_route_graphs(
    terrain: Terrain, *, biomes: BiomeTable, port_cells: Sequence[int]
) -> RouteGraphs:
    """Both travel graphs, indexed by cell id."""
    mesh = terrain.mesh
    rows, cols = mesh_edges(mesh)
    distance = np.linalg.norm(mesh.points[rows] - mesh.points[cols], axis=1)
    land = terrain.is_land
    on_land = land[rows] & land[cols]
    cost = biome_values(biomes, "movement_cost")[terrain.biome_id]
    rise = np.abs(terrain.elevation_m[rows].astype(np.float64) - terrain.elevation_m[cols])
    slope = rise / np.maximum(distance * 1000.0, 1e-9)
    big = terrain.discharge_m3s >= _BIG_RIVER_M3S
    land_cost = distance * 0.5 * (cost[rows] + cost[cols]) * (1.0 + _SLOPE_COST * slope)
    land_cost += _RIVER_CROSSING_KM * (big[rows] != big[cols])
    sea = ~land & ~terrain.is_lake
    port = np.zeros(mesh.size, dtype=bool)
    port[np.asarray(port_cells, dtype=np.int64)] = True
    on_sea = (sea[rows] | port[rows]) & (sea[cols] | port[cols]) & (sea[rows] | sea[cols])
    return RouteGraphs(
        land=_graph(rows[on_land], cols[on_land], land_cost[on_land], mesh.size),
        sea=_graph(rows[on_sea], cols[on_sea], distance[on_sea], mesh.size),
    )


def plan_roads(
    terrain: Terrain,
    graphs: RouteGraphs,
    settlements: Sequence[Settlement],
    *,
    biomes: BiomeTable,
    first_id: int = 0,
) -> tuple[Route, ...]:
    """Roads that connect every settlement to every other on its land mass.

    Hubs (capitals, cities and towns, or every settlement of a land mass that has none) are
    joined by a backbone: each hub's catchment is grown by one multi-source Dijkstra, touching
    catchments give the candidate links, their minimum spanning tree is the backbone and
    candidates the backbone would make a long detour for are added. Villages then join the
    nearest road by a road, hamlets by a trail.
    """
    cells = np.array([s.cell for s in settlements], dtype=np.int64)
    major = np.array([s.tier in ("capital", "city", "town") for s in settlements], dtype=bool)
    masses = terrain.landmass_id[cells] if cells.size else np.zeros(0, dtype=np.int64)
    hub = major | ~np.isin(masses, masses[major])
    links = link_sources(graphs.land, cells[hub], detour=_ROAD_DETOUR)
    hub_ids = np.flatnonzero(hub)
    routes: list[Route] = []
    for a, b, path in links:
        routes.append(
            _route(
                terrain, biomes, kind="road", start=int(hub_ids[a]), end=int(hub_ids[b]), path=path
            )
        )
    on_road = np.zeros(terrain.mesh.size, dtype=bool)
    on_road[cells[hub]] = True
    for route in routes:
        on_road[list(route.cells)] = True
    joiners = [i for i in np.flatnonzero(~hub).tolist() if not on_road[cells[i]]]
    for index, path in _join_nearest(graphs.land, on_road, cells[joiners]):
        settlement = settlements[joiners[index]]
        kind: RouteKind = "road" if settlement.tier == "village" else "trail"
        routes.append(
            _route(
                terrain, biomes, kind=kind, start=settlement.settlement_id, end=NO_PLACE, path=path
            )
        )
    return _numbered(routes, first_id)


def plan_trails(
    terrain: Terrain,
    graphs: RouteGraphs,
    *,
    biomes: BiomeTable,
    network: BoolArray,
    places: Sequence[tuple[int, int]],
    first_id: int,
) -> tuple[Route, ...]:
    """A trail from each `(place id, cell)` off the `network` cells to the nearest of them
    (places on a land mass without a network get none)."""
    off = [(place, cell) for place, cell in places if not network[cell]]
    found = _join_nearest(graphs.land, network, np.array([c for _, c in off], dtype=np.int64))
    routes = [
        _route(terrain, biomes, kind="trail", start=off[i][0], end=NO_PLACE, path=path)
        for i, path in found
    ]
    return _numbered(routes, first_id)


def plan_sea_routes(
    terrain: Terrain,
    graphs: RouteGraphs,
    ports: Sequence[Settlement],
    *,
    biomes: BiomeTable,
    first_id: int,
) -> tuple[Route, ...]:
    """Sea lanes linking the ports on each body of water (a backbone plus short cuts)."""
    cells = np.array([port.cell for port in ports], dtype=np.int64)
    links = link_sources(graphs.sea, cells, detour=_SEA_DETOUR)
    routes = [
        _route(
            terrain,
            biomes,
            kind="sea",
            start=ports[a].settlement_id,
            end=ports[b].settlement_id,
            path=path,
        )
        for a, b, path in links
    ]
    return _numbered(routes, first_id)


def link_sources(
    graph: csr_matrix, sources: NDArray[np.int64], *, detour: float
) -> list[tuple[int, int, list[int]]]:
    """Connect `sources` (graph nodes) into a spanning forest plus short cuts.

    Returns:
        `(a, b, path)` per link: indices into `sources`, and the node path from one to the
        other; every pair of sources in one connected component is joined by the links.
    """
    if sources.size < 2:
        return []
    distance, predecessor, origin = dijkstra(
        graph, directed=False, indices=sources, min_only=True, return_predecessors=True
    )
    lookup = np.full(graph.shape[0], -1, dtype=np.int64)
    lookup[sources] = np.arange(sources.size)
    edges = graph.tocoo()
    u, v = edges.row.astype(np.int64), edges.col.astype(np.int64)
    a, b = lookup[np.maximum(origin[u], 0)], lookup[np.maximum(origin[v], 0)]
    touching = (origin[u] >= 0) & (origin[v] >= 0) & (a < b)
    u, v, a, b = u[touching], v[touching], a[touching], b[touching]
    cost = distance[u] + edges.data[touching] + distance[v]
    # The cheapest meeting edge per pair of neighbouring catchments (ties: lowest cells).
    order = np.lexsort((v, u, cost, b, a))
    first = np.r_[True, (a[order][1:] != a[order][:-1]) | (b[order][1:] != b[order][:-1])]
    pick = order[first]
    u, v, a, b, cost = u[pick], v[pick], a[pick], b[pick], np.maximum(cost[pick], 1e-9)
    n = sources.size
    tree = minimum_spanning_tree(csr_matrix((cost, (a, b)), shape=(n, n))).tocoo()
    tree_keys = np.minimum(tree.row, tree.col) * n + np.maximum(tree.row, tree.col)
    in_tree = np.isin(a * n + b, tree_keys)
    keep = in_tree | _long_detour(tree.tocsr(), a, b, cost, detour=detour)
    return [
        (
            int(a[i]),
            int(b[i]),
            _chain(predecessor, int(u[i]))[::-1] + _chain(predecessor, int(v[i])),
        )
        for i in np.flatnonzero(keep).tolist()
    ]


def _long_detour(
    backbone: csr_matrix,
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    cost: FloatArray,
    *,
    detour: float,
) -> NDArray[np.bool_]:
    """Which candidate links the backbone would go `detour` times their cost round for."""
    result = np.zeros(a.size, dtype=bool)
    starts = np.unique(a)
    for chunk in range(0, starts.size, _DETOUR_BATCH):
        batch = starts[chunk : chunk + _DETOUR_BATCH]
        along = dijkstra(backbone, directed=False, indices=batch)
        inside = np.isin(a, batch)
        row = np.searchsorted(batch, a[inside])
        result[inside] = along[row, b[inside]] >= detour * cost[inside]
    return result


def _join_nearest(
    graph: csr_matrix, targets: BoolArray, starts: NDArray[np.int64]
) -> list[tuple[int, list[int]]]:
    """The cheapest path from each start to any target cell, as `(index into starts, path)`;
    starts that reach no target are left out."""
    sources = np.flatnonzero(targets)
    if sources.size == 0 or starts.size == 0:
        return []
    distance, predecessor, _ = dijkstra(
        graph, directed=False, indices=sources, min_only=True, return_predecessors=True
    )
    return [
        (i, _chain(predecessor, int(start)))
        for i, start in enumerate(starts.tolist())
        if np.isfinite(distance[start])
    ]


def _chain(predecessor: NDArray[np.int32], node: int) -> list[int]:
    """Nodes from `node` back to the source whose catchment it is in, inclusive."""
    path = [node]
    while (node := int(predecessor[node])) != _UNREACHED:
        path.append(node)
    return path


def _route(
    terrain: Terrain, biomes: BiomeTable, *, kind: RouteKind, start: int, end: int, path: list[int]
) -> Route:
    cells = np.asarray(path, dtype=np.int64)
    steps = np.linalg.norm(np.diff(terrain.mesh.points[cells], axis=0), axis=1)
    if kind == "sea":
        effort = steps
    else:
        cost = biome_values(biomes, "movement_cost")[terrain.biome_id[cells]]
        effort = steps * 0.5 * (cost[1:] + cost[:-1])
    return Route(
        route_id=0,
        kind=kind,
        start_place=start,
        end_place=end,
        cells=tuple(path),
        length_km=float(steps.sum()),
        travel_days=float(effort.sum() / KM_PER_DAY[kind]),
    )


def _numbered(routes: list[Route], first_id: int) -> tuple[Route, ...]:
    return tuple(
        Route(first_id + i, r.kind, r.start_place, r.end_place, r.cells, r.length_km, r.travel_days)
        for i, r in enumerate(routes)
    )


def _graph(
    rows: NDArray[np.int64], cols: NDArray[np.int64], cost: FloatArray, n: int
) -> csr_matrix:
    # Dijkstra reads zero weights as missing edges.
    return csr_matrix((np.maximum(cost, 1e-6), (rows, cols)), shape=(n, n))
