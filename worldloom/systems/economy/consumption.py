"""What agents use up each tick: food against hunger, the needs of their trade, the comforts
they can afford, and what spoils; one compiled pass over every agent's slots.

Consumption only ever takes from what is held, and every unit it takes is counted in the
ledger's `consumed` or `spoiled` row, so goods are conserved (the tests check).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.context import TickContext
from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.state import EconomyState, Int32
from worldloom.systems.kernel import kernel

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

_COMFORT_SAVINGS = 20
"""An agent buys one unit of its comfort for every this-many times its value that it holds."""
_COMFORT_MAX = 5
"""...up to this many units at a time."""


def consume(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    step: int,
    tick: int,
    rng: np.random.Generator,
) -> None:
    """Eat, use up, enjoy and spoil, in place; count it all in the ledger's row `step`.

    Hunger grows by a day's food for every agent in a market and stops growing past twice the
    days it takes to starve (by then the agent is bankrupt or has money to eat again). An
    agent eats the plainest food it holds (least value per unit of nutrition, the first slot
    of equals), enough to cover hunger but never more than two days' food at once. The tools,
    weapons, arrows... of a trade are used up a whole unit at a time. The richer buy and enjoy
    more comforts: that is also how money made by busy trades flows back to others. Each
    perishable unit rots with its good's daily chance (rounded by a draw)."""
    rules, slots = context.rules, context.slots
    draws = rng.random(_count_perishable(state.qty, state.good, slots.perish))
    _consume(
        state.market,
        state.role,
        state.qty,
        state.good,
        state.need,
        state.hunger,
        state.money,
        state.wants,
        state.taste,
        state.offset,
        slots.need,
        slots.nutrition,
        slots.perish,
        context.food_rank,
        rules.value,
        draws,
        ledger.consumed[step],
        ledger.spoiled[step],
        rules.food_per_tick,
        2 * rules.tuning.starve_days * rules.food_per_tick,
        tick,
        max(rules.comfort_every, 1),
        slots.width,
    )


@kernel
def _count_perishable(qty: Int32, good: Int32, perish: Float) -> int:
    held = 0
    for agent in range(qty.shape[0]):
        for slot in range(qty.shape[1]):
            if qty[agent, slot] > 0 and perish[good[agent, slot]] > 0:
                held += 1
    return held


@kernel
def _consume(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    market: Int,
    role: Int,
    qty: Int32,
    good: Int32,
    need: Float,
    hunger: Float,
    money: Int,
    wants: Int,
    taste: Int,
    offset: Int,
    role_need: Float,
    nutrition: Float,
    perish: Float,
    food_rank: Int,
    value: Float,
    draws: Float,
    consumed: Int,
    spoiled: Int,
    day: float,
    most_hunger: float,
    tick: int,
    comfort_every: int,
    width: int,
) -> None:
    n_agents, count = qty.shape
    comfort, inedible = width + 1, food_rank.size
    draw = 0
    perishing = np.empty(count, dtype=np.bool_)
    for agent in range(n_agents):
        active = market[agent] >= 0
        # Spoilage takes from what was held when the day began; the plainest food held is
        # what the agent eats.
        choice, best = -1, inedible
        for slot in range(count):
            held = qty[agent, slot] > 0
            perishing[slot] = held and perish[good[agent, slot]] > 0
            if held and food_rank[good[agent, slot]] < best:
                choice, best = slot, food_rank[good[agent, slot]]
        hunger[agent] = min(hunger[agent] + (day if active else 0.0), most_hunger)
        if active:
            if choice >= 0:
                food = good[agent, choice]
                wanted = math.ceil(min(max(hunger[agent], 0.0), 2 * day) / nutrition[food])
                eaten = min(wanted, qty[agent, choice])
                qty[agent, choice] -= eaten
                hunger[agent] -= eaten * nutrition[food]
                consumed[food] += eaten
            work = role[agent]
            for slot in range(width):
                if role_need[work, slot] > 0:
                    due = need[agent, slot] + role_need[work, slot]
                    used = int(min(math.floor(due), qty[agent, slot]))
                    qty[agent, slot] -= used
                    need[agent, slot] = min(due - used, 2.0)
                    consumed[good[agent, slot]] += used
            if (tick + offset[agent]) % comfort_every == 0:
                affordable = money[agent] // int(value[taste[agent]] * _COMFORT_SAVINGS)
                wants[agent] = min(max(affordable, 0), _COMFORT_MAX)
        enjoyed = min(wants[agent], qty[agent, comfort])
        qty[agent, comfort] -= enjoyed
        wants[agent] -= enjoyed
        consumed[taste[agent]] += enjoyed
        for slot in range(count):
            if perishing[slot]:
                units = qty[agent, slot]
                chance = perish[good[agent, slot]]
                rotten = min(math.floor(units * chance + draws[draw]), units)
                draw += 1
                qty[agent, slot] = units - rotten
                spoiled[good[agent, slot]] += rotten
