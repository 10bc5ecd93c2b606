"""Where markets stand: one per town or larger, villages served by the nearest, road and sea links.

Travel times come from the route network: every route is a chain of cells walked in its
`travel_days`, so shortest paths over the chained cells give market-to-market days, and one
multi-source search assigns each village and hamlet to the market it reaches soonest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_array
from scipy.sparse.csgraph import dijkstra

from worldloom.systems.economy.state import Markets, TradeLinks

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

MARKET_TIERS = frozenset({"town", "city", "capital"})
"""Settlement tiers that hold a market (the issue's "town size and up")."""
LINKS_PER_MARKET = 4
"""Each market trades directly with its few nearest markets; goods travel further hop by hop."""
MAX_LINK_DAYS = 40
"""Markets further apart than this do not trade directly."""
BORDER_TOLL = 0.05
"""Share of a cargo's value a realm's gate takes from caravans coming from another realm."""
MIN_AGENTS, MAX_AGENTS = 16, 48
"""Agents per market, from the square root of the people it serves."""


@dataclass(frozen=True, slots=True)
class SettlementSites:
    """The settlements the economy reads, as arrays (one row per settlement)."""

    settlement_id: Int
    name: tuple[str, ...]
    tier: tuple[str, ...]
    population: Int
    cell_id: Int
    region_id: Int
    x: Float
    y: Float


@dataclass(frozen=True, slots=True)
class RouteChains:
    """Routes as cell chains with their travel days (for roads, trails and sea lanes alike)."""

    cells: tuple[Int, ...]
    travel_days: Float


@dataclass(frozen=True, slots=True)
class MarketLayout:
    """The markets, who they serve and how they connect."""

    markets: Markets
    settlement_id: Int
    region_id: Int
    names: tuple[str, ...]
    served: tuple[Int, ...]
    links: TradeLinks


def locate_markets(
    sites: SettlementSites,
    routes: RouteChains,
    *,
    region_biome: dict[int, str],
    region_resources: dict[int, frozenset[str]],
    region_danger: dict[int, float],
    region_realm: dict[int, int],
) -> MarketLayout:
    """Put a market in every town, city and capital, and wire them by the route network.

    Raises:
        ValueError: the world has no settlement of town size or larger.
    """
    is_market = np.array([tier in MARKET_TIERS for tier in sites.tier], dtype=np.bool_)
    market_rows = np.flatnonzero(is_market)
    if market_rows.size == 0:
        raise ValueError("the world has no town, city or capital to hold a market")
    graph, node_of_cell = _route_graph(routes)
    market_nodes = np.array([node_of_cell.get(int(c), -1) for c in sites.cell_id[market_rows]])
    home = _nearest_market(sites, market_rows, market_nodes, graph, node_of_cell)
    served = tuple(
        np.flatnonzero((home == m) & ~is_market).astype(np.int64) for m in range(market_rows.size)
    )
    people = np.bincount(home, weights=sites.population, minlength=market_rows.size)
    agents = np.clip(np.round(np.sqrt(people) / 3), MIN_AGENTS, MAX_AGENTS).astype(np.int64)
    regions = sites.region_id[market_rows]
    resources = tuple(
        frozenset().union(
            region_resources.get(int(regions[m]), frozenset()),
            *(region_resources.get(int(sites.region_id[s]), frozenset()) for s in served[m]),
        )
        for m in range(market_rows.size)
    )
    markets = Markets(
        ids=sites.settlement_id[market_rows].astype(np.int64),
        biome=tuple(region_biome.get(int(r), "grassland") for r in regions),
        resources=resources,
        agents=agents,
    )
    links = _links(
        market_nodes,
        graph,
        danger=[region_danger.get(int(r), 0.0) for r in regions],
        realm=[region_realm.get(int(r), -1) for r in regions],
    )
    return MarketLayout(
        markets=markets,
        settlement_id=markets.ids,
        region_id=regions.astype(np.int64),
        names=tuple(sites.name[r] for r in market_rows),
        served=tuple(sites.settlement_id[s].astype(np.int64) for s in served),
        links=links,
    )


def _route_graph(routes: RouteChains) -> tuple[coo_array, dict[int, int]]:
    cells = np.unique(np.concatenate([*routes.cells, np.zeros(0, dtype=np.int64)]))
    node_of_cell = {int(cell): node for node, cell in enumerate(cells)}
    heads, tails, days = [], [], []
    for chain, total in zip(routes.cells, routes.travel_days, strict=True):
        if chain.size < 2:
            continue
        nodes = np.searchsorted(cells, chain)
        heads.append(nodes[:-1])
        tails.append(nodes[1:])
        days.append(np.full(chain.size - 1, max(float(total), 1e-3) / (chain.size - 1)))
    n = cells.size
    if not heads:
        return coo_array((n, n)), node_of_cell
    head, tail, weight = np.concatenate(heads), np.concatenate(tails), np.concatenate(days)
    graph = coo_array((np.r_[weight, weight], (np.r_[head, tail], np.r_[tail, head])), shape=(n, n))
    return graph, node_of_cell


def _nearest_market(
    sites: SettlementSites,
    market_rows: Int,
    market_nodes: Int,
    graph: coo_array,
    node_of_cell: dict[int, int],
) -> Int:
    """Each settlement's market: the one it reaches soonest by route, else the nearest as the
    crow flies (a roadless island still trades somewhere); markets serve themselves."""
    home = np.zeros(sites.settlement_id.size, dtype=np.int64)
    reachable = market_nodes >= 0
    if reachable.any() and graph.shape[0]:
        _, _, source = dijkstra(
            graph.tocsr(), indices=market_nodes[reachable], min_only=True, return_predecessors=True
        )
        market_of_node = {int(node): m for m, node in enumerate(market_nodes) if node >= 0}
        for row, cell in enumerate(sites.cell_id):
            node = node_of_cell.get(int(cell), -1)
            origin = int(source[node]) if node >= 0 else -9999
            home[row] = market_of_node.get(origin, -1)
    else:
        home[:] = -1
    stranded = np.flatnonzero(home < 0)
    if stranded.size:
        dx = sites.x[stranded, None] - sites.x[market_rows][None, :]
        dy = sites.y[stranded, None] - sites.y[market_rows][None, :]
        home[stranded] = np.argmin(dx * dx + dy * dy, axis=1)
    home[market_rows] = np.arange(market_rows.size)
    return home


def _links(
    market_nodes: Int, graph: coo_array, *, danger: list[float], realm: list[int]
) -> TradeLinks:
    reachable = np.flatnonzero(market_nodes >= 0)
    if reachable.size < 2 or graph.shape[0] == 0:
        return TradeLinks.none()
    days = dijkstra(graph.tocsr(), indices=market_nodes[reachable], limit=MAX_LINK_DAYS)
    between = days[:, market_nodes[reachable]]
    np.fill_diagonal(between, np.inf)
    near: list[tuple[int, int]] = []
    for row in range(reachable.size):
        nearest = np.argsort(between[row], kind="stable")[:LINKS_PER_MARKET]
        near.extend((row, int(col)) for col in nearest[np.isfinite(between[row, nearest])])
    one_way = set(near)
    pairs = sorted(one_way | {(b, a) for a, b in one_way})
    if not pairs:
        return TradeLinks.none()
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    origin, destination = reachable[a].astype(np.int64), reachable[b].astype(np.int64)
    days = np.maximum(np.ceil(between[a, b]), 1).astype(np.int64)
    return linked(origin, destination, days, danger=danger, realm=realm)


def linked(src: Int, dst: Int, days: Int, *, danger: list[float], realm: list[int]) -> TradeLinks:
    """Links between markets (positions) and their travel days, with the danger and tolls of
    the markets' regions now: the mean of the two regions' danger, and `BORDER_TOLL` into a
    market of another realm (`realm`: each market's region's holder, -1 for none)."""
    risk = np.asarray(danger, dtype=np.float64)
    owner = np.asarray(realm, dtype=np.int64)
    border = (owner[src] != owner[dst]) & (owner[dst] >= 0)
    return TradeLinks(
        src=src,
        dst=dst,
        days=days,
        danger=(risk[src] + risk[dst]) / 2,
        toll=np.where(border, BORDER_TOLL, 0.0),
    )
