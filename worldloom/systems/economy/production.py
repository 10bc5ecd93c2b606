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


def produce(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    step: int,
    rng: np.random.Generator,
) -> None:
    """Advance every producer's work and make the batches that are due, in place; count what
    they make and use up in the ledger's row `step`."""
    rules, slots = context.rules, context.slots
    able = _ready(
        state.market,
        state.role,
        state.qty,
        state.progress,
        rules.crafts,
        slots.tool,
        rules.rate,
        slots.used,
        slots.made,
        context.batch_units * rules.tuning.stock_cap_batches,
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
        context.yields,
        batch_draws,
        wear_draws,
        ledger.produced[step],
        ledger.consumed[step],
    )


@kernel
def _ready(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    market: Int,
    role: Int,
    qty: Int32,
    progress: Float,
    crafts: Bool,
    tool: Int,
    rate: Float,
    used: Int,
    made: Int,
    stock_cap: Int,
) -> Int:
    """Add a tick's work (half without the role's tool); return, in agent order, those whose
    work reached a batch, who hold its inputs and whose unsold output is under the cap."""
    n_agents = qty.shape[0]
    width = used.shape[1]
    able = np.empty(n_agents, dtype=np.int64)
    n_able = 0
    for agent in range(n_agents):
        work = role[agent]
        if market[agent] < 0 or not crafts[work]:
            progress[agent] = min(progress[agent], 1.0)
            continue
        has_tool = tool[work] < 0 or qty[agent, max(tool[work], 0)] >= 1
        progress[agent] += rate[work] * (1.0 if has_tool else 0.5)
        if progress[agent] < 1.0:
            continue
        unsold = 0
        stocked = True
        for slot in range(width):
            if made[work, slot] > 0:
                unsold += qty[agent, slot]
            stocked = stocked and qty[agent, slot] >= used[work, slot]
        if stocked and unsold < stock_cap[work]:
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
    yields: Float,
    batch_draws: Float,
    wear_draws: Float,
    produced: Int,
    consumed: Int,
) -> None:
    """Make one batch for each of `able`: one draw rounds all of a batch's outputs, another
    decides whether its tool wears out."""
    width = used.shape[1]
    for i in range(able.size):
        agent = able[i]
        work, here = role[agent], market[agent]
        for slot in range(width):
            units = float(made[work, slot])
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
