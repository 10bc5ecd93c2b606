"""Where rumors travel: settlements and the days between neighbours on roads and sea lanes."""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

Node = tuple[int, int]
"""A node of the route network: (0, place id) for a place, (1, cell id) for a junction."""


@dataclass(frozen=True, slots=True)
class RumorPlaces:
    """The settlement graph rumors travel on.

    `neighbours[s]` lists (settlement, whole days) reachable from `s` along the network without
    passing through another settlement, nearest first; `region_centre` is each region's most
    populous settlement and `seat` each faction's seat, where rumors of events without a
    settlement start.
    """

    region_of: Mapping[int, int]
    neighbours: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    region_centre: Mapping[int, int] = field(default_factory=dict)
    seat: Mapping[int, int] = field(default_factory=dict)

    def region_neighbours(self, region_id: int) -> tuple[int, ...]:
        """Regions with a settlement one hop from a settlement of `region_id`."""
        found = {
            self.region_of[n]
            for s, r in self.region_of.items()
            if r == region_id
            for n, _ in self.neighbours.get(s, ())
        }
        return tuple(sorted(found - {region_id}))


def rumor_places(
    settlements: pl.DataFrame,
    routes: pl.DataFrame,
    *,
    factions: pl.DataFrame | None = None,
    route_kinds: Iterable[str] = ("road", "sea"),
) -> RumorPlaces:
    """Build the settlement graph from the places stage's tables.

    A route whose `end_place` is null ends on another route: the junction is the route's
    `end_cell` on the other route's `cells`, whose travel days are split at the junction in
    proportion to the cells on either side. Routes of other kinds (trails lead to POIs) and
    places that are not settlements are left out.

    Args:
        settlements: settlement_id, region_id, population.
        routes: kind, start_place, end_place (nullable), end_cell, cells, travel_days.
        factions: faction_id, seat_settlement_id (nullable), seat_region_id; a faction
            without a seat settlement is seated at its seat region's centre.
        route_kinds: the route kinds rumors travel.
    """
    ids = settlements["settlement_id"].to_list()
    region_of = dict(zip(ids, settlements["region_id"].to_list(), strict=True))
    ordered = settlements.sort(
        ["region_id", "population", "settlement_id"], descending=[False, True, False]
    )
    centre: dict[int, int] = {}
    for sid, region in zip(ordered["settlement_id"], ordered["region_id"], strict=True):
        centre.setdefault(int(region), int(sid))
    edges = _network(routes.filter(pl.col("kind").is_in(list(route_kinds))))
    towns = frozenset(int(s) for s in ids)
    neighbours = {s: _nearest_towns(edges, s, towns) for s in sorted(towns)}
    seat: dict[int, int] = {}
    if factions is not None:
        for row in factions.iter_rows(named=True):
            chosen = row["seat_settlement_id"]
            if chosen is None or int(chosen) not in towns:
                chosen = centre.get(int(row["seat_region_id"]))
            if chosen is not None:
                seat[int(row["faction_id"])] = int(chosen)
    return RumorPlaces(
        region_of={int(k): int(v) for k, v in region_of.items()},
        neighbours=neighbours,
        region_centre=centre,
        seat=seat,
    )


def _network(routes: pl.DataFrame) -> Mapping[Node, list[tuple[Node, float]]]:
    """Undirected edges between places and junction cells, with travel days."""
    rows = routes.sort("route_id" if "route_id" in routes.columns else "start_place").to_dicts()
    junctions = {int(r["end_cell"]) for r in rows if r["end_place"] is None}
    edges: dict[Node, list[tuple[Node, float]]] = defaultdict(list)
    for row in rows:
        cells = [int(c) for c in row["cells"]]
        days = float(row["travel_days"])
        stops: list[tuple[int, Node]] = [(0, (0, int(row["start_place"])))]
        stops += [
            (i, (1, c)) for i, c in enumerate(cells) if 0 < i < len(cells) - 1 and c in junctions
        ]
        end: Node = (
            (0, int(row["end_place"]))
            if row["end_place"] is not None
            else (1, int(row["end_cell"]))
        )
        stops.append((max(len(cells) - 1, 1), end))
        span = max(len(cells) - 1, 1)
        for (i, a), (j, b) in itertools.pairwise(stops):
            leg = days * (j - i) / span
            edges[a].append((b, leg))
            edges[b].append((a, leg))
    return edges


def _nearest_towns(
    edges: Mapping[Node, list[tuple[Node, float]]], start: int, towns: frozenset[int]
) -> tuple[tuple[int, int], ...]:
    """Settlements reachable from `start` through junctions only, with whole travel days."""
    best: dict[Node, float] = {(0, start): 0.0}
    heap: list[tuple[float, Node]] = [(0.0, (0, start))]
    found: dict[int, float] = {}
    while heap:
        days, node = heapq.heappop(heap)
        if days > best[node]:
            continue
        if node != (0, start) and node[0] == 0:
            if node[1] in towns:
                found[node[1]] = days
            continue  # a rumor stops at every place on its way (and POIs pass nothing on)
        for nxt, leg in edges.get(node, ()):
            if days + leg < best.get(nxt, math.inf):
                best[nxt] = days + leg
                heapq.heappush(heap, (days + leg, nxt))
    return tuple(
        sorted(((s, max(1, math.ceil(d))) for s, d in found.items()), key=lambda p: (p[1], p[0]))
    )
