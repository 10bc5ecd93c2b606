"""A living economy: over years of a tiny world, trade keeps up, little spoils, nobody starves
for long, prices stay put and money is conserved every tick."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tests.economies import tiny_world
from worldloom.infrastructure.analytics.economy import HealthTargets, summarize_health
from worldloom.systems.economy import EconomyRun, seed_economy, simulate_economy
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

YEARS = 3


@pytest.fixture(scope="module")
def years() -> tuple[list[EconomyRun], int]:
    rules = catalog.economy_rules()
    places, links = tiny_world()
    state = seed_economy(
        rules,
        places,
        links=links,
        seeds=Seeds(11),
        profession_weights=catalog.profession_weights(),
    )
    money = state.total_money()
    runs = []
    for _ in range(YEARS):
        run = simulate_economy(state, rules, places, links, seeds=Seeds(11), ticks=365)
        runs.append(run)
        state = run.state
    return runs, money


def test_money_is_conserved_every_tick_of_every_year(years: tuple[list[EconomyRun], int]) -> None:
    runs, money = years
    for run in runs:
        assert (run.history.health["money"] == money).all()
        assert run.state.total_money() == money


def test_goods_made_less_goods_destroyed_is_what_is_held(
    years: tuple[list[EconomyRun], int],
) -> None:
    runs, _ = years
    rules = catalog.economy_rules()
    n_goods = len(rules.goods)
    for before, run in zip([None, *runs[:-1]], runs, strict=True):
        if before is None:
            continue
        history = run.history
        made = history.produced.sum(0) - history.consumed.sum(0) - history.spoiled.sum(0)
        held = run.state.total_goods(n_goods) - before.state.total_goods(n_goods)
        np.testing.assert_array_equal(held, made)


def test_years_two_on_meet_the_health_targets(years: tuple[list[EconomyRun], int]) -> None:
    runs, _ = years
    days = pl.concat(
        pl.DataFrame({"tick": run.history.ticks, **run.history.health}) for run in runs
    )
    health = summarize_health(days)
    assert health["year"].to_list() == list(range(1, YEARS + 1))
    assert HealthTargets().misses(health) == []
    assert (health["trade"] > 0.3).all()
    assert (health["velocity"] > 1).all()
