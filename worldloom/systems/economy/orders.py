"""Every agent's bids and asks for a tick, cleared in one double auction, then beliefs and prices.

Bids restock what runs low, asks offer what is held beyond what is kept: `economy_posting`
decides who posts what, `economy_pricing` sets their limits. Orders are (agent, slot) pairs,
addressed by their flat cell in the [agent, slot] arrays (`agent * slots.count + slot`): see
`economy_slots`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.context import TickContext
from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.market import Orders, clear_books
from worldloom.systems.economy.posting import scan_orders
from worldloom.systems.economy.pricing import price_orders
from worldloom.systems.economy.slots import COMFORT, FOOD, AgentSlots
from worldloom.systems.economy.staple import staple_foods
from worldloom.systems.economy.state import EconomyState, Float32, Int32
from worldloom.systems.kernel import kernel, kernel_helper

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

_SALES_MEMORY = 0.1
"""Weight of the latest tick in a slot's running mean of units sold per day."""


@dataclass(frozen=True, slots=True)
class _Side:
    """One side's orders this tick: who, from which cell, which good, how many, at what
    limit, in which book."""

    agent: Int
    cell: Int
    good: Int32
    qty: Int
    price: Int
    book: Int
    low: Float32
    high: Float32
    """The order's price-belief range as it was posted (the tick's learning starts there)."""
    household: npt.NDArray[np.bool_]
    """Bids for the agent's own table (food, comforts), not for its trade; all False for asks."""


def clear_markets(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    agent_slots: AgentSlots,
    step: int,
    tick: int,
    pricing_rng: np.random.Generator,
    clearing_rng: np.random.Generator,
) -> Int:
    """Post, clear and settle every market's orders; update beliefs, prices, supply and demand.

    Limits are drawn from `pricing_rng`, the order in which equal prices queue in a book from
    `clearing_rng`. Returns the copper each agent spent on its own table (food, comforts)."""
    n_markets, n_goods = state.price.shape
    bids, asks = _post_orders(state, context, agent_slots, rng=pricing_rng)
    fills = clear_books(
        Orders(bids.book, bids.price, bids.qty, clearing_rng.random(bids.book.size)),
        Orders(asks.book, asks.price, asks.qty, clearing_rng.random(asks.book.size)),
    )
    tuning = context.rules.tuning
    paid, volume, spent, market, good = _close_books(
        bids.agent, bids.cell, bids.good, bids.qty, bids.price, bids.book, bids.low, bids.high,
        bids.household,
        asks.agent, asks.cell, asks.good, asks.qty, asks.price, asks.book, asks.low, asks.high,
        fills.bid, fills.ask, fills.qty, fills.price,
        state.market, state.money, state.idle, state.treasury, state.qty, state.good, state.link,
        state.sold.reshape(-1), state.low.reshape(-1), state.high.reshape(-1),
        state.price.reshape(-1), state.supply.reshape(-1), state.demand.reshape(-1),
        context.price_cap, context.slots.cargo,
        tuning.tax_percent, tuning.learn_rate, tuning.shift_rate,
    )  # fmt: skip
    buyer, seller = bids.agent[fills.bid], asks.agent[fills.ask]
    ledger.record_trades(
        step=step,
        units=int(fills.qty.sum()),
        turnover=int(paid.sum()),
        base_turnover=float((fills.qty * context.rules.value[good]).sum()),
    )
    ledger.fills.append(
        (np.full(buyer.size, tick), market, good, buyer, seller, fills.qty, fills.price)
    )
    ledger.record_books(state, step=step, volume=volume.reshape(n_markets, n_goods))
    return spent


def _post_orders(
    state: EconomyState,
    context: TickContext,
    agent_slots: AgentSlots,
    *,
    rng: np.random.Generator,
) -> tuple[_Side, _Side]:
    """Bids restock what runs low (in lots); asks offer whatever is held beyond what is kept."""
    rules = context.rules
    n_goods = state.price.shape[1]
    staple, food_market = staple_foods(state, context)
    bids, asks = scan_orders(
        state,
        context.slots,
        agent_slots,
        staple=staple,
        food_market=food_market,
        food_per_tick=rules.food_per_tick,
        buffer_days=rules.tuning.buffer_days,
    )
    bid_price, bid_qty, ask_price = price_orders(state, context, bids=bids, asks=asks, rng=rng)
    live = _live_bids(
        bids.agent, bids.cell, bids.good, bid_qty, bid_price, bids.low, bids.high, bids.kind,
        state.market, staple, food_market, n_goods,
    )  # fmt: skip
    return (
        _Side(*live),
        _Side(
            asks.agent,
            asks.cell,
            asks.good,
            asks.qty,
            ask_price,
            state.market[asks.agent] * n_goods + asks.good,
            asks.low,
            asks.high,
            np.zeros(asks.agent.size, dtype=np.bool_),
        ),
    )


@kernel
def _live_bids(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    agent: Int,
    cell: Int,
    good: Int32,
    qty: Int,
    price: Int,
    low: Float32,
    high: Float32,
    kind: Int,
    market: Int,
    staple: Int,
    food_market: Int,
    n_goods: int,
) -> tuple[Int, Int, Int32, Int, Int, Int, Float32, Float32, npt.NDArray[np.bool_]]:
    """The bids that still ask for something at a price (the fields of `_Side`, in order),
    each in its book: the larder's staple may be bought in a linked market when the agent's
    own has no food."""
    live = np.flatnonzero((qty > 0) & (price >= 1))
    n = live.size
    book = np.empty(n, dtype=np.int64)
    household = np.empty(n, dtype=np.bool_)
    for i in range(n):
        order = live[i]
        home = market[agent[order]]
        if kind[order] == FOOD and good[order] == staple[home]:
            home = food_market[home]
        book[i] = home * n_goods + good[order]
        household[i] = kind[order] == FOOD or kind[order] == COMFORT
    return (
        agent[live], cell[live], good[live], qty[live], price[live], book, low[live],
        high[live], household,
    )  # fmt: skip


@kernel
def _close_books(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    bid_agent: Int,
    bid_cell: Int,
    bid_good: Int32,
    bid_qty: Int,
    bid_price: Int,
    bid_book: Int,
    bid_low: Float32,
    bid_high: Float32,
    household: npt.NDArray[np.bool_],
    ask_agent: Int,
    ask_cell: Int,
    ask_good: Int32,
    ask_qty: Int,
    ask_price: Int,
    ask_book: Int,
    ask_low: Float32,
    ask_high: Float32,
    fill_bid: Int,
    fill_ask: Int,
    fill_qty: Int,
    fill_price: Int,
    market: Int,
    money: Int,
    idle: Int,
    treasury: Int,
    qty: Int32,
    good: Int32,
    link: Int,
    sales: Float,
    low: Float32,
    high: Float32,
    price: Float,
    supply: Int,
    demand: Int,
    price_cap: Float,
    cargo: int,
    tax_percent: int,
    learn_rate: float,
    shift_rate: float,
) -> tuple[Int, Int, Int, Int, Int]:
    """Settle every fill (money less the market's tax, goods, running sales), tally the
    books (`_tally_books`), let both sides learn (`_update_beliefs`) and free the slots that
    ran empty. Returns per fill the copper paid, its market and good; per book the units
    traded; per agent the copper spent on its own table (food, comforts)."""
    n_fills, count = fill_qty.size, qty.shape[1]
    paid = np.empty(n_fills, dtype=np.int64)
    fill_market = np.empty(n_fills, dtype=np.int64)
    fill_good = np.empty(n_fills, dtype=np.int64)
    fill_book = np.empty(n_fills, dtype=np.int64)
    spent = np.zeros(market.size)
    for k in range(n_fills):
        b, a = fill_bid[k], fill_ask[k]
        buyer, seller = bid_agent[b], ask_agent[a]
        paid[k] = fill_price[k] * fill_qty[k]
        tax = paid[k] * tax_percent // 100
        money[buyer] -= paid[k]
        money[seller] += paid[k] - tax
        idle[seller] = 0
        fill_market[k] = market[seller]
        treasury[market[seller]] += tax
        fill_good[k], fill_book[k] = bid_good[b], bid_book[b]
        sold, bought = ask_cell[a], bid_cell[b]
        qty[sold // count, sold % count] -= fill_qty[k]
        qty[bought // count, bought % count] += fill_qty[k]
        if household[b]:
            spent[buyer] += paid[k]
    for cell in range(sales.size):
        sales[cell] *= 1 - _SALES_MEMORY
    for k in range(n_fills):
        sales[ask_cell[fill_ask[k]]] += _SALES_MEMORY * fill_qty[k]
    glut, volume = _tally_books(
        bid_book, bid_qty, bid_price, ask_book, ask_qty, ask_price,
        fill_book, fill_qty, paid, price, supply, demand,
    )  # fmt: skip
    _update_beliefs(
        bid_cell, bid_qty, bid_good, bid_book, bid_low, bid_high, fill_bid, fill_qty,
        fill_price, glut, price_cap, low, high, learn_rate, shift_rate,
    )  # fmt: skip
    _update_beliefs(
        ask_cell, ask_qty, ask_good, ask_book, ask_low, ask_high, fill_ask, fill_qty,
        fill_price, glut, price_cap, low, high, learn_rate, -shift_rate,
    )  # fmt: skip
    _free_empty_slots(qty, good, link, cargo)
    return paid, volume, spent.astype(np.int64), fill_market, fill_good


@kernel_helper
def _tally_books(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    bid_book: Int,
    bid_qty: Int,
    bid_price: Int,
    ask_book: Int,
    ask_qty: Int,
    ask_price: Int,
    fill_book: Int,
    fill_qty: Int,
    fill_paid: Int,
    price: Float,
    supply: Int,
    demand: Int,
) -> tuple[Float, Int]:
    """Each book's supply and demand (units offered and bid for) and its new price, written
    into `supply`, `demand` and `price`; returns each book's imbalance (the glut, in [-1, 1])
    and the units it traded.

    A book's price is its traded mean; without trades it moves halfway toward the best bid
    above it or the best ask below it (a book whose best bid tops its best ask trades, so at
    most one of the two moves it)."""
    n_books = price.size
    best_bid = np.zeros(n_books, dtype=np.int64)
    best_ask = np.full(n_books, np.iinfo(np.int64).max, dtype=np.int64)
    supply[:] = 0
    demand[:] = 0
    for i in range(bid_book.size):
        demand[bid_book[i]] += bid_qty[i]
        best_bid[bid_book[i]] = max(best_bid[bid_book[i]], bid_price[i])
    for i in range(ask_book.size):
        supply[ask_book[i]] += ask_qty[i]
        best_ask[ask_book[i]] = min(best_ask[ask_book[i]], ask_price[i])
    volume = np.zeros(n_books, dtype=np.int64)
    value = np.zeros(n_books, dtype=np.int64)
    for k in range(fill_book.size):
        volume[fill_book[k]] += fill_qty[k]
        value[fill_book[k]] += fill_paid[k]
    glut = np.empty(n_books)
    for book in range(n_books):
        glut[book] = (supply[book] - demand[book]) / max(supply[book] + demand[book], 1.0)
        if volume[book] > 0:
            price[book] = value[book] / volume[book]
        elif best_bid[book] > price[book]:
            price[book] += 0.5 * (best_bid[book] - price[book])
        elif best_ask[book] < price[book]:
            price[book] += 0.5 * (best_ask[book] - price[book])
    return glut, volume


@kernel_helper
def _update_beliefs(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    cell: Int,
    qty: Int,
    good: Int32,
    book: Int,
    posted_low: Float32,
    posted_high: Float32,
    filled: Int,
    fill_qty: Int,
    fill_price: Int,
    glut: Float,
    price_cap: Float,
    low: Float32,
    high: Float32,
    learn_rate: float,
    shift: float,
) -> None:
    """`shift` is the unfilled move: + for buyers, - for sellers."""
    n = cell.size
    got = np.zeros(n)
    paid = np.zeros(n)
    for k in range(filled.size):
        got[filled[k]] += fill_qty[k]
        paid[filled[k]] += fill_price[k] * fill_qty[k]
    rate = abs(shift)
    for i in range(n):
        floor, ceiling = posted_low[i], posted_high[i]
        factor = 1.0 + shift
        if got[i] > 0:
            # Few orders trade; only theirs move toward the price and read the book. An
            # unfilled buyer pushed down by a glut it cannot reach would never meet the
            # sellers' cost floor.
            mean = paid[i] / got[i]
            floor = np.float32(floor + learn_rate * (mean - floor))
            ceiling = np.float32(ceiling - learn_rate * (ceiling - mean))
            left = 1.0 - got[i] / max(qty[i], 1)
            factor = (1.0 + shift * left) * (1.0 - rate * glut[book[i]])
        cap = price_cap[good[i]]
        new_low = min(max(floor * factor, 1.0), cap)
        low[cell[i]] = new_low
        high[cell[i]] = min(max(ceiling * factor, new_low + 1.0, 2.0), cap + 1.0)


@kernel_helper
def _free_empty_slots(qty: Int32, good: Int32, link: Int, cargo: int) -> None:
    """Spare slots and finished cargo slots that ran empty can take new goods (the cargo slot
    comes first, then the spares; a merchant still loading keeps its cargo slot)."""
    for agent in range(qty.shape[0]):
        for slot in range(cargo, qty.shape[1]):
            if qty[agent, slot] == 0 and (slot > cargo or link[agent] < 0):
                good[agent, slot] = -1
