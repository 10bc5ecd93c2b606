"""The agent economy of Doran & Parberry, over every market and good at once.

Agents hold a role (a recipe, or guard, or merchant), money, a stock of every good and a
price-belief range per good. A tick: merchants arrive, producers make for their sales and the
market's unmet bids, agents change trade (the bankrupt, those whose trade does not feed them,
those a better trade beckons; `careers`), merchants plan and set out, every market clears its
books by double auction, guards are paid, everyone eats, uses things up and enjoys comforts
bought with a share of their savings, and what is left rots overnight. Only production makes
goods and only consumption (eating, using up, recipe inputs, spoiling, leftovers left behind)
destroys them; money only moves between agents and treasuries, so both totals are conserved
exactly (the tests check).
Market-wide steps are numpy; the per-agent and per-order ones are compiled kernels over the same
arrays (`kernel`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from worldloom.systems.economy.context import TickContext, available_roles
from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.rules import EconomyRules
from worldloom.systems.economy.slots import AgentSlots, build_slots
from worldloom.systems.economy.state import EconomyRun, EconomyState, Markets, TradeLinks
from worldloom.systems.economy.tick import RunStreams, run_tick
from worldloom.systems.rng import Seeds


def seed_economy(
    rules: EconomyRules,
    markets: Markets,
    *,
    links: TradeLinks,
    seeds: Seeds,
    profession_weights: Mapping[str, float],
) -> EconomyState:
    """Place each market's agents: roles by what the land allows, starting money, food and beliefs.

    A profession's weight (how common it is among working people) is shared evenly by the
    recipes of it the market can run (a gathering recipe needs its resource in the market's
    land); every market with trade links gets at least one merchant. The burn-in then lets
    agents move to the trades their market needs (`careers`). Each attribute is drawn from
    its own stream (`economy.seed.<attribute>`).
    """
    tuning = rules.tuning
    available = available_roles(rules, markets, links)
    weight = np.array([profession_weights.get(p, 0.0) for p in rules.professions])
    per_recipe = available * weight[None, :]
    for profession in set(rules.professions):
        columns = [i for i, p in enumerate(rules.professions) if p == profession]
        shared = np.maximum(available[:, columns].sum(axis=1, keepdims=True), 1)
        per_recipe[:, columns] /= shared
    market = np.repeat(np.arange(markets.ids.size, dtype=np.int64), markets.agents)
    cumulative = np.cumsum(per_recipe, axis=1)
    draws = _stream(seeds, "role").random(market.size) * cumulative[market, -1]
    role = np.array(
        [
            np.searchsorted(cumulative[m], d, side="right")
            for m, d in zip(market, draws, strict=True)
        ],
        dtype=np.int64,
    ).clip(0, len(rules.roles) - 1)
    first_of_market = np.r_[0, np.cumsum(markets.agents)[:-1]]
    trading = available[:, rules.merchant]
    role[first_of_market[trading]] = rules.merchant
    slots = build_slots(rules)
    n_agents, width = market.size, slots.width
    good = np.full((n_agents, slots.count), -1, dtype=np.int32)
    good[:, :width] = slots.goods[role]
    qty = np.zeros((n_agents, slots.count), dtype=np.int32)
    qty[:, :width] = slots.used[role] * tuning.input_batches
    tool = slots.tool[role]
    with_tool = np.flatnonzero(tool >= 0)
    qty[with_tool, tool[with_tool]] += 1
    staple = int(rules.foods[np.argmin(rules.value[rules.foods] / rules.nutrition[rules.foods])])
    good[:, slots.food] = staple
    qty[:, slots.food] = int(np.ceil(tuning.buffer_days * rules.food_per_tick))
    comforts = rules.comforts if rules.comforts.size else rules.foods
    taste = comforts[_stream(seeds, "taste").integers(0, comforts.size, n_agents)]
    good[:, slots.comfort] = taste
    value = slots.value[good]
    n_markets, n_goods = markets.ids.size, len(rules.goods)

    return EconomyState(
        tick=0,
        market=market,
        role=role,
        money=(tuning.start_money * _stream(seeds, "money").uniform(0.5, 1.5, n_agents)).astype(
            np.int64
        ),
        good=good,
        qty=qty,
        low=np.maximum(
            value * _stream(seeds, "belief_low").uniform(0.8, 1.0, value.shape), 1.0
        ).astype(np.float32),
        high=(
            np.maximum(value * _stream(seeds, "belief_high").uniform(1.0, 1.25, value.shape), 1.0)
            + 1.0
        ).astype(np.float32),
        progress=_stream(seeds, "progress").random(n_agents),
        hunger=np.zeros(n_agents),
        need=np.zeros(good.shape),
        # Producers start out expecting to sell all they can make; they learn otherwise.
        sold=np.pad(slots.made * rules.rate[:, None], ((0, 0), (0, slots.count - width)))[role],
        cost_scale=_stream(seeds, "cost_scale").uniform(0.85, 1.15, n_agents),
        taste=taste,
        offset=_stream(seeds, "comfort_offset").integers(0, max(rules.comfort_every, 1), n_agents),
        wants=np.zeros(n_agents, dtype=np.int64),
        cargo_target=np.zeros(n_agents, dtype=np.int64),
        cargo_ceiling=np.zeros(n_agents),
        loading=np.zeros(n_agents, dtype=np.int64),
        link=np.full(n_agents, -1, dtype=np.int64),
        arrive=np.zeros(n_agents, dtype=np.int64),
        profit=np.zeros(n_agents),
        idle=np.zeros(n_agents, dtype=np.int64),
        tenure=np.zeros(n_agents, dtype=np.int64),
        treasury=(tuning.start_money * markets.agents // 2).astype(np.int64),
        bankrupt=np.zeros(markets.ids.size, dtype=np.int64),
        price=np.tile(rules.value, (n_markets, 1)),
        supply=np.zeros((n_markets, n_goods), dtype=np.int64),
        demand=np.zeros((n_markets, n_goods), dtype=np.int64),
    )


def _stream(seeds: Seeds, what: str) -> np.random.Generator:
    """The seeding stream for one attribute (`economy.seed.<what>`): each draws its own, so
    drawing one differently never shifts another."""
    return seeds.stream(f"economy.seed.{what}")


def simulate_economy(
    state: EconomyState,
    rules: EconomyRules,
    markets: Markets,
    links: TradeLinks,
    *,
    seeds: Seeds,
    ticks: int,
) -> EconomyRun:
    """Advance the economy `ticks` ticks from `state` (left untouched) and record every tick.

    Each step of each tick that draws (production, consumption, replacement, pricing,
    clearing) has its own named stream (`economy.production`, tick number; ...), so a run of
    30 ticks then 30 more equals a run of 60, and no step's draws shift another's.
    """
    if ticks < 0:
        raise ValueError(f"ticks must be >= 0, got {ticks}")
    work = state.copy()
    context = TickContext.build(rules, markets, links)
    ledger = Ledger.empty(ticks, n_markets=markets.ids.size, rules=rules)
    agent_slots = AgentSlots.of(context.slots, work.role)
    streams = RunStreams.of(seeds, ticks=range(state.tick, state.tick + ticks))
    for step in range(ticks):
        tick = state.tick + step
        run_tick(
            work,
            context,
            ledger,
            agent_slots=agent_slots,
            step=step,
            tick=tick,
            streams=streams.at(step),
        )
    final = replace(work, tick=state.tick + ticks)
    return EconomyRun(state=final, history=ledger.finish(first_tick=state.tick))
