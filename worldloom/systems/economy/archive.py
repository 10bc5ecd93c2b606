"""How an economy keeps its history: every day for a recent window, calendar months before it,
calendar years before that, so that a century of a large world stays a few million rows.

A period's row says what its days said: a book's price at the end of its first and last day and
its highest and lowest, the units it traded, offered and was bid for, its fills and the copper
paid; a role's agents and money and smoothed earnings at the period's end and its bankruptcies;
a good's units made, used up and spoiled; a market's money at the end. Every one of these is a
first, a last, a maximum, a minimum or a sum of whole numbers, so a month rolled up from its
days in one run equals the month rolled up from days kept by one run and days of the next:
N + M days of history are the history of N + M days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from worldloom.systems.economy.state import EconomyHistory
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
_ROLE_TABLES = ("role_stats", "economy_ledger", "money_supply")
_KEYS = {
    "market_price_periods": ("market_id", "good"),
    "role_stats": ("role",),
    "economy_ledger": ("good",),
    "money_supply": ("market_id",),
}


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
        return cls(np.cumsum([m.days for m in calendar.months], dtype=np.int64))

    @property
    def year(self) -> int:
        return int(self.month_ends[-1])

    def month_start(self, ticks: Int) -> Int:
        years, day = np.divmod(ticks, self.year)
        month = np.searchsorted(self.month_ends, day, side="right")
        return np.asarray(years * self.year + np.r_[0, self.month_ends][month], dtype=np.int64)

    def month_days(self, starts: Int) -> Int:
        day = starts % self.year
        month = np.searchsorted(self.month_ends, day, side="right")
        return np.asarray(self.month_ends[month] - day, dtype=np.int64)

    def year_start(self, ticks: Int) -> Int:
        return np.asarray(ticks // self.year * self.year, dtype=np.int64)

    def cutoffs(self, next_tick: int, policy: HistoryPolicy) -> tuple[int, int]:
        """The first tick kept day by day and the first kept month by month, once the
        economy has run up to `next_tick` (exclusive)."""
        first_day = max(next_tick - policy.window_days, 0)
        day = int(self.month_start(np.array([first_day]))[0])
        month = int(self.year_start(np.array([max(day - policy.month_years * self.year, 0)]))[0])
        return day, month


def book_partials(
    history: EconomyHistory, spans: Spans, *, before: int, goods: Sequence[str]
) -> pl.DataFrame:
    """The run's days before tick `before`, rolled up per calendar month and book: one row per
    month, market and good (`first` and `last` ticks, then `BOOK_PERIOD`'s columns)."""
    keep = history.ticks < before
    if not keep.any():
        return _empty_partials("market_price_periods")
    ticks = history.ticks[keep]
    n_markets, n_goods = history.price.shape[1:]
    starts, first, group = _months(ticks, spans)
    flat = (ticks.size, n_markets * n_goods)
    price = history.price[keep].reshape(flat)
    sums = {
        name: np.add.reduceat(getattr(history, name)[keep].reshape(flat).astype(np.int64), first)
        for name in ("volume", "supply", "demand")
    }
    fills = history.fills
    mine = fills["tick"] < before
    book = group[fills["tick"][mine] - ticks[0]] * flat[1] + (
        fills["market"][mine] * n_goods + fills["good"][mine]
    )
    size = starts.size * flat[1]
    trades = np.bincount(book, minlength=size)
    paid = np.bincount(book, weights=fills["qty"][mine] * fills["price"][mine], minlength=size)
    last = np.r_[first[1:], ticks.size] - 1
    n = starts.size
    return pl.DataFrame(
        {
            "first": np.repeat(ticks[first], flat[1]),
            "last": np.repeat(ticks[last], flat[1]),
            "market_id": np.tile(np.repeat(np.arange(n_markets), n_goods), n),
            "good": pl.Series(goods, dtype=pl.String).gather(
                np.tile(np.arange(n_goods), n_markets * n)
            ),
            "open": price[first].ravel().astype(np.float64),
            "high": np.maximum.reduceat(price, first).ravel().astype(np.float64),
            "low": np.minimum.reduceat(price, first).ravel().astype(np.float64),
            "close": price[last].ravel().astype(np.float64),
            **{name: values.ravel() for name, values in sums.items()},
            "trades": trades.astype(np.int64),
            "turnover": paid.astype(np.int64),
        }
    )


def role_partials(
    history: EconomyHistory,
    spans: Spans,
    *,
    before: int,
    goods: Sequence[str],
    roles: Sequence[str],
    professions: Sequence[str],
) -> dict[str, pl.DataFrame]:
    """The run's role, ledger and money rows before tick `before`, rolled up per calendar
    month (`first` and `last` ticks, then `ROLE_PERIOD`'s, `LEDGER_PERIOD`'s and
    `MONEY_PERIOD`'s columns)."""
    keep = history.ticks < before
    if not keep.any():
        return {name: _empty_partials(name) for name in _ROLE_TABLES}
    ticks = history.ticks[keep]
    starts, first, _ = _months(ticks, spans)
    last = np.r_[first[1:], ticks.size] - 1

    def spans_of(width: int) -> dict[str, Int]:
        return {
            "first": np.repeat(ticks[first], width),
            "last": np.repeat(ticks[last], width),
        }

    def summed(values: npt.NDArray[np.int64]) -> Int:
        return np.asarray(np.add.reduceat(values[keep], first).ravel(), dtype=np.int64)

    n_roles, n_goods = len(roles), len(goods)
    n_markets = history.money_supply.shape[1]
    return {
        "role_stats": pl.DataFrame(
            spans_of(n_roles)
            | {
                "role": list(roles) * starts.size,
                "profession": list(professions) * starts.size,
                "agents": history.role_agents[keep][last].ravel(),
                "money": history.role_money[keep][last].ravel(),
                "mean_profit": history.role_profit[keep][last].ravel(),
                "bankruptcies": summed(history.bankruptcies),
            }
        ),
        "economy_ledger": pl.DataFrame(
            spans_of(n_goods)
            | {"good": list(goods) * starts.size}
            | {name: summed(getattr(history, name)) for name in LEDGER_PERIOD}
        ),
        "money_supply": pl.DataFrame(
            spans_of(n_markets)
            | {
                "market_id": np.tile(np.arange(n_markets), starts.size),
                "money": history.money_supply[keep][last].ravel(),
            }
        ),
    }


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
    rule (`BOOK_PERIOD`...). With `sparse`, a book period in which nothing
    was offered, bid for or traded is left out (its price did not move). Returns rows with
    `tick` (the period's first day) and `days`."""
    rules = {
        "market_price_periods": BOOK_PERIOD,
        "role_stats": ROLE_PERIOD,
        "economy_ledger": LEDGER_PERIOD,
        "money_supply": MONEY_PERIOD,
    }[table]
    keys = _KEYS[table]
    # Names sorted as an enum of them in their order: the same order, sorted far faster.
    names = [k for k in keys if partials.schema[k] == pl.String]
    enums = {k: pl.Enum(sorted(partials[k].unique().to_list())) for k in names}
    framed = (
        partials.with_columns(
            pl.Series("tick", starts, dtype=pl.Int64), pl.Series("days", days, dtype=pl.Int64)
        )
        .cast(enums)  # type: ignore[arg-type]
        .sort(["tick", *keys, "first"])
        .group_by(["tick", "days", *keys], maintain_order=True)
        .agg(*(_rule(column, how) for column, how in rules.items()))
        .cast(dict.fromkeys(names, pl.String))
    )
    if sparse:
        framed = framed.filter((pl.col("supply") + pl.col("demand") + pl.col("volume")) > 0)
    return framed


def archive_history(
    stored: Mapping[str, pl.DataFrame],
    fresh: Mapping[str, pl.DataFrame],
    partials: Mapping[str, pl.DataFrame],
    *,
    spans: Spans,
    day_cutoff: int,
    month_cutoff: int,
) -> dict[str, pl.DataFrame]:
    """The history to keep: days from `day_cutoff` on, months from `month_cutoff` on, years
    before; from the `stored` tables (as read), the run's `fresh` daily rows (from
    `day_cutoff` on) and its month `partials` (before it: `book_partials`, `role_partials`).

    Returns market_prices and trades (days), market_price_periods (months and years), and
    role_stats, economy_ledger and money_supply (days, months and years, told apart by
    `days`); columns as the tables', ids and counts as Int64."""
    trades = _concat([stored["trades"], fresh["trades"]])
    books = _concat([stored["market_prices"], fresh["market_prices"]])
    per_day = trades.group_by("tick", "market_id", "good").agg(
        pl.len().cast(pl.Int64).alias("trades"),
        (pl.col("qty").cast(pl.Int64) * pl.col("price")).sum().cast(pl.Int64).alias("turnover"),
    )
    old_days = (
        books.filter(pl.col("tick") < day_cutoff)
        .join(per_day, on=["tick", "market_id", "good"], how="left")
        .with_columns(pl.col("trades", "turnover").fill_null(0))
    )
    kept: dict[str, pl.DataFrame] = {
        "market_prices": books.filter(pl.col("tick") >= day_cutoff),
        "trades": trades.filter(pl.col("tick") >= day_cutoff),
        "market_price_periods": _periods(
            stored["market_price_periods"],
            _concat([day_partials(old_days, "market_price_periods"), partials["market_prices"]]),
            table="market_price_periods",
            spans=spans,
            month_cutoff=month_cutoff,
        ),
    }
    for table in _ROLE_TABLES:
        rows = _concat([stored[table], fresh[table]])
        daily = rows.filter(pl.col("days") == 1)
        old = day_partials(daily.filter(pl.col("tick") < day_cutoff), table)
        kept[table] = _concat(
            [
                _periods(
                    rows.filter(pl.col("days") > 1),
                    _concat([old, partials[table]]),
                    table=table,
                    spans=spans,
                    month_cutoff=month_cutoff,
                ),
                daily.filter(pl.col("tick") >= day_cutoff),
            ]
        )
    return kept


def _periods(
    stored: pl.DataFrame,
    partials: pl.DataFrame,
    *,
    table: str,
    spans: Spans,
    month_cutoff: int,
) -> pl.DataFrame:
    """Stored periods plus the months the `partials` make, the months before `month_cutoff`
    rolled into years."""
    sparse = table == "market_price_periods"
    start = spans.month_start(_ints(partials["first"]))
    months = roll_up(
        partials,
        table=table,
        starts=start,
        days=spans.month_days(start),
        sparse=sparse,
    )
    periods = _concat([stored, months])
    is_year = pl.col("days") >= spans.year
    old = periods.filter(~is_year & (pl.col("tick") < month_cutoff))
    year_start = spans.year_start(_ints(old["tick"]))
    years = roll_up(
        period_partials(old),
        table=table,
        starts=year_start,
        days=np.full(year_start.size, spans.year, dtype=np.int64),
        sparse=sparse,
    )
    return _concat(
        [
            periods.filter(is_year),
            years,
            periods.filter(~is_year & (pl.col("tick") >= month_cutoff)),
        ]
    ).sort("tick", *_KEYS[table])


def _ints(series: pl.Series) -> Int:
    return np.asarray(series.to_numpy(), dtype=np.int64)


def _concat(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Frames of the same columns, whatever their integer widths (stored tables read back as
    Int32, the run's rows are Int64), as one."""
    widened = [
        frame.with_columns(pl.col(pl.Int8, pl.Int16, pl.Int32).cast(pl.Int64)) for frame in frames
    ]
    columns = widened[0].columns
    return pl.concat([frame.select(columns) for frame in widened], how="vertical_relaxed")


def _rule(column: str, how: str) -> pl.Expr:
    expr = pl.col(column)
    return {
        "first": expr.first(),
        "last": expr.last(),
        "max": expr.max(),
        "min": expr.min(),
        "sum": expr.sum(),
    }[how]


def _months(ticks: Int, spans: Spans) -> tuple[Int, Int, Int]:
    """For ascending `ticks`: the month starts they fall in, the index of each month's first
    tick, and each tick's month number (0, 1...)."""
    month = spans.month_start(ticks)
    first = np.flatnonzero(np.r_[True, month[1:] != month[:-1]])
    group = np.cumsum(np.r_[True, month[1:] != month[:-1]]) - 1
    return month[first], first, group


def _empty_partials(table: str) -> pl.DataFrame:
    columns: dict[str, pl.DataType] = {"first": pl.Int64(), "last": pl.Int64()}
    if table == "market_price_periods":
        columns |= {"market_id": pl.Int64(), "good": pl.String()}
        columns |= {c: pl.Float64() for c in ("open", "high", "low", "close")}
        columns |= {c: pl.Int64() for c in ("volume", "supply", "demand", "trades", "turnover")}
    elif table == "role_stats":
        columns |= {"role": pl.String(), "profession": pl.String(), "agents": pl.Int64()}
        columns |= {"money": pl.Int64(), "mean_profit": pl.Float64(), "bankruptcies": pl.Int64()}
    elif table == "economy_ledger":
        columns |= {"good": pl.String()} | {c: pl.Int64() for c in LEDGER_PERIOD}
    else:
        columns |= {"market_id": pl.Int64(), "money": pl.Int64()}
    return pl.DataFrame(schema=columns)
