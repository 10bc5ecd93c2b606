"""Where an agent keeps its goods: a few slots per agent instead of a column for every good.

An agent only ever holds what its role works with (outputs, inputs, tool, needs), one food it
buys, its favourite comfort, a merchant's cargo and a few spare slots for what it keeps after
changing role. So the tick works on [agent, slot] arrays some seven times narrower than
[agent, good]; a slot's good is -1 when empty, and per-good tables carry one extra trailing
entry so that index -1 reads as "no good" (value 1, no nutrition, never spoils).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.rules import EconomyRules
from worldloom.systems.economy.state import EconomyState, Float32, Int32
from worldloom.systems.kernel import kernel, kernel_helper

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

OUTPUT, INPUT, TOOL, NEED, FOOD, COMFORT, CARGO, SPARE = range(8)
"""What a slot is for; it decides what the agent keeps, restocks and sells."""
_LARDER_ROT = 20.0
"""How much a food's daily rot shortens the days of it a producer keeps for itself."""
SPARE_SLOTS = 4
"""Slots for goods left over from an agent's previous role, sold off over the next ticks."""


@dataclass(frozen=True, slots=True)
class SlotLayout:
    """Per-role slot templates and the fixed slots every agent has after them."""

    width: int
    """Template slots per role (the most goods any role works with)."""
    goods: Int
    """[role, template slot] the good, -1 for none."""
    purpose: Int
    """[role, slot] what each slot is for (template slots by role; the fixed ones alike)."""
    used: Int
    """[role, template slot] units a batch uses up."""
    made: Int
    """[role, template slot] units a batch makes."""
    keep: Int
    """[role, slot] units held back from sale in the template slots (inputs for some batches,
    one tool, one of each need, a few days of food when the role makes food); 0 in the fixed
    slots, whose levels depend on the agent."""
    reorder: Int
    """[role, slot] restock only below this (one batch of an input, the last tool or need):
    buying in lots, not a unit a day, keeps the order books short; 0 in the fixed slots."""
    restocked: npt.NDArray[np.bool_]
    """[role, slot] slots the role buys for (inputs, tool, needs, food, comfort, cargo)."""
    need: Float
    """[role, template slot] units used up per tick (needs)."""
    share: Float
    """[role, template slot] an output's share of its batch's value (splits the batch cost)."""
    tool: Int
    """[role] the template slot of the role's tool, -1 for none."""
    value: Float
    nutrition: Float
    perish: Float
    weight: Float
    """Per good, with the trailing "no good" entry (index -1)."""

    @property
    def food(self) -> int:
        return self.width

    @property
    def comfort(self) -> int:
        return self.width + 1

    @property
    def cargo(self) -> int:
        return self.width + 2

    @property
    def spares(self) -> range:
        return range(self.width + 3, self.width + 3 + SPARE_SLOTS)

    @property
    def count(self) -> int:
        """Slots per agent."""
        return self.width + 3 + SPARE_SLOTS


def build_slots(rules: EconomyRules) -> SlotLayout:
    """Lay each role's goods out in template slots: outputs, inputs, tool, then needs."""
    tuning = rules.tuning
    n_roles = len(rules.roles)
    touched = (rules.inputs > 0) | (rules.outputs > 0) | (rules.needs > 0)
    has_tool = np.flatnonzero(rules.tool >= 0)
    touched[has_tool, rules.tool[has_tool]] = True
    width = max(int(touched.sum(axis=1).max(initial=0)), 1)
    goods = np.full((n_roles, width), -1, dtype=np.int64)
    purpose = np.full((n_roles, width + 3 + SPARE_SLOTS), SPARE, dtype=np.int64)
    purpose[:, width : width + 3] = (FOOD, COMFORT, CARGO)
    used = np.zeros((n_roles, width), dtype=np.int64)
    made = np.zeros((n_roles, width), dtype=np.int64)
    need = np.zeros((n_roles, width))
    tool = np.full(n_roles, -1, dtype=np.int64)
    for role in range(n_roles):
        order = sorted(
            (int(g) for g in np.flatnonzero(touched[role])),
            key=functools.partial(_slot_rank, rules, role),
        )
        for slot, good in enumerate(order):
            goods[role, slot] = good
            used[role, slot] = rules.inputs[role, good]
            made[role, slot] = rules.outputs[role, good]
            need[role, slot] = rules.needs[role, good]
            purpose[role, slot] = _slot_rank(rules, role, int(good))[0]
            if rules.tool[role] == good:
                tool[role] = slot
    value = np.r_[rules.value, 1.0]
    nutrition = np.r_[rules.nutrition, 0.0]
    # A producer keeps a few days of its own food, fewer of what rots fast (a herder's larder
    # of milk lost a third of itself every night).
    perish = np.r_[rules.perish, 0.0][goods]
    days = tuning.buffer_days / (1.0 + _LARDER_ROT * perish)
    food_units = np.where(
        nutrition[goods] > 0,
        np.ceil(days * rules.food_per_tick / np.maximum(nutrition[goods], 1e-9)),
        0,
    ).astype(np.int64)
    keep = used * tuning.input_batches + np.ceil(need).astype(np.int64)
    keep[np.arange(n_roles)[tool >= 0], tool[tool >= 0]] += 1
    keep = np.where(made > 0, np.maximum(keep, food_units), keep)
    reorder = np.where(used > 0, used, np.minimum(keep, 1))
    fixed = np.zeros((n_roles, purpose.shape[1] - width), dtype=np.int64)
    output_value = made * value[goods]
    share = output_value / np.maximum(output_value.sum(axis=1, keepdims=True), 1.0)
    return SlotLayout(
        width=width,
        goods=goods,
        purpose=purpose,
        used=used,
        made=made,
        keep=np.hstack([keep, fixed]),
        reorder=np.hstack([reorder, fixed]),
        restocked=np.isin(purpose, (INPUT, TOOL, NEED, FOOD, COMFORT, CARGO)),
        need=need,
        share=share,
        tool=tool,
        value=value,
        nutrition=nutrition,
        perish=np.r_[rules.perish, 0.0],
        weight=np.r_[rules.weight, 0.0],
    )


@dataclass(frozen=True, slots=True)
class AgentSlots:
    """Each agent's row of its role's keep, reorder and restock templates, kept in step with
    its role through a run (gathering them from the role tables every tick cost more than the
    order book built from them).

    `keep` also carries the levels of the fixed slots, which the order book sets each tick.
    """

    keep: Int
    reorder: Int
    restocked: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, slots: SlotLayout, role: Int) -> AgentSlots:
        return cls(
            keep=slots.keep[role], reorder=slots.reorder[role], restocked=slots.restocked[role]
        )

    def follow(self, slots: SlotLayout, agents: Int, role: Int) -> None:
        """Re-read the rows of `agents`, whose roles are now `role[agents]`."""
        now = role[agents]
        self.keep[agents] = slots.keep[now]
        self.reorder[agents] = slots.reorder[now]
        self.restocked[agents] = slots.restocked[now]


def retool(
    state: EconomyState,
    slots: SlotLayout,
    agents: Int,
    roles: Int,
    *,
    merchant: int,
    discarded: Int,
) -> None:
    """Give each of `agents` the slots of its new role in `roles`, in place.

    What both roles use is carried over (stock and beliefs); the rest of the old role's goods
    join the same good in a spare slot, or take an empty spare slot (or the cargo slot, unless
    the new role is a merchant's), to be sold off. What finds no room is left behind, counted
    per good in `discarded` (an agent who changed trade five times once could not change
    again, and starved beside a full larder of flax)."""
    new_goods = slots.goods[roles]
    _retool(
        agents,
        new_goods,
        state.good,
        state.qty,
        state.low,
        state.high,
        state.price,
        state.market,
        roles != merchant,
        slots.width,
        slots.cargo,
        discarded,
    )
    state.need[agents] = 0.0
    state.role[agents] = roles


@kernel
def _retool(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    agents: Int,
    new_goods: Int,
    good: Int32,
    qty: Int32,
    low: Float32,
    high: Float32,
    price: Float,
    market: Int,
    cargo_free: npt.NDArray[np.bool_],
    width: int,
    cargo: int,
    discarded: Int,
) -> None:
    old_good = np.empty(width, dtype=np.int64)
    old_qty = np.empty(width, dtype=np.int64)
    old_low = np.empty(width, dtype=np.float32)
    old_high = np.empty(width, dtype=np.float32)
    for i in range(agents.size):
        agent = agents[i]
        for slot in range(width):
            old_good[slot], old_qty[slot] = good[agent, slot], qty[agent, slot]
            old_low[slot], old_high[slot] = low[agent, slot], high[agent, slot]
        # The new template: carried goods keep their stock and beliefs, new ones start empty
        # with a belief about the going price.
        here = max(market[agent], 0)
        for slot in range(width):
            target = new_goods[i, slot]
            good[agent, slot], qty[agent, slot] = target, 0
            going = price[here, target] if target >= 0 else 1.0
            low[agent, slot] = max(going * 0.9, 1.0)
            high[agent, slot] = max(going * 1.2, 1.0) + 1.0
            for old in range(width):
                if target >= 0 and old_good[old] == target:
                    qty[agent, slot] = old_qty[old]
                    low[agent, slot], high[agent, slot] = old_low[old], old_high[old]
                    old_qty[old] = 0
        # Leftovers: to a spare (or free cargo) slot holding the same good, else an empty one.
        for old in range(width):
            if old_qty[old] > 0 and old_good[old] >= 0:
                first = cargo if cargo_free[i] else cargo + 1
                room = _room(agent, old_good[old], good, qty, first)
                if room < 0:
                    discarded[old_good[old]] += old_qty[old]
                    continue
                if qty[agent, room] == 0:
                    good[agent, room] = old_good[old]
                    low[agent, room], high[agent, room] = old_low[old], old_high[old]
                qty[agent, room] += old_qty[old]


@kernel_helper
def _room(agent: int, held: int, good: Int32, qty: Int32, first: int) -> int:
    """The slot from `first` on that holds `held` already, else the first empty one; -1."""
    room = -1
    for slot in range(first, good.shape[1]):
        if qty[agent, slot] > 0 and good[agent, slot] == held:
            return slot
        if room < 0 and qty[agent, slot] == 0:
            room = slot
    return room


def _slot_rank(rules: EconomyRules, role: int, good: int) -> tuple[int, int]:
    if rules.inputs[role, good] > 0:
        return INPUT, good
    if rules.tool[role] == good:
        return TOOL, good
    if rules.needs[role, good] > 0:
        return NEED, good
    return OUTPUT, good
