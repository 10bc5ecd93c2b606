"""Each market's staple: the food an empty larder switches to, and the market it is bought in."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.context import TickContext
from worldloom.systems.economy.state import EconomyState
from worldloom.systems.kernel import kernel

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]


def staple_foods(state: EconomyState, context: TickContext) -> tuple[Int, Int]:
    """Per market, the food an empty larder switches to and the market it is bought in.

    At home, the cheapest per unit of nutrition among the foods offered in quantity last tick
    (a quarter of the food on offer or more: not a trickle everyone would chase), its cost
    raised by the share by which its book was short. A market
    with no food on offer buys its staple in the linked market with the most food on offer
    (a day's walk for bread beats starving beside one's money); with no food in reach
    either, the plainest food by base value, at home, so that the bids call it in by
    caravan."""
    rules, links = context.rules, context.links
    on_offer = state.supply[:, rules.foods] * rules.nutrition[rules.foods]
    return _choose_staples(
        on_offer,
        on_offer.sum(axis=1),
        links.src,
        links.dst,
        rules.foods,
        rules.nutrition,
        rules.value,
        state.price,
        state.supply,
        state.demand,
    )


@kernel
def _choose_staples(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    on_offer: Float,
    offered: Float,
    src: Int,
    dst: Int,
    foods: Int,
    nutrition: Float,
    value: Float,
    price: Float,
    supply: Int,
    demand: Int,
) -> tuple[Int, Int]:
    """`staple_foods` from each market's [market, food] nutrition `on_offer` and its total."""
    n_markets, n_foods = on_offer.shape
    food_market = np.arange(n_markets)
    # The linked market with the most food on offer (the first such link on a tie).
    most = np.full(n_markets, -1.0)
    for link in range(src.size):
        a, b = src[link], dst[link]
        if offered[a] == 0 and offered[b] > most[a]:
            most[a] = offered[b]
            if offered[b] > 0:
                food_market[a] = b
    staple = np.empty(n_markets, dtype=np.int64)
    cost = np.empty(n_foods)
    for market in range(n_markets):
        there = food_market[market]
        found = False
        for j in range(n_foods):
            cost[j] = np.inf
            if on_offer[there, j] > 0 and on_offer[there, j] >= 0.25 * offered[there]:
                food = foods[j]
                short = max(demand[there, food] / max(supply[there, food], 1), 1.0)
                cost[j] = price[there, food] / nutrition[food] * short
                found = True
        if not found:
            for j in range(n_foods):
                cost[j] = value[foods[j]] / nutrition[foods[j]]
        best = 0
        for j in range(1, n_foods):
            if cost[j] < cost[best]:
                best = j
        staple[market] = foods[best]
    return staple, food_market
