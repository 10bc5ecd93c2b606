"""Which orders each agent posts this tick: one compiled pass over every agent's slots.

Per agent, in slot order: an empty food slot switches to the market's staple; the fixed slots
get this tick's keep levels (a few days of food, the comforts it wants, a merchant's cargo);
a slot below its reorder point bids up to what the agent keeps (the larder, once less than a
day's food is left, up to a few days of nutrition in all); a slot above what it keeps asks
the rest. Orders come out agent by agent, each agent's in slot order (see `economy_slots`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.slots import AgentSlots, SlotLayout
from worldloom.systems.economy.state import EconomyState, Float32, Int32
from worldloom.systems.kernel import kernel

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Posted:
    """One side's orders before pricing: who, from which cell, which good, how many, and the
    holder's belief range for the good; `kind` is the slot's purpose (bids only)."""

    agent: Int
    cell: Int
    good: Int32
    qty: Int
    low: Float32
    high: Float32
    kind: Int


def scan_orders(
    state: EconomyState,
    slots: SlotLayout,
    agent_slots: AgentSlots,
    *,
    staple: Int,
    food_market: Int,
    food_per_tick: float,
    buffer_days: float,
) -> tuple[Posted, Posted]:
    """Every active agent's bids and asks, before pricing; `staple` is each market's food for
    an empty larder, bought in `food_market`. Writes the larder switches into `state` and
    this tick's fixed-slot keep levels into `agent_slots.keep`."""
    orders = _scan(
        state.market,
        state.role,
        state.qty,
        state.good,
        state.low,
        state.high,
        agent_slots.keep,
        agent_slots.reorder,
        agent_slots.restocked,
        state.wants,
        state.link,
        state.cargo_target,
        staple,
        food_market,
        state.price,
        slots.nutrition,
        slots.purpose,
        slots.width,
        buffer_days * food_per_tick,
        food_per_tick,
    )
    bid_agent, bid_cell, bid_good, bid_qty, bid_low, bid_high, bid_kind = orders[:7]
    ask_agent, ask_cell, ask_good, ask_qty, ask_low, ask_high = orders[7:]
    return (
        Posted(bid_agent, bid_cell, bid_good, bid_qty, bid_low, bid_high, bid_kind),
        Posted(ask_agent, ask_cell, ask_good, ask_qty, ask_low, ask_high, _NO_KIND),
    )


_NO_KIND = np.zeros(0, dtype=np.int64)
"""Asks have no slot purpose."""


@kernel
def _scan(  # noqa: PLR0915, PLR0917 - one pass writes both sides; arrays go positionally (numba)
    market: Int,
    role: Int,
    qty: Int32,
    good: Int32,
    low: Float32,
    high: Float32,
    keep: Int,
    reorder: Int,
    restocked: Bool,
    wants: Int,
    link: Int,
    cargo_target: Int,
    staple: Int,
    food_market: Int,
    price: Float,
    nutrition: Float,
    purpose: Int,
    width: int,
    buffer: float,
    food_per_tick: float,
) -> tuple[Int, Int, Int32, Int, Float32, Float32, Int, Int, Int, Int32, Int, Float32, Float32]:
    """Each side's orders: agent, cell, and the good and belief range the cell holds (then the
    units, and for bids the slot's purpose)."""
    n_agents, count = qty.shape
    food, comfort, cargo = width, width + 1, width + 2
    most = n_agents * count
    bid_agent, bid_cell = np.empty(most, dtype=np.int64), np.empty(most, dtype=np.int64)
    bid_good, bid_qty = np.empty(most, dtype=np.int32), np.empty(most, dtype=np.int64)
    bid_low, bid_high = np.empty(most, dtype=np.float32), np.empty(most, dtype=np.float32)
    bid_kind = np.empty(most, dtype=np.int64)
    ask_agent, ask_cell = np.empty(most, dtype=np.int64), np.empty(most, dtype=np.int64)
    ask_good, ask_qty = np.empty(most, dtype=np.int32), np.empty(most, dtype=np.int64)
    ask_low, ask_high = np.empty(most, dtype=np.float32), np.empty(most, dtype=np.float32)
    n_bids = n_asks = 0
    for agent in range(n_agents):
        here = market[agent]
        if here < 0:
            continue
        # An empty larder switches to the market's staple, believed worth about its price.
        food_good = staple[here]
        if qty[agent, food] == 0 and good[agent, food] != food_good:
            going = price[food_market[here], food_good]
            good[agent, food] = food_good
            low[agent, food] = max(going * 0.9, 1.0)
            high[agent, food] = max(going * 1.2, 1.0) + 1.0
        food_good = good[agent, food]
        food_nutrition = max(nutrition[food_good], 1e-9)
        keep[agent, food] = math.ceil(buffer / food_nutrition) if food_good >= 0 else 0
        keep[agent, comfort] = wants[agent]
        keep[agent, cargo] = cargo_target[agent] if link[agent] >= 0 else 0
        held = 0.0
        for slot in range(count):
            if qty[agent, slot] > 0:
                held += qty[agent, slot] * nutrition[good[agent, slot]]
        short = buffer - held if held < food_per_tick else 0.0
        food_units = math.ceil(max(short, 0.0) / food_nutrition)
        for slot in range(count):
            units, kept = qty[agent, slot], keep[agent, slot]
            if slot == food:
                buys = food_units > 0 and food_good >= 0
            else:
                # Below its reorder point a slot is below what its agent keeps too (build_slots
                # makes reorder <= keep); the fixed slots restock whenever below keep.
                point = reorder[agent, slot] if slot < width else kept
                buys = units < point and restocked[agent, slot]
            if buys:
                bid_agent[n_bids], bid_cell[n_bids] = agent, agent * count + slot
                holding = good[agent, slot], low[agent, slot], high[agent, slot]
                bid_good[n_bids], bid_low[n_bids], bid_high[n_bids] = holding
                bid_qty[n_bids] = food_units if slot == food else kept - units
                bid_kind[n_bids] = purpose[role[agent], slot]
                n_bids += 1
            if units > kept:
                ask_agent[n_asks], ask_cell[n_asks] = agent, agent * count + slot
                holding = good[agent, slot], low[agent, slot], high[agent, slot]
                ask_good[n_asks], ask_low[n_asks], ask_high[n_asks] = holding
                ask_qty[n_asks] = units - kept
                n_asks += 1
    b, a = n_bids, n_asks
    return (
        bid_agent[:b], bid_cell[:b], bid_good[:b], bid_qty[:b], bid_low[:b], bid_high[:b],
        bid_kind[:b], ask_agent[:a], ask_cell[:a], ask_good[:a], ask_qty[:a], ask_low[:a],
        ask_high[:a],
    )  # fmt: skip
