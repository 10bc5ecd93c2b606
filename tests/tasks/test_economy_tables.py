"""The economy's saved state reads back exactly, so `worldloom economy` continues a world as if
it had never stopped."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import polars as pl

from tests.economies import markets, ring_links, village_rules
from worldloom.infrastructure.store import open_store
from worldloom.systems.economy import EconomyState, seed_economy, simulate_economy
from worldloom.systems.rng import Seeds
from worldloom.tasks.economy_tables import state_from_rows, state_rows

WEIGHTS = {"farmer": 4.0, "innkeeper": 2.0, "woodcutter": 1.0, "smith": 1.0, "guard": 1.0}


def _through_the_store(state: EconomyState, folder: Path) -> EconomyState:
    n_markets = state.price.shape[0]
    market_frame = pl.DataFrame(
        {
            "market_id": np.arange(n_markets, dtype=np.int32),
            "tick": np.full(n_markets, state.tick, dtype=np.int32),
            "treasury": state.treasury,
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
