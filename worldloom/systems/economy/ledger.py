"""The record of an economy run, filled tick by tick: prices, volumes, roles, fills, caravans."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.rules import EconomyRules
from worldloom.systems.economy.state import EconomyHistory, EconomyState

Int = npt.NDArray[np.int64]

FILL_COLUMNS = ("tick", "market", "good", "buyer", "seller", "qty", "price")
CARAVAN_COLUMNS = ("merchant", "src", "dst", "good", "qty", "cost", "depart", "arrive")
HEALTH_COLUMNS = (
    "agents",
    "units",
    "turnover",
    "base_turnover",
    "produced",
    "consumed",
    "spoiled",
    "starving",
    "bankruptcies",
    "switches",
    "merchants",
    "money",
)
"""World-wide figures per tick that the economy's health is read from: agents, units traded,
copper paid for them and their worth at base value, units made, used up and spoiled, agents
starving, gone bankrupt and changing trade, merchants on a trip, and all the money."""


@dataclass(slots=True)
class Ledger:
    """Buffers a run writes into; `finish` freezes them into an `EconomyHistory`."""

    price: npt.NDArray[np.float32]
    supply: npt.NDArray[np.int32]
    demand: npt.NDArray[np.int32]
    volume: npt.NDArray[np.int32]
    role_agents: Int
    role_money: Int
    role_profit: npt.NDArray[np.float64]
    bankruptcies: Int
    produced: Int
    consumed: Int
    spoiled: Int
    money_supply: Int
    health: dict[str, npt.NDArray[np.int64] | npt.NDArray[np.float64]]
    fills: list[tuple[Int, ...]] = field(default_factory=list)
    caravans: list[tuple[Int, ...]] = field(default_factory=list)

    @classmethod
    def empty(cls, ticks: int, *, n_markets: int, rules: EconomyRules) -> Ledger:
        goods, roles = len(rules.goods), len(rules.roles)
        # The book records are written whole every tick, so they need no zeroing: a large
        # np.zeros was measured at ~1 ms a tick per record at 1,000 markets, faulted in page
        # by page as the run first touched it.
        return cls(
            price=np.empty((ticks, n_markets, goods), dtype=np.float32),
            supply=np.empty((ticks, n_markets, goods), dtype=np.int32),
            demand=np.empty((ticks, n_markets, goods), dtype=np.int32),
            volume=np.empty((ticks, n_markets, goods), dtype=np.int32),
            role_agents=np.zeros((ticks, roles), dtype=np.int64),
            role_money=np.zeros((ticks, roles), dtype=np.int64),
            role_profit=np.zeros((ticks, roles)),
            bankruptcies=np.zeros((ticks, roles), dtype=np.int64),
            produced=np.zeros((ticks, goods), dtype=np.int64),
            consumed=np.zeros((ticks, goods), dtype=np.int64),
            spoiled=np.zeros((ticks, goods), dtype=np.int64),
            money_supply=np.zeros((ticks, n_markets), dtype=np.int64),
            health={
                name: np.zeros(ticks) if name == "base_turnover" else np.zeros(ticks, np.int64)
                for name in HEALTH_COLUMNS
            },
        )

    def record_roles(
        self, state: EconomyState, rules: EconomyRules, *, step: int, n_markets: int
    ) -> None:
        roles = len(rules.roles)
        self.role_agents[step] = np.bincount(state.role, minlength=roles)
        self.role_money[step] = np.bincount(state.role, weights=state.money, minlength=roles)
        self.role_profit[step] = np.bincount(
            state.role, weights=state.profit, minlength=roles
        ) / np.maximum(self.role_agents[step], 1)
        here = state.market >= 0
        self.money_supply[step] = state.treasury + np.bincount(
            state.market[here], weights=state.money[here], minlength=n_markets
        ).astype(np.int64)

    def record_books(self, state: EconomyState, *, step: int, volume: Int) -> None:
        self.price[step] = state.price
        self.supply[step] = state.supply
        self.demand[step] = state.demand
        self.volume[step] = volume

    def record_trades(self, *, step: int, units: int, turnover: int, base_turnover: float) -> None:
        """The tick's fills: units, copper paid and the units' worth at base value."""
        self.health["units"][step] = units
        self.health["turnover"][step] = turnover
        self.health["base_turnover"][step] = base_turnover

    def record_health(
        self, state: EconomyState, rules: EconomyRules, *, step: int, switches: int
    ) -> None:
        """The tick's world-wide figures, at its end (`HEALTH_COLUMNS`)."""
        health = self.health
        here = state.market >= 0
        merchants = state.role == rules.merchant
        health["agents"][step] = state.market.size
        health["produced"][step] = self.produced[step].sum()
        health["consumed"][step] = self.consumed[step].sum()
        health["spoiled"][step] = self.spoiled[step].sum()
        starving = here & (state.hunger >= rules.tuning.starve_days * rules.food_per_tick)
        health["starving"][step] = np.count_nonzero(starving)
        health["bankruptcies"][step] = self.bankruptcies[step].sum()
        health["switches"][step] = switches
        health["merchants"][step] = np.count_nonzero(merchants & ((state.link >= 0) | ~here))
        health["money"][step] = state.total_money()

    def finish(self, *, first_tick: int) -> EconomyHistory:
        ticks = self.price.shape[0]
        return EconomyHistory(
            ticks=np.arange(first_tick, first_tick + ticks, dtype=np.int64),
            price=self.price,
            supply=self.supply,
            demand=self.demand,
            volume=self.volume,
            role_agents=self.role_agents,
            role_money=self.role_money,
            role_profit=self.role_profit,
            bankruptcies=self.bankruptcies,
            produced=self.produced,
            consumed=self.consumed,
            spoiled=self.spoiled,
            money_supply=self.money_supply,
            fills=_columns(self.fills, FILL_COLUMNS),
            caravans=_columns(self.caravans, CARAVAN_COLUMNS),
            health=self.health,
        )


def _columns(rows: list[tuple[Int, ...]], names: tuple[str, ...]) -> dict[str, Int]:
    if not rows:
        return {name: np.zeros(0, dtype=np.int64) for name in names}
    return {
        name: np.concatenate([np.asarray(row[i], dtype=np.int64) for row in rows])
        for i, name in enumerate(names)
    }
