"""The economy stage task: markets over the stored settlements and routes, run for N ticks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import StoreError, WorldStore, open_store
from worldloom.systems.economy import (
    EconomyState,
    MarketLayout,
    Markets,
    RouteChains,
    SettlementSites,
    TradeLinks,
    build_slots,
    linked,
    locate_markets,
    seed_economy,
    simulate_economy,
)
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.economy_tables import (
    HISTORY_TABLES,
    archived_rows,
    catalog_rows,
    market_goods_rows,
    market_rows,
    state_from_rows,
    state_rows,
)
from worldloom.tasks.stages import downstream_tables
from worldloom.tasks.world_record import load_world, world_db

Int = npt.NDArray[np.int64]

REGION_DANGER = ("region_id", "danger_level")
"""The regions' columns a market layout reads of them now."""


@task(name="run-economy", cache_policy=NO_CACHE)
def run_economy_stage(*, home: str, world_id: str, ticks: int) -> dict[str, int]:
    """Advance the world's economy `ticks` ticks, starting it first if it has none yet; the
    stages after it (gear) are cleared, as they stood on the old prices and holdings."""
    path = world_db(home, world_id)
    rules = catalog.economy_rules()
    with open_store(path) as store:
        world = load_world(store, world_id)
        layout = market_layout(store, world_id)
        saved = _saved_state(store, world_id, layout)
        if saved is not None:
            layout = with_stored_agents(layout, store.read("markets", world_id))
        earlier = {name: store.read(name, world_id) for name in HISTORY_TABLES} if saved else {}
        worlds = store.read("worlds", world_id)
    seeds = Seeds(world.config.seed)
    start = saved or seed_economy(
        rules,
        layout.markets,
        links=layout.links,
        seeds=seeds,
        profession_weights=catalog.profession_weights(),
    )
    run = simulate_economy(start, rules, layout.markets, layout.links, seeds=seeds, ticks=ticks)
    history = archived_rows(run, rules, earlier=earlier, calendar=catalog.calendar())
    frames = {
        # The world's clock is its economy's: a day a tick.
        "worlds": worlds.with_columns(pl.lit(run.state.tick).alias("tick")),
        **catalog_rows(catalog.goods_table(), rules),
        **market_rows(layout, run.state),
        "market_goods": market_goods_rows(run.state, rules),
        **state_rows(run.state),
        **history,
    }
    with open_store(path) as store:
        written = store.replace_rows(
            world_id,
            frames,
            # Gear is priced in these markets and shares out these holdings: it is stale now.
            clear=downstream_tables("economy"),
        )
    get_run_logger().info(
        "economy: %d markets, %d agents, ticks %d-%d, %d trades, %d caravans",
        layout.markets.ids.size,
        run.state.market.size,
        start.tick,
        run.state.tick,
        run.history.fills["qty"].size,
        run.history.caravans["qty"].size,
    )
    return written


def market_layout(store: WorldStore, world_id: str) -> MarketLayout:
    """The world's markets, who they serve and how they link, from its stored places."""
    settlements = store.read("settlements", world_id).sort("settlement_id")
    if settlements.height == 0:
        raise StoreError(f"world {world_id!r} has no settlements yet: run the pois stage first")
    routes = store.read("routes", world_id).sort("route_id")
    regions = store.read("regions", world_id)
    biome_keys = {biome.biome_id: biome.key for biome in catalog.biome_table().biomes}
    sites = SettlementSites(
        settlement_id=settlements["settlement_id"].to_numpy().astype(np.int64),
        name=tuple(settlements["name"]),
        tier=tuple(settlements["tier"]),
        population=settlements["population"].to_numpy().astype(np.int64),
        cell_id=settlements["cell_id"].to_numpy().astype(np.int64),
        region_id=settlements["region_id"].to_numpy().astype(np.int64),
        x=settlements["x"].to_numpy(),
        y=settlements["y"].to_numpy(),
    )
    chains = RouteChains(
        cells=tuple(np.asarray(cells, dtype=np.int64) for cells in routes["cells"].to_list()),
        travel_days=routes["travel_days"].to_numpy(),
    )
    rows = regions.select("region_id", "dominant_biome_id", "resources", "danger_level").rows()
    provinces = store.read("provinces", world_id)
    return locate_markets(
        sites,
        chains,
        region_biome={rid: biome_keys.get(biome, "grassland") for rid, biome, _, _ in rows},
        region_resources={rid: frozenset(res) for rid, _, res, _ in rows},
        region_danger={rid: float(danger) for rid, _, _, danger in rows},
        region_realm=dict(provinces.select("region_id", "faction_id").rows()),
    )


def stored_layout(store: WorldStore, world_id: str) -> MarketLayout:
    """The markets the world's economy was seeded with (`markets`, `market_links`): where they
    stand, whom they serve, their agents, links and travel days, none of which change as the
    world lives (its towns and roads stay); the links' danger and tolls as its regions and
    provinces are now. What `market_layout` with the stored agents gives, without its route
    searches (~0.3 s of a medium world's year)."""
    markets = store.read("markets", world_id)
    if markets.height == 0:
        raise StoreError(f"world {world_id!r} has no markets yet: run its economy stage first")
    links = store.read("market_links", world_id)
    region = markets["region_id"].to_numpy().astype(np.int64)
    ids = markets["settlement_id"].to_numpy().astype(np.int64)
    return MarketLayout(
        markets=Markets(
            ids=ids,
            biome=tuple(markets["biome"]),
            resources=tuple(frozenset(keys) for keys in markets["resources"].to_list()),
            agents=markets["agents"].to_numpy().astype(np.int64),
        ),
        settlement_id=ids,
        region_id=region,
        names=tuple(markets["name"]),
        served=tuple(np.asarray(s, dtype=np.int64) for s in markets["served"].to_list()),
        links=links_now(
            links["src_market"].to_numpy().astype(np.int64),
            links["dst_market"].to_numpy().astype(np.int64),
            links["travel_days"].to_numpy().astype(np.int64),
            region=region,
            regions=store.read("regions", world_id, columns=REGION_DANGER),
            provinces=store.read("provinces", world_id),
        ),
    )


def links_now(
    src: Int,
    dst: Int,
    days: Int,
    *,
    region: Int,
    regions: pl.DataFrame,
    provinces: pl.DataFrame,
) -> TradeLinks:
    """Links between markets (positions; the markets' regions are `region`) and their travel
    days, with the danger and tolls their regions have in `regions` (`danger_level`) and
    `provinces` (holders)."""
    danger_of = dict(regions.select(REGION_DANGER).rows())
    realm_of = dict(provinces.select("region_id", "faction_id").rows())
    return linked(
        src,
        dst,
        days,
        danger=[float(danger_of.get(int(r), 0.0)) for r in region],
        realm=[int(realm_of.get(int(r), -1)) for r in region],
    )


def with_stored_agents(layout: MarketLayout, markets: pl.DataFrame) -> MarketLayout:
    """`layout` with the agent counts its economy was seeded with (the stored `markets`): people
    born and dead change the settlements, not the size of a running economy's agent sample."""
    agents = markets.sort("market_id")["agents"].to_numpy().astype(np.int64)
    return replace(layout, markets=replace(layout.markets, agents=agents))


def _saved_state(store: WorldStore, world_id: str, layout: MarketLayout) -> EconomyState | None:
    """The economy where it stopped, if the world has one for the same markets and goods."""
    saved = store.read("economy_agents", world_id)
    markets = store.read("markets", world_id)
    if saved.height == 0 or markets.height != layout.markets.ids.size:
        return None
    if saved.height != int(markets["agents"].sum()):
        return None
    state = state_from_rows(saved, store.read("economy_books", world_id), markets)
    rules = catalog.economy_rules()
    if state.price.shape[1] != len(rules.goods) or state.good.shape[1] != build_slots(rules).count:
        return None
    return state
