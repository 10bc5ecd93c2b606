"""The economy's state: markets, trade links, every agent's holdings and beliefs, a run's record."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import numpy.typing as npt

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Int32 = npt.NDArray[np.int32]
Float32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Markets:
    """The places that hold a market (towns and larger), by position; ids are settlement ids."""

    ids: Int
    biome: tuple[str, ...]
    resources: tuple[frozenset[str], ...]
    agents: Int

    def __post_init__(self) -> None:
        sizes = {self.ids.size, len(self.biome), len(self.resources), self.agents.size}
        if len(sizes) != 1:
            raise ValueError(f"market arrays differ in length: {sorted(sizes)}")
        if self.agents.size and self.agents.min() < 1:
            raise ValueError("every market needs at least one agent")


@dataclass(frozen=True, slots=True)
class TradeLinks:
    """Directed market-to-market connections a caravan can travel: positions into `Markets`."""

    src: Int
    dst: Int
    days: Int
    danger: Float
    toll: Float
    """Share of a cargo's value paid at the destination's gate (crossing into another realm)."""

    def __post_init__(self) -> None:
        sizes = {self.src.size, self.dst.size, self.days.size, self.danger.size, self.toll.size}
        if len(sizes) != 1:
            raise ValueError("trade link arrays differ in length")
        if self.days.size and self.days.min() < 1:
            raise ValueError("a trade link takes at least one day")

    @classmethod
    def none(cls) -> TradeLinks:
        empty = np.zeros(0, dtype=np.int64)
        return cls(src=empty, dst=empty, days=empty, danger=np.zeros(0), toll=np.zeros(0))


@dataclass(frozen=True, slots=True)
class EconomyState:
    """Everything the next tick needs; per-agent arrays first, then per-market ones.

    The [agent, slot] holdings and beliefs are 32-bit: they are most of what a tick reads,
    and at half the width a 1,000-market tick ran ~13 % faster (units and prices stay far
    inside their range; totals are summed in 64 bits).
    """

    tick: int
    market: Int
    """Each agent's market position; -1 while a merchant is on the road."""
    role: Int
    money: Int
    good: Int32
    """[agent, slot] the good a slot holds, -1 when empty (see `economy_slots`)."""
    qty: Int32
    """[agent, slot] units held."""
    low: Float32
    high: Float32
    """[agent, slot] the price-belief range for the slot's good."""
    progress: Float
    hunger: Float
    need: Float
    """[agent, slot] units of a need used but not yet taken from stock."""
    sold: Float
    """[agent, slot] units sold from the slot per day, a running mean (what producers make
    for)."""
    cost_scale: Float
    taste: Int
    offset: Int
    wants: Int
    """Units of its favourite comfort an agent means to buy and enjoy."""
    cargo_target: Int
    cargo_ceiling: Float
    loading: Int
    link: Int
    arrive: Int
    profit: Float
    idle: Int
    """Days since the agent last earned (a sale or a wage)."""
    tenure: Int
    """Days since the agent took up its trade."""
    treasury: Int
    bankrupt: Int
    """Per market: its agents gone bankrupt there since the world's last year's end (simulate
    reads and resets it then: merchant_ruined)."""
    price: Float
    supply: Int
    demand: Int

    def copy(self) -> EconomyState:
        arrays = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "tick"}
        return replace(self, **{name: value.copy() for name, value in arrays.items()})

    def total_money(self) -> int:
        return int(self.money.sum() + self.treasury.sum())

    def total_goods(self, n_goods: int) -> Int:
        """Units of each good held by every agent (on the road or not)."""
        held = self.good >= 0
        return np.bincount(self.good[held], weights=self.qty[held], minlength=n_goods).astype(
            np.int64
        )


@dataclass(frozen=True, slots=True)
class EconomyHistory:
    """Per-tick records of a run, as arrays indexed [tick, market, good] or [tick, role]."""

    ticks: Int
    price: npt.NDArray[np.float32]
    supply: npt.NDArray[np.int32]
    demand: npt.NDArray[np.int32]
    volume: npt.NDArray[np.int32]
    role_agents: Int
    role_money: Int
    role_profit: Float
    bankruptcies: Int
    produced: Int
    consumed: Int
    spoiled: Int
    money_supply: Int
    fills: dict[str, Int]
    caravans: dict[str, Int]
    health: dict[str, npt.NDArray[np.int64] | npt.NDArray[np.float64]]
    """Per tick, world-wide (`HEALTH_COLUMNS` of the ledger): what the economy's health
    figures are made of."""


@dataclass(frozen=True, slots=True)
class EconomyRun:
    state: EconomyState
    history: EconomyHistory
