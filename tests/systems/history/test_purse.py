"""War's money: upkeep and tribute move copper between markets' purses, never make or lose it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.history.test_year import _rooms, _years
from worldloom.systems.history.purse import Transfer, move_money, share_out, war_transfers
from worldloom.systems.history.year import RolledYear


@pytest.fixture(scope="module")
def decade() -> list[RolledYear]:
    return _years(3, 10)


@pytest.mark.parametrize(
    ("amount", "weights", "cap", "parts"),
    [
        (10, [1.0, 1.0], None, [5, 5]),
        (7, [1.0, 1.0], None, [4, 3]),  # the remainder to the lower index
        (10, [3.0, 1.0, 0.0], None, [8, 2, 0]),
        (10, [1.0, 1.0], [2, 100], [2, 8]),  # a capped part's share goes to the others
        (10, [1.0, 1.0], [2, 3], [2, 3]),  # never more than may be taken
        (5, [0.0, 0.0], None, [0, 0]),
    ],
)
def test_shares_are_whole_coppers_by_largest_remainders(
    amount: int, weights: list[float], cap: list[int] | None, parts: list[int]
) -> None:
    limit = None if cap is None else np.array(cap, dtype=np.int64)
    assert share_out(amount, np.array(weights), cap=limit).tolist() == parts


@st.composite
def economies(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Transfer]]:  # type: ignore[type-arg]
    markets = draw(st.integers(1, 5))
    treasury = np.array(draw(st.lists(st.integers(0, 5_000), min_size=markets,
                                      max_size=markets)), dtype=np.int64)  # fmt: skip
    agents = draw(st.integers(0, 12))
    market = np.array(draw(st.lists(st.integers(-1, markets - 1), min_size=agents,
                                    max_size=agents)), dtype=np.int64)  # fmt: skip
    money = np.array(draw(st.lists(st.integers(0, 900), min_size=agents, max_size=agents)),
                     dtype=np.int64)  # fmt: skip
    weights = st.lists(st.sampled_from([0.0, 1.0, 2.5]), min_size=markets, max_size=markets)
    transfers = [
        Transfer(
            "bill",
            draw(st.integers(0, 20_000)),
            np.array(draw(weights)),
            np.array(draw(weights)),
            households=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    return treasury, money, market, transfers


@given(economy=economies())
@settings(max_examples=80, deadline=None)
def test_money_only_moves(
    economy: tuple[np.ndarray, np.ndarray, np.ndarray, list[Transfer]],  # type: ignore[type-arg]
) -> None:
    treasury, money, market, transfers = economy
    before = (treasury.copy(), money.copy())
    purses = move_money(treasury, money, market, transfers=transfers)
    assert purses.treasury.sum() + purses.money.sum() == treasury.sum() + money.sum()
    assert (purses.treasury >= 0).all()
    assert (purses.money >= money).all()  # households only ever receive
    assert np.array_equal(treasury, before[0])
    assert np.array_equal(money, before[1])
    assert all(0 <= moved <= t.copper for moved, t in zip(purses.moved, transfers, strict=True))
    # Agents on the road are paid nothing.
    assert np.array_equal(purses.money[market < 0], money[market < 0])


def test_tribute_goes_from_the_payer_s_treasuries_to_the_payee_s() -> None:
    treasury = np.array([600, 200, 0], dtype=np.int64)
    bills = war_transfers(
        upkeep={},
        tributes=[(1, 2, 1_000.0)],
        market_realm=np.array([1, 1, 2]),
        settlement_market=np.array([0, 1, 2]),
        scale={1: 0.5},
    )
    purses = move_money(treasury, np.zeros(0, np.int64), np.zeros(0, np.int64), transfers=bills)
    assert purses.treasury.tolist() == [225, 75, 500]  # 500 due, taken 3:1
    assert purses.moved == (500,)
    # A payer with empty treasuries pays nothing; a payee with no market is paid nothing.
    broke = move_money(np.zeros(3, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                       transfers=bills)  # fmt: skip
    assert broke.moved == (0,)
    lost = war_transfers(upkeep={}, tributes=[(1, 7, 10.0)], market_realm=np.array([1, 1, 2]),
                         settlement_market=np.array([0, 1, 2]), scale={1: 1.0})  # fmt: skip
    kept = move_money(treasury, np.zeros(0, np.int64), np.zeros(0, np.int64), transfers=lost)
    assert kept.treasury.tolist() == treasury.tolist()


def test_upkeep_is_wages_in_the_soldiers_home_markets() -> None:
    bills = war_transfers(
        upkeep={1: {0: 300.0, 2: 100.0, 3: 50.0}},
        tributes=[],
        market_realm=np.array([1, 1, 2]),
        settlement_market=np.array([0, 1, 2, -1]),
        scale={1: 0.5},
    )
    (bill,) = bills
    assert (bill.copper, bill.households) == (225, True)
    assert bill.source.tolist() == [1.0, 1.0, 0.0]
    assert bill.sink.tolist() == [300.0, 0.0, 100.0]
    market = np.array([0, 0, 2, -1])
    purses = move_money(np.array([1_000, 0, 0], dtype=np.int64), np.zeros(4, np.int64), market,
                        transfers=bills)  # fmt: skip
    assert purses.money.tolist() == [85, 84, 56, 0]
    assert purses.treasury.tolist() == [775, 0, 0]


def test_a_decade_of_wars_pays_its_armies_and_tributes_and_conserves_money(
    decade: list[RolledYear],
) -> None:
    rooms, _ = _rooms(3)
    inputs = rooms.war_inputs
    settlements = inputs.settlement_ids.size
    # One market per settlement (in the war room's settlement order), four agents each.
    market_of = np.full(int(inputs.settlement_ids.max()) + 1, -1, dtype=np.int64)
    market_of[inputs.settlement_ids] = np.arange(settlements)
    agent_market = np.repeat(np.arange(settlements, dtype=np.int64), 4)
    treasury = np.full(settlements, 5_000, dtype=np.int64)
    money = np.full(agent_market.size, 300, dtype=np.int64)
    total = int(treasury.sum() + money.sum())
    moved = {"upkeep": 0, "tribute": 0}
    for rolled in decade:
        holder = rolled.war_state.settlement_owner
        paid = [(h.actors["faction_id"], h.actors["other_faction_id"], h.payload["copper"])
                for h in rolled.happenings if h.kind == "tribute_paid"]  # fmt: skip
        assert [(a, b, c) for a, b, c in rolled.tributes] == paid
        assert set(rolled.upkeep) <= rolled.at_war_realms
        bills = war_transfers(
            upkeep=rolled.upkeep, tributes=rolled.tributes, market_realm=holder,
            settlement_market=market_of, scale={int(f): 0.01 for f in inputs.faction_ids},
        )  # fmt: skip
        purses = move_money(treasury, money, agent_market, transfers=bills)
        for bill, copper in zip(bills, purses.moved, strict=True):
            moved[bill.kind] += copper
        treasury, money = purses.treasury, purses.money
        assert int(treasury.sum() + money.sum()) == total
    assert moved["upkeep"] > 0
    assert moved["tribute"] > 0
