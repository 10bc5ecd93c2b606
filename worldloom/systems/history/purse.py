"""War's money: armies' upkeep and tribute moved between markets' purses, never made or lost.

A realm pays from the treasuries of the markets it holds (each in proportion to what it holds,
never more than they hold); upkeep arrives as soldiers' wages in the households of the markets
their soldiers came from, tribute in the treasuries of the markets the payee holds. Amounts are
in the economy's copper: its agents stand for a realm's people at the ratio `scale` gives, so
a realm's bill is scaled the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Int = np.ndarray[Any, np.dtype[np.int64]]
Float = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True, slots=True)
class Transfer:
    """Copper owed by the markets weighted in `source`, due to those weighted in `sink`.

    `source` and `sink` are per market weights (>= 0); `households`: paid into the agents'
    money (wages) rather than the markets' treasuries (tribute)."""

    kind: str
    copper: int
    source: Float
    sink: Float
    households: bool


@dataclass(frozen=True, slots=True)
class Purses:
    """The economy's money after the transfers, and what each transfer moved."""

    treasury: Int
    money: Int
    moved: tuple[int, ...]


def share_out(amount: int, weights: Float, *, cap: Int | None = None) -> Int:
    """`amount` split in proportion to `weights` by largest remainders (ties to the lower
    index), never more than `cap` per part: the parts sum to min(amount, what may be taken)."""
    parts = np.zeros(weights.size, dtype=np.int64)
    left = amount if cap is None else min(amount, int(cap[weights > 0].sum()))
    while left > 0:
        open_ = weights > 0 if cap is None else (weights > 0) & (parts < cap)
        total = float(weights[open_].sum())
        if total <= 0:
            break
        exact = np.where(open_, weights * left / total, 0.0)
        share = np.floor(exact).astype(np.int64)
        rest = left - int(share.sum())
        order = np.lexsort((np.arange(weights.size), -(exact - share)))
        order = order[open_[order]][:rest]
        share[order] += 1
        if cap is not None:
            share = np.minimum(share, cap - parts)
        parts += share
        left -= int(share.sum())
    return parts


def move_money(
    treasury: Int, money: Int, agent_market: Int, *, transfers: Sequence[Transfer]
) -> Purses:
    """Apply `transfers` in order (arguments left untouched).

    Args:
        treasury: per market, its treasury's copper.
        money: per agent, its copper.
        agent_market: per agent, its market (-1 on the road: paid nothing).
    """
    treasury, money = treasury.copy(), money.copy()
    agents = np.bincount(agent_market[agent_market >= 0], minlength=treasury.size)
    moved: list[int] = []
    for transfer in transfers:
        taken = share_out(transfer.copper, transfer.source * treasury, cap=treasury)
        treasury -= taken
        paid = share_out(int(taken.sum()), transfer.sink)
        if int(paid.sum()) < int(taken.sum()):  # nowhere to pay: it stays where it was
            treasury += taken
            moved.append(0)
            continue
        if transfer.households:
            into_homes = np.where(agents > 0, paid, 0)
            treasury += paid - into_homes
            for market in np.flatnonzero(into_homes):
                who = np.flatnonzero(agent_market == market)
                money[who] += share_out(int(into_homes[market]), np.ones(who.size))
        else:
            treasury += paid
        moved.append(int(taken.sum()))
    return Purses(treasury, money, tuple(moved))


def war_transfers(
    *,
    upkeep: Mapping[int, Mapping[int, float]],
    tributes: Sequence[tuple[int, int, float]],
    market_realm: Int,
    settlement_market: Int,
    scale: Mapping[int, float],
) -> tuple[Transfer, ...]:
    """The year's bills as transfers, realms in id order, then tributes in the order paid.

    Args:
        upkeep: realm -> settlement its soldiers came from -> copper owed them for the year.
        tributes: (payer, payee, copper) as paid.
        market_realm: per market, the realm holding it (-1 none).
        settlement_market: per settlement id, the market it trades at (-1 none).
        scale: realm -> the economy's copper per copper of its bill.
    """
    n = market_realm.size
    transfers: list[Transfer] = []
    for realm in sorted(upkeep):
        sink = np.zeros(n)
        for settlement, copper in sorted(upkeep[realm].items()):
            market = int(settlement_market[settlement])
            if market >= 0:
                sink[market] += copper
        due = round(sum(upkeep[realm].values()) * scale.get(realm, 0.0))
        source = (market_realm == realm).astype(np.float64)
        transfers.append(Transfer("upkeep", int(due), source, sink, households=True))
    for payer, payee, copper in tributes:
        source = (market_realm == payer).astype(np.float64)
        sink = (market_realm == payee).astype(np.float64)
        due = round(copper * scale.get(payer, 0.0))
        transfers.append(Transfer("tribute", int(due), source, sink, households=False))
    return tuple(transfers)
