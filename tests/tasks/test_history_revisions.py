"""The economy's history revised in place (only the rows a run rolls up or drops read back,
only what changes written) holds exactly the tables the whole history rewritten would."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.economies import markets, ring_links, village_rules
from tests.tasks.test_economy_tables import HISTORY, WEIGHTS
from worldloom.infrastructure.store import open_store
from worldloom.systems.economy import seed_economy, simulate_economy
from worldloom.systems.economy.archive import Spans
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.economy_tables import (
    HISTORY_TABLES,
    archived_changes,
    archived_rows,
    read_rolling,
)


def _lived(parts: list[int], path: Path, *, revised: bool) -> dict[str, pl.DataFrame]:
    """The stored history tables after the village economy ran `parts` days at a time, each
    run's history written whole (as the economy stage does) or revised (as simulate does)."""
    rules, places, links = village_rules(), markets(3), ring_links(3)
    seeds, calendar = Seeds(5), catalog.calendar()
    state = seed_economy(rules, places, links=links, seeds=seeds, profession_weights=WEIGHTS)
    with open_store(path) as store:
        for ticks in parts:
            run = simulate_economy(state, rules, places, links, seeds=seeds, ticks=ticks)
            if revised:
                rolling = read_rolling(
                    store, "w", next_tick=run.state.tick, calendar=calendar, policy=HISTORY
                )
                changes = archived_changes(
                    run, rules, rolling=rolling, calendar=calendar, policy=HISTORY
                )
                store.replace_rows("w", {}, revise=changes)
            else:
                earlier = {name: store.read(name, "w") for name in HISTORY_TABLES}
                whole = archived_rows(
                    run, rules, earlier=earlier, calendar=calendar, policy=HISTORY
                )
                store.replace_rows("w", whole)
            state = run.state
        return {name: store.read(name, "w") for name in HISTORY_TABLES}


@pytest.mark.parametrize("parts", [[900], [530, 370], [200, 1, 364, 335], [20, 20, 400, 460]])
def test_history_revised_in_place_is_the_history_written_whole(
    parts: list[int], tmp_path: Path
) -> None:
    whole = _lived([900], tmp_path / "whole.duckdb", revised=False)
    revised = _lived(parts, tmp_path / "revised.duckdb", revised=True)
    # Days, months and years are all there to compare.
    assert set(whole["market_price_periods"]["days"]) >= {30, 365}
    assert whole["market_prices"].height > 0
    for name, frame in whole.items():
        assert revised[name].equals(frame), name


def test_a_run_reads_back_only_the_history_it_rolls_up(tmp_path: Path) -> None:
    """Days before the day cutoff, months before the month cutoff; years and the recent
    window are never read again."""
    _lived([900], tmp_path / "w.duckdb", revised=True)
    with open_store(tmp_path / "w.duckdb") as store:
        stored = {name: store.read(name, "w") for name in HISTORY_TABLES}
        rolling = read_rolling(
            store, "w", next_tick=1265, calendar=catalog.calendar(), policy=HISTORY
        )
    day_cutoff, month_cutoff = Spans.of(catalog.calendar()).cutoffs(1265, HISTORY)
    assert 365 < month_cutoff < day_cutoff <= 1245
    assert set(rolling) == {
        "market_prices",
        "trades",
        "market_price_periods",
        "role_stats",
        "economy_ledger",
        "money_supply",
    }
    assert rolling["market_prices"].equals(
        stored["market_prices"].filter(pl.col("tick") < day_cutoff)
    )
    periods = rolling["market_price_periods"]
    assert periods.height > 0
    assert (periods["tick"] < month_cutoff).all()
    assert (periods["days"] < 365).all()
    for name in ("role_stats", "money_supply"):
        rows = rolling[name]
        daily = rows.filter(pl.col("days") == 1)
        assert (daily["tick"] < day_cutoff).all(), name
        assert daily.height > 0, name
        months = rows.filter(pl.col("days") > 1)
        assert (months["tick"] < month_cutoff).all(), name
        assert (months["days"] < 365).all(), name
