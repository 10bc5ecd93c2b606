"""The character system: attributes and skills in range, opposed traits exclusive, point buy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.people import character_table
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.people import (
    ATTRIBUTE_MAX,
    ATTRIBUTE_MIN,
    SKILL_MAX,
    CharacterTable,
    build_player_template,
    draw_characters,
)
from worldloom.systems.rng import Seeds


def _draw(seed: int, n: int, *, job: str = "scholar", age: int = 30) -> Any:
    table = character_table()
    code = table.profession_keys.index(job)
    return draw_characters(
        rng=Seeds(seed).stream("test"),
        profession=np.full(n, code, dtype=np.int64),
        age=np.full(n, age, dtype=np.int64),
        table=table,
    )


@given(seed=st.integers(min_value=0, max_value=2**63 - 1), age=st.integers(0, 85))
@settings(max_examples=30, deadline=None)
def test_rolls_stay_in_bounds_and_traits_exclude_opposites(seed: int, age: int) -> None:
    table = character_table()
    rng = Seeds(seed).stream("jobs")
    jobs = rng.integers(0, len(table.profession_keys), 500)
    rolled = draw_characters(
        rng=Seeds(seed).stream("test"), profession=jobs, age=np.full(500, age), table=table
    )
    assert rolled.attributes.min() >= ATTRIBUTE_MIN
    assert rolled.attributes.max() <= ATTRIBUTE_MAX
    assert rolled.skills.min() >= 0
    assert rolled.skills.max() <= SKILL_MAX
    traits = rolled.traits
    held = traits >= 0
    # Traits fill slots from the first; none repeats a pair (so no trait meets its opposite).
    assert not (~held[:, 0] & held[:, 1]).any()
    assert not (~held[:, 1] & held[:, 2]).any()
    pairs = np.where(held, traits // 2, -1 - np.arange(3))
    assert all(len(set(row)) == 3 for row in pairs.tolist())


def test_attributes_follow_3d6_and_the_profession_bonus() -> None:
    scholars = _draw(1, 40_000).attributes
    smiths = _draw(1, 40_000, job="smith").attributes
    assert abs(scholars[:, 0].mean() - 10.5) < 0.1  # no strength bonus: plain 3d6
    assert abs(smiths[:, 0].mean() - scholars[:, 0].mean() - 2) < 0.15  # smiths: +2 strength
    assert abs(scholars[:, 0].std() - 2.958) < 0.1
    assert set(np.unique(scholars[:, 0])) == set(range(3, 19))


def test_children_are_weaker_and_unskilled_and_elders_wiser() -> None:
    child, adult, elder = _draw(2, 5_000, age=4), _draw(2, 5_000), _draw(2, 5_000, age=80)
    assert child.attributes[:, 0].mean() < adult.attributes[:, 0].mean() - 1
    assert child.skills.max() <= 2
    assert elder.attributes[:, 4].mean() > adult.attributes[:, 4].mean() + 1
    assert elder.attributes[:, 1].mean() < adult.attributes[:, 1].mean() - 1


def test_same_stream_same_characters() -> None:
    first, again = _draw(9, 1_000), _draw(9, 1_000)
    assert np.array_equal(first.attributes, again.attributes)
    assert np.array_equal(first.skills, again.skills)
    assert np.array_equal(first.traits, again.traits)


def test_player_template_point_buy() -> None:
    table = character_table()
    scores = {"strength": 15, "dexterity": 14, "constitution": 13}
    scores |= {"intelligence": 12, "wisdom": 10, "charisma": 8}
    template = build_player_template(
        name="Ysolde", profession="smith", scores=scores, traits=["brave", "honest"], table=table
    )
    assert template.points_spent == 9 + 7 + 5 + 4 + 2 + 0
    assert template.attributes["strength"] == 17  # smiths get +2
    assert template.skills["craft"] == 5 + (14 - 10) // 4
    with pytest.raises(ValueError, match="budget"):
        build_player_template(
            name="X", profession="smith", scores=dict.fromkeys(scores, 15), traits=[], table=table
        )
    with pytest.raises(ValueError, match="opposed pair"):
        build_player_template(
            name="X", profession="smith", scores=scores, traits=["brave", "craven"], table=table
        )
    with pytest.raises(ValueError, match="unknown profession"):
        build_player_template(name="X", profession="child", scores=scores, traits=[], table=table)
    with pytest.raises(ValueError, match="outside the point-buy range"):
        build_player_template(
            name="X", profession="smith", scores=scores | {"wisdom": 3}, traits=[], table=table
        )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t["trait"].append({"key": "brave", "opposite": "meek"}), "exactly one pair"),
        (lambda t: t["profession"][0]["skills"].update(flying=2), "unknown skill"),
        (lambda t: t["age_band"][1].update(lo=17), "gap or overlap"),
        (lambda t: t["notable"][0].update(profession="king"), "unknown profession"),
        (lambda t: t["profession"][0].update(min_tier="metropolis"), "unknown tier"),
        (lambda t: t.update(trait_counts=[0.5, 0.5, 0.5, 0.5]), "trait_counts"),
    ],
)
def test_bad_character_tables_are_named(edit: Any, message: str) -> None:
    table = read_toml("characters.toml")
    edit(table)
    with pytest.raises(ValueError, match=message):
        CharacterTable.from_mapping(table)
