"""Tier-2 people: individual NPCs drawn from the Tier-1 counts, with characters and families."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.special import ndtri

from worldloom.systems.people.character import (
    ATTRIBUTES,
    ROLLS_PER_CHARACTER,
    CharacterTable,
    roll_characters,
)
from worldloom.systems.people.culture import TIERS, NamePool
from worldloom.systems.people.family import FAMILY_ROLLS, link_families
from worldloom.systems.people.population import SEXES
from worldloom.systems.rng import Seeds

FULL_TIERS = ("hamlet", "village")
"""Tiers whose every resident is an NPC; larger places get a sample plus their notables."""
PLAN_SCHEMA: dict[str, pl.DataType] = {
    "settlement_id": pl.Int32(),
    "npcs": pl.Int64(),
    "notables": pl.Int64(),
    "first_npc_id": pl.Int64(),
    "sampled": pl.Boolean(),
}
_AGE, _GIVEN, _FAMILY, _WEALTH = range(4)
_ROLLS = 4 + ROLLS_PER_CHARACTER + FAMILY_ROLLS
"""Uniform numbers per NPC: age, given name, family name, wealth, then character and family."""
_WEALTH_SPREAD = 0.6
"""Log-normal spread of wealth around a profession's mean: a few do far better than most."""


def npc_schema(table: CharacterTable) -> dict[str, pl.DataType]:
    """Columns of the NPC frame (skills are named `skill_<key>` from the table)."""
    return {
        "npc_id": pl.Int64(),
        "settlement_id": pl.Int32(),
        "name": pl.String(),
        "family_name": pl.String(),
        "age": pl.Int16(),
        "sex": pl.String(),
        "culture_id": pl.Int32(),
        "religion_id": pl.Int32(),
        "profession": pl.String(),
        "trait_1": pl.String(),
        "trait_2": pl.String(),
        "trait_3": pl.String(),
        **{name: pl.Int8() for name in ATTRIBUTES},
        **{f"skill_{key}": pl.Int8() for key in table.skills},
        "household_id": pl.Int64(),
        "father_id": pl.Int64(),
        "mother_id": pl.Int64(),
        "spouse_id": pl.Int64(),
        "wealth": pl.Int64(),
        "notable": pl.Boolean(),
        "notable_role": pl.String(),
    }


def plan_npcs(
    settlements: pl.DataFrame, *, target_npcs: int, table: CharacterTable
) -> pl.DataFrame:
    """How many NPCs each settlement gets, and the id its first one takes.

    Hamlets and villages get everyone. Towns and larger get their notables plus a share of
    what remains of `target_npcs`, proportional to their other residents and rounded by largest
    remainder, so the world total hits the target whenever the populations allow it (never
    below everyone in hamlets and villages plus every notable).

    Returns:
        `PLAN_SCHEMA` rows in settlement order; ids are consecutive from 0.
    """
    frame = settlements.sort("settlement_id")
    population = frame["population"].to_numpy().astype(np.int64)
    tiers = frame["tier"].to_list()
    sampled = np.array([tier not in FULL_TIERS for tier in tiers])
    per_tier = {t: sum(r.counts.get(t, 0) for r in table.notables) for t in TIERS}
    notables = np.minimum([per_tier[t] for t in tiers], population) * sampled
    room = np.where(sampled, population - notables, 0)
    full = int(population[~sampled].sum())
    spare = min(max(target_npcs - full - int(notables.sum()), 0), int(room.sum()))
    extra = np.zeros(frame.height, dtype=np.int64)
    if spare:
        quota = spare * room / room.sum()
        extra = np.floor(quota).astype(np.int64)
        order = np.lexsort((np.arange(quota.size), -(quota - extra)))
        extra[order[: spare - int(extra.sum())]] += 1
    npcs = np.where(sampled, notables + extra, population)
    first = np.concatenate([[0], np.cumsum(npcs)[:-1]]) if npcs.size else npcs
    return pl.DataFrame(
        {
            "settlement_id": frame["settlement_id"],
            "npcs": npcs,
            "notables": notables,
            "first_npc_id": first,
            "sampled": sampled,
        },
        schema=PLAN_SCHEMA,
    )


def generate_npcs(
    settlements: pl.DataFrame,
    population: pl.DataFrame,
    *,
    seeds: Seeds,
    plan: pl.DataFrame,
    table: CharacterTable,
    names: Sequence[NamePool],
) -> pl.DataFrame:
    """Individual NPCs for the settlements in `plan` (all of them, or one batch's rows).

    Each settlement draws from its own stream (`seeds.stream("npc", settlement_id)`): fully
    simulated settlements expand their Tier-1 counts row by row, so the two tiers agree exactly;
    sampled ones draw their notables from mature adults and the rest without replacement from
    their Tier-1 counts. Everything after that is vectorised over all NPCs at once, and every
    step keys on the settlement, so a settlement's NPCs do not depend on which others are in the
    batch.

    Args:
        settlements: the settlements frame (for tiers).
        population: the Tier-1 frame from `generate_population`.
        seeds: the world's seed tree.
        plan: rows of `plan_npcs` (a subset generates a batch).
        table: the character table the population was counted with.
        names: name pools indexed by culture_id.

    Returns:
        `npc_schema(table)` rows in npc_id order.

    Raises:
        ValueError: a plan that asks for more people than the Tier-1 counts hold.
    """
    cells = _cells(population, table)
    tier_of = dict(
        zip(settlements["settlement_id"].to_list(), settlements["tier"].to_list(), strict=True)
    )
    tiers = [tier_of[s] for s in plan["settlement_id"].to_list()]
    picks, rolls, roles = _draw(cells, plan, tiers, seeds, table)
    sid = cells["settlement_id"][picks]
    band, sex = cells["band"][picks], cells["sex"][picks]
    culture, religion = cells["culture_id"][picks], cells["religion_id"][picks]
    low = np.array([b.lo for b in table.age_bands])[band]
    span = np.array([b.hi - b.lo + 1 for b in table.age_bands])[band]
    age = low + (rolls[:, _AGE] * span).astype(np.int64)
    keys = list(table.profession_keys)
    role_job = np.array([keys.index(r.profession) for r in table.notables] + [-1])
    job = np.where(roles >= 0, role_job[roles], cells["job"][picks])
    characters = roll_characters(
        rolls[:, 4 : 4 + ROLLS_PER_CHARACTER], profession=job, age=age, table=table
    )
    families = link_families(
        settlement=sid, culture=culture, sex=sex, age=age, rolls=rolls[:, 4 + ROLLS_PER_CHARACTER :]
    )
    ids = np.repeat(plan["first_npc_id"].to_numpy(), plan["npcs"].to_numpy())
    ids = ids + _positions(plan["npcs"].to_numpy())
    given, family = _names(
        names,
        culture,
        sex,
        rolls=rolls,
        household=families.household,
        father=families.father,
        spouse=families.spouse,
    )
    tier = np.repeat(
        np.array([TIERS.index(t) for t in tiers], dtype=np.int64), plan["npcs"].to_numpy()
    )
    wealth = _wealth(table, job, tier, roles, rolls[:, _WEALTH])
    columns: dict[str, Any] = {
        "npc_id": ids,
        "settlement_id": sid,
        "name": given,
        "family_name": family,
        "age": age,
        "sex": pl.Series(SEXES).gather(sex),
        "culture_id": culture,
        "religion_id": religion,
        "profession": pl.Series(keys).gather(job),
    }
    trait_names = pl.Series([*table.trait_keys, None], dtype=pl.String)
    for slot in range(characters.traits.shape[1]):
        code = characters.traits[:, slot].astype(np.int64)
        columns[f"trait_{slot + 1}"] = trait_names.gather(
            np.where(code < 0, len(table.trait_keys), code)
        )
    columns |= {name: characters.attributes[:, i] for i, name in enumerate(ATTRIBUTES)}
    columns |= {f"skill_{key}": characters.skills[:, i] for i, key in enumerate(table.skills)}
    columns |= {
        "household_id": ids[families.household],
        "father_id": _link(ids, families.father),
        "mother_id": _link(ids, families.mother),
        "spouse_id": _link(ids, families.spouse),
        "wealth": wealth,
        "notable": roles >= 0,
        "notable_role": pl.Series(
            [*(r.role for r in table.notables), None], dtype=pl.String
        ).gather(np.where(roles < 0, len(table.notables), roles)),
    }
    return pl.DataFrame(columns, schema=npc_schema(table))


def _cells(population: pl.DataFrame, table: CharacterTable) -> dict[str, NDArray[np.int64]]:
    """Tier-1 rows as integer code arrays, in settlement order."""
    frame = population.sort("settlement_id", maintain_order=True).select(
        "settlement_id",
        pl.col("age_band")
        .replace_strict([b.key for b in table.age_bands], range(len(table.age_bands)))
        .alias("band"),
        pl.col("sex").replace_strict(list(SEXES), range(len(SEXES))).alias("sex"),
        "culture_id",
        "religion_id",
        pl.col("profession")
        .replace_strict(list(table.profession_keys), range(len(table.profession_keys)))
        .alias("job"),
        "count",
    )
    return {name: frame[name].to_numpy().astype(np.int64) for name in frame.columns}


def _draw(
    cells: dict[str, NDArray[np.int64]],
    plan: pl.DataFrame,
    tiers: Sequence[str],
    seeds: Seeds,
    table: CharacterTable,
) -> tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.int64]]:
    """Per settlement, from its own stream: which Tier-1 row each NPC comes from, its rolls, and
    its notable role (-1 for none)."""
    mature = max((r.min_age for r in table.notables), default=0)
    eligible = np.array([b.lo >= mature for b in table.age_bands])[cells["band"]]
    starts = np.searchsorted(cells["settlement_id"], plan["settlement_id"].to_numpy(), side="left")
    ends = np.searchsorted(cells["settlement_id"], plan["settlement_id"].to_numpy(), side="right")
    picks, rolls, roles = [], [], []
    rows = plan.select("settlement_id", "npcs", "notables", "sampled").iter_rows()
    for (sid, npcs, notables, sampled), tier, start, end in zip(
        rows, tiers, starts, ends, strict=True
    ):
        counts = cells["count"][start:end]
        if counts.sum() < npcs:
            raise ValueError(
                f"settlement {sid}: plan asks for {npcs} NPCs, Tier 1 holds {counts.sum()}"
            )
        rng = seeds.stream("npc", sid)
        index = np.arange(start, end)
        role = np.full(npcs, -1, dtype=np.int64)
        if not sampled:
            picked = np.repeat(index, counts)
        else:
            pool = counts * eligible[start:end]
            k = int(min(notables, pool.sum()))
            first = rng.multivariate_hypergeometric(pool, k) if k else np.zeros_like(pool)
            rest = rng.multivariate_hypergeometric(counts - first, npcs - k)
            picked = np.concatenate([np.repeat(index, first), np.repeat(index, rest)])
            role[:k] = _roles(table, tier)[:k]
        picks.append(picked)
        rolls.append(rng.random((npcs, _ROLLS), dtype=np.float32))
        roles.append(role)
    if not picks:
        return np.zeros(0, np.int64), np.zeros((0, _ROLLS), np.float32), np.zeros(0, np.int64)
    return np.concatenate(picks), np.concatenate(rolls), np.concatenate(roles)


def _roles(table: CharacterTable, tier: str) -> NDArray[np.int64]:
    """Role codes a settlement of `tier` fills, in table order (rulers first)."""
    counts = [role.counts.get(tier, 0) for role in table.notables]
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _positions(sizes: NDArray[np.int64]) -> NDArray[np.int64]:
    """0..size-1 within each consecutive block."""
    total = int(sizes.sum())
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]) if sizes.size else sizes
    return np.arange(total, dtype=np.int64) - np.repeat(starts, sizes)


def _link(ids: NDArray[np.int64], positions: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.where(positions >= 0, ids[np.maximum(positions, 0)], -1)


def _names(
    pools: Sequence[NamePool],
    culture: NDArray[np.int64],
    sex: NDArray[np.int64],
    *,
    rolls: NDArray[np.float32],
    household: NDArray[np.int64],
    father: NDArray[np.int64],
    spouse: NDArray[np.int64],
) -> tuple[pl.Series, pl.Series]:
    """Given names by culture and sex; family names by culture, shared by a wife and children
    with their household's head (fostered children keep their own)."""
    if culture.size and int(culture.max()) >= len(pools):
        raise ValueError(f"no name pool for culture {int(culture.max())}")
    given = [list(p.female) for p in pools], [list(p.male) for p in pools]
    sizes = np.array([[len(g[c]) for g in given] for c in range(len(pools))], dtype=np.int64)
    offsets = np.cumsum(sizes.reshape(-1)).reshape(sizes.shape) - sizes
    flat = [name for c in range(len(pools)) for g in given for name in g[c]]
    pick = offsets[culture, sex] + (rolls[:, _GIVEN] * sizes[culture, sex]).astype(np.int64)
    family_sizes = np.array([len(p.family) for p in pools], dtype=np.int64)
    family_offsets = np.cumsum(family_sizes) - family_sizes
    own = family_offsets[culture] + (rolls[:, _FAMILY] * family_sizes[culture]).astype(np.int64)
    inherits = ((spouse >= 0) & (sex == 0)) | (father >= 0)
    family = np.where(inherits, own[household], own)
    families = [name for p in pools for name in p.family]
    return (
        pl.Series(flat, dtype=pl.String).gather(np.minimum(pick, len(flat) - 1)),
        pl.Series(families, dtype=pl.String).gather(np.minimum(family, len(families) - 1)),
    )


def _wealth(
    table: CharacterTable,
    job: NDArray[np.int64],
    tier: NDArray[np.int64],
    roles: NDArray[np.int64],
    roll: NDArray[np.float32],
) -> NDArray[np.int64]:
    """Coins: the profession's mean, scaled by tier, log-normal luck and a notable's standing."""
    mean = np.array([p.wealth for p in table.professions] + [0.0])[job]
    by_tier = np.array([table.tier_wealth[t] for t in TIERS])[tier]
    standing = np.array([r.wealth for r in table.notables] + [1.0])[roles]
    luck = np.exp(_WEALTH_SPREAD * ndtri(np.clip(roll.astype(np.float64), 1e-6, 1 - 1e-6)))
    coins: NDArray[np.int64] = np.round(mean * by_tier * standing * luck).astype(np.int64)
    return coins
