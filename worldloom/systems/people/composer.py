"""A world's people in the order each needs the last: cultures over the regions, faiths, every
inhabitant counted, individual NPCs, the powers that rule them, their diplomacy, and the text a
reader meets first."""

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
    """Populate a world's places: who lives there, what they believe, who rules them.

    Args:
        region_map: the world's regions.
        regions: the stored `regions` rows (names for the prose).
        settlements: the stored `settlements` rows.
        pois: the stored `pois` rows (shrines and temples become holy sites).
        seeds: the world's seed tree.
        tables: the seed tables.
        npcs: how many Tier-2 NPCs to draw at most (the preset's `population.npcs`).
    """
    places = settlements.select(
        "settlement_id",
        "region_id",
        "cell_id",
        "name",
        "tier",
        pl.col("population").cast(pl.Int64),
        pl.col("is_port").alias("coastal"),
    )
    # Temples and shrines inside towns are sub-locations; free-standing POIs sit outside any.
    sites = pois.select(
        "poi_id",
        "kind",
        "region_id",
        "cell_id",
        "name",
        pl.lit(-1, dtype=pl.Int32).alias("settlement_id"),
    )
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
