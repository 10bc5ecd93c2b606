"""Stat blocks by d20 rules: modifiers, proficiency, hit points, armour and attacks, and the
challenge an NPC is worth."""

from __future__ import annotations

import numpy as np
import pytest

from worldloom.systems.combat import (
    Sheets,
    StatBlocks,
    ability_modifier,
    challenge_xp,
    derive_stat_blocks,
    monster_blocks,
)
from worldloom.systems.combat.stat_block import proficiency
from worldloom.tasks import catalog

RULES = catalog.combat_rulebook().rules


@pytest.mark.parametrize(
    ("score", "modifier"), [(3, -4), (8, -1), (9, -1), (10, 0), (11, 0), (12, 1), (18, 4), (20, 5)]
)
def test_ability_modifiers(score: int, modifier: int) -> None:
    assert ability_modifier(np.array([score]))[0] == modifier


@pytest.mark.parametrize(
    ("level", "bonus"), [(0, 0), (1, 2), (4, 2), (5, 3), (8, 3), (9, 4), (17, 6), (20, 6)]
)
def test_proficiency_by_level(level: int, bonus: int) -> None:
    assert proficiency(np.array([level]))[0] == bonus


def sheets(count: int = 1, **fields: object) -> Sheets:
    base: dict[str, object] = {
        "attributes": np.full((count, 6), 10, dtype=np.int8),
        "level": np.ones(count, dtype=np.int64),
        "hit_die": np.full(count, 5.0),
        "martial": np.zeros(count, dtype=np.bool_),
        "armour_ac": np.full(count, 10, dtype=np.int64),
        "max_dex": np.full(count, 10, dtype=np.int64),
        "shield": np.zeros(count, dtype=np.int64),
        "ward": np.zeros(count, dtype=np.int64),
        "weapon_damage": np.full(count, 4.5),
        "finesse": np.zeros(count, dtype=np.bool_),
        "weapon_bonus": np.zeros(count, dtype=np.int64),
        "spell_damage": np.zeros(count),
        "spell_targets": np.zeros(count, dtype=np.int64),
        "heal": np.zeros(count),
        "spell_uses": np.zeros(count, dtype=np.int64),
    }
    base.update(fields)
    return Sheets(**base)  # type: ignore[arg-type]


def test_martial_fighters_gain_attacks_at_5_and_11() -> None:
    blocks = derive_stat_blocks(
        sheets(4, level=np.array([4, 5, 11, 11]), martial=np.array([True, True, True, False]))
    )
    assert blocks.attacks.tolist() == [2 - 1, 2, 3, 1]


def test_finesse_weapons_use_the_better_of_strength_and_dexterity() -> None:
    attributes = np.array([[8, 16, 10, 10, 10, 10]] * 2, dtype=np.int8)
    blocks = derive_stat_blocks(sheets(2, attributes=attributes, finesse=np.array([False, True])))
    assert blocks.attack.tolist() == [2 - 1, 2 + 3]
    assert blocks.damage.tolist() == [4.5 - 1, 4.5 + 3]


def test_armour_caps_dexterity_and_shields_and_wards_add() -> None:
    attributes = np.array([[10, 18, 10, 10, 10, 10]] * 2, dtype=np.int8)
    blocks = derive_stat_blocks(
        sheets(
            2,
            attributes=attributes,
            armour_ac=np.array([16, 12]),
            max_dex=np.array([0, 10]),
            shield=np.array([2, 0]),
            ward=np.array([0, 3]),
        )
    )
    assert blocks.ac.tolist() == [18, 12 + 4 + 3]


def test_the_untrained_have_one_hit_die_and_nobody_has_less_than_one_hit_point() -> None:
    attributes = np.array([[10, 10, 3, 10, 10, 10]] * 2, dtype=np.int8)
    blocks = derive_stat_blocks(
        sheets(2, attributes=attributes, level=np.array([0, 3]), hit_die=np.array([2.0, 5.0]))
    )
    assert blocks.hp.tolist() == [1, 3 * (5 - 4) + 3]
    assert blocks.level.tolist() == [0, 3]


def test_stat_blocks_take_and_concat_row_by_row() -> None:
    monsters = monster_blocks(catalog.combat_rulebook().bestiary.monsters)
    picked = monsters.take(np.array([3, 0]))
    assert picked.hp.tolist() == [monsters.hp[3], monsters.hp[0]]
    assert len(StatBlocks.concat([picked, picked])) == 4


def test_challenge_rises_with_power() -> None:
    monsters = monster_blocks(catalog.combat_rulebook().bestiary.monsters)
    index = catalog.combat_rulebook().bestiary.index()
    xp = challenge_xp(monsters, rules=RULES)
    assert xp[index["young_red_dragon"]] > xp[index["troll"]] > xp[index["goblin"]]
    assert xp.min() >= RULES.challenge_xp[0]
