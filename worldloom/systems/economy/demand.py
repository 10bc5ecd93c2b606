"""What each market wants and lacks: the tastes its offers leave unmet, and the good it lacks
most that a newcomer could start making (Doran & Parberry's "hottest good")."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.context import TickContext
from worldloom.systems.economy.state import EconomyState
from worldloom.systems.kernel import kernel, kernel_helper

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
Int32 = npt.NDArray[np.int32]

_HOT_BIDS, _HOT_ASKS = 3, 2
"""Doran & Parberry: when bids outnumber asks (plus one) by 3 to 2, the next agent makes the
hot good."""
_DERIVED_DEPTH = 3
"""Steps up a production chain a shortage is passed to missing inputs (tunic, cloth, wool)."""


def latent_demand(state: EconomyState) -> Int:
    """[market, good] agents whose favourite comfort their market does not offer: the demand
    their purchases of substitutes hide."""
    return _latent(state.market, state.taste, state.supply)


@kernel
def _latent(market: Int, taste: Int, supply: Int) -> Int:
    latent = np.zeros(supply.shape, dtype=np.int64)
    for agent in range(market.size):
        here = market[agent]
        if here >= 0 and supply[here, taste[agent]] == 0:
            latent[here, taste[agent]] += 1
    return latent


def hot_makers(
    state: EconomyState, context: TickContext, *, wanted: Int, markets: Bool
) -> tuple[Bool, Bool, Bool]:
    """For each of the `markets` asked about (the rest stay False): whether it lacks a good it
    could make, [market, role] who would make it, and [market, role] which roles could start
    there at all (every input on offer).

    Doran & Parberry's "hottest good" (what is `wanted`: bids, and unmet tastes, over asks),
    among the goods a role the market can host could start making, the shortfall of a good
    nobody can start making being passed up the chain to its makers' missing inputs: a
    staple food when one is short, since the hungry take up farming, fishing or herding
    before rope-making; otherwise the good whose shortfall is worth the most copper, so that
    one unbought candle does not outrank a missing plough."""
    makers, inputs = context.makers_by_good, context.inputs_by_role
    return _hottest_goods(
        markets,
        wanted,
        state.supply,
        state.price,
        context.available,
        context.staples,
        context.least_batch,
        makers[0],
        makers[1],
        inputs[0],
        inputs[1],
    )


@kernel
def _hottest_goods(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    markets: Bool,
    demand: Int,
    supply: Int,
    price: Float,
    available: Bool,
    staples: Bool,
    batch: Int,
    maker_start: Int32,
    maker_roles: Int32,
    input_start: Int32,
    input_goods: Int32,
) -> tuple[Bool, Bool, Bool]:
    n_markets, n_goods = demand.shape
    n_roles = available.shape[1]
    hot = np.zeros(n_markets, dtype=np.bool_)
    who = np.zeros(available.shape, dtype=np.bool_)
    can_start = np.zeros(available.shape, dtype=np.bool_)
    short = np.empty(n_goods)
    for market in range(n_markets):
        if not markets[market]:
            continue
        startable = can_start[market]
        for role in range(n_roles):
            startable[role] = available[market, role]
            for k in range(input_start[role], input_start[role + 1]):
                if supply[market, input_goods[k]] == 0:
                    startable[role] = False
        for good in range(n_goods):
            wanted, offered = demand[market, good], supply[market, good]
            short[good] = 0.0
            # A shortfall of less than a batch is no work for a newcomer.
            if _HOT_ASKS * wanted > _HOT_BIDS * (offered + 1) and wanted - offered >= batch[good]:
                short[good] = (wanted - offered) * price[market, good]
        _pass_up(
            short, supply[market], available[market], startable,
            maker_start, maker_roles, input_start, input_goods,
        )  # fmt: skip
        hottest = _hottest(short, staples, startable, maker_start, maker_roles)
        if hottest >= 0:
            hot[market] = True
            for k in range(maker_start[hottest], maker_start[hottest + 1]):
                who[market, maker_roles[k]] = startable[maker_roles[k]]
    return hot, who, can_start


@kernel_helper
def _pass_up(  # noqa: PLR0917 - a kernel helper takes its arrays positionally (numba)
    short: Float,
    supply: Int,
    available: Bool,
    startable: Bool,
    maker_start: Int32,
    maker_roles: Int32,
    input_start: Int32,
    input_goods: Int32,
) -> None:
    """A good nobody in the market can start making passes its shortfall up to the missing
    inputs of its makers (tunics wanted, no cloth: cloth is wanted; no wool: wool), so that a
    chain broken at its root can grow back from it."""
    for _ in range(_DERIVED_DEPTH):
        for good in range(short.size):
            if short[good] <= 0 or _can_start(good, startable, maker_start, maker_roles):
                continue
            for k in range(maker_start[good], maker_start[good + 1]):
                role = maker_roles[k]
                if not available[role]:
                    continue
                for j in range(input_start[role], input_start[role + 1]):
                    needed = input_goods[j]
                    if supply[needed] == 0:
                        short[needed] = max(short[needed], short[good])


@kernel_helper
def _hottest(
    short: Float, staples: Bool, startable: Bool, maker_start: Int32, maker_roles: Int32
) -> int:
    """The short good a newcomer could start making: a staple food outranks any other good;
    among their like, the costlier shortfall; -1 if none."""
    hottest, worth, staple = -1, 0.0, False
    for good in range(short.size):
        if short[good] <= 0:
            continue
        first_staple = staples[good] and not staple
        if not (first_staple or (staples[good] == staple and short[good] > worth)):
            continue
        if _can_start(good, startable, maker_start, maker_roles):
            hottest, worth, staple = good, short[good], staples[good]
    return hottest


@kernel_helper
def _can_start(good: int, startable: Bool, maker_start: Int32, maker_roles: Int32) -> bool:
    """Whether some role that makes `good` can start in the market `startable` describes."""
    for k in range(maker_start[good], maker_start[good + 1]):  # noqa: SIM110 - numba has no any()
        if startable[maker_roles[k]]:
            return True
    return False
