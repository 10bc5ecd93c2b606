"""Every agent's bids and asks for a tick, cleared in one double auction, then beliefs and prices.

Two guards against the failures of bazaarBot and its ports: a seller never asks below what its
output cost to make (inputs at market price plus its labour), so prices cannot drift to pennies;
a buyer never bids above what the purchase is worth to it (the value its recipe adds, or hunger
for food), so they cannot run away. Every posted price is whole copper and at least 1.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy_ledger import Ledger
from worldloom.systems.economy_rules import EconomyRules
from worldloom.systems.economy_state import EconomyState
from worldloom.systems.market import Fills, Orders, clear_books

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

_FOOD, _INPUT, _TOOL, _NEED, _CARGO, _COMFORT = range(6)
"""Purchase priorities: an agent's money goes to food first and to comforts last."""


def clear_markets(
    state: EconomyState,
    rules: EconomyRules,
    ledger: Ledger,
    *,
    yields: Float,
    step: int,
    tick: int,
    rng: np.random.Generator,
) -> None:
    """Post, clear and settle every market's orders; update beliefs, prices, supply and demand."""
    n_markets, n_goods = state.price.shape
    keep = _keep_levels(state, rules)
    bid_agent, bid_good, bid_qty, bid_kind = _wanted(state, rules, keep)
    active = (state.market >= 0)[:, None]
    ask_agent, ask_good = np.nonzero((state.stock > keep) & active)
    ask_qty = state.stock[ask_agent, ask_good] - keep[ask_agent, ask_good]
    revenue = state.price @ rules.outputs.T
    input_cost = state.price @ rules.inputs.T
    bid_price = _bid_prices(
        state, rules, orders=(bid_agent, bid_good, bid_kind), batch=(revenue, input_cost), rng=rng
    )
    ask_price = _ask_prices(
        state, rules, orders=(ask_agent, ask_good), input_cost=input_cost, yields=yields, rng=rng
    )
    bid_qty = _afford(state.money, bid_agent, bid_kind, bid_price, bid_qty)
    live = (bid_qty > 0) & (bid_price >= 1)
    bid_agent, bid_good, bid_qty, bid_price = (
        bid_agent[live],
        bid_good[live],
        bid_qty[live],
        bid_price[live],
    )
    bid_book = state.market[bid_agent] * n_goods + bid_good
    ask_book = state.market[ask_agent] * n_goods + ask_good
    fills = clear_books(
        Orders(bid_book, bid_price, bid_qty, rng.random(bid_book.size)),
        Orders(ask_book, ask_price, ask_qty, rng.random(ask_book.size)),
    )
    buyer, seller = bid_agent[fills.bid], ask_agent[fills.ask]
    good, market = bid_good[fills.bid], state.market[bid_agent[fills.bid]]
    paid = fills.price * fills.qty
    tax = paid * rules.tuning.tax_percent // 100
    np.subtract.at(state.money, buyer, paid)
    np.add.at(state.money, seller, paid - tax)
    np.add.at(state.treasury, market, tax)
    np.subtract.at(state.stock, (seller, good), fills.qty)
    np.add.at(state.stock, (buyer, good), fills.qty)
    ledger.fills.append(
        (np.full(buyer.size, tick), market, good, buyer, seller, fills.qty, fills.price)
    )
    books = n_markets * n_goods
    offered = np.bincount(ask_book, weights=ask_qty, minlength=books)
    wanted = np.bincount(bid_book, weights=bid_qty, minlength=books)
    glut = (offered - wanted) / np.maximum(offered + wanted, 1.0)
    _learn(
        state,
        rules,
        orders=(bid_agent, bid_good, bid_qty),
        filled=fills.bid,
        fills=fills,
        glut=glut[bid_book],
    )
    _learn(
        state,
        rules,
        orders=(ask_agent, ask_good, ask_qty),
        filled=fills.ask,
        fills=fills,
        glut=glut[ask_book],
    )
    volume = _update_prices(
        state,
        traded=(bid_book[fills.bid], fills.qty, paid),
        bids=(bid_book, bid_price),
        asks=(ask_book, ask_price),
    )
    state.supply[:] = offered.reshape(n_markets, n_goods)
    state.demand[:] = wanted.reshape(n_markets, n_goods)
    ledger.record_books(
        state, step=step, volume=volume.reshape(n_markets, n_goods).astype(np.int64)
    )


def _update_prices(
    state: EconomyState,
    *,
    traded: tuple[Int, Int, Int],
    bids: tuple[Int, Int],
    asks: tuple[Int, Int],
) -> Float:
    """A book's price is its traded mean; without trades it moves halfway toward the best
    bid above it or the best ask below it. Returns the units traded per book."""
    books = state.price.size
    book, qty, paid = traded
    volume = np.bincount(book, weights=qty, minlength=books)
    value = np.bincount(book, weights=paid, minlength=books)
    best_bid = np.zeros(books)
    np.maximum.at(best_bid, bids[0], bids[1])
    best_ask = np.full(books, np.inf)
    np.minimum.at(best_ask, asks[0], asks[1])
    price = state.price.reshape(-1)
    moved = price.copy()
    rising = best_bid > price
    moved[rising] += 0.5 * (best_bid[rising] - price[rising])
    falling = best_ask < price
    moved[falling] += 0.5 * (best_ask[falling] - price[falling])
    sold = volume > 0
    moved[sold] = value[sold] / volume[sold]
    state.price[:] = moved.reshape(state.price.shape)
    return np.asarray(volume, dtype=np.float64)


def _keep_levels(state: EconomyState, rules: EconomyRules) -> Int:
    """[agent, good]: what each agent holds back from sale (inputs, food, tools, needs, cargo)."""
    keep = rules.keep[state.role]
    wanting = np.flatnonzero(state.wants)
    keep[wanting, state.taste[wanting]] += state.wants[wanting]
    loading = np.flatnonzero((state.cargo >= 0) & (state.market >= 0))
    keep[loading, state.cargo[loading]] += state.cargo_target[loading]
    return keep


def _wanted(state: EconomyState, rules: EconomyRules, keep: Int) -> tuple[Int, Int, Int, Int]:
    """Bids as (agent, good, units, priority): food, then inputs, tools, needs, cargo, comforts."""
    active = state.market >= 0
    market = np.maximum(state.market, 0)
    staple_cost = state.price[:, rules.foods] / rules.nutrition[rules.foods]
    staple = rules.foods[np.argmin(staple_cost, axis=1)][market]
    held = (state.stock[:, rules.foods] * rules.nutrition[rules.foods]).sum(axis=1)
    short = rules.tuning.buffer_days * rules.food_per_tick - held
    food_units = np.ceil(np.maximum(short, 0.0) / rules.nutrition[staple]).astype(np.int64)
    eaters = np.flatnonzero(active & (food_units > 0))
    buyable = rules.buys[state.role]
    wanting = np.flatnonzero(state.wants)
    buyable[wanting, state.taste[wanting]] = True
    loading = np.flatnonzero((state.cargo >= 0) & active)
    buyable[loading, state.cargo[loading]] = True
    agent, good = np.nonzero(buyable & (state.stock < keep) & active[:, None])
    role = state.role[agent]
    kind = np.full(agent.size, _COMFORT, dtype=np.int64)
    kind[state.cargo[agent] == good] = _CARGO
    kind[rules.needs[role, good] > 0] = _NEED
    kind[rules.tool[role] == good] = _TOOL
    kind[rules.inputs[role, good] > 0] = _INPUT
    units = keep[agent, good] - state.stock[agent, good]
    comfort = kind == _COMFORT
    units[comfort] = state.wants[agent[comfort]]
    return (
        np.concatenate([eaters, agent]),
        np.concatenate([staple[eaters], good]),
        np.concatenate([food_units[eaters], units]),
        np.concatenate([np.full(eaters.size, _FOOD, dtype=np.int64), kind]),
    )


def _beliefs(state: EconomyState, agent: Int, good: Int, rng: np.random.Generator) -> Float:
    low, high = state.low[agent, good], state.high[agent, good]
    return low + rng.random(agent.size) * (high - low)


def _bid_prices(
    state: EconomyState,
    rules: EconomyRules,
    *,
    orders: tuple[Int, Int, Int],
    batch: tuple[Float, Float],
    rng: np.random.Generator,
) -> Int:
    """Belief, capped by what the good is worth to the buyer; whole copper, rounded down."""
    agent, good, kind = orders
    revenue, input_cost = batch
    market = state.market[agent]
    role = state.role[agent]
    price = state.price[market, good]
    value = rules.value[good]
    hunger = np.clip(state.hunger[agent], 0.0, 4.0)
    cost = input_cost[market, role] + 0.5 * rules.labor[role]
    margin = np.clip(revenue[market, role] / np.maximum(cost, 1.0), 0.5, 3.0)
    # Food and comforts are anchored on the good's base value, not on the going price: a
    # ceiling that follows the price ratchets up without end when a good runs short.
    ceiling = np.select(
        [kind == _FOOD, kind == _INPUT, kind == _CARGO, kind == _COMFORT],
        [value * (1.5 + hunger), price * margin, state.cargo_ceiling[agent], value * 2.0],
        default=value * 3.0,
    )
    ceiling = np.minimum(ceiling, value * rules.tuning.price_cap_multiple)
    bid = np.floor(np.minimum(_beliefs(state, agent, good, rng), ceiling))
    return np.asarray(bid, dtype=np.int64)


def _ask_prices(
    state: EconomyState,
    rules: EconomyRules,
    *,
    orders: tuple[Int, Int],
    input_cost: Float,
    yields: Float,
    rng: np.random.Generator,
) -> Int:
    """Belief, floored at the unit cost of the seller's own output; whole copper, rounded up."""
    agent, good = orders
    market = state.market[agent]
    role = state.role[agent]
    made = rules.outputs[role, good]
    cost = (input_cost[market, role] + rules.labor[role]) * rules.output_share[role, good]
    gathered = np.where(rules.gathers[role], yields[market, good], 1.0)
    unit_cost = cost / np.maximum(made * gathered, 1e-9) * state.cost_scale[agent]
    # What it did not make, an agent sells for no less than half the going price: dumping at
    # a penny is how bazaarBot's prices collapsed.
    floor = np.where(made > 0, unit_cost, 0.5 * state.price[market, good])
    ask = np.ceil(np.maximum(_beliefs(state, agent, good, rng), floor))
    return np.maximum(ask, 1.0).astype(np.int64)


def _afford(money: Int, agent: Int, kind: Int, price: Int, qty: Int) -> Int:
    """Trim bids, most urgent first, so that no agent can spend more than it holds."""
    if agent.size == 0:
        return qty
    order = np.lexsort((kind, agent))
    cost = price[order] * qty[order]
    running = np.cumsum(cost)
    first = np.r_[True, agent[order][1:] != agent[order][:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    spent_before = running - cost - np.r_[0, running][start]
    left = money[agent[order]] - spent_before
    affordable = np.clip(left // np.maximum(price[order], 1), 0, qty[order])
    trimmed = np.empty_like(qty)
    trimmed[order] = affordable
    return trimmed


def _learn(
    state: EconomyState,
    rules: EconomyRules,
    *,
    orders: tuple[Int, Int, Int],
    filled: Int,
    fills: Fills,
    glut: Float,
) -> None:
    """Doran & Parberry's belief update: a trade pulls the range toward its price and narrows
    it; an unfilled order moves the range (sellers down, buyers up) by the share left over;
    and everyone in a book shifts with its imbalance (down when offers exceed bids, up when
    bids exceed offers), without which the midpoint price never falls to the sellers' costs."""
    agent, good, qty = orders
    buyer_side = filled is fills.bid
    tuning = rules.tuning
    got = np.bincount(filled, weights=fills.qty, minlength=agent.size)
    paid = np.bincount(filled, weights=fills.price * fills.qty, minlength=agent.size)
    low, high = state.low[agent, good], state.high[agent, good]
    traded = got > 0
    mean = np.where(traded, paid / np.maximum(got, 1.0), 0.0)
    low = np.where(traded, low + tuning.learn_rate * (mean - low), low)
    high = np.where(traded, high - tuning.learn_rate * (high - mean), high)
    left = 1.0 - got / np.maximum(qty, 1)
    factor = 1.0 + tuning.shift_rate * left if buyer_side else 1.0 - tuning.shift_rate * left
    factor = factor * (1.0 - tuning.shift_rate * glut)
    cap = rules.value[good] * tuning.price_cap_multiple
    low = np.clip(low * factor, 1.0, cap)
    high = np.clip(np.maximum(high * factor, low + 1.0), 2.0, cap + 1.0)
    state.low[agent, good] = low
    state.high[agent, good] = high
