"""The resolver: fights decided round by round, each by its own key's dice, the same compiled
or as plain Python, and battles between forces of any size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import world_seeds
from worldloom.systems.combat import (
    Defeat,
    Force,
    Sides,
    Stalemate,
    StatBlocks,
    Victory,
    force_strength,
    monster_blocks,
    party_blocks,
    resolve_battle,
    resolve_fights,
)
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

RULEBOOK = catalog.combat_rulebook()
INDEX = RULEBOOK.bestiary.index()
PARTY = party_blocks(RULEBOOK.rules)
BLOCKS = StatBlocks.concat([PARTY, monster_blocks(RULEBOOK.bestiary.monsters)])


def foes(*groups: tuple[str, int], fights: int = 1) -> Sides:
    kind = np.full((fights, 4), -1, dtype=np.int64)
    count = np.zeros((fights, 4), dtype=np.int64)
    for g, (monster, n) in enumerate(groups):
        kind[:, g] = len(PARTY) + INDEX[monster]
        count[:, g] = n
    return Sides(kind, count)


def party(fights: int = 1) -> Sides:
    return Sides(np.tile(np.arange(4), (fights, 1)), np.ones((fights, 4), dtype=np.int64))


def fight(a: Sides, b: Sides, keys: np.ndarray, *, seed: int = 1, **options: object):  # type: ignore[no-untyped-def]
    return resolve_fights(
        a,
        b,
        blocks=BLOCKS,
        keys=keys,
        seeds=Seeds(seed),
        max_rounds=40,
        **options,  # type: ignore[arg-type]
    )


def test_a_party_beats_a_few_goblins_and_falls_to_a_dragon_and_its_brood() -> None:
    keys = np.arange(200)
    easy = fight(party(200), foes(("goblin", 3), fights=200), keys)
    assert (easy.winner == 1).all()
    assert (easy.left_b == 0).all()
    deadly = fight(party(200), foes(("kobold", 8), ("young_red_dragon", 1), fights=200), keys)
    assert (deadly.winner == -1).mean() > 0.5
    assert deadly.rounds.min() >= 1


@settings(max_examples=20, deadline=None)
@given(seed=world_seeds, keys=st.lists(st.integers(0, 2**40), min_size=1, max_size=30, unique=True))
def test_a_fight_depends_on_its_key_alone(seed: int, keys: list[int]) -> None:
    size = len(keys)
    a, b = party(size), foes(("orc", 5), ("ogre", 1), fights=size)
    together = fight(a, b, np.array(keys), seed=seed)
    backwards = fight(a, b, np.array(keys[::-1]), seed=seed)
    assert together.winner.tolist() == backwards.winner[::-1].tolist()
    assert together.rounds.tolist() == backwards.rounds[::-1].tolist()
    alone = fight(party(), foes(("orc", 5), ("ogre", 1)), np.array(keys[:1]), seed=seed)
    assert alone.winner[0] == together.winner[0]
    assert alone.left_a.tolist()[0] == together.left_a.tolist()[0]


def test_expected_mode_rolls_no_dice() -> None:
    a, b = party(3), foes(("troll", 2), fights=3)
    first = fight(a, b, np.array([1, 2, 3]), seed=1, mode="expected")
    other = fight(a, b, np.array([7, 8, 9]), seed=99, mode="expected")
    assert first.winner.tolist() == other.winner.tolist()
    assert len(set(first.rounds.tolist())) == 1


CASES = """
import json, sys
import numpy as np
from tests.systems.combat.test_resolver import BLOCKS, fight, foes, party
size = 40
cases = [
    (party(size), foes(("goblin", 6), ("bugbear", 1), fights=size), "seeded"),
    (party(size), foes(("troll", 1), ("vampire_spawn", 1), fights=size), "seeded"),
    (party(size), foes(("young_green_dragon", 1), fights=size), "expected"),
    (foes(("bandit", 600)), foes(("orc", 300)), "seeded"),
]
out = []
for a, b, mode in cases:
    result = fight(a, b, np.arange(a.kind.shape[0]), seed=12345, mode=mode)
    out.append([result.winner.tolist(), result.rounds.tolist(), result.left_a.tolist(),
                result.left_b.tolist()])
print(json.dumps(out))
"""


def run_cases(*, jit: bool) -> object:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "0" if jit else "1"}
    done = subprocess.run(
        [sys.executable, "-c", CASES], env=env, capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_compiled_fight_is_the_python_one() -> None:
    """The kernel is numba's compile of plain Python: both give the same fights (and coverage
    sees the kernel's lines in the plain run)."""
    assert run_cases(jit=True) == run_cases(jit=False)


def test_armies_roll_their_hits_in_bulk() -> None:
    """Past 64 swings a round, hits come from the binomial's normal approximation."""
    guards = RULEBOOK.bestiary.index()["bandit"] + len(PARTY)
    orcs = RULEBOOK.bestiary.index()["orc"] + len(PARTY)
    a = Sides(np.array([[guards]]), np.array([[600]]))
    b = Sides(np.array([[orcs]]), np.array([[300]]))
    result = fight(a, b, np.array([5]))
    assert result.winner[0] in (1, -1, 0)
    assert 0 <= result.left_a[0, 0] <= 600
    assert result.left_b[0, 0] <= 300
    again = fight(a, b, np.array([5]))
    assert again.left_a.tolist() == result.left_a.tolist()


def test_a_fight_cut_short_is_a_stalemate_and_empty_sides_do_not_fight() -> None:
    short = resolve_fights(
        party(), foes(("hill_giant", 3)), blocks=BLOCKS, keys=np.array([1]), seeds=Seeds(1),
        max_rounds=1,
    )  # fmt: skip
    assert short.winner[0] == 0
    empty = fight(
        party(), Sides(np.full((1, 4), -1), np.zeros((1, 4), dtype=np.int64)), np.array([1])
    )
    assert empty.winner[0] == 1
    assert empty.rounds[0] == 0
    with pytest.raises(ValueError, match="one key per fight"):
        fight(party(2), foes(("orc", 1), fights=2), np.array([1]))


def test_battles_are_a_closed_union_of_outcomes() -> None:
    seeds = Seeds(3)
    monsters = monster_blocks(RULEBOOK.bestiary.monsters)
    ogres = Force(monsters.take(np.array([INDEX["ogre"]])), (10,))
    goblins = Force(monsters.take(np.array([INDEX["goblin"]])), (5,))
    heroes = Force(PARTY, (1, 1, 1, 1))
    match resolve_battle(ogres, goblins, seeds=seeds, key=("battle", 1)):
        case Victory(survivors=survivors, enemy_survivors=enemy):
            assert survivors[0] > 0
            assert enemy == (0,)
        case other:
            pytest.fail(f"ten ogres lost to five goblins: {other}")
    assert isinstance(resolve_battle(goblins, ogres, seeds=seeds, key=("battle", 2)), Defeat)
    assert isinstance(
        resolve_battle(heroes, ogres, seeds=seeds, key=("battle", 3), max_rounds=1), Stalemate
    )
    assert resolve_battle(heroes, ogres, seeds=seeds, key=("b", 4)) == resolve_battle(
        heroes, ogres, seeds=seeds, key=("b", 4)
    )
    expected = resolve_battle(ogres, goblins, seeds=seeds, key=("b", 5), mode="expected")
    assert isinstance(expected, Victory)


def test_force_strength_follows_the_square_law() -> None:
    monsters = monster_blocks(RULEBOOK.bestiary.monsters)
    orcs = monsters.take(np.array([INDEX["orc"]]))
    assert force_strength(Force(orcs, (20,))) == pytest.approx(
        2 * force_strength(Force(orcs, (10,)))
    )
    with pytest.raises(ValueError, match="one count per stat block"):
        Force(orcs, (1, 2))
    with pytest.raises(ValueError, match="cannot be negative"):
        Force(orcs, (-1,))
