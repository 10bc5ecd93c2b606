"""A market's agents follow its people: newcomers and the retired change hands, never money or
goods, and the economy runs on after."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.economies import markets, ring_links, village_rules
from worldloom.systems.economy import seed_economy, simulate_economy
from worldloom.systems.economy.census import resize_markets
from worldloom.systems.rng import Seeds

WEIGHTS = {"farmer": 4.0, "innkeeper": 2.0, "woodcutter": 1.0, "smith": 1.0, "guard": 1.0}


def _run(seed: int, ticks: int = 30):  # type: ignore[no-untyped-def]
    rules, places, links = village_rules(), markets(3), ring_links(3)
    state = seed_economy(rules, places, links=links, seeds=Seeds(seed), profession_weights=WEIGHTS)
    run = simulate_economy(state, rules, places, links, seeds=Seeds(seed), ticks=ticks)
    return rules, places, links, run.state


@given(
    seed=st.integers(0, 3),
    change=st.lists(st.integers(-12, 12), min_size=3, max_size=3),
    start=st.integers(0, 900),
)
@settings(max_examples=25, deadline=None)
def test_money_and_goods_only_change_hands(seed: int, change: list[int], start: int) -> None:
    rules, places, _, state = _run(seed)
    counts = places.agents
    target = np.maximum(counts + np.array(change), 1)
    census = resize_markets(state, counts=counts, target=target, start_money=start)
    after = census.state
    n_goods = len(rules.goods)
    assert after.total_money() == state.total_money()
    assert np.array_equal(after.total_goods(n_goods), state.total_goods(n_goods))
    assert after.market.size == int(census.agents.sum())
    for m in range(counts.size):
        assert int((after.market == m).sum()) >= 1
        # Towards the target, never past it.
        lo, hi = sorted((int(counts[m]), int(target[m])))
        assert lo <= int(census.agents[m]) <= hi
    grown = census.agents > counts
    assert np.array_equal(census.agents[grown], target[grown])
    # Per-agent arrays stay one row per agent.
    assert after.good.shape == (after.market.size, state.good.shape[1])
    assert after.hunger.size == after.market.size


def test_a_market_that_halves_loses_agents_and_its_heirs_keep_their_purses() -> None:
    _, places, _, state = _run(1)
    counts = places.agents
    target = counts.copy()
    target[0] = counts[0] // 2
    census = resize_markets(state, counts=counts, target=target, start_money=400)
    assert census.agents[0] == target[0]
    assert (census.state.market == 0).sum() < (state.market == 0).sum()
    money_at = lambda s: int(s.money[s.market == 0].sum())  # noqa: E731
    assert money_at(census.state) == money_at(state)
    assert np.array_equal(census.state.treasury, state.treasury)


def test_newcomers_take_a_trade_with_empty_hands_and_money_from_the_treasury() -> None:
    _, places, _, state = _run(2)
    counts = places.agents
    target = counts + np.array([3, 0, 0])
    census = resize_markets(state, counts=counts, target=target, start_money=400)
    after = census.state
    new = np.arange(after.market.size) >= state.market.size
    assert new.sum() == 3
    assert (after.market[new] == 0).all()
    assert (after.qty[new] == 0).all()
    assert (after.hunger[new] == 0).all()
    paid = np.minimum(400, state.treasury[0])
    assert after.money[new][0] == paid
    assert after.treasury[0] == state.treasury[0] - after.money[new].sum()
    poor = replace(state, treasury=np.zeros_like(state.treasury))
    broke = resize_markets(poor, counts=counts, target=target, start_money=400)
    assert (broke.state.money[new] == 0).all()


def test_the_economy_runs_on_after_a_census() -> None:
    rules, places, links, state = _run(3)
    counts = places.agents
    target = counts + np.array([4, -5, 0])
    census = resize_markets(state, counts=counts, target=target, start_money=400)
    resized = replace(places, agents=census.agents)
    run = simulate_economy(census.state, rules, resized, links, seeds=Seeds(3), ticks=20)
    assert run.state.total_money() == state.total_money()
    assert np.isfinite(run.history.price).all()


@pytest.mark.parametrize("target", [0, 1])
def test_a_market_keeps_at_least_one_agent(target: int) -> None:
    _, places, _, state = _run(0)
    counts = places.agents
    wanted = counts.copy()
    wanted[1] = target
    census = resize_markets(state, counts=counts, target=wanted, start_money=400)
    assert (census.state.market == 1).sum() >= 1


def test_an_agent_whose_goods_find_no_room_is_not_retired() -> None:
    _, places, _, state = _run(0)
    counts = places.agents
    here = np.flatnonzero(state.market == 0)
    good, qty = state.good.copy(), state.qty.copy()
    good[here] = np.where(good[here] < 0, 0, good[here])  # no spare slot left anywhere
    odd = int(good.max()) + 1  # a good no one else holds, in the latest agent's hands
    good[here[-1], 0], qty[here[-1], 0] = odd, 5
    full = replace(state, good=good, qty=qty)
    target = counts.copy()
    target[0] = counts[0] - 1
    census = resize_markets(full, counts=counts, target=target, start_money=400)
    assert odd in census.state.good[census.state.market == 0]
    assert census.agents[0] == counts[0] - 1  # someone else retired instead
    assert census.state.total_money() == full.total_money()
