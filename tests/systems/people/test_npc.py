"""Tier-2 NPCs: agree with Tier 1, live in real places, consistent families, deterministic."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.people import People, build_people, character_table, world
from tests.strategies import settlement_frames, synthetic_settlements
from worldloom.systems.people import (
    ATTRIBUTE_MAX,
    ATTRIBUTE_MIN,
    FULL_TIERS,
    generate_npcs,
    npc_schema,
    plan_npcs,
)
from worldloom.systems.people.family import FAMILY_ROLLS, link_families
from worldloom.systems.rng import Seeds

SEED = 5
REGIONS = len(world(SEED).regions.regions)
KEYS = ["settlement_id", "age_band", "sex", "culture_id", "religion_id", "profession"]


def _mixed() -> pl.DataFrame:
    return synthetic_settlements(
        ["hamlet", "village", "town", "city", "capital", "village", "hamlet"],
        [40, 450, 3_000, 9_000, 25_000, 200, 1],
        [0, 1, 2, 3, 4, 0, 1],
        [False, True, True, False, True, False, False],
    )


def _people(settlements: pl.DataFrame | None = None, *, target: int = 4_000) -> People:
    return build_people(SEED, _mixed() if settlements is None else settlements, target_npcs=target)


def _with_band(npcs: pl.DataFrame) -> pl.DataFrame:
    bands = character_table().age_bands
    labels = pl.Series([next(b.key for b in bands if b.lo <= a <= b.hi) for a in range(86)])
    return npcs.with_columns(age_band=labels.gather(npcs["age"].cast(pl.Int64)))


@given(
    settlements=settlement_frames(region_count=REGIONS, max_size=12), target=st.integers(0, 9_000)
)
@settings(max_examples=20, deadline=None)
def test_small_places_are_fully_simulated_and_agree_with_tier_one(
    settlements: pl.DataFrame, target: int
) -> None:
    people = build_people(SEED, settlements, target_npcs=target)
    npcs = people.npcs
    assert npcs.schema == pl.Schema(npc_schema(character_table()))
    assert npcs["npc_id"].to_list() == list(range(npcs.height))
    assert set(npcs["settlement_id"]) <= set(settlements["settlement_id"])
    full = settlements.filter(pl.col("tier").is_in(FULL_TIERS))["settlement_id"]
    tier_one = people.population.filter(pl.col("settlement_id").is_in(full))
    counted = _with_band(npcs.filter(pl.col("settlement_id").is_in(full))).group_by(KEYS).len()
    expected = tier_one.group_by(KEYS).agg(pl.col("count").sum().cast(pl.UInt32).alias("len"))
    assert counted.sort(KEYS).equals(expected.sort(KEYS))
    # Never more NPCs than people anywhere; the target is met whenever it can be.
    per_place = npcs.group_by("settlement_id").len()
    joined = settlements.join(per_place, on="settlement_id", how="left").fill_null(0)
    assert (joined["len"] <= joined["population"]).all()
    floor = int(people.plan["notables"].sum()) + int(
        settlements.filter(pl.col("tier").is_in(FULL_TIERS))["population"].sum()
    )
    ceiling = int(settlements["population"].sum())
    assert npcs.height == min(max(target, floor), ceiling)


def test_family_links_are_consistent() -> None:
    npcs = _people().npcs
    by_id = npcs.select("npc_id", "age", "sex", "settlement_id", "spouse_id", "household_id")
    for link, sex in (("father_id", "male"), ("mother_id", "female")):
        children = npcs.filter(pl.col(link) >= 0).join(
            by_id, left_on=link, right_on="npc_id", suffix="_parent"
        )
        assert children.height > 100  # families really form
        gap = children["age_parent"] - children["age"]
        assert gap.min() >= 16, link  # type: ignore[operator]  # an Int16 column's min
        assert gap.max() <= 45, link  # type: ignore[operator]  # and max
        assert (children["sex_parent"] == sex).all()
        assert (children["settlement_id_parent"] == children["settlement_id"]).all()
        assert (children["household_id"] == children["household_id_parent"]).all()
    both = npcs.filter(pl.col("father_id") >= 0).join(
        by_id, left_on="father_id", right_on="npc_id", suffix="_father"
    )
    assert (both["spouse_id_father"] == both["mother_id"]).all()  # parents are a couple
    married = npcs.filter(pl.col("spouse_id") >= 0).join(
        by_id, left_on="spouse_id", right_on="npc_id", suffix="_spouse"
    )
    assert married.height > 100
    assert (married["spouse_id_spouse"] == married["npc_id"]).all()  # paired both ways
    assert (married["sex"] != married["sex_spouse"]).all()
    assert (married["household_id"] == married["household_id_spouse"]).all()
    heads = npcs.join(by_id, left_on="household_id", right_on="npc_id", suffix="_head")
    assert heads.height == npcs.height  # every household points at a real person...
    assert (heads["household_id_head"] == heads["household_id"]).all()  # ...who heads it
    assert (heads["settlement_id_head"] == heads["settlement_id"]).all()
    young = npcs.filter(pl.col("age") < 16)
    assert (young["spouse_id"] == -1).all()
    # No child heads a household, unless no adult lives there (a one-person hamlet can be a child).
    with_adults = npcs.filter(pl.col("age") >= 16)["settlement_id"].unique()
    alone = npcs.filter(
        (pl.col("household_id") == pl.col("npc_id")) & pl.col("settlement_id").is_in(with_adults)
    )
    assert alone["age"].min() >= 16  # type: ignore[operator]  # an Int16 column's min


def test_no_ancestry_cycles() -> None:
    npcs = _people().npcs
    parent = dict(zip(npcs["npc_id"].to_list(), npcs["father_id"].to_list(), strict=True))
    for start in parent:
        seen, node = set(), start
        while node >= 0:
            assert node not in seen
            seen.add(node)
            node = parent[node]


def test_same_seed_same_npcs_whatever_the_batch() -> None:
    people = _people()
    again = _people()
    assert people.npcs.equals(again.npcs)
    table = character_table()
    settlements = _mixed()
    halves = [
        generate_npcs(
            settlements,
            people.population,
            seeds=Seeds(SEED),
            plan=people.plan.filter(pl.col("settlement_id").is_in(part)),
            table=table,
            names=people.pools,
        )
        for part in ([0, 2, 4, 6], [1, 3, 5])
    ]
    assert pl.concat(halves).sort("npc_id").equals(people.npcs)
    other = build_people(SEED + 1, settlements, target_npcs=4_000).npcs
    assert not other.equals(people.npcs)


def test_notables_fill_their_roles_in_towns_and_cities() -> None:
    npcs = _people().npcs
    table = character_table()
    notables = npcs.filter(pl.col("notable"))
    assert notables.filter(pl.col("settlement_id").is_in([0, 1, 5, 6])).height == 0
    for role in table.notables:
        found = notables.filter(pl.col("notable_role") == role.role)
        per_place = dict(found.group_by("settlement_id").len().iter_rows())
        for sid, tier in ((2, "town"), (3, "city"), (4, "capital")):
            assert per_place.get(sid, 0) == role.counts.get(tier, 0), (role.role, tier)
        assert (found["profession"] == role.profession).all()
        assert (found["age"] >= role.min_age).all()
    assert (npcs.filter(~pl.col("notable"))["notable_role"].is_null()).all()
    rulers = notables.filter(pl.col("notable_role") == "ruler")["wealth"].median()
    assert rulers > npcs["wealth"].median() * 10  # type: ignore[operator]  # medians of ints


def test_characters_in_bounds_and_traits_exclusive() -> None:
    npcs = _people().npcs
    table = character_table()
    for attribute in (
        "strength",
        "dexterity",
        "constitution",
        "intelligence",
        "wisdom",
        "charisma",
    ):
        assert npcs[attribute].min() >= ATTRIBUTE_MIN  # type: ignore[operator]  # Int8 min
        assert npcs[attribute].max() <= ATTRIBUTE_MAX  # type: ignore[operator]  # Int8 max
    opposite = {a: b for pair in table.trait_pairs for a, b in (pair, pair[::-1])}
    rows = npcs.select("trait_1", "trait_2", "trait_3").rows()
    for row in rows:
        held = [t for t in row if t is not None]
        assert len(set(held)) == len(held)
        assert not any(opposite[t] in held for t in held)
    assert (npcs.filter(pl.col("age") < 16)["profession"] == "child").all()
    assert (npcs.filter(pl.col("profession") == "child")["wealth"] == 0).all()
    assert npcs["name"].null_count() == 0
    assert npcs["family_name"].null_count() == 0


def test_plans_reach_the_target_and_refuse_impossible_batches() -> None:
    table = character_table()
    settlements = _mixed()
    plan = plan_npcs(settlements, target_npcs=10_000, table=table)
    assert int(plan["npcs"].sum()) == 10_000
    assert (
        plan["first_npc_id"].to_list()
        == np.concatenate([[0], np.cumsum(plan["npcs"])[:-1]]).tolist()
    )
    too_big = plan.with_columns(pl.col("npcs") * 100)
    people = _people()
    with pytest.raises(ValueError, match="plan asks for"):
        generate_npcs(
            settlements,
            people.population,
            seeds=Seeds(SEED),
            plan=too_big,
            table=table,
            names=people.pools,
        )


def test_a_child_with_no_couple_in_the_whole_batch_lives_with_an_adult_of_its_place() -> None:
    # One settlement, one grown woman and two children, nobody married: the children are
    # fostered by her whether or not couples live elsewhere in the batch (an NPC batch of
    # regions without any couple left them heading their own homes).
    rolls = np.full((3, FAMILY_ROLLS), 0.99)  # nobody wishes to marry
    alone = link_families(
        settlement=np.array([1, 1, 1]),
        culture=np.array([0, 0, 0]),
        sex=np.array([0, 1, 0]),
        age=np.array([8, 5, 24]),
        rolls=rolls,
    )
    assert alone.household.tolist() == [2, 2, 2]
