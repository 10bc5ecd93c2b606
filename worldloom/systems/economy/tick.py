"""One economy tick: produce, change trades, send caravans, trade by double auction, pay wages,
consume, spoil."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.careers import change_trades
from worldloom.systems.economy.consumption import consume, spoil
from worldloom.systems.economy.context import TickContext
from worldloom.systems.economy.demand import latent_demand
from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.orders import clear_markets
from worldloom.systems.economy.production import produce
from worldloom.systems.economy.slots import AgentSlots
from worldloom.systems.economy.state import EconomyState
from worldloom.systems.economy.trade import arrive_caravans, plan_caravans
from worldloom.systems.kernel import kernel
from worldloom.systems.rng import Seeds, StreamSeries

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

_PROFIT_MEMORY = 0.05
"""Weight of the latest tick in an agent's running earnings (what trades are compared by)."""


@dataclass(frozen=True, slots=True)
class TickStreams:
    """One tick's random streams, one per step that draws, each derived by name and tick
    (`economy.<step>`, tick): how many numbers one step draws never shifts another's draws."""

    production: np.random.Generator
    """Rounds each batch's outputs and decides whether its tool wears out."""
    spoilage: np.random.Generator
    """Rounds what spoils overnight."""
    taste: np.random.Generator
    """Picks the comfort an agent takes to when its favourite is not on offer."""
    careers: np.random.Generator
    """Decides which agents change trade today (the starving with money, the poor, the
    restless)."""
    pricing: np.random.Generator
    """Places each bid's and ask's limit in its holder's belief range."""
    clearing: np.random.Generator
    """Breaks ties between orders at the same price in a book."""

    @classmethod
    def of(cls, seeds: Seeds, *, tick: int) -> TickStreams:
        """The streams of tick `tick` of the world whose seed tree is `seeds`."""
        return cls(
            production=seeds.stream("economy.production", tick),
            spoilage=seeds.stream("economy.spoilage", tick),
            taste=seeds.stream("economy.taste", tick),
            careers=seeds.stream("economy.careers", tick),
            pricing=seeds.stream("economy.pricing", tick),
            clearing=seeds.stream("economy.clearing", tick),
        )


@dataclass(frozen=True, slots=True)
class RunStreams:
    """The streams of every tick of a run, seeded together (`Seeds.streams`): the same
    generators as `TickStreams.of` gives tick by tick, for a fraction of the cost."""

    series: tuple[StreamSeries, ...]
    """Per step of `TickStreams` (in its field order), the series over the run's ticks."""

    @classmethod
    def of(cls, seeds: Seeds, *, ticks: range) -> RunStreams:
        steps = (f"economy.{step.name}" for step in fields(TickStreams))
        return cls(tuple(seeds.streams(step, ticks) for step in steps))

    def at(self, index: int) -> TickStreams:
        """The streams of the run's `index`-th tick."""
        return TickStreams(*(series[index] for series in self.series))


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
    state.idle[:] += 1
    state.tenure[:] += 1
    arrive_caravans(state, context.slots, context.links, tick=tick)
    produce(state, context, ledger, keep=agent_slots.keep, step=step, rng=streams.production)
    wanted = state.demand + latent_demand(state)
    switches = change_trades(
        state,
        context,
        ledger,
        agent_slots=agent_slots,
        wanted=wanted,
        money_before=money_before,
        step=step,
        rng=streams.careers,
    )
    plan_caravans(
        state,
        context.rules,
        context.slots,
        context.links,
        ledger,
        haul=context.haul,
        wanted=wanted,
        tick=tick,
    )
    household = clear_markets(
        state,
        context,
        ledger,
        agent_slots=agent_slots,
        step=step,
        tick=tick,
        pricing_rng=streams.pricing,
        clearing_rng=streams.clearing,
    )
    _pay_wages(
        state.role,
        state.market,
        state.money,
        state.idle,
        state.treasury,
        context.rules.guard,
        context.rules.tuning.wage,
    )
    # People eat and use up what they hold once the day's market is over, so that what
    # they bought fresh is eaten before the night it would spoil in.
    perishable = consume(state, context, ledger, step=step, tick=tick, taste_rng=streams.taste)
    spoil(state, context, ledger, step=step, perishable=perishable, rng=streams.spoilage)
    # What its trade earned it: the change in its money, less grants, plus what it spent on
    # its own table (food and comforts are not the trade's costs).
    _remember_earnings(state.profit, state.money, money_before, household)
    ledger.record_day(state, context.rules, step=step, switches=switches)


@kernel
def _pay_wages(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    role: Int, market: Int, money: Int, idle: Int, treasury: Int, guard: int, wage: int
) -> None:
    """Each market's treasury pays its guards a wage, or what it can split evenly among them."""
    headcount = np.zeros(treasury.size, dtype=np.int64)
    for agent in range(role.size):
        if role[agent] == guard and market[agent] >= 0:
            headcount[market[agent]] += 1
    pay = np.empty(treasury.size, dtype=np.int64)
    for here in range(treasury.size):
        pay[here] = min(wage, treasury[here] // max(headcount[here], 1))
        treasury[here] -= pay[here] * headcount[here]
    for agent in range(role.size):
        if role[agent] == guard and market[agent] >= 0:
            money[agent] += pay[market[agent]]
            if pay[market[agent]] > 0:
                idle[agent] = 0


@kernel
def _remember_earnings(profit: Float, money: Int, money_before: Int, household: Int) -> None:
    """Fold the tick's earnings into each agent's running `profit`: the change in its money,
    plus what it spent on its own table."""
    for agent in range(profit.size):
        earned = float(money[agent] - money_before[agent] + household[agent])
        profit[agent] = (1 - _PROFIT_MEMORY) * profit[agent] + _PROFIT_MEMORY * earned
