"""What each order is priced at: a belief drawn from the agent's range, held inside what the
good is worth to it.

Two guards against the failures of bazaarBot and its ports: a seller never asks below what its
output cost to make (inputs at market price plus its labour), so prices cannot drift to pennies;
a buyer never bids above what the purchase is worth to it (the value its recipe adds, or hunger
for food), so they cannot run away. Every posted price is whole copper and at least 1.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.context import SparseRows, TickContext
from worldloom.systems.economy.posting import Posted
from worldloom.systems.economy.slots import CARGO, COMFORT, FOOD, INPUT, SPARE
from worldloom.systems.economy.state import EconomyState, Float32, Int32
from worldloom.systems.kernel import kernel, kernel_helper

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

_CEILING = np.full(SPARE + 1, 3.0)
_CEILING[[FOOD, COMFORT]] = 1.5, 2.0
"""A bid's ceiling in multiples of the good's base value, by slot purpose (food adds hunger;
inputs and cargo have ceilings of their own)."""
_URGENCY = np.array([9, 1, 2, 3, 0, 5, 4, 9], dtype=np.int64)
"""Spending order by slot purpose: food first, then inputs, tools, needs, cargo, comforts."""


def price_orders(
    state: EconomyState,
    context: TickContext,
    *,
    bids: Posted,
    asks: Posted,
    rng: np.random.Generator,
) -> tuple[Int, Int, Int]:
    """Each bid's and ask's limit, beliefs drawn uniformly from the holder's range (bids
    first), and each bid's units trimmed to what its agent can pay, most urgent first.

    Returns (bid prices, bid units, ask prices)."""
    rules, slots = context.rules, context.slots
    # A trailing 1 for "no good" (index -1).
    price = np.concatenate((state.price, np.ones((state.price.shape[0], 1))), axis=1)
    bid_draw, ask_draw = rng.random(bids.cell.size), rng.random(asks.cell.size)
    bid_price = _price_bids(
        bids.agent,
        bids.good,
        bids.kind,
        bids.low,
        bids.high,
        bid_draw,
        state.market,
        state.role,
        state.hunger,
        state.cargo_ceiling,
        price,
        context.recipes,
        slots.value,
        _CEILING,
        context.price_cap,
        rules.labor,
    )
    bid_qty = _afford(bids.agent, bids.kind, bid_price, bids.qty, state.money, _URGENCY)
    ask_price = _price_asks(
        asks.agent,
        asks.cell,
        asks.good,
        asks.low,
        asks.high,
        ask_draw,
        state.market,
        state.role,
        state.cost_scale,
        price,
        context.recipes,
        context.yields,
        context.makes,
        context.output_share,
        rules.gathers,
        rules.labor,
        slots.perish,
    )
    return bid_price, bid_qty, ask_price


@kernel
def _price_bids(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    agent: Int,
    good: Int32,
    kind: Int,
    low: Float32,
    high: Float32,
    draw: Float,
    market: Int,
    role: Int,
    hunger: Float,
    cargo_ceiling: Float,
    price: Float,
    recipes: SparseRows,
    value: Float,
    ceiling_multiple: Float,
    price_cap: Float,
    labor: Float,
) -> Int:
    """Belief, capped by what the good is worth to the buyer; whole copper, rounded down."""
    n = agent.size
    bid = np.empty(n, dtype=np.int64)
    for i in range(n):
        buyer, sought, purpose = agent[i], good[i], kind[i]
        belief = low[i] + draw[i] * (high[i] - low[i])
        # Food and comforts are anchored on the good's base value, not on the going price: a
        # ceiling that follows the price ratchets up without end when a good runs short.
        ceiling = value[sought] * ceiling_multiple[purpose]
        if purpose == FOOD:
            appetite = min(max(hunger[buyer], 0.0), 4.0)
            ceiling = value[sought] * (ceiling_multiple[FOOD] + appetite)
        elif purpose == INPUT:
            here, work = market[buyer], role[buyer]
            revenue = recipe_worth(work, price[here], recipes)
            inputs = recipe_worth(labor.size + work, price[here], recipes)
            cost = inputs + 0.5 * labor[work]
            margin = min(max(revenue / max(cost, 1.0), 0.5), 3.0)
            ceiling = price[here, sought] * margin
        elif purpose == CARGO:
            ceiling = cargo_ceiling[buyer]
        ceiling = min(ceiling, price_cap[sought])
        bid[i] = int(np.floor(min(belief, ceiling)))
    return bid


@kernel
def _afford(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    agent: Int, kind: Int, price: Int, qty: Int, money: Int, urgency: Int
) -> Int:
    """Trim bids, most urgent first (equal urgency in slot order), so that no agent can
    spend more than it holds; an agent's bids are one run."""
    n = agent.size
    trimmed = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    start = 0
    while start < n:
        end = start + 1
        while end < n and agent[end] == agent[start]:
            end += 1
        # A stable insertion sort of the run by urgency: an agent has a handful of bids.
        for i in range(start, end):
            j = i
            while j > start and urgency[kind[order[j - 1]]] > urgency[kind[i]]:
                order[j] = order[j - 1]
                j -= 1
            order[j] = i
        left = money[agent[start]]
        for k in range(start, end):
            i = order[k]
            # Whole units the money left buys: float division is exact at these magnitudes.
            affordable = math.floor(left / max(price[i], 1))
            trimmed[i] = min(max(affordable, 0), qty[i])
            left -= price[i] * qty[i]
        start = end
    return trimmed


@kernel
def _price_asks(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    agent: Int,
    cell: Int,
    good: Int32,
    low: Float32,
    high: Float32,
    draw: Float,
    market: Int,
    role: Int,
    cost_scale: Float,
    price: Float,
    recipes: SparseRows,
    yields: Float,
    makes: Int,
    output_share: Float,
    gathers: Bool,
    labor: Float,
    perish: Float,
) -> Int:
    """Belief, floored at the unit cost of the seller's own output (less what of it would rot
    overnight); whole copper, rounded up."""
    n = agent.size
    count = makes.shape[1]
    ask = np.empty(n, dtype=np.int64)
    for i in range(n):
        seller, offered = agent[i], good[i]
        here, work, slot = market[seller], role[seller], cell[i] % count
        belief = low[i] + draw[i] * (high[i] - low[i])
        made = makes[work, slot]
        if made > 0:
            gathered = yields[here, offered] if gathers[work] else 1.0
            inputs = recipe_worth(labor.size + work, price[here], recipes)
            cost = (inputs + labor[work]) * output_share[work, slot]
            # What would rot tonight is worth less than its cost: a perishable's floor drops
            # by its daily spoilage (better 70 copper for milk than 0 for curds).
            fresh = 1.0 - perish[offered]
            floor = cost / max(made * gathered, 1e-9) * cost_scale[seller] * fresh
        else:
            # What it did not make, an agent sells for no less than half the going price:
            # dumping at a penny is how bazaarBot's prices collapsed.
            floor = 0.5 * price[here, offered]
        # Whole copper: the belief rounds up, the cost floor to the nearest (a 1.03-copper
        # turnip may sell for 1, not 2).
        ask[i] = int(max(np.ceil(belief), np.rint(floor), 1.0))
    return ask


@kernel_helper
def recipe_worth(row: int, price: Float, recipes: SparseRows) -> float:
    """What the recipe book's `row` (a role's batch outputs, or after them its inputs) is
    worth at a market's `price` row, summed in the book's order."""
    start, goods, units = recipes
    total = 0.0
    for k in range(start[row], start[row + 1]):
        total += units[k] * price[goods[k]]
    return total
