"""Dear food weighs on a settlement's people: fewer babies, more dead, still every person
accounted for."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.history.test_composer import _chronicle, _world
from worldloom.systems.history import Cohorts, Conditions, HistoryRules, advance_cohorts
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

PROFESSIONS = ("child", "farmer", "laborer")


def _town(count: int) -> Cohorts:
    rows = [(0, band, sex, 0, 0, 1 if band else 0) for band in range(5) for sex in (0, 1)]
    columns = [np.array(c, dtype=np.int64) for c in zip(*rows, strict=True)]
    return Cohorts(*columns, np.full(len(rows), count, dtype=np.int64), PROFESSIONS)


@pytest.mark.parametrize(
    ("index", "dearth"),
    [(0.5, 0.0), (1.0, 0.0), (1.25, 0.0), (2.25, 0.5), (3.25, 1.0), (40.0, 1.0)],
)
def test_dearth_is_food_above_what_people_live_on_over_the_span(
    index: float, dearth: float
) -> None:
    rules = catalog.history_rules()
    assert rules.modifiers["dearth_floor"] == 1.25
    assert rules.modifiers["dearth_span"] == 2.0
    assert rules.dearth_of(np.array([index]))[0] == pytest.approx(dearth)


@given(index=st.lists(st.floats(0, 10), min_size=2, max_size=2), seed=st.integers(0, 2**16))
@settings(max_examples=25, deadline=None)
def test_a_dearer_town_loses_more_and_bears_fewer_and_the_books_balance(
    index: list[float], seed: int
) -> None:
    cheap, dear = sorted(index)
    rules = catalog.history_rules()
    years = []
    for food in (cheap, dear):
        conditions = Conditions(
            np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1, np.int64),
            dearth=rules.dearth_of(np.array([food])),
        )  # fmt: skip
        year = advance_cohorts(
            _town(20_000),
            conditions=conditions,
            neighbours=((),),
            rules=rules,
            seeds=Seeds(seed),
            year=3,
        )
        tally = year.tally
        assert np.array_equal(tally.end, tally.start + tally.births - tally.deaths)
        years.append(tally)
    # Same seed, same draws: a dearer year's binomials are drawn with higher death and lower
    # birth probabilities, so the counts cannot cross beyond sampling noise (200 people).
    calm, hard = years
    assert hard.deaths[0] >= calm.deaths[0] - 200
    assert hard.births[0] <= calm.births[0] + 200
    if rules.dearth_of(np.array([dear]))[0] - rules.dearth_of(np.array([cheap]))[0] > 0.5:
        assert hard.deaths[0] > calm.deaths[0]
        assert hard.births[0] < calm.births[0]


def test_the_chronicled_year_feels_its_market_food_prices() -> None:
    cheap = _chronicle(_world(hardship=0.0, food=1.0))
    dear = _chronicle(_world(hardship=0.0, food=3.25))
    # Settlement 0 trades at market 0 (dearer); 1 trades nowhere, 2 at market 1 (unchanged).
    assert dear.conditions.dearth is not None
    assert dear.conditions.dearth.tolist() == [1.0, 0.0, 0.0]
    assert cheap.conditions.dearth is not None
    assert cheap.conditions.dearth.tolist() == [0.0, 0.0, 0.0]
    assert dear.tally.births[0] < cheap.tally.births[0]
    assert dear.tally.deaths[0] > cheap.tally.deaths[0]
    for tally in (cheap.tally, dear.tally):
        flows = tally.births - tally.deaths + tally.immigrants - tally.emigrants
        assert np.array_equal(tally.end, tally.start + flows)


def test_no_dearth_given_is_none_felt() -> None:
    conditions = Conditions(np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3, np.int64))
    assert conditions.dearth_or_none().tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("change", "message"),
    [({"dearth_span": 0.0}, "dearth_span"), ({"dearth_deaths": None}, "lacks dearth_deaths")],
)
def test_bad_dearth_rates_are_refused(change: dict[str, object], message: str) -> None:
    from worldloom.infrastructure.seed_data import read_toml

    table = read_toml("history.toml")
    table["modifiers"] = {k: v for k, v in (table["modifiers"] | change).items() if v is not None}
    with pytest.raises(ValueError, match=message):
        HistoryRules.from_mapping(table, events=catalog.event_catalog())


@pytest.mark.parametrize(
    ("hunger", "felt"), [(0.0, 0.0), (0.1, 0.0), (0.55, 0.5), (1.0, 1.0), (0.09, 0.0)]
)
def test_only_hunger_beyond_ordinary_want_is_felt(hunger: float, felt: float) -> None:
    rules = catalog.history_rules()
    assert rules.modifiers["hardship_floor"] == 0.1
    assert rules.hardship_of(np.array([hunger]))[0] == pytest.approx(felt)


def test_a_market_in_ordinary_want_weighs_on_no_one() -> None:
    ordinary = _chronicle(_world(hardship=0.08, food=1.0))
    hungry = _chronicle(_world(hardship=0.9, food=1.0))
    assert ordinary.conditions.hardship.tolist() == [0.0, 0.0, 0.0]
    assert hungry.conditions.hardship[0] == pytest.approx(0.8 / 0.9)
    assert hungry.tally.deaths[0] > ordinary.tally.deaths[0]


@pytest.mark.parametrize("floor", [1.0, -0.1])
def test_a_hardship_floor_outside_0_1_is_refused(floor: float) -> None:
    from worldloom.infrastructure.seed_data import read_toml

    table = read_toml("history.toml")
    table["modifiers"] = table["modifiers"] | {"hardship_floor": floor}
    with pytest.raises(ValueError, match="hardship_floor"):
        HistoryRules.from_mapping(table, events=catalog.event_catalog())
