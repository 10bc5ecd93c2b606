"""The economy's saved state and history read back exactly, so `worldloom economy` continues a
world as if it had never stopped; its history keeps days, then months, then years."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import polars as pl

from tests.economies import markets, ring_links, village_rules
from worldloom.infrastructure.store import open_store
from worldloom.systems.economy import EconomyState, seed_economy, simulate_economy
from worldloom.systems.economy.archive import HistoryPolicy
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.economy_tables import archived_rows, state_from_rows, state_rows

WEIGHTS = {"farmer": 4.0, "innkeeper": 2.0, "woodcutter": 1.0, "smith": 1.0, "guard": 1.0}


def _through_the_store(state: EconomyState, folder: Path) -> EconomyState:
    n_markets = state.price.shape[0]
    market_frame = pl.DataFrame(
        {
            "market_id": np.arange(n_markets, dtype=np.int32),
            "tick": np.full(n_markets, state.tick, dtype=np.int32),
            "treasury": state.treasury,
            "bankrupt": state.bankrupt,
        }
    )
    with open_store(folder / "economy.duckdb") as store:
        store.replace_rows("w", state_rows(state))
        agents, books = store.read("economy_agents", "w"), store.read("economy_books", "w")
    return state_from_rows(agents, books, market_frame)


def test_a_stored_state_continues_like_one_run(tmp_path: Path) -> None:
    rules, places, links = village_rules(), markets(3), ring_links(3)
    seeds = Seeds(5)
    start = seed_economy(rules, places, links=links, seeds=seeds, profession_weights=WEIGHTS)
    first = simulate_economy(start, rules, places, links, seeds=seeds, ticks=8).state
    stored = _through_the_store(first, tmp_path)
    for field in fields(EconomyState):
        mine, theirs = getattr(stored, field.name), getattr(first, field.name)
        assert np.asarray(mine).dtype == np.asarray(theirs).dtype, field.name
        np.testing.assert_array_equal(mine, theirs, err_msg=field.name)
    resumed = simulate_economy(stored, rules, places, links, seeds=seeds, ticks=8)
    whole = simulate_economy(start, rules, places, links, seeds=seeds, ticks=16)
    np.testing.assert_array_equal(resumed.history.price, whole.history.price[8:])
    np.testing.assert_array_equal(resumed.state.money, whole.state.money)


HISTORY = HistoryPolicy(window_days=20, month_years=1)
"""A short window and one year of months, so a few hundred days use every resolution."""


def _archived(parts: list[int]) -> dict[str, pl.DataFrame]:
    """The history tables after running the village economy `parts` days at a time."""
    rules, places, links = village_rules(), markets(3), ring_links(3)
    seeds = Seeds(5)
    state = seed_economy(rules, places, links=links, seeds=seeds, profession_weights=WEIGHTS)
    tables: dict[str, pl.DataFrame] = {}
    for ticks in parts:
        run = simulate_economy(state, rules, places, links, seeds=seeds, ticks=ticks)
        tables = archived_rows(
            run, rules, earlier=tables, calendar=catalog.calendar(), policy=HISTORY
        )
        state = run.state
    return tables


def test_history_of_n_plus_m_days_is_the_history_of_n_plus_m_days() -> None:
    whole = _archived([900])
    for parts in ([530, 370], [200, 1, 364, 335]):
        split = _archived(parts)
        assert sorted(split) == sorted(whole)
        for name, frame in whole.items():
            assert split[name].equals(frame), name


def test_days_months_and_years_add_up_to_the_run() -> None:
    rules, places, links = village_rules(), markets(3), ring_links(3)
    seeds = Seeds(5)
    state = seed_economy(rules, places, links=links, seeds=seeds, profession_weights=WEIGHTS)
    run = simulate_economy(state, rules, places, links, seeds=seeds, ticks=900)
    tables = archived_rows(run, rules, earlier={}, calendar=catalog.calendar(), policy=HISTORY)

    days = tables["market_prices"]
    periods = tables["market_price_periods"]
    # Days from the start of the month 20 days back; months for a year before; years before.
    assert days["tick"].min() == 851
    assert days.height == 49 * 3 * len(rules.goods)
    assert set(periods["days"]) <= {30, 31, 365}
    assert periods.filter(pl.col("days") == 365)["tick"].unique().to_list() == [0]
    assert periods["tick"].min() == 0
    assert periods["tick"].max() < 851
    volume = int(periods["volume"].sum() + days["volume"].sum())
    assert volume == int(run.history.volume.sum())
    assert int(periods["trades"].sum()) + tables["trades"].height == run.history.fills["qty"].size
    turnover = int((run.history.fills["qty"] * run.history.fills["price"]).sum())
    recent = tables["trades"].select(pl.col("qty").cast(pl.Int64) * pl.col("price")).sum().item()
    assert int(periods["turnover"].sum()) + recent == turnover
    assert (periods["low"] <= periods["open"]).all()
    assert (periods["open"] <= periods["high"]).all()
    assert (periods["low"] <= periods["close"]).all()
    assert (periods["close"] <= periods["high"]).all()
    assert (periods["supply"] + periods["demand"] + periods["volume"] > 0).all()
    for name, column in (("economy_ledger", "produced"), ("role_stats", "bankruptcies")):
        total = getattr(run.history, "produced" if column == "produced" else "bankruptcies")
        assert int(tables[name][column].sum()) == int(total.sum()), name
    assert tables["economy_health"]["tick"].to_list() == list(range(900))


def test_a_state_saved_before_agents_kept_their_sales_reads_back_with_none_sold(
    tmp_path: Path,
) -> None:
    """A world file migrated to schema 9 holds [] for every agent's sales (the column's
    default): the economy continues as if nothing had been sold yet."""
    rules, places, links = village_rules(), markets(3), ring_links(3)
    state = seed_economy(rules, places, links=links, seeds=Seeds(5), profession_weights=WEIGHTS)
    rows = state_rows(state)
    rows["economy_agents"] = rows["economy_agents"].with_columns(
        pl.lit([], dtype=pl.List(pl.Float64)).alias("sold")
    )
    books = rows["economy_books"]
    market_frame = pl.DataFrame(
        {
            "market_id": np.arange(3, dtype=np.int32),
            "tick": np.zeros(3, dtype=np.int32),
            "treasury": state.treasury,
            "bankrupt": state.bankrupt,
        }
    )
    read = state_from_rows(rows["economy_agents"], books, market_frame)
    assert read.sold.shape == state.qty.shape
    assert not read.sold.any()
