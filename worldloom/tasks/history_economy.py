"""A year's end in the economy: the year's army upkeep and tributes paid from its purses, its
markets' agents brought to the people born and dead (money and goods only change hands), and
the hooks its last day's events leave on the next year's markets."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from worldloom.systems.economy import EconomyState, MarketLayout
from worldloom.systems.economy.census import resize_markets
from worldloom.systems.economy.market_site import MAX_AGENTS, MIN_AGENTS
from worldloom.systems.history import Hooks
from worldloom.systems.history.purse import move_money, war_transfers
from worldloom.systems.history.year import RolledYear

CUT_TOLL = 1.0
"""A link between realms at war, or to a besieged market, takes the whole cargo's worth at
its gate (and the highest danger): no merchant plans such a trip; one already on it loses it."""


def pay_war(
    state: EconomyState,
    layout: MarketLayout,
    rolled: RolledYear,
    *,
    provinces: pl.DataFrame,
    settlements: pl.DataFrame,
) -> EconomyState:
    """The economy's purses after the year's army upkeep and tributes (money only moves)."""
    if not (rolled.upkeep or rolled.tributes):
        return state
    holder = dict(provinces.select("region_id", "faction_id").rows())
    market_realm = np.array([holder.get(int(r), -1) for r in layout.region_id], dtype=np.int64)
    n = settlements.height
    settlement_market = np.full(n, -1, dtype=np.int64)
    for m, (own, served) in enumerate(zip(layout.settlement_id, layout.served, strict=True)):
        settlement_market[served.astype(np.int64)] = m
        settlement_market[int(own)] = m
    realm_of = np.array([holder.get(int(r), -1) for r in settlements["region_id"]])
    people = settlements["population"].to_numpy()
    at = state.market >= 0
    agents = np.bincount(state.market[at], minlength=layout.settlement_id.size)
    # The economy's agents stand for a realm's people: its bill shrinks in the same ratio.
    scale = {
        int(realm): float(agents[market_realm == realm].sum())
        / max(int(people[realm_of == realm].sum()), 1)
        for realm in {*rolled.upkeep, *(payer for payer, _, _ in rolled.tributes)}
    }
    purses = move_money(
        state.treasury,
        state.money,
        state.market,
        transfers=war_transfers(
            upkeep=rolled.upkeep,
            tributes=rolled.tributes,
            market_realm=market_realm,
            settlement_market=settlement_market,
            scale=scale,
        ),
    )
    return replace(state, treasury=purses.treasury, money=purses.money)


def count_agents(
    state: EconomyState, layout: MarketLayout, *, settlements: pl.DataFrame, start_money: int
) -> tuple[EconomyState, MarketLayout]:
    """The economy's agents after the year's births and deaths: each market's as many as its
    people now call for (as the economy was seeded: sqrt(people) / 3, within bounds)."""
    people = settlements.sort("settlement_id")["population"].to_numpy().astype(np.int64)
    served = np.array(
        [
            int(people[int(own)]) + int(people[s.astype(np.int64)].sum())
            for own, s in zip(layout.settlement_id, layout.served, strict=True)
        ],
        dtype=np.float64,
    )
    target = np.clip(np.round(np.sqrt(served) / 3), MIN_AGENTS, MAX_AGENTS).astype(np.int64)
    counted = resize_markets(
        state, counts=layout.markets.agents, target=target, start_money=start_money
    )
    markets = replace(layout.markets, agents=counted.agents)
    return counted.state, replace(layout, markets=markets)


def hooks_at(ends: pl.DataFrame) -> Hooks:
    """The hooks a year's last day's events (`ends`) leave for the next year's economy."""
    cut = ends.filter(pl.col("type") == "trade_route_cut")
    return Hooks(
        cut_realms=tuple(
            (int(a), int(b)) for a, b in cut.select("faction_id", "other_faction_id").rows()
        ),
        closed_settlements=tuple(
            (int(s), "standing")
            for s in ends.filter(pl.col("type") == "market_closed")["settlement_id"]
        ),
        failed_regions=tuple(
            int(r) for r in ends.filter(pl.col("type") == "harvest_failed")["region_id"]
        ),
    )


def hooked_layout(layout: MarketLayout, hooks: Hooks, provinces: pl.DataFrame) -> MarketLayout:
    """The layout the economy runs this year: links between realms at war and to closed
    markets priced out of use; grain gone from the markets of regions whose harvest failed.
    Links keep their positions (merchants on the road name theirs by position)."""
    if not (hooks.cut_realms or hooks.closed_settlements or hooks.failed_regions):
        return layout
    realm_of = dict(provinces.select("region_id", "faction_id").rows())
    realm = np.array([realm_of.get(int(r), -1) for r in layout.region_id], dtype=np.int64)
    links = layout.links
    at_war = {frozenset(pair) for pair in hooks.cut_realms}
    pairs = zip(realm[links.src], realm[links.dst], strict=True)
    cut = np.array([frozenset((int(a), int(b))) in at_war for a, b in pairs], dtype=bool)
    shut = np.array([s for s, _ in hooks.closed_settlements], dtype=np.int64)
    closed = np.isin(layout.settlement_id, shut)
    cut |= closed[links.src] | closed[links.dst]
    hooked_links = replace(
        links,
        toll=np.where(cut, CUT_TOLL, links.toll),
        danger=np.where(cut, 10.0, links.danger),
    )
    failed = set(hooks.failed_regions)
    resources = tuple(
        res - {"grain"} if int(r) in failed else res
        for res, r in zip(layout.markets.resources, layout.region_id, strict=True)
    )
    markets = replace(layout.markets, resources=resources)
    return replace(layout, markets=markets, links=hooked_links)
