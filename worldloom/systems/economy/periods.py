"""Calendar periods of an economy's history and how partial periods roll up into whole ones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from worldloom.systems.order import sort_order
from worldloom.systems.world import Calendar

Int = npt.NDArray[np.int64]
How = Literal["first", "last", "max", "min", "sum"]

BOOK_PERIOD: Mapping[str, How] = {
    "open": "first",
    "high": "max",
    "low": "min",
    "close": "last",
    "volume": "sum",
    "supply": "sum",
    "demand": "sum",
    "trades": "sum",
    "turnover": "sum",
}
"""A book's period (market_price_periods) from its days: how each column rolls up."""
ROLE_PERIOD: Mapping[str, How] = {
    "profession": "last",
    "agents": "last",
    "money": "last",
    "mean_profit": "last",
    "bankruptcies": "sum",
}
LEDGER_PERIOD: Mapping[str, How] = {"produced": "sum", "consumed": "sum", "spoiled": "sum"}
MONEY_PERIOD: Mapping[str, How] = {"money": "last"}
PERIOD_RULES: Mapping[str, Mapping[str, How]] = {
    "market_price_periods": BOOK_PERIOD,
    "role_stats": ROLE_PERIOD,
    "economy_ledger": LEDGER_PERIOD,
    "money_supply": MONEY_PERIOD,
}
"""Per period table, how each of its columns rolls up."""
PERIOD_KEYS: Mapping[str, tuple[str, ...]] = {
    "market_price_periods": ("market_id", "good"),
    "role_stats": ("role",),
    "economy_ledger": ("good",),
    "money_supply": ("market_id",),
}
"""Per period table, what a row is about besides its period."""
_REDUCE = {"max": np.maximum, "min": np.minimum, "sum": np.add}


@dataclass(frozen=True, slots=True)
class HistoryPolicy:
    """How much of an economy's history is kept at which resolution."""

    window_days: int = 60
    """Days kept day by day, at least (back to the start of the month they begin in)."""
    month_years: int = 10
    """Years before the daily window kept month by month (back to a year's start); older
    history is kept year by year."""


@dataclass(frozen=True, slots=True)
class Spans:
    """The calendar's months and years as tick ranges (tick 0 starts a year)."""

    month_ends: Int
    """Day of the year after each month's last day (cumulative month lengths)."""

    @classmethod
    def of(cls, calendar: Calendar) -> Spans:
        """The spans of `calendar`'s months."""
        return cls(np.cumsum([m.days for m in calendar.months], dtype=np.int64))

    @property
    def year(self) -> int:
        """Days in a year."""
        return int(self.month_ends[-1])

    def month_start(self, ticks: Int) -> Int:
        """The first tick of the month each of `ticks` falls in."""
        years, day = np.divmod(ticks, self.year)
        month = np.searchsorted(self.month_ends, day, side="right")
        return np.asarray(years * self.year + np.r_[0, self.month_ends][month], dtype=np.int64)

    def month_days(self, starts: Int) -> Int:
        """The length of the months that begin at `starts`."""
        day = starts % self.year
        month = np.searchsorted(self.month_ends, day, side="right")
        return np.asarray(self.month_ends[month] - day, dtype=np.int64)

    def year_start(self, ticks: Int) -> Int:
        """The first tick of the year each of `ticks` falls in."""
        return np.asarray(ticks // self.year * self.year, dtype=np.int64)

    def cutoffs(self, next_tick: int, policy: HistoryPolicy) -> tuple[int, int]:
        """The first tick kept day by day and the first kept month by month, once the
        economy has run up to `next_tick` (exclusive)."""
        first_day = max(next_tick - policy.window_days, 0)
        day = int(self.month_start(np.array([first_day]))[0])
        month = int(self.year_start(np.array([max(day - policy.month_years * self.year, 0)]))[0])
        return day, month


def day_partials(daily: pl.DataFrame, table: str) -> pl.DataFrame:
    """Daily rows as one-day partials of their month (`first` and `last` ticks; a book's day
    has its price as open, high, low and close)."""
    if table == "market_price_periods":
        daily = daily.with_columns(
            pl.col("price").alias("open"),
            pl.col("price").alias("high"),
            pl.col("price").alias("low"),
            pl.col("price").alias("close"),
        ).drop("price")
    return daily.with_columns(pl.col("tick").alias("first"), pl.col("tick").alias("last")).drop(
        "tick", "days", strict=False
    )


def period_partials(periods: pl.DataFrame) -> pl.DataFrame:
    """Stored period rows as partials (`first` and `last` ticks) of a longer period."""
    return periods.with_columns(
        pl.col("tick").alias("first"), (pl.col("tick") + pl.col("days") - 1).alias("last")
    ).drop("tick", "days")


def roll_up(
    partials: pl.DataFrame,
    *,
    table: str,
    starts: Int,
    days: Int,
    sparse: bool,
) -> pl.DataFrame:
    """Combine partials into whole periods: row i of `partials` belongs to the period that
    starts at `starts[i]` and lasts `days[i]` (a month or a year); columns combine by their
    rule (`BOOK_PERIOD`...), a period's partials taken in the order of their `first` tick.
    With `sparse`, a book period in which nothing was offered, bid for or traded is left out
    (its price did not move). Returns rows with `tick` (the period's first day) and `days`,
    then the keys and the rules' columns, ordered by period and keys."""
    rules, keys = PERIOD_RULES[table], PERIOD_KEYS[table]
    codes = [_codes(partials[key]) for key in keys]
    offset = np.asarray(partials["first"].to_numpy(), dtype=np.int64) - starts
    order = sort_order([starts, *codes, offset])
    group = [starts[order], *(code[order] for code in codes)]
    change = np.zeros(order.size, dtype=np.bool_)
    change[:1] = True
    for part in group:
        change[1:] |= part[1:] != part[:-1]
    heads = np.flatnonzero(change)
    tails = np.r_[heads[1:], order.size][: heads.size] - 1
    columns: dict[str, pl.Series] = {
        "tick": pl.Series("tick", group[0][heads], dtype=pl.Int64),
        "days": pl.Series("days", days[order][heads], dtype=pl.Int64),
    }
    for key in keys:
        columns[key] = partials[key].gather(order[heads])
    for column, how in rules.items():
        series = partials[column]
        if how == "first":
            columns[column] = series.gather(order[heads])
        elif how == "last":
            columns[column] = series.gather(order[tails])
        else:
            values = series.to_numpy()[order]
            rolled = _REDUCE[how].reduceat(values, heads) if heads.size else values[:0]
            columns[column] = pl.Series(column, rolled, dtype=series.dtype)
    framed = pl.DataFrame(columns)
    if sparse:
        framed = framed.filter((pl.col("supply") + pl.col("demand") + pl.col("volume")) > 0)
    return framed


def _codes(column: pl.Series) -> Int:
    """Whole numbers in the order of `column`'s values (names as their rank among the names)."""
    if column.dtype == pl.String:
        column = column.cast(pl.Enum(sorted(column.unique().to_list()))).to_physical()
    return np.asarray(column.to_numpy(), dtype=np.int64)
