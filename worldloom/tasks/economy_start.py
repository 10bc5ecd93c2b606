"""What a simulate segment's economy runs from, and its run, timed: all that the run's economy
side process imports (with the economy's rules), without the pipeline's tasks, Prefect or
DuckDB (imported, 150 MB and 0.8 s of CPU against 260 MB and 2.7 s with them)."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

import numpy as np

from worldloom.systems.economy import (
    EconomyRules,
    EconomyRun,
    EconomyState,
    Markets,
    TradeLinks,
    simulate_economy,
)
from worldloom.systems.rng import Seeds


@dataclass(frozen=True, slots=True)
class EconomyStart:
    """What a segment's economy runs from: the world's seed, its economy's state, the markets
    and links under the year's hooks, and the days to run."""

    seed: int
    state: EconomyState
    markets: Markets
    links: TradeLinks
    ticks: int

    def same(self, other: EconomyStart) -> bool:
        """Whether both give the same economy run: equal seeds, days and every field."""
        return (
            (self.seed, self.ticks) == (other.seed, other.ticks)
            and _same_fields(self.state, other.state)
            and _same_fields(self.markets, other.markets)
            and _same_fields(self.links, other.links)
        )


def run_economy(start: EconomyStart, rules: EconomyRules) -> EconomyRun:
    """The economy's days from `start` (which it leaves untouched)."""
    return simulate_economy(
        start.state, rules, start.markets, start.links, seeds=Seeds(start.seed), ticks=start.ticks
    )


def timed_run(start: EconomyStart, rules: EconomyRules) -> tuple[EconomyRun, float]:
    """`run_economy`, and its wall seconds where it ran (a thread, or the side process)."""
    began = time.perf_counter()
    run = run_economy(start, rules)
    return run, time.perf_counter() - began


def _same_fields(a: object, b: object) -> bool:
    """Field by field (dataclasses of one kind): arrays equal in dtype, shape and values."""
    for field in fields(a):  # type: ignore[arg-type]
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)) or x.dtype != y.dtype:
                return False
            if not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                return False
        elif x != y:
            return False
    return True
