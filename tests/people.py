"""The people systems wired together in-process on a tiny world, for the people tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from tests.worlds import BuiltWorld, build_world
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.people import (
    CharacterTable,
    CultureRules,
    Cultures,
    NamePool,
    generate_cultures,
    generate_npcs,
    generate_population,
    name_pool,
    plan_npcs,
)
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog


@cache
def character_table() -> CharacterTable:
    return CharacterTable.from_mapping(read_toml("characters.toml"))


@cache
def culture_rules() -> CultureRules:
    return CultureRules.from_mapping(read_toml("cultures.toml"))


@cache
def world(seed: int) -> BuiltWorld:
    return build_world(seed)


@dataclass(frozen=True)
class People:
    world: BuiltWorld
    cultures: Cultures
    pools: tuple[NamePool, ...]
    population: pl.DataFrame
    plan: pl.DataFrame
    npcs: pl.DataFrame


def cultures_for(seed: int) -> tuple[Cultures, tuple[NamePool, ...]]:
    seeds = Seeds(seed)
    cultures = generate_cultures(
        world(seed).regions,
        seeds=seeds,
        biomes=catalog.biome_table(),
        name_bases=catalog.name_bases(),
        rules=culture_rules(),
    )
    pools = tuple(
        name_pool(c, seeds=seeds, name_bases=catalog.name_bases(), given=30, family=40)
        for c in cultures.cultures
    )
    return cultures, pools


def build_people(
    seed: int,
    settlements: pl.DataFrame,
    *,
    target_npcs: int,
    religion_shares: pl.DataFrame | None = None,
) -> People:
    """Cultures, Tier-1 population and NPCs for `settlements` on the tiny world of `seed`."""
    seeds = Seeds(seed)
    cultures, pools = cultures_for(seed)
    population = generate_population(
        settlements,
        seeds=seeds,
        region_map=world(seed).regions,
        cultures=cultures,
        culture_rules=culture_rules(),
        table=character_table(),
        religion_shares=religion_shares,
    )
    plan = plan_npcs(settlements, target_npcs=target_npcs, table=character_table())
    npcs = generate_npcs(
        settlements, population, seeds=seeds, plan=plan, table=character_table(), names=pools
    )
    return People(world(seed), cultures, pools, population, plan, npcs)
