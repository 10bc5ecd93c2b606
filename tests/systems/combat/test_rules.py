"""The combat rulebook: the shipped tables load, the reference party's numbers, the XP-budget
rule, and what bad tables are refused with."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.combat import (
    TRIVIAL,
    Rulebook,
    band_edges,
    band_names,
    danger_budget,
    difficulty,
    group_multiplier,
    party_blocks,
    party_thresholds,
)
from worldloom.tasks import catalog

PROFESSIONS = [p.key for p in catalog.character_table().professions] + ["child"]
POI_KINDS = [p.kind for p in catalog.place_rules().pois]


def load(combat: dict[str, Any], bestiary: dict[str, Any]) -> Rulebook:
    return Rulebook.from_mappings(combat, bestiary, professions=PROFESSIONS, poi_kinds=POI_KINDS)


def test_the_shipped_tables_load() -> None:
    rulebook = catalog.combat_rulebook()
    assert len(rulebook.bestiary.monsters) == 51
    assert set(rulebook.bestiary.tables) <= set(POI_KINDS)
    assert rulebook.rules.xp_of(0.25) == 50
    assert rulebook.rules.training_of("guard").martial
    assert rulebook.rules.training_of("farmer") == rulebook.rules.default_training


def test_the_reference_party_is_four_level_5_adventurers() -> None:
    party = party_blocks(catalog.combat_rulebook().rules)
    # 5e at level 5: a fighter's 10 + 4 x 6 + 5 x 3 = 49 hit points behind mail and shield.
    assert party.hp.tolist() == [49, 38, 44, 32]
    assert party.ac.tolist() == [18, 18, 14, 15]
    assert party.attack.tolist() == [6, 4, 6, 5]
    assert party.attacks.tolist() == [2, 1, 2, 1]


@pytest.mark.parametrize(
    ("monsters", "factor"),
    [
        (1, 1.0),
        (2, 1.5),
        (3, 2.0),
        (6, 2.0),
        (7, 2.5),
        (10, 2.5),
        (11, 3.0),
        (14, 3.0),
        (15, 4.0),
        (40, 4.0),
    ],
)
def test_group_multipliers_follow_the_d20_table(monsters: int, factor: float) -> None:
    rules = catalog.combat_rulebook().rules
    assert group_multiplier(np.array([monsters]), rules=rules)[0] == factor


def test_a_partys_thresholds_add_up_its_members() -> None:
    rules = catalog.combat_rulebook().rules
    assert party_thresholds(rules=rules, size=4, level=5).tolist() == [1000, 2000, 3000, 4400]
    assert party_thresholds(rules=rules, size=1, level=20).tolist() == [2800, 5700, 8500, 12700]
    with pytest.raises(ValueError, match="level 1-20"):
        party_thresholds(rules=rules, size=4, level=21)
    with pytest.raises(ValueError, match="at least one member"):
        party_thresholds(rules=rules, size=0, level=3)


@pytest.mark.parametrize(
    ("xp", "band"),
    [
        (0, TRIVIAL),
        (999, TRIVIAL),
        (1000, 0),
        (1999, 0),
        (2000, 1),
        (3000, 2),
        (4399, 2),
        (4400, 3),
        (99999, 3),
    ],
)
def test_difficulty_is_the_highest_threshold_reached(xp: int, band: int) -> None:
    thresholds = np.array([1000, 2000, 3000, 4400])
    assert difficulty(np.array([float(xp)]), thresholds)[0] == band


def test_budgets_rise_with_danger_band_by_band() -> None:
    rules = catalog.combat_rulebook().rules
    edges = band_edges(party_thresholds(rules=rules, size=4, level=5), rules=rules)
    budget = danger_budget(np.arange(1, 11), rules=rules, edges=edges)
    assert np.all(np.diff(budget) > 0)
    assert band_names(rules)[TRIVIAL] == "trivial"
    bands = np.asarray(rules.danger_band)
    assert np.all((budget >= edges[bands]) & (budget < edges[bands + 1]))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(table: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            table = table[key]
        table[last] = value

    return change


@pytest.mark.parametrize(
    ("which", "change", "message"),
    [
        ("combat", _set("xp.xp", [10, 25]), "match xp.xp"),
        ("combat", _set("xp.thresholds", [[1, 2, 3, 4]]), "20 rising rows"),
        ("combat", _set("xp.multipliers", [[2, 1.0]]), "start at 1 monster"),
        ("combat", _set("challenge.hp", [1, 2]), "one value per challenge"),
        ("combat", _set("bands.names", ["easy", "hard"]), "easy, medium, hard, deadly"),
        ("combat", _set("bands.win.easy", [0.9, 0.1]), "low <= high"),
        ("combat", _set("danger.band", ["easy"] * 9), "10 values"),
        ("combat", _set("danger.position", [0.5] * 10), "rise with danger"),
        ("combat", _set("danger.band", ["easy"] * 9 + ["awful"]), "unknown band"),
        ("combat", _set("reference_party.level", 0), "level must be 1-20"),
        ("combat", _set("reference_party.member", []), "at least one member"),
        (
            "combat",
            _set("reference_party.member", [{"role": "x", "attributes": {}}]),
            "six attributes",
        ),
        ("combat", _set("training.wizard", {"level": 1, "hit_die": 4.0}), "unknown professions"),
        ("combat", _set("training.guard", {"level": 30, "hit_die": 4.0}), "level 0-20"),
        ("combat", _set("max_rounds", 0), "positive integer"),
        ("combat", _set("xp", 3), r"needs a \[xp\] table"),
        ("bestiary", _set("monster", []), "at least one"),
        ("bestiary", _set("encounters.moon_base", [{"monster": "goblin"}]), "unknown POI kinds"),
        ("bestiary", _set("encounters.cave", [{"monster": "unicorn"}]), "unknown monster"),
        ("bestiary", _set("encounters.cave", []), "at least one entry"),
        ("bestiary", _set("encounters.cave", [{"monster": "goblin", "weight": 0}]), "weights"),
        ("bestiary", _set("room_chance.den", 1.5), "lie in"),
        ("bestiary", _set("encounters.hermitage", [{"monster": "cultist"}]), "cannot meet dangers"),
    ],
)
def test_bad_tables_are_refused(
    which: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    tables = {"combat": read_toml("combat.toml"), "bestiary": read_toml("bestiary.toml")}
    tables = copy.deepcopy(tables)
    change(tables[which])
    with pytest.raises(ValueError, match=message):
        load(tables["combat"], tables["bestiary"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "Bad Key"}, "snake_case"),
        ({"challenge": 0.3}, "no XP"),
        ({"name": ""}, "a name and a family"),
        ({"hp": 0}, "ac, hp and attacks"),
        ({"damage": 0}, "damage > 0"),
        ({"spell_damage": 10.0}, "targets and uses"),
    ],
)
def test_bad_monsters_are_refused(fields: dict[str, Any], message: str) -> None:
    bestiary = copy.deepcopy(read_toml("bestiary.toml"))
    bestiary["monster"][0].update(fields)
    with pytest.raises(ValueError, match=message):
        load(read_toml("combat.toml"), bestiary)


def test_a_monster_defined_twice_is_refused() -> None:
    bestiary = copy.deepcopy(read_toml("bestiary.toml"))
    bestiary["monster"].append(bestiary["monster"][0])
    with pytest.raises(ValueError, match="defined twice"):
        load(read_toml("combat.toml"), bestiary)


def test_an_unknown_challenge_has_no_xp() -> None:
    with pytest.raises(ValueError, match="no XP"):
        catalog.combat_rulebook().rules.xp_of(0.3)
