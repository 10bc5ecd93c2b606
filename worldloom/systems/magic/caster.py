"""Casters among the NPCs: who casts (profession, culture, faith and place), in which tradition
and school, at which level, knowing which spells, and what that gives them in a fight."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.magic.table import MAX_SPELL_LEVEL, TRADITIONS, MagicTable
from worldloom.systems.rng import Seeds

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

CHIEF_GOD_WEIGHT = 2.0
"""A faith's chief god counts double in choosing a priest's school."""
BLAST_TARGETS = 3
"""A damage spell's worth is its damage times its targets, counted up to three."""

CASTER_SCHEMA = {
    "npc_id": pl.Int64,
    "tradition": pl.String,
    "school": pl.String,
    "level": pl.Int16,
    "spells": pl.List(pl.String),
    "spell_damage": pl.Float64,
    "spell_targets": pl.Int16,
    "heal": pl.Float64,
    "ward": pl.Int16,
    "spell_uses": pl.Int16,
}
"""The casters frame: who casts, and their best spells in combat terms."""


@dataclass(frozen=True, slots=True)
class MagicPlaces:
    """What the world around a caster offers magic."""

    settlement_region: pl.DataFrame
    """settlement_id, region_id."""
    region_resources: pl.DataFrame
    """region_id, resources (list of resource keys)."""
    culture_types: pl.DataFrame
    """culture_id, type."""
    deities: pl.DataFrame
    """religion_id, rank, domains (list of domain keys)."""
    holy_sites: pl.DataFrame
    """religion_id, region_id: where each faith keeps a holy site."""


def choose_casters(
    npcs: pl.DataFrame, *, places: MagicPlaces, seeds: Seeds, table: MagicTable
) -> pl.DataFrame:
    """The NPCs who cast, with tradition, school, level, known spells and combat numbers.

    A worker of a profession in the table casts with its chance, scaled by how much their
    culture and place favour the profession's traditions; a caster's tradition is drawn by those
    weights, their school by their faith's gods' domains (divine) or their region's resources
    (arcane, primal). Every draw is keyed by the NPC's id.

    Args:
        npcs: npc_id, settlement_id, culture_id, religion_id, profession, the attributes and
            `skill_<key>` columns the table's level rule names.
        places: regions, cultures, faiths and holy sites around them.
        seeds: the world's seed tree.
        table: the magic seed table.

    Returns:
        `CASTER_SCHEMA` rows in npc_id order.
    """
    professions = list(table.casters)
    pool = npcs.filter(pl.col("profession").is_in(professions)).join(
        places.settlement_region, on="settlement_id", how="left"
    )
    pool = pool.join(places.culture_types, on="culture_id", how="left")
    ids = pool["npc_id"].to_numpy().astype(np.int64)
    school_weight, place_factor = _school_weights(pool, places=places, table=table)
    trad_weight = np.zeros((pool.height, len(TRADITIONS)))
    base_weight = np.zeros(pool.height)
    profession = pool["profession"].to_numpy()
    culture = pool["type"].fill_null("generic").to_numpy()
    chance = np.zeros(pool.height)
    for key, rule in table.casters.items():
        rows = profession == key
        chance[rows] = rule.chance
        for t, tradition in enumerate(TRADITIONS):
            weight = rule.traditions.get(tradition, 0.0)
            base_weight[rows] += weight
            trad_weight[rows, t] = weight
    for culture_type, factors in table.culture.items():
        rows = culture == culture_type
        for t, tradition in enumerate(TRADITIONS):
            trad_weight[rows, t] *= factors.get(tradition, 1.0)
    trad_weight *= place_factor
    casts = keyed_uniform(ids, seeds=seeds, system="magic.caster") < np.minimum(
        1.0, chance * trad_weight.sum(axis=1) / np.maximum(base_weight, 1e-12)
    )
    rows = np.flatnonzero(casts)
    drawn = _draw(
        trad_weight[rows], keyed_uniform(ids[rows], seeds=seeds, system="magic.tradition")
    )
    school_tradition = np.array(
        [TRADITIONS.index(s.tradition) if s.tradition in TRADITIONS else -1 for s in table.schools]
    )
    in_drawn = school_tradition[None, :] == drawn[:, None]
    school = _draw(
        np.where(in_drawn, school_weight[rows], 0.0),
        keyed_uniform(ids[rows], seeds=seeds, system="magic.school"),
    )
    level = _caster_level(pool[rows.tolist()], drawn, table=table)
    return _with_spells(ids[rows], drawn, school, level, table=table)


def _school_weights(
    pool: pl.DataFrame, *, places: MagicPlaces, table: MagicTable
) -> tuple[FloatArray, FloatArray]:
    """[npc, school] weights of the school drawn, and [npc, tradition] factors of the place.

    Divine schools weigh by how many of the NPC's gods' domains they answer (the chief god
    twice); arcane and primal ones by the resource factor for each of their resources the
    NPC's region yields. The place favours the divine tradition where the NPC's faith keeps a
    holy site in their region, and the others by their best school's resource factor.
    """
    schools = table.schools
    religion = pool["religion_id"].to_numpy().astype(np.int64)
    region = pool["region_id"].fill_null(-1).to_numpy().astype(np.int64)
    faiths = 1 + max(_top(places.deities["religion_id"]), int(religion.max(initial=0)))
    domain_score = np.zeros((faiths, len(schools)))
    for faith, rank, domains in places.deities.select("religion_id", "rank", "domains").rows():
        factor = CHIEF_GOD_WEIGHT if rank == 0 else 1.0
        for s, school in enumerate(schools):
            domain_score[faith, s] += factor * len(school.domains & set(domains))
    # One spare row: an NPC whose settlement has no region (-1) reads the last, resource-less one.
    regions = 2 + max(_top(places.region_resources["region_id"]), int(region.max(initial=0)))
    resource_factor = np.ones((regions, len(schools)))
    for region_id, resources in places.region_resources.select("region_id", "resources").rows():
        for s, school in enumerate(schools):
            resource_factor[region_id, s] = table.resource ** len(school.resources & set(resources))
    holy = np.zeros((faiths, regions), dtype=np.bool_)
    sites = places.holy_sites.select("religion_id", "region_id").to_numpy().astype(np.int64)
    holy[sites[:, 0], sites[:, 1]] = True
    divine = np.array([school.tradition == "divine" for school in schools])
    weight = np.where(divine, domain_score[religion], resource_factor[region])
    place = np.ones((pool.height, len(TRADITIONS)))
    for t, tradition in enumerate(TRADITIONS):
        if tradition == "divine":
            # A faith whose gods answer to no divine school's domains has no priests that cast.
            teaches = (domain_score[religion][:, divine] > 0).any(axis=1)
            place[:, t] = np.where(holy[religion, region], table.holy_site, 1.0) * teaches
        else:
            mine = np.array([school.tradition == tradition for school in schools])
            place[:, t] = resource_factor[region][:, mine].max(axis=1, initial=0.0)
    return weight, place


def _top(column: pl.Series) -> int:
    """The largest id in a column, -1 when it is empty."""
    top = column.max()
    return int(top) if isinstance(top, int | float) else -1


def _draw(weights: FloatArray, roll: FloatArray) -> IntArray:
    """Per row, the column drawn by `weights` with the row's uniform `roll` (the last column
    with positive weight when rounding runs past it)."""
    cumulative = np.cumsum(weights, axis=1)
    picked = (cumulative < (roll * cumulative[:, -1])[:, None]).sum(axis=1)
    last = weights.shape[1] - 1 - np.argmax(weights[:, ::-1] > 0, axis=1)
    chosen: IntArray = np.minimum(picked, last).astype(np.int64)
    return chosen


def _caster_level(pool: pl.DataFrame, tradition: IntArray, *, table: MagicTable) -> IntArray:
    level = np.ones(tradition.size)
    for t, name in enumerate(TRADITIONS):
        rows = tradition == t
        skill = pool[f"skill_{table.skill[name]}"].to_numpy()[rows].astype(np.float64)
        modifier = (pool[table.attribute[name]].to_numpy()[rows].astype(np.int64) - 10) // 2
        level[rows] = 1 + table.per_skill * skill + table.per_modifier * modifier
    return np.clip(np.floor(level), 1, 20).astype(np.int64)


def _with_spells(
    npc_id: IntArray, tradition: IntArray, school: IntArray, level: IntArray, *, table: MagicTable
) -> pl.DataFrame:
    """The caster rows: the school's spells up to their level, and the best of them."""
    casters = pl.DataFrame(
        {
            "npc_id": npc_id,
            "tradition": [TRADITIONS[t] for t in tradition.tolist()],
            "school": [table.schools[s].key for s in school.tolist()],
            "level": level,
            "max_spell": np.minimum(MAX_SPELL_LEVEL, (level + 1) // 2),
        }
    )
    spells = pl.DataFrame(
        {
            "school": [s.school for s in table.spells],
            "spell": [s.key for s in table.spells],
            "spell_level": [s.level for s in table.spells],
            "damage": [s.damage for s in table.spells],
            "targets": [s.targets for s in table.spells],
            "heal_hp": [s.heal for s in table.spells],
            "ward_ac": [s.ward for s in table.spells],
        }
    )
    known = (
        casters.join(spells, on="school")
        .filter(pl.col("spell_level") <= pl.col("max_spell"))
        .sort("npc_id", "spell_level", "spell")
        .with_columns(
            (pl.col("damage") * pl.col("targets").clip(upper_bound=BLAST_TARGETS)).alias("worth")
        )
    )
    best = known.group_by("npc_id").agg(
        pl.col("spell"),
        pl.col("damage").sort_by("worth").last().alias("spell_damage"),
        pl.col("targets").sort_by("worth").last().alias("spell_targets"),
        pl.col("heal_hp").max().alias("heal"),
        pl.col("ward_ac").max().alias("ward"),
    )
    return (
        casters.join(best, on="npc_id", how="left")
        .select(
            "npc_id",
            "tradition",
            "school",
            "level",
            pl.col("spell").fill_null([]).alias("spells"),
            pl.col("spell_damage").fill_null(0.0),
            pl.col("spell_targets").fill_null(0),
            pl.col("heal").fill_null(0.0),
            pl.col("ward").fill_null(0),
            (1 + pl.col("level") // 2).clip(upper_bound=table.max_uses).alias("spell_uses"),
        )
        .sort("npc_id")
        .cast(CASTER_SCHEMA)  # type: ignore[arg-type]
    )
