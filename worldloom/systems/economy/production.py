"""What producers make each tick: a batch of their recipe once their work adds up to one, if
they hold its inputs and have not piled up unsold output; compiled passes over the agents.

A batch turns its inputs into its outputs (gatherers' outputs scaled by their land's yield,
rounded by a draw); a tool works at half speed without itself and wears out now and then.
Only production creates goods, and the ledger counts what each batch makes and uses up.
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
Bool = npt.NDArray[np.bool_]

_OFFER = 0.25
"""Share of a batch a gatherer with no running sales still brings in to offer."""


def produce(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    keep: Int,
    step: int,
    rng: np.random.Generator,
) -> None:
    """Advance every producer's work and make the batches that are due, in place; count what
    they make and use up in the ledger's row `step`. `keep` is what each agent holds back
    from sale, per slot (`AgentSlots.keep`)."""
    rules, slots = context.rules, context.slots
    makers = np.zeros(state.price.shape, dtype=np.int64)
    able = _ready(
        makers,
        state.market,
        state.role,
        state.qty,
        state.sold,
        keep,
        state.progress,
        rules.crafts,
        slots.tool,
        rules.rate,
        slots.goods,
        slots.used,
        slots.made,
        rules.tuning.stock_cap_batches,
        rules.tuning.stock_days,
    )
    batch_draws, wear_draws = rng.random(able.size), rng.random(able.size)
    _make(
        able,
        state.market,
        state.role,
        state.qty,
        state.good,
        state.progress,
        slots.goods,
        slots.used,
        slots.made,
        slots.tool,
        rules.gathers,
        rules.wear,
        rules.rate,
        context.yields,
        state.sold,
        keep,
        state.idle,
        rules.tuning.idle_days,
        state.demand,
        state.supply,
        makers,
        slots.nutrition,
        rules.food_per_tick,
        rules.tuning.stock_days,
        batch_draws,
        wear_draws,
        ledger.produced[step],
        ledger.consumed[step],
    )


@kernel
def _ready(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    makers: Int,
    market: Int,
    role: Int,
    qty: Int32,
    sold: Float,
    keep: Int,
    progress: Float,
    crafts: Bool,
    tool: Int,
    rate: Float,
    goods: Int,
    used: Int,
    made: Int,
    stock_cap: int,
    stock_days: float,
) -> Int:
    """Add a tick's work (half without the role's tool); return, in agent order, those whose
    work reached a batch and who hold its inputs and, of one of its outputs, nothing left to
    sell or less than `stock_days` of its sales (and `stock_cap` batches). Counts into
    `makers` [market, good] the agents of each market whose trade makes each good."""
    n_agents = qty.shape[0]
    width = used.shape[1]
    able = np.empty(n_agents, dtype=np.int64)
    n_able = 0
    for agent in range(n_agents):
        work = role[agent]
        if market[agent] < 0 or not crafts[work]:
            progress[agent] = min(progress[agent], 1.0)
            continue
        for slot in range(width):
            if made[work, slot] > 0:
                makers[market[agent], goods[work, slot]] += 1
        has_tool = tool[work] < 0 or qty[agent, max(tool[work], 0)] >= 1
        progress[agent] += rate[work] * (1.0 if has_tool else 0.5)
        if progress[agent] < 1.0:
            continue
        # A producer makes for its sales: it works while one of its outputs has nothing left
        # to sell, or less than a few days of what it sells (a by-product nobody buys, like
        # beeswax without candle-makers, does not stop the honey). Made for a glut, the
        # perishables rotted: 72 % of all output once spoiled.
        wanted = False
        stocked = True
        for slot in range(width):
            if made[work, slot] > 0:
                unsold = qty[agent, slot] - keep[agent, slot]
                cover = min(sold[agent, slot] * stock_days, made[work, slot] * stock_cap)
                wanted = wanted or unsold <= 0 or unsold < cover
            stocked = stocked and qty[agent, slot] >= used[work, slot]
        if stocked and wanted:
            able[n_able] = agent
            n_able += 1
        else:
            progress[agent] = min(progress[agent], 1.0)
    return able[:n_able]


@kernel
def _make(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    able: Int,
    market: Int,
    role: Int,
    qty: Int32,
    good: Int32,
    progress: Float,
    goods: Int,
    used: Int,
    made: Int,
    tool: Int,
    gathers: Bool,
    wear: Float,
    rate: Float,
    yields: Float,
    sold: Float,
    keep: Int,
    idle: Int,
    idle_days: int,
    demand: Int,
    supply: Int,
    makers: Int,
    nutrition: Float,
    day: float,
    stock_days: float,
    batch_draws: Float,
    wear_draws: Float,
    produced: Int,
    consumed: Int,
) -> None:
    """Make one batch for each of `able`: one draw rounds all of a batch's outputs, another
    decides whether its tool wears out. A gatherer brings in of each output only what it
    means to hold: what it keeps or its own meals until its next batch (if it eats what it
    makes), plus its running sales until then and `stock_days` more (at least `_OFFER` of a
    batch to find buyers, until `idle_days` without a sale), plus its share of what its
    market's buyers lacked last tick. The fisher with no buyers fishes for its own pot, not
    for the rot, and the hunter leaves the hides nobody tans."""
    width = used.shape[1]
    share = np.ones(width)
    for i in range(able.size):
        agent = able[i]
        work, here = role[agent], market[agent]
        # Days until its next batch: twice as many without its tool.
        has_tool = tool[work] < 0 or qty[agent, max(tool[work], 0)] >= 1
        days = 1.0 / rate[work] * (1.0 if has_tool else 2.0)
        for slot in range(width):
            share[slot] = 1.0
            if gathers[work] and made[work, slot] > 0:
                made_good = goods[work, slot]
                full = made[work, slot] * yields[here, made_good]
                # Its own meals until the next batch, if it eats what it makes.
                meals = day / nutrition[made_good] * days if nutrition[made_good] > 0 else 0.0
                ahead = sold[agent, slot] * (days + stock_days)
                # Something on offer to find buyers, until a month without a sale.
                offer = _OFFER * full if idle[agent] < idle_days else 0.0
                target = max(keep[agent, slot], meals) + max(ahead, offer)
                # Buyers left wanting last tick: its share of what they lacked.
                lacking = demand[here, made_good] - supply[here, made_good]
                if lacking > 0:
                    target += lacking / max(makers[here, made_good], 1)
                share[slot] = min(max((target - qty[agent, slot]) / max(full, 1e-9), 0.0), 1.0)
        for slot in range(width):
            units = float(made[work, slot]) * share[slot]
            if gathers[work]:
                units *= yields[here, goods[work, slot]]
            output = math.floor(units + batch_draws[i])
            qty[agent, slot] += output - used[work, slot]
            if goods[work, slot] >= 0:
                produced[goods[work, slot]] += output
                consumed[goods[work, slot]] += used[work, slot]
        progress[agent] = min(progress[agent] - 1.0, 1.0)
        slot = tool[work]
        if slot >= 0 and wear_draws[i] < wear[work] and qty[agent, slot] >= 1:
            qty[agent, slot] -= 1
            consumed[good[agent, slot]] += 1
