"""Row builders between the economy's arrays and its store tables (both directions)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from worldloom.infrastructure.store import TABLES, Revision, RowRange, WorldStore, table_frame
from worldloom.systems.economy import (
    EconomyRules,
    EconomyRun,
    EconomyState,
    GoodsTable,
    MarketLayout,
    build_item_catalog,
)
from worldloom.systems.economy.archive import (
    HistoryPolicy,
    Spans,
    archive_history,
    book_partials,
    role_partials,
)
from worldloom.systems.world import Calendar

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
                "bankrupt": state.bankrupt.astype(np.int32),
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
    if arrays["sold"].shape != arrays["qty"].shape:
        # Saved before agents kept their running sales (schema 9): nothing sold yet.
        arrays["sold"] = np.zeros(arrays["qty"].shape)
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
        bankrupt=markets["bankrupt"].to_numpy().astype(np.int64),
        price=market_arrays["price"].astype(np.float64),
        supply=market_arrays["supply"].astype(np.int64),
        demand=market_arrays["demand"].astype(np.int64),
    )


ARCHIVED = (
    "market_prices", "market_price_periods", "trades",
    "role_stats", "economy_ledger", "money_supply",
)  # fmt: skip
"""The history tables kept day by day for a window and by months and years before it."""
APPENDED = ("caravans", "economy_health")
"""The history tables kept whole: a row per caravan and per day."""
HISTORY_TABLES = ARCHIVED + APPENDED


def archived_rows(
    run: EconomyRun,
    rules: EconomyRules,
    *,
    earlier: Mapping[str, pl.DataFrame],
    calendar: Calendar,
    policy: HistoryPolicy | None = None,
) -> dict[str, pl.DataFrame]:
    """The world's history tables after `run`: its `earlier` rows (as read; none for a new
    economy) with the run's, days rolled up into months and months into years as `policy`
    says (`archive_history`)."""
    spans = Spans.of(calendar)
    day_cutoff, month_cutoff = spans.cutoffs(run.state.tick, policy or HistoryPolicy())
    fresh = history_rows(run, rules, since=day_cutoff)
    partials = {
        "market_prices": book_partials(run.history, spans, before=day_cutoff, goods=rules.goods),
        **role_partials(
            run.history,
            spans,
            before=day_cutoff,
            goods=rules.goods,
            roles=rules.roles,
            professions=rules.professions,
        ),
    }
    stored = {
        name: earlier[name] if name in earlier else table_frame(name, _no_rows(name))
        for name in HISTORY_TABLES
    }
    kept = archive_history(
        stored, fresh, partials, spans=spans, day_cutoff=day_cutoff, month_cutoff=month_cutoff
    )
    for name in APPENDED:
        kept[name] = pl.concat(
            [stored[name], table_frame(name, fresh[name].to_dict())], how="vertical_relaxed"
        )
    return {name: table_frame(name, frame.to_dict()) for name, frame in kept.items()}


def read_rolling(
    store: WorldStore,
    world_id: str,
    *,
    next_tick: int,
    calendar: Calendar,
    policy: HistoryPolicy | None = None,
    known: Mapping[str, pl.DataFrame] | None = None,
) -> dict[str, pl.DataFrame]:
    """The stored history rows a run ending before `next_tick` rolls up or drops (`rolling_ranges`;
    the others stay as they are): from them alone `archived_changes` makes the rows to add.
    Tables in `known` (all their rows, as read) are not read again."""
    ranges = rolling_ranges(next_tick, calendar=calendar, policy=policy)
    known = known or {}
    return {
        name: known[name].filter(RowRange.any_of(within))
        if name in known
        else store.read(name, world_id, within=within)
        for name, within in ranges.items()
    }


def rolling_ranges(
    next_tick: int, *, calendar: Calendar, policy: HistoryPolicy | None = None
) -> dict[str, tuple[RowRange, ...]]:
    """Per history table, the ranges of stored rows a run ending before `next_tick` rolls up
    or drops (`read_rolling` reads them, `archived_changes` takes them out)."""
    spans = Spans.of(calendar)
    day, month = spans.cutoffs(next_tick, policy or HistoryPolicy())
    days = RowRange(before={"tick": day})
    # Months: periods shorter than a year (a day is one) begun before the cutoff; never years.
    months = RowRange(before={"tick": month, "days": spans.year})
    both = (
        RowRange(after={"days": 1}, before=months.before),
        RowRange({"days": 1}, {}, {"tick": day}),
    )
    ranges = {"market_prices": (days,), "trades": (days,), "market_price_periods": (months,)}
    return ranges | dict.fromkeys(("role_stats", "economy_ledger", "money_supply"), both)


def archived_changes(
    run: EconomyRun,
    rules: EconomyRules,
    *,
    rolling: Mapping[str, pl.DataFrame],
    calendar: Calendar,
    policy: HistoryPolicy | None = None,
) -> dict[str, Revision]:
    """What `run` changes in the stored history tables: the `rolling` rows (`read_rolling` for
    the run's end) out by the ranges they were read from, the run's days and the periods they
    and the rolling rows make in; the tables `archived_rows` over every row would write."""
    added = archived_rows(run, rules, earlier=rolling, calendar=calendar, policy=policy)
    ranges = rolling_ranges(run.state.tick, calendar=calendar, policy=policy)
    none = pl.DataFrame()  # no row is taken out by key
    return {name: Revision(none, rows, drop=ranges.get(name, ())) for name, rows in added.items()}


def _no_rows(name: str) -> dict[str, list[object]]:
    return {column: [] for column in TABLES[name].column_names if column != "world_id"}


def history_rows(run: EconomyRun, rules: EconomyRules, *, since: int) -> dict[str, pl.DataFrame]:
    """The run's rows: its days from tick `since` on (market_prices, trades, role_stats,
    economy_ledger, money_supply, a row a day), and all its caravans and health figures; ids
    and counts as Int64, as `archive_history` takes them."""
    history = run.history
    keep = history.ticks >= since
    n_ticks = int(keep.sum())
    n_markets, n_goods = history.price.shape[1:]
    ticks = history.ticks[keep]
    goods = pl.Series(rules.goods, dtype=pl.String)  # gathered: numpy strings convert slowly
    # A day's books by market, then by the good's name: the table's key order, so the rows
    # go in and come back (`stored_rows`, a read) as they are, with no sort of a million rows.
    by_name = np.argsort(np.array(rules.goods), kind="stable")
    fills, caravans = history.fills, history.caravans
    within_tick = _rank_within(fills["tick"])
    recent = fills["tick"] >= since
    n_roles = len(rules.roles)
    return {
        "market_prices": pl.DataFrame(
            {
                "tick": np.repeat(ticks, n_markets * n_goods),
                "market_id": np.tile(np.repeat(np.arange(n_markets), n_goods), n_ticks),
                "good": goods.gather(np.tile(by_name, n_ticks * n_markets)),
                "price": history.price[keep][..., by_name].ravel().astype(np.float64),
                "supply": history.supply[keep][..., by_name].ravel().astype(np.int64),
                "demand": history.demand[keep][..., by_name].ravel().astype(np.int64),
                "volume": history.volume[keep][..., by_name].ravel().astype(np.int64),
            }
        ),
        "trades": pl.DataFrame(
            {
                "trade_id": ((fills["tick"] << 32) + within_tick)[recent],
                "tick": fills["tick"][recent],
                "market_id": fills["market"][recent],
                "good": goods.gather(fills["good"][recent]),
                "buyer": fills["buyer"][recent],
                "seller": fills["seller"][recent],
                "qty": fills["qty"][recent],
                "price": fills["price"][recent],
            }
        ),
        "caravans": pl.DataFrame(
            {
                "caravan_id": (caravans["depart"] << 32) + caravans["merchant"],
                "merchant": caravans["merchant"],
                "src_market": caravans["src"],
                "dst_market": caravans["dst"],
                "good": goods.gather(caravans["good"]),
                "qty": caravans["qty"],
                "cost": caravans["cost"],
                "depart_tick": caravans["depart"],
                "arrive_tick": caravans["arrive"],
            }
        ),
        "role_stats": pl.DataFrame(
            {
                "tick": np.repeat(ticks, n_roles),
                "days": np.ones(n_roles * n_ticks, dtype=np.int64),
                "role": list(rules.roles) * n_ticks,
                "profession": list(rules.professions) * n_ticks,
                "agents": history.role_agents[keep].ravel(),
                "money": history.role_money[keep].ravel(),
                "mean_profit": history.role_profit[keep].ravel(),
                "bankruptcies": history.bankruptcies[keep].ravel(),
            }
        ),
        "economy_ledger": pl.DataFrame(
            {
                "tick": np.repeat(ticks, n_goods),
                "days": np.ones(n_goods * n_ticks, dtype=np.int64),
                "good": goods.gather(np.tile(np.arange(n_goods), n_ticks)),
                "produced": history.produced[keep].ravel(),
                "consumed": history.consumed[keep].ravel(),
                "spoiled": history.spoiled[keep].ravel(),
            }
        ),
        "money_supply": pl.DataFrame(
            {
                "tick": np.repeat(ticks, n_markets),
                "days": np.ones(n_markets * n_ticks, dtype=np.int64),
                "market_id": np.tile(np.arange(n_markets), n_ticks),
                "money": history.money_supply[keep].ravel(),
            }
        ),
        "economy_health": pl.DataFrame({"tick": history.ticks, **history.health}),
    }


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal keys (fills arrive grouped by tick)."""
    if keys.size == 0:
        return keys
    first = np.r_[True, keys[1:] != keys[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(keys.size), 0))
    return np.arange(keys.size) - start
