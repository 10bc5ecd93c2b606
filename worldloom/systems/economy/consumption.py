"""What agents use up each tick: food against hunger, the needs of their trade, the comforts
they can afford, and overnight what spoils; compiled passes over every agent's slots.

Consumption only ever takes from what is held, and every unit it takes is counted in the
ledger's `consumed` or `spoiled` row, so goods are conserved (the tests check).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.context import TickContext
from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.state import EconomyState, Float32, Int32
from worldloom.systems.kernel import kernel, kernel_helper

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

_COMFORT_MAX = 8
"""The most units of its comfort an agent buys at a time."""
_FASHION = 0.02
"""Chance, each time it shops, that an agent takes a liking to another comfort (any)."""


def consume(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    step: int,
    tick: int,
    taste_rng: np.random.Generator,
) -> int:
    """Eat, use up and enjoy, in place; count it all in the ledger's row `step`. Returns how
    many slots then hold something perishable (what `spoil` draws for).

    Hunger grows by a day's food for every agent in a market and stops growing past twice the
    days it takes to starve (by then the agent is bankrupt or has money to eat again). An
    agent eats the plainest food it holds (least value per unit of nutrition, the first slot
    of equals), enough to cover hunger but never more than two days' food at once. The tools,
    weapons, arrows... of a trade are used up a whole unit at a time. The richer buy and enjoy
    more comforts: every few days an agent sets a share of what it holds beyond a reserve (some
    days of food at its market's prices) to buy its favourite comfort, so that money made by
    busy trades flows back to others. It buys its favourite when its market offers it, and
    something that is on offer when not (its favourite stays its favourite: the makers its
    market lacks are called by these unmet tastes, see `demand.latent_demand`); now and then it
    takes a liking to another comfort."""
    rules, slots = context.rules, context.slots
    tuning = rules.tuning
    every = max(rules.comfort_every, 1)
    on_offer, offers, reserve, shoppers = _shop_window(
        state.supply,
        state.price,
        context.comforts,
        rules.foods,
        rules.nutrition,
        state.offset,
        tick,
        every,
        tuning.reserve_days,
        rules.food_per_tick,
    )
    return _consume(
        state.market,
        state.role,
        state.qty,
        state.good,
        state.low,
        state.high,
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
        state.price,
        state.supply,
        reserve,
        context.comforts,
        on_offer,
        offers,
        # Two draws for each agent whose shopping day it is, in agent order.
        taste_rng.random((shoppers, 2)),
        ledger.consumed[step],
        rules.food_per_tick,
        2 * tuning.starve_days * rules.food_per_tick,
        tuning.spend_share,
        tick,
        every,
        slots.width,
    )


def spoil(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    step: int,
    perishable: int,
    rng: np.random.Generator,
) -> None:
    """Rot overnight what is still held at the end of the day, in place: each perishable unit
    with its good's daily chance (rounded by a draw, one for each of the `perishable` slots
    that hold some); counted in the ledger's row `step`. What is made and sold the same day
    never spoils."""
    perish = context.slots.perish
    _spoil(state.qty, state.good, perish, rng.random(perishable), ledger.spoiled[step])


@kernel
def _spoil(qty: Int32, good: Int32, perish: Float, draws: Float, spoiled: Int) -> None:
    draw = 0
    for agent in range(qty.shape[0]):
        for slot in range(qty.shape[1]):
            units = qty[agent, slot]
            chance = perish[good[agent, slot]]
            if units > 0 and chance > 0:
                rotten = min(math.floor(units * chance + draws[draw]), units)
                draw += 1
                qty[agent, slot] = units - rotten
                spoiled[good[agent, slot]] += rotten


@kernel
def _consume(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    market: Int,
    role: Int,
    qty: Int32,
    good: Int32,
    low: Float32,
    high: Float32,
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
    price: Float,
    supply: Int,
    reserve: Float,
    comforts: Int,
    on_offer: Int,
    offers: Int,
    taste_draws: npt.NDArray[np.float64],
    consumed: Int,
    day: float,
    most_hunger: float,
    spend_share: float,
    tick: int,
    comfort_every: int,
    width: int,
) -> int:
    n_agents, count = qty.shape
    comfort = width + 1
    perishable = 0
    shopper = -1
    for agent in range(n_agents):
        shops = (tick + offset[agent]) % comfort_every == 0
        shopper += shops
        here = market[agent]
        hunger[agent] = min(hunger[agent] + (day if here >= 0 else 0.0), most_hunger)
        if here >= 0:
            # The plainest food held is what the agent eats, enough to cover its hunger but
            # never more than two days' food at once. (Written out: as a helper, even an
            # inlined one, the whole pass took twice as long.)
            choice, best = -1, food_rank.size
            for slot in range(count):
                if qty[agent, slot] > 0 and food_rank[good[agent, slot]] < best:
                    choice, best = slot, food_rank[good[agent, slot]]
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
            if shops and qty[agent, comfort] == 0:
                chosen = _choose_comfort(
                    agent, here, comfort, good, low, high, taste, price, supply, comforts,
                    on_offer, offers, taste_draws[shopper],
                )  # fmt: skip
                budget = spend_share * max(money[agent] - reserve[here], 0.0)
                affordable = math.floor(budget / max(price[here, chosen], 1.0))
                wants[agent] = min(affordable, _COMFORT_MAX)
        treat = good[agent, comfort]
        enjoyed = min(wants[agent], qty[agent, comfort]) if treat >= 0 else 0
        qty[agent, comfort] -= enjoyed
        wants[agent] -= enjoyed
        if enjoyed > 0:
            consumed[treat] += enjoyed
        for slot in range(count):
            if qty[agent, slot] > 0 and perish[good[agent, slot]] > 0:
                perishable += 1
    return perishable


@kernel_helper
def _choose_comfort(  # noqa: PLR0917 - a kernel helper takes its arrays positionally (numba)
    agent: int,
    here: int,
    comfort: int,
    good: Int32,
    low: Float32,
    high: Float32,
    taste: Int,
    price: Float,
    supply: Int,
    comforts: Int,
    on_offer: Int,
    offers: Int,
    draw: npt.NDArray[np.float64],
) -> int:
    """The comfort a shopping agent buys this time: now and then (`draw[0]`) it takes a
    liking to another one; its favourite if its market offers it, else one that is on offer
    (`draw[1]`). Its comfort slot turns to it, believed worth about the going price."""
    if draw[0] < _FASHION:
        taste[agent] = comforts[int(draw[0] / _FASHION * comforts.size)]
    chosen = taste[agent]
    if supply[here, chosen] == 0 and offers[here] > 0:
        # Each comfort on offer as likely: not in proportion to the units offered, for
        # demand that follows supply breeds a monoculture of whatever is easiest to make.
        chosen = on_offer[here, int(draw[1] * offers[here])]
    if good[agent, comfort] != chosen:
        going = price[here, chosen]
        good[agent, comfort] = chosen
        low[agent, comfort] = max(going * 0.9, 1.0)
        high[agent, comfort] = max(going * 1.2, 1.0) + 1.0
    return int(chosen)


@kernel
def _shop_window(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    supply: Int,
    price: Float,
    comforts: Int,
    foods: Int,
    nutrition: Float,
    offset: Int,
    tick: int,
    every: int,
    reserve_days: float,
    food_per_tick: float,
) -> tuple[Int, Int, Float, int]:
    """[market, k] the comforts each market offered last tick, in catalogue order (padded
    with -1), and [market] how many; [market] the reserve an agent keeps from its comforts
    (`reserve_days` of food at its cheapest food's price per unit of nutrition); and how many
    agents shop today."""
    n_markets = supply.shape[0]
    on_offer = np.full((n_markets, comforts.size), -1, dtype=np.int64)
    offers = np.zeros(n_markets, dtype=np.int64)
    reserve = np.empty(n_markets)
    for market in range(n_markets):
        for comfort in comforts:
            if supply[market, comfort] > 0:
                on_offer[market, offers[market]] = comfort
                offers[market] += 1
        cheapest = np.inf
        for food in foods:
            cheapest = min(cheapest, price[market, food] / nutrition[food])
        reserve[market] = cheapest * reserve_days * food_per_tick
    shoppers = 0
    for agent in range(offset.size):
        shoppers += (tick + offset[agent]) % every == 0
    return on_offer, offers, reserve, shoppers
