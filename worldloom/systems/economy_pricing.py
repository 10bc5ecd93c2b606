"""What each order is priced at: a belief drawn from the agent's range, held inside what the
good is worth to it.

Two guards against the failures of bazaarBot and its ports: a seller never asks below what its
output cost to make (inputs at market price plus its labour), so prices cannot drift to pennies;
a buyer never bids above what the purchase is worth to it (the value its recipe adds, or hunger
for food), so they cannot run away. Every posted price is whole copper and at least 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy_slots import CARGO, COMFORT, FOOD, INPUT, SPARE
from worldloom.systems.economy_state import EconomyState, Float32, Int32

if TYPE_CHECKING:
    from worldloom.systems.economy_tick import TickContext

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

_CEILING = np.full(SPARE + 1, 3.0)
_CEILING[[FOOD, COMFORT]] = 1.5, 2.0
"""A bid's ceiling in multiples of the good's base value, by slot purpose (food adds hunger;
inputs and cargo have ceilings of their own)."""


def draw_beliefs(low: Float32, high: Float32, rng: np.random.Generator) -> Float:
    """A price drawn uniformly from each belief range."""
    return np.asarray(low + rng.random(low.size) * (high - low), dtype=np.float64)


def bid_prices(
    state: EconomyState,
    context: TickContext,
    *,
    orders: tuple[Int, Int32, Int],
    belief: Float,
    prices: Float,
    batch: BatchValues,
) -> Int:
    """Belief, capped by what the good is worth to the buyer; whole copper, rounded down.

    `orders` are (agent, good, slot purpose) per bid."""
    rules, slots = context.rules, context.slots
    agent, good, kind = orders
    value = slots.value[good]
    # Food and comforts are anchored on the good's base value, not on the going price: a
    # ceiling that follows the price ratchets up without end when a good runs short.
    ceiling = value * _CEILING[kind]
    food = np.flatnonzero(kind == FOOD)
    ceiling[food] = value[food] * (_CEILING[FOOD] + np.clip(state.hunger[agent[food]], 0.0, 4.0))
    inputs = np.flatnonzero(kind == INPUT)
    buyer = agent[inputs]
    revenue, input_cost = batch.revenue(state, buyer), batch.cost(state, buyer)
    cost = input_cost + 0.5 * rules.labor[state.role[buyer]]
    margin = np.clip(revenue / np.maximum(cost, 1.0), 0.5, 3.0)
    going = np.take(prices, state.market[buyer] * prices.shape[1] + good[inputs])
    ceiling[inputs] = going * margin
    cargo = np.flatnonzero(kind == CARGO)
    ceiling[cargo] = state.cargo_ceiling[agent[cargo]]
    ceiling = np.minimum(ceiling, context.price_cap[good])
    bid = np.floor(np.minimum(belief, ceiling))
    return np.asarray(bid, dtype=np.int64)


def ask_prices(
    state: EconomyState,
    context: TickContext,
    *,
    orders: tuple[Int, Int, Int32],
    belief: Float,
    prices: Float,
    batch: BatchValues,
) -> Int:
    """Belief, floored at the unit cost of the seller's own output; whole copper, rounded up.

    `orders` are (agent, cell, good) per ask."""
    rules, slots = context.rules, context.slots
    agent, cell, good = orders
    market, role = state.market[agent], state.role[agent]
    template = cell + (role - agent) * slots.count
    made = np.take(context.makes, template)
    own = made > 0
    made = np.where(own, made, 1)
    share = np.take(context.output_share, template)
    book = market * prices.shape[1] + good
    gathered = np.where(rules.gathers[role], np.take(context.yields, book), 1.0)
    cost = (batch.cost(state, agent) + rules.labor[role]) * share
    unit_cost = cost / np.maximum(made * gathered, 1e-9) * state.cost_scale[agent]
    # What it did not make, an agent sells for no less than half the going price: dumping at
    # a penny is how bazaarBot's prices collapsed.
    floor = np.where(own, unit_cost, 0.5 * np.take(prices, book))
    # Whole copper: the belief rounds up, the cost floor to the nearest (a 1.03-copper turnip
    # may sell for 1, not 2).
    ask = np.maximum(np.ceil(belief), np.round(floor))
    return np.asarray(np.maximum(ask, 1.0), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class BatchValues:
    """[output or input, role, market]: what a batch of each role's recipe sells for and what
    its inputs cost at each market's prices."""

    values: Float

    def revenue(self, state: EconomyState, agent: Int) -> Float:
        """What each of `agent`'s batches sells for at its market's prices."""
        return self._of(state, agent, 0)

    def cost(self, state: EconomyState, agent: Int) -> Float:
        """What the inputs of each of `agent`'s batches cost at its market's prices."""
        return self._of(state, agent, 1)

    def _of(self, state: EconomyState, agent: Int, side: int) -> Float:
        n_markets = self.values.shape[2]
        pair = state.role[agent] * n_markets + state.market[agent]
        return np.asarray(np.take(self.values[side], pair), dtype=np.float64)


def batch_values(state: EconomyState, context: TickContext) -> BatchValues:
    """One sparse product of the recipe book with every market's prices."""
    n_roles = len(context.rules.roles)
    values = np.asarray(context.recipe_book @ state.price.T, dtype=np.float64)
    return BatchValues(values.reshape(2, n_roles, state.price.shape[0]))
