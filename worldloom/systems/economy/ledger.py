"""The record of an economy run, filled tick by tick: prices, volumes, roles, fills, caravans."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.rules import EconomyRules
from worldloom.systems.economy.state import EconomyHistory, EconomyState
from worldloom.systems.kernel import kernel

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

    def record_day(
        self, state: EconomyState, rules: EconomyRules, *, step: int, switches: int
    ) -> None:
        """The tick's figures by role and market, and world-wide (`HEALTH_COLUMNS`), at its end."""
        starving, merchants, money = _day_figures(
            state.role,
            state.money,
            state.profit,
            state.market,
            state.treasury,
            state.hunger,
            state.link,
            self.role_agents[step],
            self.role_money[step],
            self.role_profit[step],
            self.money_supply[step],
            rules.tuning.starve_days * rules.food_per_tick,
            rules.merchant,
        )
        health = self.health
        health["agents"][step] = state.market.size
        health["produced"][step] = self.produced[step].sum()
        health["consumed"][step] = self.consumed[step].sum()
        health["spoiled"][step] = self.spoiled[step].sum()
        health["starving"][step] = starving
        health["bankruptcies"][step] = self.bankruptcies[step].sum()
        health["switches"][step] = switches
        health["merchants"][step] = merchants
        health["money"][step] = money

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


@kernel
def _day_figures(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    role: Int,
    money: Int,
    profit: npt.NDArray[np.float64],
    market: Int,
    treasury: Int,
    hunger: npt.NDArray[np.float64],
    link: Int,
    role_agents: Int,
    role_money: Int,
    role_profit: npt.NDArray[np.float64],
    money_supply: Int,
    starve: float,
    merchant: int,
) -> tuple[int, int, int]:
    """Fill the day's rows of agents, money and mean earnings by role and of money by market
    (summed in agent order, as numpy's weighted bincount does); returns how many starve, how
    many merchants are on a trip and all the money."""
    role_total = np.zeros(role_agents.size)
    role_profits = np.zeros(role_agents.size)
    market_total = np.zeros(money_supply.size)
    role_agents[:] = 0
    starving = merchants = 0
    purses = 0
    for agent in range(role.size):
        work, here = role[agent], market[agent]
        role_agents[work] += 1
        role_total[work] += money[agent]
        role_profits[work] += profit[agent]
        purses += money[agent]
        if here >= 0:
            market_total[here] += money[agent]
            starving += hunger[agent] >= starve
        merchants += work == merchant and (link[agent] >= 0 or here < 0)
    for work in range(role_agents.size):
        role_money[work] = np.int64(role_total[work])
        role_profit[work] = role_profits[work] / max(role_agents[work], 1)
    for here in range(money_supply.size):
        money_supply[here] = treasury[here] + np.int64(market_total[here])
    return starving, merchants, purses + treasury.sum()
