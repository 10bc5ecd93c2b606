"""Cultures: hearths by affinity, every region covered once, deterministic, valid name pools."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.people import culture_rules, cultures_for, world
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.people import (
    CULTURE_TYPES,
    CultureRules,
    generate_cultures,
    name_pool,
)
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog


@pytest.mark.parametrize("seed", [1, 2, 3, 11])
def test_every_region_has_exactly_one_existing_culture(seed: int) -> None:
    cultures, _ = cultures_for(seed)
    regions = world(seed).regions.regions
    table = cultures.regions()
    assert table["region_id"].to_list() == [r.region_id for r in regions]
    assert set(table["culture_id"].to_list()) <= {c.culture_id for c in cultures.cultures}
    for culture in cultures.cultures:  # a hearth is never taken by another culture
        assert cultures.region_culture[culture.hearth_region_id] == culture.culture_id


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_culture_per_name_base_with_hearths_on_suited_land(seed: int) -> None:
    cultures, _ = cultures_for(seed)
    bases = catalog.name_bases()
    regions = world(seed).regions.regions
    assert [c.name_base for c in cultures.cultures] == list(bases.keys)[: len(cultures.cultures)]
    assert len({c.hearth_region_id for c in cultures.cultures}) == len(cultures.cultures)
    assert len({c.name.lower() for c in cultures.cultures}) == len(cultures.cultures)
    biomes = catalog.biome_table()
    suits = {
        r.region_id: bases.affinity.base_for(
            biome_key=biomes.by_id(r.dominant_biome_id).key, mean_elevation_m=r.mean_elevation_m
        )
        for r in regions
    }
    for culture in cultures.cultures:
        wanted = [r for r, base in suits.items() if base == culture.name_base]
        if wanted and culture.culture_id == 0:  # the first pick is never crowded out
            assert suits[culture.hearth_region_id] == culture.name_base
    assert {c.type for c in cultures.cultures} <= set(CULTURE_TYPES)


@given(seed=st.integers(min_value=0, max_value=2**63 - 1))
@settings(max_examples=15, deadline=None)
def test_same_seed_same_cultures(seed: int) -> None:
    def make() -> Any:
        return generate_cultures(
            world(2).regions,
            seeds=Seeds(seed),
            biomes=catalog.biome_table(),
            name_bases=catalog.name_bases(),
            rules=culture_rules(),
        )

    first, again = make(), make()
    assert first == again
    assert first.table().equals(again.table())


def test_count_is_capped_by_regions_and_cycles_bases() -> None:
    regions = world(2).regions
    many = generate_cultures(
        regions,
        seeds=Seeds(2),
        biomes=catalog.biome_table(),
        name_bases=catalog.name_bases(),
        rules=culture_rules(),
        count=100,
    )
    assert len(many.cultures) == len(regions.regions)
    assert len({c.key for c in many.cultures}) == len(many.cultures)


def test_name_pools_are_unique_disjoint_and_deterministic() -> None:
    cultures, _ = cultures_for(3)
    culture = cultures.cultures[0]
    pool = name_pool(culture, seeds=Seeds(3), name_bases=catalog.name_bases(), given=50, family=80)
    again = name_pool(culture, seeds=Seeds(3), name_bases=catalog.name_bases(), given=50, family=80)
    assert pool == again
    assert (len(pool.female), len(pool.male), len(pool.family)) == (50, 50, 80)
    given_names = {n.lower() for n in (*pool.female, *pool.male)}
    assert len(given_names) == 100
    assert not given_names & {n.lower() for n in pool.family}
    with pytest.raises(ValueError, match="at least one"):
        name_pool(culture, seeds=Seeds(3), name_bases=catalog.name_bases(), given=0)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("types", "naval", "reef"), 0.5, "unknown 'reef'"),
        (("types", "naval", "coastal"), 0.0, "must be positive"),
        (("minority_share", "city"), 1.5, "minority_share"),
        (("types", "pirate"), {}, "unknown culture type 'pirate'"),
    ],
)
def test_bad_culture_rules_are_named(path: tuple[str, ...], value: Any, message: str) -> None:
    table = read_toml("cultures.toml")
    node = table
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValueError, match=message):
        CultureRules.from_mapping(table)
