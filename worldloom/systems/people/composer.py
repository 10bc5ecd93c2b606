"""A world's people in the order each needs the last: cultures over the regions, faiths, every
inhabitant counted, individual NPCs, the powers that rule them, their diplomacy, and the text a
reader meets first; in one call, or step by step as the people flow's tasks run them (the
frames the steps share, and the NPC batches)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from worldloom.systems.faction import (
    Diplomacy,
    Factions,
    FactionTable,
    generate_diplomacy,
    generate_factions,
)
from worldloom.systems.naming import NameBases
from worldloom.systems.people.character import CharacterTable
from worldloom.systems.people.culture import (
    CultureRules,
    Cultures,
    generate_cultures,
    name_pool,
)
from worldloom.systems.people.npc import generate_npcs, plan_npcs
from worldloom.systems.people.population import generate_population
from worldloom.systems.prose import PeopleProse, ProseTemplates, write_people_prose
from worldloom.systems.region import RegionMap
from worldloom.systems.religion import Religions, ReligionTable, generate_religions
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import BiomeTable


@dataclass(frozen=True, slots=True)
class PeopleTables:
    """The seed tables the people stage reads (`data/`)."""

    characters: CharacterTable
    cultures: CultureRules
    religions: ReligionTable
    factions: FactionTable
    biomes: BiomeTable
    name_bases: NameBases
    prose: ProseTemplates


@dataclass(frozen=True, slots=True)
class People:
    """Everything the people stage makes; `prose` holds the procedural text of its entities."""

    cultures: Cultures
    religions: Religions
    population: pl.DataFrame
    npcs: pl.DataFrame
    factions: Factions
    diplomacy: Diplomacy
    prose: PeopleProse


def generate_people(
    region_map: RegionMap,
    *,
    regions: pl.DataFrame,
    settlements: pl.DataFrame,
    pois: pl.DataFrame,
    seeds: Seeds,
    tables: PeopleTables,
    npcs: int,
) -> People:
    """Populate a world's places: who lives there, what they believe, who rules them (the
    people flow's steps store exactly this, a step at a time).

    Args:
        region_map: the world's regions.
        regions: the stored `regions` rows (names for the prose).
        settlements: the stored `settlements` rows.
        pois: the stored `pois` rows (shrines and temples become holy sites).
        seeds: the world's seed tree.
        tables: the seed tables.
        npcs: how many Tier-2 NPCs to draw at most (the preset's `population.npcs`).
    """
    places = settlement_places(settlements)
    sites = poi_sites(pois)
    cultures = generate_cultures(
        region_map,
        seeds=seeds,
        biomes=tables.biomes,
        name_bases=tables.name_bases,
        rules=tables.cultures,
    )
    religions = generate_religions(
        region_map.regions,
        settlements=places,
        pois=sites,
        region_cultures=cultures.regions(),
        cultures=cultures.table(),
        seeds=seeds,
        table=tables.religions,
        name_bases=tables.name_bases,
    )
    population = generate_population(
        places,
        seeds=seeds,
        region_map=region_map,
        cultures=cultures,
        culture_rules=tables.cultures,
        table=tables.characters,
        religion_shares=religions.shares,
    )
    people = generate_npcs(
        places,
        population,
        seeds=seeds,
        plan=plan_npcs(places, target_npcs=npcs, table=tables.characters),
        table=tables.characters,
        names=[name_pool(c, seeds=seeds, name_bases=tables.name_bases) for c in cultures.cultures],
    )
    factions = generate_factions(
        region_map.regions,
        settlements=places,
        region_cultures=cultures.regions(),
        cultures=cultures.table(),
        religions=religions,
        npcs=people,
        seeds=seeds,
        table=tables.factions,
        name_bases=tables.name_bases,
    )
    diplomacy = generate_diplomacy(
        factions.factions,
        factions.provinces,
        region_map.regions,
        religion_relations=religions.relations,
        seeds=seeds,
    )
    prose = write_people_prose(
        settlements=settlements,
        regions=regions,
        pois=pois,
        religions=religions.religions,
        deities=religions.deities,
        holy_sites=religions.holy_sites,
        shares=religions.shares,
        npcs=people,
        factions=factions.factions,
        provinces=factions.provinces,
        templates=tables.prose,
        seeds=seeds,
    )
    return People(
        cultures=cultures,
        religions=religions,
        population=population,
        npcs=people,
        factions=factions,
        diplomacy=diplomacy,
        prose=prose,
    )


def settlement_places(settlements: pl.DataFrame) -> pl.DataFrame:
    """The stored `settlements` rows as the people's systems read them (`SETTLEMENT_SCHEMA`)."""
    return settlements.select(
        "settlement_id",
        "region_id",
        "cell_id",
        "name",
        "tier",
        pl.col("population").cast(pl.Int64),
        pl.col("is_port").alias("coastal"),
    )


def poi_sites(pois: pl.DataFrame) -> pl.DataFrame:
    """The stored `pois` rows as the faiths read them: free-standing, outside any settlement
    (temples and shrines inside towns are sub-locations)."""
    return pois.select(
        "poi_id",
        "kind",
        "region_id",
        "cell_id",
        "name",
        pl.lit(-1, dtype=pl.Int32).alias("settlement_id"),
    )


def batch_regions(
    plan: pl.DataFrame, places: pl.DataFrame, *, npcs_per_batch: int
) -> tuple[tuple[int, ...], ...]:
    """Regions with NPCs to draw, in id order, in batches of about `npcs_per_batch` planned
    NPCs: a batch takes whole regions until it holds that many. The NPCs do not depend on the
    batches (each settlement draws from its own stream), so any batching gives the same rows.

    Args:
        plan: `plan_npcs` rows.
        places: `settlement_places` rows (for each settlement's region).
        npcs_per_batch: the size a batch closes at (at least 1).

    Raises:
        ValueError: `npcs_per_batch` below 1.
    """
    if npcs_per_batch < 1:
        raise ValueError(f"a batch holds at least one NPC, got {npcs_per_batch}")
    per_region = (
        plan.join(places.select("settlement_id", "region_id"), on="settlement_id")
        .group_by("region_id")
        .agg(pl.col("npcs").sum())
        .filter(pl.col("npcs") > 0)
        .sort("region_id")
    )
    batches: list[tuple[int, ...]] = []
    batch: list[int] = []
    held = 0
    for region_id, npcs in per_region.iter_rows():
        batch.append(int(region_id))
        held += int(npcs)
        if held >= npcs_per_batch:
            batches.append(tuple(batch))
            batch, held = [], 0
    if batch:
        batches.append(tuple(batch))
    return tuple(batches)
