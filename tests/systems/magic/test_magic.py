"""Magic: the shipped schools and spells load and answer every deity domain; casters come from
the professions that cast, follow their faith's gods and their land, and depend on nobody
else's draws."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import world_seeds
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.magic import (
    MAX_SPELL_LEVEL,
    MagicPlaces,
    MagicTable,
    choose_casters,
    school_frame,
    spell_frame,
)
from worldloom.systems.people import CULTURE_TYPES
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

TABLE = catalog.magic_table()
PROFESSIONS = ["priest", "healer", "scholar", "adventurer", "noble", "hunter", "farmer", "smith"]


def npcs(count: int, *, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "npc_id": np.arange(count, dtype=np.int64) * 3 + 7,
            "settlement_id": rng.integers(0, 6, count).astype(np.int32),
            "culture_id": rng.integers(0, 3, count).astype(np.int32),
            "religion_id": rng.integers(0, 2, count).astype(np.int32),
            "profession": np.array(PROFESSIONS)[rng.integers(0, len(PROFESSIONS), count)],
            "intelligence": rng.integers(3, 19, count).astype(np.int8),
            "wisdom": rng.integers(3, 19, count).astype(np.int8),
            "skill_lore": rng.integers(0, 11, count).astype(np.int8),
            "skill_survival": rng.integers(0, 11, count).astype(np.int8),
        }
    )


PLACES = MagicPlaces(
    settlement_region=pl.DataFrame({"settlement_id": range(6), "region_id": [0, 0, 1, 1, 2, 2]}),
    region_resources=pl.DataFrame(
        {"region_id": [0, 1, 2], "resources": [["gems", "ore"], ["herbs"], ["game", "furs"]]}
    ),
    culture_types=pl.DataFrame({"culture_id": [0, 1, 2], "type": ["generic", "nomadic", "river"]}),
    deities=pl.DataFrame(
        {
            "religion_id": [0, 0, 1],
            "rank": [0, 1, 0],
            "domains": [["war"], ["healing", "sun"], ["sea", "storms"]],
        }
    ),
    holy_sites=pl.DataFrame({"religion_id": [1], "region_id": [2]}),
)


def test_the_shipped_tables_load_and_answer_every_domain() -> None:
    domains = {d.key for d in catalog.religion_table().domains}
    divine = {d for s in TABLE.schools if s.tradition == "divine" for d in s.domains}
    assert domains <= divine
    spells = spell_frame(TABLE)
    assert set(spells["school"]) <= set(school_frame(TABLE)["school"])
    assert set(spells["effect"]) == {"damage", "heal", "ward", "utility"}
    assert spells["level"].max() <= MAX_SPELL_LEVEL


def test_casters_follow_their_professions_faiths_and_levels() -> None:
    people = npcs(20_000)
    casters = choose_casters(people, places=PLACES, seeds=Seeds(2), table=TABLE)
    joined = casters.join(people, on="npc_id")
    assert set(joined["profession"]) <= set(TABLE.casters)
    assert "smith" not in set(joined["profession"])
    share = (
        joined.group_by("profession")
        .len()
        .join(people.group_by("profession").len().rename({"len": "all"}), on="profession")
    )
    rate = dict(zip(share["profession"], share["len"] / share["all"], strict=True))
    assert rate["priest"] > rate["scholar"] > rate["noble"] > rate.get("farmer", 0.0)
    schools = {s.key: s for s in TABLE.schools}
    faith_domains = {0: {"war", "healing", "sun"}, 1: {"sea", "storms"}}
    for row in joined.filter(pl.col("tradition") == "divine").iter_rows(named=True):
        assert schools[row["school"]].domains & faith_domains[row["religion_id"]]
    levels = {s.key: s.level for s in TABLE.spells}
    for row in joined.head(300).iter_rows(named=True):
        assert 1 <= row["level"] <= 20
        assert all(levels[s] <= (row["level"] + 1) // 2 for s in row["spells"])
        assert row["spell_uses"] == min(TABLE.max_uses, 1 + row["level"] // 2)
    # Nomads lean to the land's magic.
    nomads = joined.filter(pl.col("culture_id") == 1)
    townsfolk = joined.filter(pl.col("culture_id") == 2)
    primal = lambda f: (f["tradition"] == "primal").mean()  # noqa: E731
    assert primal(nomads) > primal(townsfolk)


@settings(max_examples=10, deadline=None)
@given(seed=world_seeds, order=st.randoms(use_true_random=False))
def test_who_casts_depends_on_nobody_elses_draws(seed: int, order: Any) -> None:
    people = npcs(600, seed=1)
    shuffled = people[order.sample(range(people.height), people.height)]
    first = choose_casters(people, places=PLACES, seeds=Seeds(seed), table=TABLE)
    again = choose_casters(shuffled, places=PLACES, seeds=Seeds(seed), table=TABLE)
    assert first.equals(again)
    half = choose_casters(people.head(300), places=PLACES, seeds=Seeds(seed), table=TABLE)
    assert half.equals(first.filter(pl.col("npc_id").is_in(people.head(300)["npc_id"].implode())))


def _load(table: dict[str, Any]) -> MagicTable:
    characters = catalog.character_table()
    return MagicTable.from_mapping(
        table,
        domains=[d.key for d in catalog.religion_table().domains],
        resources=["gems", "ore", "herbs", "game", "furs", "timber", "stone", "salt", "peat",
                   "fish", "grain"],
        professions=[p.key for p in characters.professions],
        culture_types=list(CULTURE_TYPES),
        skills=list(characters.skills),
        attributes=list(characters.attributes),
    )  # fmt: skip


def _change(table: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        table = table[int(key)] if key.isdigit() else table[key]
    table[last] = value


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("school.0.tradition", "alchemy", "unknown tradition"),
        ("school.0.domains", ["cheese"], "unknown domain or resource"),
        ("school.0.name", "", "needs a name"),
        ("school.5.domains", ["forge"], "answers domains"),
        ("school.0.key", "Evo Cation", "snake_case"),
        ("spell.0.school", "cooking", "known school"),
        ("spell.0.level", 9, "level must be"),
        ("spell.0.targets", 0, "go together"),
        ("spell.0.heal", -1.0, "negative"),
        ("casters.wizard", {"chance": 0.5, "arcane": 1.0}, "not a profession"),
        ("casters.priest.chance", 2.0, "chance must"),
        ("casters.priest", {"chance": 0.5}, "needs a tradition"),
        ("casters.priest.divine", -1.0, "weights must"),
        ("culture", {"generic": {}}, "every culture type"),
        ("level.skill", {"arcane": "lore"}, "an entry per tradition"),
        ("level.skill", {"arcane": "cooking", "divine": "lore", "primal": "lore"}, "unknown skill"),
        ("place.holy_site", 0, "positive number"),
        ("spell", [], "at least one"),
        ("place", 3, "needs a"),
    ],
)
def test_bad_tables_are_refused(path: str, value: Any, message: str) -> None:
    table = copy.deepcopy(read_toml("magic.toml"))
    _change(table, path, value)
    with pytest.raises(ValueError, match=message):
        _load(table)


def test_a_spell_defined_twice_is_refused() -> None:
    table = copy.deepcopy(read_toml("magic.toml"))
    table["spell"].append(table["spell"][0])
    with pytest.raises(ValueError, match="defined twice"):
        _load(table)
