"""One economy tick: produce, consume, replace the bankrupt, trade by double auction, pay wages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy_ledger import Ledger
from worldloom.systems.economy_orders import clear_markets
from worldloom.systems.economy_rules import EconomyRules
from worldloom.systems.economy_state import EconomyState, Markets, TradeLinks
from worldloom.systems.trade import arrive_caravans, plan_caravans

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

_PROFIT_MEMORY = 0.1
"""Weight of the latest tick in an agent's running profit (what replacement compares roles by)."""
_HOT_RATIO = 1.5
_COMFORT_SAVINGS = 20
"""An agent buys one unit of its comfort for every this-many times its value that it holds."""
_COMFORT_MAX = 5
"""...up to this many units at a time."""
"""Doran & Parberry: when bids outnumber asks by this much, the next agent makes the hot good."""


@dataclass(frozen=True, slots=True)
class TickContext:
    """What stays fixed through a run: rules, markets, links and arrays derived from them."""

    rules: EconomyRules
    markets: Markets
    links: TradeLinks
    yields: Float
    available: Bool
    need_goods: Int
    perishable: Int

    @classmethod
    def build(cls, rules: EconomyRules, markets: Markets, links: TradeLinks) -> TickContext:
        rows = {biome: rules.yield_row(biome) for biome in set(markets.biome)}
        yields = np.array([rows[biome] for biome in markets.biome]).reshape(-1, len(rules.goods))
        available = available_roles(rules, markets, links)
        return cls(
            rules=rules,
            markets=markets,
            links=links,
            yields=yields,
            available=available,
            need_goods=np.flatnonzero(rules.needs.sum(axis=0) > 0),
            perishable=np.flatnonzero(rules.perish > 0),
        )


def available_roles(rules: EconomyRules, markets: Markets, links: TradeLinks) -> Bool:
    """[market, role]: gathering needs its resource in the market's land, a merchant a trade
    link out of the market; the rest go anywhere."""
    allowed = np.ones((markets.ids.size, len(rules.roles)), dtype=np.bool_)
    allowed[:, rules.merchant] = np.isin(np.arange(markets.ids.size), links.src)
    for row, resources in enumerate(markets.resources):
        for role, resource in enumerate(rules.resource):
            if resource is not None and resource not in resources:
                allowed[row, role] = False
    return allowed


def run_tick(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    step: int,
    tick: int,
    rng: np.random.Generator,
) -> None:
    """Advance `state` (a working copy the caller owns) by one tick and record it in `ledger`."""
    money_before = state.money.copy()
    arrive_caravans(state, context.links, tick=tick)
    _produce(state, context, ledger, step=step, rng=rng)
    _consume(state, context, ledger, step=step, tick=tick, rng=rng)
    _replace_bankrupt(state, context, ledger, step=step)
    plan_caravans(state, context.rules, context.links, ledger, tick=tick)
    clear_markets(
        state, context.rules, ledger, yields=context.yields, step=step, tick=tick, rng=rng
    )
    _pay_wages(state, context.rules)
    profit = (state.money - money_before).astype(np.float64)
    state.profit[:] = (1 - _PROFIT_MEMORY) * state.profit + _PROFIT_MEMORY * profit
    ledger.record_roles(state, context.rules, step=step, n_markets=context.markets.ids.size)


def _produce(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    step: int,
    rng: np.random.Generator,
) -> None:
    rules = context.rules
    role = state.role
    working = (state.market >= 0) & rules.crafts[role]
    tool = rules.tool[role]
    rows = np.arange(role.size)
    has_tool = (tool < 0) | (state.stock[rows, np.maximum(tool, 0)] >= 1)
    state.progress[:] += np.where(working, rules.rate[role] * np.where(has_tool, 1.0, 0.5), 0.0)
    ready = np.flatnonzero(working & (state.progress >= 1.0))
    ready_role = role[ready]
    in_goods, in_units = rules.recipe_in[0][ready_role], rules.recipe_in[1][ready_role]
    out_goods, out_units = rules.recipe_out[0][ready_role], rules.recipe_out[1][ready_role]
    has_inputs = (state.stock[ready[:, None], in_goods] >= in_units).all(axis=1)
    unsold = (state.stock[ready[:, None], out_goods] * (out_units > 0)).sum(axis=1)
    able = has_inputs & (unsold < out_units.sum(axis=1) * rules.tuning.stock_cap_batches)
    agents, agent_role = ready[able], ready_role[able]
    in_goods, in_units = in_goods[able], in_units[able]
    out_goods, made = out_goods[able], out_units[able].astype(np.float64)
    gathering = rules.gathers[agent_role]
    made[gathering] *= context.yields[state.market[agents[gathering, None]], out_goods[gathering]]
    made_units = np.floor(made + rng.random((agents.size, 1))).astype(np.int64)
    n_goods = state.stock.shape[1]
    flat = state.stock.reshape(-1)
    np.add.at(flat, (agents[:, None] * n_goods + out_goods).ravel(), made_units.ravel())
    np.subtract.at(flat, (agents[:, None] * n_goods + in_goods).ravel(), in_units.ravel())
    state.progress[agents] -= 1.0
    np.minimum(state.progress, 1.0, out=state.progress)
    np.add.at(ledger.produced[step], out_goods.ravel(), made_units.ravel())
    np.add.at(ledger.consumed[step], in_goods.ravel(), in_units.ravel())
    agent_tool = rules.tool[agent_role]
    worn = (agent_tool >= 0) & (rng.random(agents.size) < rules.wear[agent_role])
    worn_agents, worn_tool = agents[worn], agent_tool[worn]
    worn_ok = state.stock[worn_agents, worn_tool] >= 1
    np.subtract.at(state.stock, (worn_agents[worn_ok], worn_tool[worn_ok]), 1)
    np.add.at(ledger.consumed[step], worn_tool[worn_ok], 1)


def _consume(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    step: int,
    tick: int,
    rng: np.random.Generator,
) -> None:
    rules = context.rules
    active = state.market >= 0
    rows = np.arange(active.size)
    consumed = ledger.consumed[step]
    # Eat the plainest food held (least value per unit of nutrition), enough to cover hunger.
    state.hunger[:] += np.where(active, rules.food_per_tick, 0.0)
    plain_first = rules.foods[np.argsort(rules.value[rules.foods] / rules.nutrition[rules.foods])]
    pick = plain_first[(state.stock[:, plain_first] > 0).argmax(axis=1)]
    have = state.stock[rows, pick]
    wanted = np.ceil(np.maximum(state.hunger, 0.0) / rules.nutrition[pick]).astype(np.int64)
    eaten = np.where(active, np.minimum(wanted, have), 0)
    state.stock[rows, pick] -= eaten
    state.hunger[:] -= eaten * rules.nutrition[pick]
    consumed += np.bincount(pick, weights=eaten, minlength=consumed.size).astype(np.int64)
    # Use up tools of the trade, weapons, arrows... one whole unit at a time.
    cols = context.need_goods
    if cols.size:
        need = state.need[:, cols] + rules.needs[:, cols][state.role] * active[:, None]
        used = np.minimum(np.floor(need), state.stock[:, cols]).astype(np.int64)
        state.stock[:, cols] -= used
        state.need[:, cols] = np.minimum(need - used, 2.0)
        consumed[cols] += used.sum(axis=0)
    # Now and then, those who can afford it buy a comfort (ale, clothes, trinkets) and use it.
    # The richer, the more: that is also how money made by busy trades flows back to others.
    due = active & ((tick + state.offset) % max(rules.comfort_every, 1) == 0)
    affordable = state.money // (rules.value[state.taste] * _COMFORT_SAVINGS).astype(np.int64)
    state.wants[:] = np.where(due, np.clip(affordable, 0, _COMFORT_MAX), state.wants)
    enjoyed = np.minimum(state.wants, state.stock[rows, state.taste])
    state.stock[rows, state.taste] -= enjoyed
    state.wants[:] -= enjoyed
    consumed += np.bincount(state.taste, weights=enjoyed, minlength=consumed.size).astype(np.int64)
    # Spoilage: each perishable unit rots with its good's daily chance (rounded by a draw).
    cols = context.perishable
    rotten = np.floor(
        state.stock[:, cols] * rules.perish[cols] + rng.random((active.size, 1))
    ).astype(np.int64)
    np.minimum(rotten, state.stock[:, cols], out=rotten)
    state.stock[:, cols] -= rotten
    ledger.spoiled[step][cols] += rotten.sum(axis=0)


def _replace_bankrupt(
    state: EconomyState, context: TickContext, ledger: Ledger, *, step: int
) -> None:
    """Agents who starve with no money to buy food leave; the market fills the seat with the
    producer of its hottest good, or else with its most profitable role (Doran & Parberry).
    The newcomer takes over the stock and gets its starting money from the treasury."""
    rules = context.rules
    staple_price = (state.price[:, rules.foods] / rules.nutrition[rules.foods]).min(axis=1)
    active = state.market >= 0
    market = np.maximum(state.market, 0)
    broke = np.flatnonzero(
        active & (state.hunger >= rules.tuning.starve_days) & (state.money < staple_price[market])
    )
    if broke.size == 0:
        return
    np.add.at(ledger.bankruptcies[step], state.role[broke], 1)
    n_roles = len(rules.roles)
    n_markets = context.markets.ids.size
    key = market[active] * n_roles + state.role[active]
    total = np.bincount(key, weights=state.profit[active], minlength=n_markets * n_roles)
    count = np.bincount(key, minlength=n_markets * n_roles)
    world_count = np.bincount(state.role, minlength=n_roles)
    world = np.bincount(state.role, weights=state.profit, minlength=n_roles) / np.maximum(
        world_count, 1
    )
    local = np.where(
        count > 0, total / np.maximum(count, 1), world[None, :].repeat(n_markets, 0).ravel()
    )
    score = local.reshape(n_markets, n_roles)
    for agent in broke:
        home = int(state.market[agent])
        new_role = _pick_role(state, context, score[home], home)
        grant = min(int(state.treasury[home]), rules.tuning.start_money)
        state.treasury[home] -= grant
        state.money[agent] += grant
        state.role[agent] = new_role
        state.hunger[agent] = 0.0
        state.progress[agent] = 0.0
        state.need[agent] = 0.0
        state.profit[agent] = 0.0
        state.wants[agent] = 0
        state.cargo[agent] = -1


def _pick_role(state: EconomyState, context: TickContext, score: Float, market: int) -> int:
    rules = context.rules
    allowed = context.available[market]
    ratio = state.demand[market] / (state.supply[market] + 1.0)
    hottest = int(np.argmax(ratio))
    if ratio[hottest] > _HOT_RATIO:
        makers = rules.producers_of(hottest)
        makers = makers[allowed[makers]]
        if makers.size:
            return int(makers[np.argmax(score[makers])])
    return int(np.argmax(np.where(allowed, score, -np.inf)))


def _pay_wages(state: EconomyState, rules: EconomyRules) -> None:
    guards = np.flatnonzero((state.role == rules.guard) & (state.market >= 0))
    if guards.size == 0:
        return
    where = state.market[guards]
    headcount = np.bincount(where, minlength=state.treasury.size)
    pay = np.minimum(rules.tuning.wage, state.treasury // np.maximum(headcount, 1))
    state.treasury[:] -= pay * headcount
    state.money[guards] += pay[where]
