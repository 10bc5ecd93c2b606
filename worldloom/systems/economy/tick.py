"""One economy tick: produce, consume, replace the bankrupt, trade by double auction, pay wages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.consumption import consume
from worldloom.systems.economy.context import SparseRows, TickContext
from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.orders import clear_markets
from worldloom.systems.economy.pricing import recipe_worth
from worldloom.systems.economy.production import produce
from worldloom.systems.economy.rules import EconomyRules
from worldloom.systems.economy.slots import (
    AgentSlots,
    retool,
)
from worldloom.systems.economy.state import EconomyState
from worldloom.systems.economy.trade import arrive_caravans, plan_caravans
from worldloom.systems.kernel import kernel
from worldloom.systems.rng import Seeds

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

_PROFIT_MEMORY = 0.1
"""Weight of the latest tick in an agent's running profit (what replacement compares roles by)."""
_GIVE_UP_CHANCE = 0.1
"""Daily chance that a starving agent with money abandons its trade for one the market needs."""
_HOT_BIDS, _HOT_ASKS = 3, 2
"""Doran & Parberry: when bids outnumber asks (plus one) by 3 to 2, the next agent makes the
hot good."""


@dataclass(frozen=True, slots=True)
class TickStreams:
    """One tick's random streams, one per step that draws, each derived by name and tick
    (`economy.<step>`, tick): how many numbers one step draws never shifts another's draws."""

    production: np.random.Generator
    """Rounds each batch's outputs and decides whether its tool wears out."""
    consumption: np.random.Generator
    """Rounds what spoils."""
    replacement: np.random.Generator
    """Decides which starving agents with money give up their trade."""
    pricing: np.random.Generator
    """Places each bid's and ask's limit in its holder's belief range."""
    clearing: np.random.Generator
    """Breaks ties between orders at the same price in a book."""

    @classmethod
    def of(cls, seeds: Seeds, *, tick: int) -> TickStreams:
        """The streams of tick `tick` of the world whose seed tree is `seeds`."""
        return cls(
            production=seeds.stream("economy.production", tick),
            consumption=seeds.stream("economy.consumption", tick),
            replacement=seeds.stream("economy.replacement", tick),
            pricing=seeds.stream("economy.pricing", tick),
            clearing=seeds.stream("economy.clearing", tick),
        )


def run_tick(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    agent_slots: AgentSlots,
    step: int,
    tick: int,
    streams: TickStreams,
) -> None:
    """Advance `state` (a working copy the caller owns) by one tick and record it in `ledger`;
    `agent_slots` (of `state.role`) follows the roles that change. Each step draws from its
    own stream in `streams`."""
    money_before = state.money.copy()
    arrive_caravans(state, context.slots, context.links, tick=tick)
    produce(state, context, ledger, step=step, rng=streams.production)
    consume(state, context, ledger, step=step, tick=tick, rng=streams.consumption)
    _replace_bankrupt(
        state, context, ledger, agent_slots=agent_slots, step=step, rng=streams.replacement
    )
    plan_caravans(
        state, context.rules, context.slots, context.links, ledger, haul=context.haul, tick=tick
    )
    clear_markets(
        state,
        context,
        ledger,
        agent_slots=agent_slots,
        step=step,
        tick=tick,
        pricing_rng=streams.pricing,
        clearing_rng=streams.clearing,
    )
    _pay_wages(state, context.rules)
    profit = (state.money - money_before).astype(np.float64)
    state.profit[:] = (1 - _PROFIT_MEMORY) * state.profit + _PROFIT_MEMORY * profit
    ledger.record_roles(state, context.rules, step=step, n_markets=context.markets.ids.size)


def _replace_bankrupt(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    agent_slots: AgentSlots,
    step: int,
    rng: np.random.Generator,
) -> None:
    """Agents who starve with no money to buy food leave, and starving agents who still have
    money give up their trade now and then (the food they need is not there to buy); the
    market fills the seat with the producer of the good it lacks most, or else with its most
    profitable role (Doran & Parberry), among the trades the newcomer can start. The
    newcomer takes over the stock and gets its starting money from the treasury."""
    rules = context.rules
    staple_price = (state.price[:, rules.foods] / rules.nutrition[rules.foods]).min(axis=1)
    active = state.market >= 0
    market = np.maximum(state.market, 0)
    starving = active & (state.hunger >= rules.tuning.starve_days)
    # A starving agent with money only gives up if the market could use it making what it
    # lacks most (else it would hop from trade to trade in a market that cannot feed it).
    hot, makers = _hot_makers(state, context)
    useful = hot[market] & ~np.take(makers, market * makers.shape[1] + state.role)
    gives_up = useful & (rng.random(starving.size) < _GIVE_UP_CHANCE)
    broke = np.flatnonzero(starving & ((state.money < staple_price[market]) | gives_up))
    if broke.size == 0:
        return
    homes = state.market[broke]
    # A newcomer takes a trade it can start: one whose batch of inputs it can pay for with
    # what it has and the starting money the treasury can still give (else a broke seat
    # would take up brewing with no copper for malt, and starve again).
    budget = state.money[broke] + _grants(state.treasury, homes, rules.tuning.start_money)
    roles = _seat_roles(
        state.market,
        state.role,
        state.profit,
        broke,
        budget,
        hot,
        makers,
        context.available,
        state.price,
        context.recipes,
    )

    old_roles = state.role[broke]
    moved = retool(state, context.slots, broke, roles, merchant=rules.merchant)
    agents, homes = broke[moved], homes[moved]
    agent_slots.follow(context.slots, agents, state.role)
    np.add.at(ledger.bankruptcies[step], old_roles[moved], 1)
    grant = _grants(state.treasury, homes, rules.tuning.start_money)
    np.subtract.at(state.treasury, homes, grant)
    state.money[agents] += grant
    state.hunger[agents] = 0.0
    state.progress[agents] = 0.0
    state.profit[agents] = 0.0
    state.wants[agents] = 0
    state.link[agents] = -1
    state.loading[agents] = 0


def _grants(treasury: Int, homes: Int, start: int) -> Int:
    """Starting money for newcomers in markets `homes` from their treasuries, first come
    first served within each market (in seat order)."""
    order = np.argsort(homes, kind="stable")
    ordered = homes[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if homes.size else np.zeros(0, np.bool_)
    seat = np.arange(homes.size)
    before = seat - np.maximum.accumulate(np.where(first, seat, 0))
    grant = np.empty(homes.size, dtype=np.int64)
    grant[order] = np.clip(treasury[ordered] - before * start, 0, start)
    return grant


@kernel
def _seat_roles(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    market: Int,
    role: Int,
    profit: Float,
    seats: Int,
    budget: Int,
    hot: Bool,
    makers: Bool,
    available: Bool,
    price: Float,
    recipes: SparseRows,
) -> Int:
    """The role for each freed seat, among those its market can host and it can start (a
    batch of inputs within the seat's `budget`).

    The first seat of a market this tick goes to a maker of the good the market lacks most,
    if there is one (Doran & Parberry replace one agent at a time; sending every seat there
    at once overshoots into a glut); every other seat to the role with the best mean profit
    in its market (across the world for a role the market does not have)."""
    n_markets, n_roles = available.shape
    total = np.zeros((n_markets, n_roles))
    count = np.zeros((n_markets, n_roles), dtype=np.int64)
    world_total = np.zeros(n_roles)
    world_count = np.zeros(n_roles, dtype=np.int64)
    for agent in range(market.size):
        world_total[role[agent]] += profit[agent]
        world_count[role[agent]] += 1
        if market[agent] >= 0:
            total[market[agent], role[agent]] += profit[agent]
            count[market[agent], role[agent]] += 1
    seated = np.zeros(n_markets, dtype=np.bool_)
    chosen = np.zeros(seats.size, dtype=np.int64)
    for i in range(seats.size):
        home = market[seats[i]]
        hot_seat = hot[home] and not seated[home]
        seated[home] = True
        for attempt in range(2):
            best, found = 0.0, False
            for r in range(n_roles):
                if not available[home, r]:
                    continue
                if recipe_worth(n_roles + r, price[home], recipes) > budget[i]:
                    continue
                if attempt == 0 and not (hot_seat and makers[home, r]):
                    continue
                if count[home, r] > 0:
                    score = total[home, r] / count[home, r]
                else:
                    score = world_total[r] / max(world_count[r], 1)
                if not found or score > best:
                    best, found, chosen[i] = score, True, r
            if found:
                break
    return chosen


def _hot_makers(state: EconomyState, context: TickContext) -> tuple[Bool, Bool]:
    """Per market: whether it lacks a good it could make, and [market, role] who would make it.

    Doran & Parberry's "hottest good" (bids over asks), among the goods a role the market can
    host could start making (every input on offer there): a staple food when one is short,
    since the hungry take up farming, fishing or herding before rope-making; otherwise the
    good whose shortfall is worth the most copper, so that one unbought candle does not
    outrank a missing plough."""
    makers, inputs = context.makers_by_good, context.inputs_by_role
    return _hottest_goods(
        state.demand,
        state.supply,
        state.price,
        context.available,
        context.staples,
        makers[0],
        makers[1],
        inputs[0],
        inputs[1],
    )


@kernel
def _hottest_goods(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    demand: Int,
    supply: Int,
    price: Float,
    available: Bool,
    staples: Bool,
    maker_start: npt.NDArray[np.int32],
    maker_roles: npt.NDArray[np.int32],
    input_start: npt.NDArray[np.int32],
    input_goods: npt.NDArray[np.int32],
) -> tuple[Bool, Bool]:
    n_markets, n_goods = demand.shape
    n_roles = available.shape[1]
    hot = np.zeros(n_markets, dtype=np.bool_)
    who = np.zeros(available.shape, dtype=np.bool_)
    startable = np.empty(n_roles, dtype=np.bool_)
    for market in range(n_markets):
        for role in range(n_roles):
            startable[role] = available[market, role]
            for k in range(input_start[role], input_start[role + 1]):
                if supply[market, input_goods[k]] == 0:
                    startable[role] = False
        hottest, worth, staple = -1, 0.0, False
        for good in range(n_goods):
            wanted, offered = demand[market, good], supply[market, good]
            if _HOT_ASKS * wanted <= _HOT_BIDS * (offered + 1):
                continue
            shortfall = (wanted - offered) * price[market, good]
            # A short staple outranks any other good; among their like, the costlier shortfall.
            first_staple = staples[good] and not staple
            if not (first_staple or (staples[good] == staple and shortfall > worth)):
                continue
            for k in range(maker_start[good], maker_start[good + 1]):
                if startable[maker_roles[k]]:
                    hottest, worth, staple = good, shortfall, staples[good]
                    break
        if hottest >= 0:
            hot[market] = True
            for k in range(maker_start[hottest], maker_start[hottest + 1]):
                who[market, maker_roles[k]] = startable[maker_roles[k]]
    return hot, who


def _pay_wages(state: EconomyState, rules: EconomyRules) -> None:
    guards = np.flatnonzero((state.role == rules.guard) & (state.market >= 0))
    if guards.size == 0:
        return
    where = state.market[guards]
    headcount = np.bincount(where, minlength=state.treasury.size)
    pay = np.minimum(rules.tuning.wage, state.treasury // np.maximum(headcount, 1))
    state.treasury[:] -= pay * headcount
    state.money[guards] += pay[where]
