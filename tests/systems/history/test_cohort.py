"""Tier-1 population over a year: every person accounted for, deterministic, moved by hardship."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.history import Cohorts, Conditions, advance_cohorts
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

PROFESSIONS = ("child", "farmer", "laborer", "smith")


@st.composite
def cohorts(draw: st.DrawFn, *, settlements: int) -> Cohorts:
    keys = draw(
        st.sets(
            st.tuples(
                st.integers(0, settlements - 1),
                st.integers(0, 4),
                st.integers(0, 1),
                st.integers(0, 2),
                st.integers(0, 1),
                st.integers(0, len(PROFESSIONS) - 1),
            ),
            min_size=1,
            max_size=60,
        )
    )
    rows = sorted(keys)
    counts = draw(st.lists(st.integers(1, 5_000), min_size=len(rows), max_size=len(rows)))
    columns = [np.array(c, dtype=np.int64) for c in zip(*rows, strict=True)]
    return Cohorts(*columns, np.array(counts, dtype=np.int64), PROFESSIONS)


@st.composite
def years(draw: st.DrawFn) -> tuple[Cohorts, Conditions, tuple[tuple[int, ...], ...]]:
    n = draw(st.integers(1, 6))
    groups = draw(cohorts(settlements=n))
    unit = st.floats(0, 1, allow_nan=False)
    conditions = Conditions(
        hardship=np.array(draw(st.lists(unit, min_size=n, max_size=n))),
        at_war=np.array(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n))),
        plague=np.array(draw(st.lists(unit, min_size=n, max_size=n))),
        killed=np.array(draw(st.lists(st.integers(0, 3_000), min_size=n, max_size=n))),
        struck=np.array(draw(st.lists(st.integers(0, 3_000), min_size=n, max_size=n))),
    )
    neighbours = tuple(tuple(t for t in range(n) if t != s and (t - s) % n in (1, n - 1))
                       for s in range(n))  # fmt: skip
    return groups, conditions, neighbours


@given(year=years(), seed=st.integers(0, 2**32), number=st.integers(0, 500))
@settings(max_examples=60, deadline=None)
def test_every_person_is_accounted_for_and_a_year_repeats_exactly(
    year: tuple[Cohorts, Conditions, tuple[tuple[int, ...], ...]], seed: int, number: int
) -> None:
    groups, conditions, neighbours = year
    kwargs = {"conditions": conditions, "neighbours": neighbours,
              "rules": catalog.history_rules(), "seeds": Seeds(seed), "year": number}  # fmt: skip
    result = advance_cohorts(groups, **kwargs)  # type: ignore[arg-type]
    tally = result.tally
    n = conditions.hardship.size
    assert np.array_equal(tally.start, groups.people(n))
    assert np.array_equal(tally.end, result.cohorts.people(n))
    identity = tally.start + tally.births - tally.deaths + tally.immigrants - tally.emigrants
    assert np.array_equal(tally.end, identity)
    assert tally.immigrants.sum() == tally.emigrants.sum()
    assert sum(m.people for m in result.moves) == tally.emigrants.sum()
    # No one killed who was not there; rows stay positive, unique and in key order.
    assert (tally.deaths <= tally.start).all()
    assert conditions.struck is not None
    killed = conditions.killed + conditions.struck
    assert (tally.deaths >= np.minimum(killed, tally.start)).all()
    out = result.cohorts
    assert (out.count > 0).all()
    keys = list(zip(*[c.tolist() for c in out.columns()[:6]], strict=True))
    assert keys == sorted(set(keys))
    # Babies are children in the first band; no one else is.
    assert set(out.profession[out.band == 0].tolist()) <= {0} | set(
        groups.profession[groups.band == 0].tolist()
    )
    again = advance_cohorts(groups, **kwargs)  # type: ignore[arg-type]
    assert all(np.array_equal(a, b) for a, b in zip(again.cohorts.columns(), out.columns(),
                                                      strict=True))  # fmt: skip
    assert again.moves == result.moves


def _town(count: int = 10_000) -> Cohorts:
    rows = [(0, band, sex, 0, 0, 1 if band else 0) for band in range(5) for sex in (0, 1)]
    rows += [(1, band, sex, 0, 0, 1 if band else 0) for band in range(5) for sex in (0, 1)]
    columns = [np.array(c, dtype=np.int64) for c in zip(*rows, strict=True)]
    return Cohorts(*columns, np.full(len(rows), count, dtype=np.int64), PROFESSIONS)


def _year(hardship: float, *, at_war: float = 0.0, plague: float = 0.0, seed: int = 1):  # type: ignore[no-untyped-def]
    return advance_cohorts(
        _town(),
        conditions=Conditions(
            hardship=np.array([hardship, 0.0]),
            at_war=np.array([at_war, 0.0]),
            plague=np.array([plague, 0.0]),
            killed=np.zeros(2, dtype=np.int64),
        ),
        neighbours=((1,), (0,)),
        rules=catalog.history_rules(),
        seeds=Seeds(seed),
        year=0,
    )


def test_hunger_war_and_plague_kill_more_bear_fewer_and_drive_people_away() -> None:
    calm = _year(0.0)
    assert calm.moves == () or all(m.reason == "prosperity" for m in calm.moves)
    for hard in (_year(0.8), _year(0.0, at_war=1.0), _year(0.0, plague=0.8)):
        assert hard.tally.deaths[0] > calm.tally.deaths[0]
        assert hard.moves
        assert (hard.moves[0].source, hard.moves[0].target) == (0, 1)
        assert hard.tally.emigrants[0] > 0
    assert _year(0.8).tally.births[0] < calm.tally.births[0]
    assert _year(0.8).moves[0].reason == "hunger"
    assert _year(0.0, at_war=1.0).moves[0].reason == "war"
    assert _year(0.0, plague=0.8).moves[0].reason == "plague"


def test_a_good_year_grows_a_town_by_a_plausible_share() -> None:
    growth = [
        (_year(0.0, seed=s).tally.end[0] / _year(0.0, seed=s).tally.start[0]) - 1 for s in range(5)
    ]
    assert all(-0.01 < g < 0.03 for g in growth), growth


def test_the_fallen_are_men_of_fighting_age_and_the_struck_everyone_alike() -> None:
    def deaths(killed: int, struck: int) -> np.ndarray:  # type: ignore[type-arg]
        town = _town(100)
        # No natural deaths: only the killed and the struck leave the rows.
        rules = catalog.history_rules()
        calm = replace(rules, death_rate=np.zeros(5), fertility=np.zeros(5))
        year = advance_cohorts(
            town,
            conditions=Conditions(
                np.zeros(2), np.zeros(2), np.zeros(2), np.array([killed, 0]), np.array([struck, 0])
            ),
            neighbours=((), ()),
            rules=calm,
            seeds=Seeds(1),
            year=0,
        )
        assert year.tally.deaths[0] == killed + struck
        return year.tally.deaths

    deaths(150, 0)
    deaths(0, 100)
    # Who they were: men of 16-44 first for the fallen, a tenth of every row for the struck.
    town = _town(100)
    rows = town.settlement == 0
    from worldloom.systems.history.cohort import _take_killed, _take_struck

    fallen = _take_killed(town, town.count.copy(), np.array([150, 0]))
    assert fallen[rows & (town.sex == 1) & np.isin(town.band, (1, 2))].sum() == 150
    struck = _take_struck(town, town.count.copy(), np.array([100, 0]))
    assert (struck[rows] == 10).all()
    assert struck[~rows].sum() == 0


def test_cohorts_need_the_child_trade_and_sorted_trades() -> None:
    with pytest.raises(ValueError, match="sorted"):
        Cohorts(*[np.zeros(1, dtype=np.int64)] * 7, professions=("smith", "child"))  # type: ignore[misc]
    one = [np.zeros(1, dtype=np.int64)] * 6
    with pytest.raises(ValueError, match="child"):
        advance_cohorts(
            Cohorts(*one, np.ones(1, dtype=np.int64), ("farmer",)),
            conditions=Conditions(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1, np.int64)),
            neighbours=((),),
            rules=catalog.history_rules(),
            seeds=Seeds(1),
            year=0,
        )


def _plain_trades(
    groups: Cohorts, grown: np.ndarray, counts: np.ndarray, rng: np.random.Generator
) -> list[int]:
    """`_trades_for`'s draws as written row by row: each row's weights a dict entry."""
    n_prof, weights = len(groups.professions), {}
    for row in np.flatnonzero((groups.band == 1) & (counts > 0)):
        key = (int(groups.settlement[row]), int(groups.sex[row]))
        weights.setdefault(key, np.zeros(n_prof))[groups.profession[row]] += counts[row]
    fallback = np.zeros(n_prof)
    fallback[groups.professions.index("laborer")] = 1
    drawn: list[int] = []
    for row in np.flatnonzero(grown):
        w = weights.get((int(groups.settlement[row]), int(groups.sex[row])), fallback)
        drawn += rng.multinomial(int(grown[row]), w / w.sum()).tolist()
    return drawn


@settings(max_examples=40, deadline=None)
@given(cohorts(settlements=4), st.integers(0, 2**31 - 1))
def test_children_take_up_trades_as_drawn_row_by_row(groups: Cohorts, seed: int) -> None:
    # `_trades_for` sums each settlement and sex's young adults at once; its draws are the
    # row-by-row sums' (a settlement without young adults of a sex: labourers).
    from worldloom.systems.history.cohort import _trades_for

    rng = np.random.default_rng(seed)
    counts = groups.count - rng.integers(0, 2, groups.count.size) * groups.count
    grown = rng.integers(0, 3, groups.count.size) * (groups.band == 0)
    rows = _trades_for(groups, grown, counts, seeds=Seeds(seed), year=7)
    plain = _plain_trades(groups, grown, counts, Seeds(seed).stream("history.cohort.trades", 7))
    assert rows[-1].tolist() == plain
