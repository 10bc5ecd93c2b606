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
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from worldloom.systems.economy.periods import (
    LEDGER_PERIOD,
    PERIOD_KEYS,
    HistoryPolicy,
    Spans,
    day_partials,
    period_partials,
    roll_up,
)
from worldloom.systems.economy.state import EconomyHistory

__all__ = [
    "HistoryPolicy",
    "Spans",
    "archive_history",
    "book_partials",
    "role_partials",
]

Int = npt.NDArray[np.int64]
_ROLE_TABLES = ("role_stats", "economy_ledger", "money_supply")


def book_partials(
    history: EconomyHistory, spans: Spans, *, before: int, goods: Sequence[str]
) -> pl.DataFrame:
    """The run's days before tick `before`, rolled up per calendar month and book: one row per
    month, market and good (`first` and `last` ticks, then `BOOK_PERIOD`'s columns)."""
    keep = _days_before(history, before)
    if keep.stop == 0:
        return _empty_partials("market_price_periods")
    ticks = history.ticks[keep]
    n_markets, n_goods = history.price.shape[1:]
    starts, first, group = _months(ticks, spans)
    flat = (ticks.size, n_markets * n_goods)
    price = history.price[keep].reshape(flat)
    sums = {
        name: _monthly(np.add, getattr(history, name)[keep].reshape(flat), first, dtype=np.int64)
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
            "high": _monthly(np.maximum, price, first).ravel().astype(np.float64),
            "low": _monthly(np.minimum, price, first).ravel().astype(np.float64),
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
    keep = _days_before(history, before)
    if keep.stop == 0:
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
    # A stored day's trades are counted by month, after its days roll up: the same sums,
    # without joining every stored day to its trades.
    old_days = _book_day_partials(books.filter(pl.col("tick") < day_cutoff), spans)
    kept: dict[str, pl.DataFrame] = {
        "market_prices": books.filter(pl.col("tick") >= day_cutoff),
        "trades": trades.filter(pl.col("tick") >= day_cutoff),
        "market_price_periods": _periods(
            stored["market_price_periods"],
            _concat([old_days, partials["market_prices"]]),
            table="market_price_periods",
            spans=spans,
            month_cutoff=month_cutoff,
            traded=_monthly_trades(trades.filter(pl.col("tick") < day_cutoff), spans),
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
    traded: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Stored periods plus the months the `partials` make (with the trades `traded` counts
    for their books: `_monthly_trades`), the months before `month_cutoff` rolled into
    years."""
    sparse = table == "market_price_periods"
    start = spans.month_start(_ints(partials["first"]))
    months = roll_up(
        partials,
        table=table,
        starts=start,
        days=spans.month_days(start),
        sparse=sparse,
    )
    if traded is not None:
        books = ["tick", *PERIOD_KEYS[table]]
        months = months.join(traded, on=books, how="left", suffix="_traded").select(
            *(
                pl.col(c) + pl.col(f"{c}_traded").fill_null(0) if c in ("trades", "turnover") else c
                for c in months.columns
            )
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
    ).sort("tick", *PERIOD_KEYS[table])


def _book_day_partials(days: pl.DataFrame, spans: Spans) -> pl.DataFrame:
    """Stored book days as partials of their months, their trades left at 0 (added by month:
    `_monthly_trades`): one partial per month and book when the days hold every book on every
    day from their first to their last (as a run stores them), else one per day."""
    days = days.with_columns(
        pl.lit(0, pl.Int64).alias("trades"), pl.lit(0, pl.Int64).alias("turnover")
    )
    if days.is_empty():
        return day_partials(days, "market_price_periods")
    names = sorted(days["good"].unique().to_list())
    axes = [_ints(days["tick"]), _ints(days["market_id"])]
    axes.append(_ints(days["good"].cast(pl.Enum(names)).to_physical()))
    lows = [int(axis.min()) for axis in axes]
    shape = [int(axis.max()) - low + 1 for axis, low in zip(axes, lows, strict=True)]
    cell = ((axes[0] - lows[0]) * shape[1] + axes[1] - lows[1]) * shape[2] + axes[2]
    if days.height != np.prod(shape):
        return day_partials(days, "market_price_periods")
    # Days read back as a run stored them are in their cells' order: each one once, and each
    # column already the grid (no scatter of a million values per column).
    in_order = bool(np.array_equal(cell, np.arange(cell.size)))
    if not in_order and (np.bincount(cell) != 1).any():
        return day_partials(days, "market_price_periods")
    ticks = np.arange(lows[0], lows[0] + shape[0], dtype=np.int64)
    starts, first, _ = _months(ticks, spans)
    last = np.r_[first[1:], ticks.size] - 1
    books = shape[1] * shape[2]

    def grid(column: str) -> npt.NDArray[np.generic]:
        values = days[column].to_numpy()
        if in_order:
            return values.reshape(shape[0], books)
        placed = np.empty(cell.size, dtype=values.dtype)
        placed[cell] = values
        return placed.reshape(shape[0], books)

    price = grid("price")
    n = starts.size
    return pl.DataFrame(
        {
            "first": np.repeat(ticks[first], books),
            "last": np.repeat(ticks[last], books),
            "market_id": np.tile(np.repeat(np.arange(shape[1]) + lows[1], shape[2]), n),
            "good": pl.Series(names, dtype=pl.String).gather(
                np.tile(np.arange(shape[2]), n * shape[1])
            ),
            "open": price[first].ravel(),
            "high": _monthly(np.maximum, price, first).ravel(),
            "low": _monthly(np.minimum, price, first).ravel(),
            "close": price[last].ravel(),
            **{
                name: _monthly(np.add, grid(name).astype(np.int64), first).ravel()
                for name in ("volume", "supply", "demand")
            },
            "trades": np.zeros(n * books, dtype=np.int64),
            "turnover": np.zeros(n * books, dtype=np.int64),
        },
        schema_overrides={
            "open": days.schema["price"],
            "high": days.schema["price"],
            "low": days.schema["price"],
            "close": days.schema["price"],
        },
    )


def _monthly_trades(trades: pl.DataFrame, spans: Spans) -> pl.DataFrame:
    """Per month (`tick`, its first day), market and good: the `trades` and the copper paid
    (`turnover`)."""
    month = spans.month_start(_ints(trades["tick"]))
    return (
        trades.with_columns(pl.Series("tick", month, dtype=pl.Int64))
        .group_by("tick", "market_id", "good")
        .agg(
            pl.len().cast(pl.Int64).alias("trades"),
            (pl.col("qty").cast(pl.Int64) * pl.col("price")).sum().cast(pl.Int64).alias("turnover"),
        )
    )


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


def _days_before(history: EconomyHistory, before: int) -> slice:
    """The run's days before tick `before` (its ticks ascend, so they come first)."""
    return slice(0, int(np.searchsorted(history.ticks, before)))


def _monthly(
    ufunc: np.ufunc, days: npt.NDArray[Any], first: Int, dtype: type | None = None
) -> npt.NDArray[Any]:
    """`ufunc.reduceat(days, first, dtype=dtype)`: `days` (a row a day, a column a book)
    reduced over each month (its first row in `first`, ascending). Reducing each month's
    rows as one block is several times faster than reduceat down the rows of so wide an
    array, and adds (or compares) the rows in the same order."""
    ends = np.r_[first[1:], len(days)].tolist()
    return np.stack(
        [
            ufunc.reduce(days[start:end], axis=0, dtype=dtype)
            for start, end in zip(first.tolist(), ends, strict=True)
        ]
    )


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
