"""Periods roll up from their partials as a sort and group-by of them would, whatever the
partials' order, and stored days roll up the same as a grid or as single days."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.economy.archive import _book_day_partials, _monthly
from worldloom.systems.economy.periods import (
    PERIOD_KEYS,
    PERIOD_RULES,
    Spans,
    day_partials,
    roll_up,
)
from worldloom.tasks import catalog

SPANS = Spans.of(catalog.calendar())
GOODS = ("salt", "ale", "bread", "wool")


def _reference(partials: pl.DataFrame, table: str, starts: np.ndarray) -> pl.DataFrame:
    """The roll-up as one sort and group-by of every partial (the rules' meaning)."""
    rules, keys = PERIOD_RULES[table], PERIOD_KEYS[table]
    aggregate = {"first": "first", "last": "last", "max": "max", "min": "min", "sum": "sum"}
    return (
        partials.with_columns(
            pl.Series("tick", starts, dtype=pl.Int64),
            pl.Series("days", SPANS.month_days(starts), dtype=pl.Int64),
        )
        .sort(["tick", *keys, "first"])
        .group_by(["tick", "days", *keys], maintain_order=True)
        .agg(*(getattr(pl.col(c), aggregate[how])() for c, how in rules.items()))
    )


@st.composite
def book_days(draw: st.DrawFn) -> pl.DataFrame:
    """Book days (some books on some days), shuffled."""
    n = draw(st.integers(0, 60))
    ticks = draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))
    markets = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    goods = draw(st.lists(st.sampled_from(GOODS), min_size=n, max_size=n))
    frame = pl.DataFrame(
        {"tick": ticks, "market_id": markets, "good": goods}, schema_overrides={"good": pl.String}
    ).unique(["tick", "market_id", "good"], maintain_order=True)
    m = frame.height
    values = st.lists(st.integers(0, 50), min_size=m, max_size=m)
    return frame.with_columns(
        pl.Series("price", [float(v) for v in draw(values)], dtype=pl.Float64),
        *(pl.Series(c, draw(values), dtype=pl.Int64) for c in ("volume", "supply", "demand")),
        *(pl.Series(c, draw(values), dtype=pl.Int64) for c in ("trades", "turnover")),
    )


@settings(max_examples=60, deadline=None)
@given(book_days(), st.booleans())
def test_books_roll_up_as_a_sort_and_group_by(days: pl.DataFrame, sparse: bool) -> None:
    partials = day_partials(days, "market_price_periods")
    starts = SPANS.month_start(partials["first"].to_numpy().astype(np.int64))
    months = roll_up(
        partials,
        table="market_price_periods",
        starts=starts,
        days=SPANS.month_days(starts),
        sparse=sparse,
    )
    expected = _reference(partials, "market_price_periods", starts)
    if sparse:
        expected = expected.filter((pl.col("supply") + pl.col("demand") + pl.col("volume")) > 0)
    assert months.equals(expected)
    assert months.columns[:4] == ["tick", "days", "market_id", "good"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 800), st.sampled_from(GOODS)), unique=True))
def test_a_ledger_rolls_up_as_a_sort_and_group_by(days: list[tuple[int, str]]) -> None:
    partials = pl.DataFrame(
        {
            "first": [t for t, _ in days],
            "last": [t for t, _ in days],
            "good": [g for _, g in days],
            **{c: [t * 3 % 7 for t, _ in days] for c in ("produced", "consumed", "spoiled")},
        },
        schema_overrides={"first": pl.Int64, "last": pl.Int64, "good": pl.String},
    )
    starts = SPANS.month_start(partials["first"].to_numpy().astype(np.int64))
    months = roll_up(
        partials, table="economy_ledger", starts=starts, days=SPANS.month_days(starts), sparse=False
    )
    assert months.equals(_reference(partials, "economy_ledger", starts))


def _grid(ticks: range, markets: int) -> pl.DataFrame:
    n = len(ticks) * markets * len(GOODS)
    rng = np.random.default_rng(3)
    return pl.DataFrame(
        {
            "tick": np.repeat(np.array(ticks), markets * len(GOODS)),
            "market_id": np.tile(np.repeat(np.arange(markets), len(GOODS)), len(ticks)),
            "good": list(GOODS) * (len(ticks) * markets),
            "price": rng.integers(1, 90, n).astype(np.float64),
            **{c: rng.integers(0, 4, n) for c in ("supply", "demand", "volume")},
        }
    ).sample(fraction=1.0, shuffle=True, seed=4)


def _months_of(partials: pl.DataFrame) -> pl.DataFrame:
    starts = SPANS.month_start(partials["first"].to_numpy().astype(np.int64))
    return roll_up(
        partials,
        table="market_price_periods",
        starts=starts,
        days=SPANS.month_days(starts),
        sparse=True,
    )


def test_stored_days_roll_up_alike_as_a_grid_or_one_by_one() -> None:
    days = _grid(range(20, 95), 3)
    one_by_one = day_partials(
        days.with_columns(pl.lit(0).alias("trades"), pl.lit(0).alias("turnover")),
        "market_price_periods",
    )
    as_grid = _book_day_partials(days, SPANS)
    months = np.unique(SPANS.month_start(np.arange(20, 95, dtype=np.int64))).size
    assert as_grid.height == months * 3 * len(GOODS)  # one row per month touched and book
    assert _months_of(as_grid).equals(_months_of(one_by_one.cast(as_grid.schema)))
    in_order = _book_day_partials(days.sort("tick", "market_id", "good"), SPANS)
    assert in_order.equals(as_grid)  # stored in its cells' order: no scatter, the same grid
    gappy = days.filter(~((pl.col("tick") == 50) & (pl.col("good") == "ale")))
    assert _book_day_partials(gappy, SPANS).height == gappy.height  # not a grid: day by day
    assert _book_day_partials(days.head(0), SPANS).height == 0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(1, 31), min_size=1, max_size=12),
    st.integers(1, 5),
    st.integers(0, 2**31 - 1),
)
def test_months_reduce_as_reduceat_does(lengths: list[int], books: int, seed: int) -> None:
    # `_monthly` reduces each month's block of days where reduceat walked down the rows.
    rng = np.random.default_rng(seed)
    first = np.cumsum([0, *lengths[:-1]])
    volume = rng.integers(0, 2**31 - 1, (sum(lengths), books), dtype=np.int32)
    price = rng.normal(50.0, 20.0, (sum(lengths), books)).astype(np.float32)
    summed = _monthly(np.add, volume, first, dtype=np.int64)
    assert summed.dtype == np.int64
    assert np.array_equal(summed, np.add.reduceat(volume, first, dtype=np.int64))
    for ufunc in (np.maximum, np.minimum):
        assert np.array_equal(_monthly(ufunc, price, first), ufunc.reduceat(price, first))
