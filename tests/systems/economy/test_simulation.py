"""The agent economy: conservation, sane prices, equilibrium, shortages, trade, determinism."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.economies import markets, one_good_rules, ring_links, village_rules
from worldloom.systems.economy import EconomyRun, TradeLinks, Tuning, seed_economy, simulate_economy
from worldloom.systems.rng import Seeds

WEIGHTS = {"farmer": 4.0, "innkeeper": 2.0, "woodcutter": 1.0, "smith": 1.0, "guard": 1.0}


def _village_run(seed: int, ticks: int = 60) -> tuple[EconomyRun, int, np.ndarray]:
    rules, places, links = village_rules(), markets(3), ring_links(3)
    state = seed_economy(rules, places, links=links, seeds=Seeds(seed), profession_weights=WEIGHTS)
    run = simulate_economy(state, rules, places, links, seeds=Seeds(seed), ticks=ticks)
    return run, state.total_money(), state.total_goods(len(rules.goods))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_money_and_goods_are_conserved(seed: int) -> None:
    run, money, goods = _village_run(seed)
    history = run.history
    assert run.state.total_money() == money
    made = history.produced.sum(axis=0) - history.consumed.sum(axis=0) - history.spoiled.sum(axis=0)
    assert (run.state.total_goods(goods.size) - goods == made).all()
    assert history.fills["qty"].size > 0


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_no_price_is_ever_zero_negative_or_nan(seed: int) -> None:
    run, _, _ = _village_run(seed)
    prices = run.history.price
    assert np.isfinite(prices).all()
    assert prices.min() >= 1.0
    assert (run.history.fills["price"] >= 1).all()
    assert (run.state.low >= 1.0).all()
    assert (run.state.high > run.state.low).all()


def test_same_seed_same_history_and_split_runs_equal_one_run() -> None:
    first, _, _ = _village_run(7, ticks=40)
    second, _, _ = _village_run(7, ticks=40)
    assert np.array_equal(first.history.price, second.history.price)
    assert np.array_equal(first.history.fills["qty"], second.history.fills["qty"])
    rules, places, links = village_rules(), markets(3), ring_links(3)
    state = seed_economy(rules, places, links=links, seeds=Seeds(7), profession_weights=WEIGHTS)
    half = simulate_economy(state, rules, places, links, seeds=Seeds(7), ticks=20)
    rest = simulate_economy(half.state, rules, places, links, seeds=Seeds(7), ticks=20)
    assert np.array_equal(rest.history.price, first.history.price[20:])
    assert np.array_equal(rest.state.money, first.state.money)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_one_good_market_converges_to_the_marginal_cost(seed: int) -> None:
    """20 farmers (capacity 4 a day, 1 eaten) feed 10 rich guards: supply is ample, so the
    competitive price is the cost of the marginal farmer needed; within 15 % by day 120.
    Nobody changes trade and nobody spends on comforts (grain would be the comfort here)."""
    rules = one_good_rules(Tuning(start_money=100_000, spend_share=0.0, idle_days=10_000))
    place = markets(1, agents=30, resources=frozenset({"grain"}))
    none = TradeLinks.none()
    state = seed_economy(
        rules, place, links=none, seeds=Seeds(seed), profession_weights={"farmer": 1.0}
    )
    role = np.where(np.arange(30) < 20, 0, rules.guard)
    state = replace(state, role=role)
    run = simulate_economy(state, rules, place, none, seeds=Seeds(seed), ticks=150)
    costs = np.sort(40 * state.cost_scale[:20] / 4)
    marginal = costs[int(np.ceil(10 / 3)) - 1]
    settled = run.history.price[-30:, 0, 0].mean()
    assert abs(settled - marginal) / marginal < 0.15
    assert run.history.volume[-30:, 0, 0].mean() >= 8


def test_removing_producers_raises_the_price() -> None:
    rules, place, none = village_rules(), markets(1, agents=30), TradeLinks.none()
    state = seed_economy(rules, place, links=none, seeds=Seeds(3), profession_weights=WEIGHTS)
    warm = simulate_economy(state, rules, place, none, seeds=Seeds(3), ticks=40).state
    farmers = warm.role == rules.roles.index("farm_grain")
    assert farmers.sum() >= 4
    without = replace(warm.copy(), role=np.where(farmers, rules.guard, warm.role))
    grain = rules.goods.index("grain")
    control = simulate_economy(warm, rules, place, none, seeds=Seeds(3), ticks=15)
    shortage = simulate_economy(without, rules, place, none, seeds=Seeds(3), ticks=15)
    assert shortage.history.price[5:, 0, grain].mean() > control.history.price[5:, 0, grain].mean()


def test_trade_narrows_the_price_gap_between_connected_markets() -> None:
    """Market 0 grows grain, market 1 cannot: caravans carry it over and close the gap."""
    rules = village_rules()
    grain = rules.goods.index("grain")
    place = replace(
        markets(2, agents=30),
        resources=(frozenset({"grain", "timber"}), frozenset({"timber"})),
    )
    gaps = {}
    for linked in (False, True):
        links = ring_links(2, days=1) if linked else TradeLinks.none()
        state = seed_economy(
            rules,
            place,
            links=links,
            seeds=Seeds(5),
            profession_weights={**WEIGHTS, "merchant": 2.0},
        )
        run = simulate_economy(state, rules, place, links, seeds=Seeds(5), ticks=80)
        prices = run.history.price[-30:, :, grain]
        gaps[linked] = float(np.abs(prices[:, 0] - prices[:, 1]).mean())
        if linked:
            assert run.history.caravans["qty"].size > 0
    assert gaps[True] < gaps[False]
