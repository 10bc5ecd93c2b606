"""Encounters by XP budget: every site's group falls in its danger's band for the reference
party, draws depend on the site alone, and the resolver's win rates match the bands."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import world_seeds
from worldloom.systems.combat import NONE, assess_encounters, draw_encounters, monster_sides
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

RULEBOOK = catalog.combat_rulebook()
KINDS = sorted(RULEBOOK.bestiary.tables)


def sites(per: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    rows = [(kind, danger) for kind in KINDS for danger in range(1, 11) for _ in range(per)]
    return (
        np.arange(len(rows), dtype=np.int64),
        [kind for kind, _ in rows],
        np.array([danger for _, danger in rows], dtype=np.int64),
    )


def test_every_encounter_falls_in_its_dangers_band() -> None:
    ids, kinds, danger = sites(per=30)
    drawn = draw_encounters(
        ids, kinds, danger, seeds=Seeds(11), bestiary=RULEBOOK.bestiary, rules=RULEBOOK.rules
    )
    assert np.array_equal(drawn.difficulty, drawn.band)
    assert np.array_equal(drawn.band, np.asarray(RULEBOOK.rules.danger_band)[danger - 1])
    assert (drawn.leaders >= 1).all()
    assert (drawn.minions[drawn.minion == NONE] == 0).all()
    # Budgets rise with danger.
    by_danger = [drawn.adjusted_xp[danger == d].mean() for d in range(1, 11)]
    assert all(b > a for a, b in itertools.pairwise(by_danger))


@settings(max_examples=25, deadline=None)
@given(
    seed=world_seeds,
    picks=st.lists(st.integers(0, len(KINDS) * 10 - 1), min_size=1, max_size=40, unique=True),
)
def test_a_sites_encounter_depends_on_its_key_alone(seed: int, picks: list[int]) -> None:
    ids, kinds, danger = sites(per=1)
    every = draw_encounters(
        ids, kinds, danger, seeds=Seeds(seed), bestiary=RULEBOOK.bestiary, rules=RULEBOOK.rules
    )
    chosen = np.array(picks)
    some = draw_encounters(
        ids[chosen],
        [kinds[i] for i in picks],
        danger[chosen],
        seeds=Seeds(seed),
        bestiary=RULEBOOK.bestiary,
        rules=RULEBOOK.rules,
    )
    assert np.array_equal(some.leader, every.leader[chosen])
    assert np.array_equal(some.adjusted_xp, every.adjusted_xp[chosen])


def test_the_resolvers_win_rates_match_the_bands() -> None:
    """Over many seeded fights a band's win rate lies in its range (combat.toml), falls band by
    band, and the party's fallen rise band by band."""
    ids, kinds, danger = sites(per=12)
    drawn = draw_encounters(
        ids, kinds, danger, seeds=Seeds(5), bestiary=RULEBOOK.bestiary, rules=RULEBOOK.rules
    )
    fared = assess_encounters(drawn, ids, seeds=Seeds(5), rulebook=RULEBOOK, trials=24)
    rates, fallen = [], []
    for band, name in enumerate(RULEBOOK.rules.bands):
        mine = drawn.band == band
        low, high = RULEBOOK.rules.win[name]
        rate = float(fared.win_chance[mine].mean())
        assert low <= rate <= high, (name, rate)
        rates.append(rate)
        fallen.append(float(fared.fallen[mine].mean()))
    assert rates == sorted(rates, reverse=True)
    assert fallen == sorted(fallen)
    assert fallen[0] < 0.1 < fallen[-1]


def test_leaders_stand_behind_their_minions_and_alone_in_front() -> None:
    ids = np.array([1, 2])
    drawn = draw_encounters(
        ids, ["dungeon", "dungeon"], np.array([10, 10]), seeds=Seeds(1),
        bestiary=RULEBOOK.bestiary, rules=RULEBOOK.rules,
    )  # fmt: skip
    led = drawn.__class__(
        leader=np.array([3, 3]), leaders=np.array([1, 1]), minion=np.array([0, 0]),
        minions=np.array([4, 0]), xp=drawn.xp, adjusted_xp=drawn.adjusted_xp, band=drawn.band,
        difficulty=drawn.difficulty,
    )  # fmt: skip
    with pytest.raises(ValueError, match="trials"):
        assess_encounters(led, ids, seeds=Seeds(1), rulebook=RULEBOOK, trials=300)
    sides = monster_sides(led, offset=10)
    assert sides.kind.tolist() == [[10, 13], [13, -1]]
    assert sides.count.tolist() == [[4, 1], [1, 0]]
