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
from worldloom.systems.economy.state import EconomyState

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

OUTPUT, INPUT, TOOL, NEED, FOOD, COMFORT, CARGO, SPARE = range(8)
"""What a slot is for; it decides what the agent keeps, restocks and sells."""
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
    food_units = np.where(
        nutrition[goods] > 0,
        np.ceil(tuning.buffer_days * rules.food_per_tick / np.maximum(nutrition[goods], 1e-9)),
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
    state: EconomyState, slots: SlotLayout, agents: Int, roles: Int, *, merchant: int
) -> npt.NDArray[np.bool_]:
    """Give each of `agents` the slots of its new role in `roles`, in place.

    What both roles use is carried over (stock and beliefs); the rest of the old role's goods
    move to empty spare slots (or the cargo slot, unless the new role is a merchant's), to be
    sold off. Agents whose leftovers do not fit are left unchanged; returns who moved.
    """
    width = slots.width
    old_goods, old_qty = state.good[agents, :width], state.qty[agents, :width]
    old_low, old_high = state.low[agents, :width], state.high[agents, :width]
    new_goods = slots.goods[roles]
    same = (old_goods[:, :, None] == new_goods[:, None, :]) & (new_goods[:, None, :] >= 0)
    carried = same.any(axis=1)
    source = same.argmax(axis=1)
    leftover = (old_qty > 0) & ~same.any(axis=2)
    room = np.array([slots.cargo, *slots.spares], dtype=np.int64)
    free = state.qty[agents][:, room] == 0
    free[:, 0] &= roles != merchant
    fits = leftover.sum(axis=1) <= free.sum(axis=1)
    rows = np.flatnonzero(fits)
    agent = agents[rows]
    # The k-th leftover of an agent goes to its k-th free room slot.
    free_order = np.argsort(~free[rows], axis=1, kind="stable")
    row, old_slot = np.nonzero(leftover[rows])
    rank = (np.cumsum(leftover[rows], axis=1) - 1)[row, old_slot]
    target = room[free_order[row, rank]]
    moved_from = rows[row]
    state.good[agent[row], target] = old_goods[moved_from, old_slot]
    state.qty[agent[row], target] = old_qty[moved_from, old_slot]
    state.low[agent[row], target] = old_low[moved_from, old_slot]
    state.high[agent[row], target] = old_high[moved_from, old_slot]
    keep = carried[rows]
    pick = (rows[:, None], source[rows])
    goods = new_goods[rows]
    going = np.where(
        goods >= 0, state.price[np.maximum(state.market[agent], 0)[:, None], goods], 1.0
    )
    state.qty[agent, :width] = np.where(keep, old_qty[pick], 0)
    state.low[agent, :width] = np.where(keep, old_low[pick], np.maximum(going * 0.9, 1.0))
    state.high[agent, :width] = np.where(keep, old_high[pick], np.maximum(going * 1.2, 1.0) + 1)
    state.good[agent, :width] = new_goods[rows]
    state.need[agent] = 0.0
    state.role[agent] = roles[rows]
    return np.asarray(fits, dtype=np.bool_)


def _slot_rank(rules: EconomyRules, role: int, good: int) -> tuple[int, int]:
    if rules.inputs[role, good] > 0:
        return INPUT, good
    if rules.tool[role] == good:
        return TOOL, good
    if rules.needs[role, good] > 0:
        return NEED, good
    return OUTPUT, good
