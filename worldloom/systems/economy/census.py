"""A market's agents follow its people: births and deaths add and retire agents, money and goods
only changing hands.

A retiring agent's money and goods go to an heir at its market (of its trade if there is one);
a newcomer takes up the trade of one of the market's agents with empty hands and starting money
drawn from the market's treasury (as the careers' replacements are), never printed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from worldloom.systems.economy.state import EconomyState

Int = np.ndarray[Any, np.dtype[np.int64]]
PER_MARKET = frozenset({"tick", "treasury", "bankrupt", "price", "supply", "demand"})
"""EconomyState fields that are not per agent."""
FRESH = {
    "progress": 0.0, "hunger": 0.0, "need": 0.0, "wants": 0, "cargo_target": 0,
    "cargo_ceiling": 0.0, "loading": 0, "link": -1, "arrive": 0, "profit": 0.0, "idle": 0,
    "tenure": 0, "qty": 0,
}  # fmt: skip
"""What a newcomer starts with, whatever the agent whose trade it copies had."""


@dataclass(frozen=True, slots=True)
class Census:
    """The economy after the census, and each market's agent count (on the road included)."""

    state: EconomyState
    agents: Int


def resize_markets(state: EconomyState, *, counts: Int, target: Int, start_money: int) -> Census:
    """Each market's agents brought towards `target` (`state` left untouched).

    Args:
        counts: per market, its agents now (merchants on the road included).
        target: per market, the agents its people call for.
        start_money: copper a newcomer asks of the treasury (less if it holds less).
    """
    money, treasury = state.money.copy(), state.treasury.copy()
    good, qty = state.good.copy(), state.qty.copy()
    keep = np.ones(state.market.size, dtype=bool)
    clones: list[int] = []
    new_counts = counts.copy()
    for m in np.flatnonzero(target != counts).tolist():
        here = np.flatnonzero(state.market == m)
        if target[m] < counts[m]:
            retired = _retire(
                state, here, int(counts[m] - target[m]), money=money, good=good, qty=qty
            )
            keep[retired] = False
            new_counts[m] -= len(retired)
        elif here.size:
            born = int(target[m] - counts[m])
            clones += [int(here[i % here.size]) for i in range(born)]
            new_counts[m] += born
    rows = np.concatenate([np.flatnonzero(keep), np.array(clones, dtype=np.int64)])
    new = np.arange(rows.size) >= int(keep.sum())
    arrays: dict[str, Any] = {}
    for f in fields(state):
        if f.name in PER_MARKET:
            continue
        edited: dict[str, Any] = {"money": money, "good": good, "qty": qty}
        source = edited.get(f.name, getattr(state, f.name))
        column = source[rows].copy()
        if f.name in FRESH:
            column[new] = FRESH[f.name]
        arrays[f.name] = column
    grants = np.zeros(rows.size, dtype=np.int64)
    for row in np.flatnonzero(new).tolist():
        m = int(arrays["market"][row])
        grants[row] = min(start_money, int(treasury[m]))
        treasury[m] -= grants[row]
    arrays["money"] = np.where(new, grants, arrays["money"])
    return Census(replace(state, treasury=treasury, **arrays), new_counts)


def _retire(
    state: EconomyState, here: Int, want: int, *, money: Int, good: Any, qty: Any
) -> list[int]:
    """Up to `want` of the market's agents retired, latest first (never its last one), each
    leaving its purse and goods to an heir, of its trade if one is left (edited in place)."""
    retired: list[int] = []
    for row in here[::-1].tolist():
        staying = [int(r) for r in here if int(r) != row and int(r) not in retired]
        if len(retired) == want or not staying:
            break
        same = [r for r in staying if state.role[r] == state.role[row]]
        heirs = same + [r for r in staying if r not in same]
        if not _bequeath(row, heirs, good, qty):
            continue
        money[heirs[0]] += money[row]
        money[row] = 0
        retired.append(row)
    return retired


def _bequeath(row: int, heirs: list[int], good: Any, qty: Any) -> bool:
    """Move every good `row` holds into the heirs' slots (a slot of that good, else an empty
    spare: a trade's own slots keep their goods); False, with nothing moved, when some good
    finds no room."""
    plan: list[tuple[int, int, int]] = []
    taken: set[tuple[int, int]] = set()
    for slot in np.flatnonzero((qty[row] > 0) & (good[row] >= 0)).tolist():
        item = int(good[row, slot])
        place = next(
            ((h, int(s)) for h in heirs for s in np.flatnonzero(good[h] == item).tolist()),
            None,
        ) or next(
            (
                (h, int(s))
                for h in heirs
                for s in np.flatnonzero(good[h] < 0).tolist()
                if (h, int(s)) not in taken
            ),
            None,
        )
        if place is None:
            return False
        taken.add(place)
        plan.append((slot, *place))
    for slot, heir, at in plan:
        good[heir, at] = good[row, slot]
        qty[heir, at] += qty[row, slot]
        qty[row, slot] = 0
    return True
