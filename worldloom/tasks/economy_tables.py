"""Row builders between the economy's arrays and its store tables (both directions)."""

from __future__ import annotations

import numpy as np
import polars as pl

from worldloom.infrastructure.store import table_frame
from worldloom.systems.economy import (
    EconomyRules,
    EconomyRun,
    EconomyState,
    GoodsTable,
    MarketLayout,
    build_item_catalog,
)

_STATE_ARRAYS = {
    "good": "slot_good",
    "qty": "slot_qty",
    "low": "low",
    "high": "high",
    "need": "need",
    "sold": "sold",
}
"""EconomyState [agent, slot] field -> economy_agents list column."""
_AGENT_SCALARS = {
    "market": "market",
    "role": "role",
    "money": "money",
    "progress": "progress",
    "hunger": "hunger",
    "cost_scale": "cost_scale",
    "taste": "taste",
    "offset": "comfort_offset",
    "wants": "wants",
    "cargo_target": "cargo_target",
    "cargo_ceiling": "cargo_ceiling",
    "loading": "loading",
    "link": "link",
    "arrive": "arrive",
    "profit": "profit",
    "idle": "idle",
    "tenure": "tenure",
}
"""EconomyState field -> economy_agents column."""


def catalog_rows(goods: GoodsTable, rules: EconomyRules) -> dict[str, pl.DataFrame]:
    """The goods, item and recipe tables the runtime reads next to the prices."""
    book = rules.book
    return {
        "goods": table_frame(
            "goods",
            {
                "good": [g.key for g in goods.goods],
                "name": [g.name for g in goods.goods],
                "category": [g.category for g in goods.goods],
                "value": [g.value for g in goods.goods],
                "weight": [g.weight for g in goods.goods],
                "perish": [g.perish for g in goods.goods],
                "nutrition": [g.nutrition for g in goods.goods],
            },
        ),
        "items": build_item_catalog(goods),
        "recipes": table_frame(
            "recipes",
            {
                "recipe": [r.key for r in book.recipes],
                "profession": [r.profession for r in book.recipes],
                "inputs": [[{"good": g, "units": u} for g, u in r.inputs] for r in book.recipes],
                "outputs": [[{"good": g, "units": u} for g, u in r.outputs] for r in book.recipes],
                "resource": [r.resource for r in book.recipes],
                "tool": [r.tool for r in book.recipes],
                "wear": [r.wear for r in book.recipes],
                "labor": [r.labor for r in book.recipes],
                "time": [r.time for r in book.recipes],
            },
        ),
    }


def market_rows(layout: MarketLayout, state: EconomyState) -> dict[str, pl.DataFrame]:
    markets, links = layout.markets, layout.links
    return {
        "markets": table_frame(
            "markets",
            {
                "market_id": np.arange(markets.ids.size, dtype=np.int32),
                "settlement_id": layout.settlement_id.astype(np.int32),
                "name": list(layout.names),
                "region_id": layout.region_id.astype(np.int32),
                "biome": list(markets.biome),
                "resources": [sorted(r) for r in markets.resources],
                "served": [s.astype(np.int32).tolist() for s in layout.served],
                "agents": markets.agents.astype(np.int32),
                "treasury": state.treasury,
                "tick": np.full(markets.ids.size, state.tick, dtype=np.int32),
            },
        ),
        "market_links": table_frame(
            "market_links",
            {
                "src_market": links.src.astype(np.int32),
                "dst_market": links.dst.astype(np.int32),
                "travel_days": links.days.astype(np.int32),
                "danger": links.danger,
                "toll": links.toll,
            },
        ),
    }


def market_goods_rows(state: EconomyState, rules: EconomyRules) -> pl.DataFrame:
    """Current price and stock per market and good (agents on the road hold no market's stock)."""
    n_markets, n_goods = state.price.shape
    held = (state.market >= 0)[:, None] & (state.good >= 0)
    book = (state.market[:, None] * n_goods + state.good)[held]
    stock = np.bincount(book, weights=state.qty[held], minlength=n_markets * n_goods)
    return table_frame(
        "market_goods",
        {
            "market_id": np.repeat(np.arange(n_markets, dtype=np.int32), n_goods),
            "good": list(rules.goods) * n_markets,
            "price": state.price.ravel(),
            "stock": stock.astype(np.int64),
            "supply": state.supply.ravel(),
            "demand": state.demand.ravel(),
        },
    )


def state_rows(state: EconomyState) -> dict[str, pl.DataFrame]:
    agents: dict[str, object] = {"agent_id": np.arange(state.market.size, dtype=np.int64)}
    agents |= {column: getattr(state, field) for field, column in _AGENT_SCALARS.items()}
    agents |= {
        column: pl.Series(getattr(state, field)).arr.to_list()
        for field, column in _STATE_ARRAYS.items()
    }
    books: dict[str, object] = {"market_id": np.arange(state.price.shape[0], dtype=np.int32)}
    books |= {
        name: pl.Series(getattr(state, name)).arr.to_list()
        for name in ("price", "supply", "demand")
    }
    return {
        "economy_agents": table_frame("economy_agents", agents),
        "economy_books": table_frame("economy_books", books),
    }


def state_from_rows(
    agents: pl.DataFrame, books: pl.DataFrame, markets: pl.DataFrame
) -> EconomyState:
    """Rebuild the saved state (rows sorted by id, as written)."""
    agents, books = agents.sort("agent_id"), books.sort("market_id")
    markets = markets.sort("market_id")
    fields = {field: agents[column].to_numpy().copy() for field, column in _AGENT_SCALARS.items()}
    arrays = {field: np.vstack(agents[column].to_list()) for field, column in _STATE_ARRAYS.items()}
    market_arrays = {
        name: np.vstack(books[name].to_list()) for name in ("price", "supply", "demand")
    }
    return EconomyState(
        tick=int(markets["tick"].to_numpy().max(initial=0)),
        market=fields["market"].astype(np.int64),
        role=fields["role"].astype(np.int64),
        money=fields["money"].astype(np.int64),
        good=arrays["good"].astype(np.int32),
        qty=arrays["qty"].astype(np.int32),
        low=arrays["low"].astype(np.float32),
        high=arrays["high"].astype(np.float32),
        progress=fields["progress"].astype(np.float64),
        hunger=fields["hunger"].astype(np.float64),
        need=arrays["need"].astype(np.float64),
        sold=arrays["sold"].astype(np.float64),
        cost_scale=fields["cost_scale"].astype(np.float64),
        taste=fields["taste"].astype(np.int64),
        offset=fields["offset"].astype(np.int64),
        wants=fields["wants"].astype(np.int64),
        cargo_target=fields["cargo_target"].astype(np.int64),
        cargo_ceiling=fields["cargo_ceiling"].astype(np.float64),
        loading=fields["loading"].astype(np.int64),
        link=fields["link"].astype(np.int64),
        arrive=fields["arrive"].astype(np.int64),
        profit=fields["profit"].astype(np.float64),
        idle=fields["idle"].astype(np.int64),
        tenure=fields["tenure"].astype(np.int64),
        treasury=markets["treasury"].to_numpy().astype(np.int64),
        price=market_arrays["price"].astype(np.float64),
        supply=market_arrays["supply"].astype(np.int64),
        demand=market_arrays["demand"].astype(np.int64),
    )


def history_rows(run: EconomyRun, rules: EconomyRules) -> dict[str, pl.DataFrame]:
    """The run's per-tick tables: prices, trades, caravans, roles, ledger, money supply."""
    history = run.history
    n_ticks, n_markets, n_goods = history.price.shape
    ticks = history.ticks.astype(np.int32)
    goods = np.array(rules.goods)
    fills, caravans = history.fills, history.caravans
    within_tick = _rank_within(fills["tick"])
    n_roles = len(rules.roles)
    return {
        "market_prices": table_frame(
            "market_prices",
            {
                "tick": np.repeat(ticks, n_markets * n_goods),
                "market_id": np.tile(
                    np.repeat(np.arange(n_markets, dtype=np.int32), n_goods), n_ticks
                ),
                "good": np.tile(goods, n_ticks * n_markets),
                "price": history.price.ravel().astype(np.float64),
                "supply": history.supply.ravel(),
                "demand": history.demand.ravel(),
                "volume": history.volume.ravel(),
            },
        ),
        "trades": table_frame(
            "trades",
            {
                "trade_id": (fills["tick"] << 32) + within_tick,
                "tick": fills["tick"].astype(np.int32),
                "market_id": fills["market"].astype(np.int32),
                "good": goods[fills["good"]],
                "buyer": fills["buyer"],
                "seller": fills["seller"],
                "qty": fills["qty"].astype(np.int32),
                "price": fills["price"].astype(np.int32),
            },
        ),
        "caravans": table_frame(
            "caravans",
            {
                "caravan_id": (caravans["depart"] << 32) + caravans["merchant"],
                "merchant": caravans["merchant"],
                "src_market": caravans["src"].astype(np.int32),
                "dst_market": caravans["dst"].astype(np.int32),
                "good": goods[caravans["good"]],
                "qty": caravans["qty"].astype(np.int32),
                "cost": caravans["cost"],
                "depart_tick": caravans["depart"].astype(np.int32),
                "arrive_tick": caravans["arrive"].astype(np.int32),
            },
        ),
        "role_stats": table_frame(
            "role_stats",
            {
                "tick": np.repeat(ticks, n_roles),
                "role": list(rules.roles) * n_ticks,
                "profession": list(rules.professions) * n_ticks,
                "agents": history.role_agents.ravel().astype(np.int32),
                "money": history.role_money.ravel(),
                "mean_profit": history.role_profit.ravel(),
                "bankruptcies": history.bankruptcies.ravel().astype(np.int32),
            },
        ),
        "economy_ledger": table_frame(
            "economy_ledger",
            {
                "tick": np.repeat(ticks, n_goods),
                "good": np.tile(goods, n_ticks),
                "produced": history.produced.ravel(),
                "consumed": history.consumed.ravel(),
                "spoiled": history.spoiled.ravel(),
            },
        ),
        "money_supply": table_frame(
            "money_supply",
            {
                "tick": np.repeat(ticks, n_markets),
                "market_id": np.tile(np.arange(n_markets, dtype=np.int32), n_ticks),
                "money": history.money_supply.ravel(),
            },
        ),
    }


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal keys (fills arrive grouped by tick)."""
    if keys.size == 0:
        return keys
    first = np.r_[True, keys[1:] != keys[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(keys.size), 0))
    return np.arange(keys.size) - start
