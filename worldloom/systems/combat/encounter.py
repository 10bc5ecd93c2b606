"""Encounters by the d20 XP budget: what a party of a given size and level finds easy, medium,
hard or deadly, and which monsters a place at each danger holds for the reference party."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.combat.bestiary import Bestiary, EncounterEntry
from worldloom.systems.combat.table import DANGER_LEVELS, CombatRules
from worldloom.systems.draw import keyed_uniform
from worldloom.systems.rng import Seeds

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

TRIVIAL = -1
"""Difficulty below the easy threshold."""
_CLOSENESS = 4.0
"""How strongly the draw favours groups near the budget: weight x (xp / budget) ** -4."""
NONE = -1
"""No minions."""


def group_multiplier(monsters: IntArray, *, rules: CombatRules) -> FloatArray:
    """The d20 factor for a group of `monsters` (x1 for one, x1.5 for two, x2 for 3-6 ...)."""
    fewest = np.array([n for n, _ in rules.multipliers])
    factors = np.array([f for _, f in rules.multipliers])
    position = np.searchsorted(fewest, np.asarray(monsters), side="right") - 1
    result: FloatArray = factors[np.clip(position, 0, None)]
    return result


def party_thresholds(*, rules: CombatRules, size: int, level: int) -> IntArray:
    """The party's easy, medium, hard and deadly XP: its members' thresholds added up."""
    if size < 1 or not 1 <= level <= rules.thresholds.shape[0]:
        raise ValueError(f"a party needs at least one member of level 1-20, got {size} x {level}")
    result: IntArray = rules.thresholds[level - 1] * size
    return result


def band_edges(thresholds: IntArray, *, rules: CombatRules) -> FloatArray:
    """Where each band starts (easy, medium, hard, deadly) and where deadly stops."""
    return np.append(thresholds.astype(np.float64), thresholds[-1] * rules.deadly_cap)


def difficulty(adjusted_xp: FloatArray, thresholds: IntArray | FloatArray) -> IntArray:
    """Each encounter's band index for the party (TRIVIAL below easy; deadly has no top)."""
    result: IntArray = np.searchsorted(thresholds, adjusted_xp, side="right") - 1
    return result


def danger_budget(danger: IntArray, *, rules: CombatRules, edges: FloatArray) -> FloatArray:
    """The adjusted XP a place of each danger aims at: its band's start plus its position
    of the way to the band's end."""
    level = np.clip(np.asarray(danger, dtype=np.int64), 1, DANGER_LEVELS) - 1
    band = np.asarray(rules.danger_band)[level]
    position = np.asarray(rules.danger_position)[level]
    result: FloatArray = edges[band] + position * (edges[band + 1] - edges[band])
    return result


@dataclass(frozen=True, slots=True)
class Groups:
    """Candidate groups of one encounter table: every entry at every size 1..max_count."""

    leader: IntArray
    leaders: IntArray
    minion: IntArray
    minions: IntArray
    weight: FloatArray
    adjusted_xp: FloatArray


def table_groups(
    entries: tuple[EncounterEntry, ...], *, bestiary: Bestiary, rules: CombatRules
) -> Groups:
    """Every group an encounter table can field, with its adjusted XP."""
    sizes = np.arange(1, rules.max_count + 1)
    xp = np.array([m.xp for m in bestiary.monsters], dtype=np.float64)
    parts: dict[str, list[IntArray | FloatArray]] = {k: [] for k in Groups.__slots__}
    for entry in entries:
        led = entry.minions is not None
        leaders = np.ones_like(sizes) if led else sizes
        minions = sizes - 1 if led else np.zeros_like(sizes)
        minion = entry.minions if entry.minions is not None else NONE
        raw = leaders * xp[entry.monster] + (minions * xp[minion] if led else 0.0)
        parts["leader"].append(np.full(sizes.size, entry.monster))
        parts["leaders"].append(leaders)
        parts["minion"].append(np.full(sizes.size, minion))
        parts["minions"].append(minions)
        parts["weight"].append(np.full(sizes.size, entry.weight))
        parts["adjusted_xp"].append(raw * group_multiplier(sizes, rules=rules))
    return Groups(**{k: np.concatenate(v) for k, v in parts.items()})  # type: ignore[arg-type]


def check_reachable(bestiary: Bestiary, *, rules: CombatRules) -> None:
    """Every encounter table can meet every danger's band for the reference party.

    Raises:
        ValueError: naming the POI kind and the dangers its table cannot meet.
    """
    edges = band_edges(
        party_thresholds(rules=rules, size=len(rules.party), level=rules.party_level),
        rules=rules,
    )
    dangers = np.arange(1, DANGER_LEVELS + 1)
    band = np.asarray(rules.danger_band)
    for kind, entries in bestiary.tables.items():
        xp = table_groups(entries, bestiary=bestiary, rules=rules).adjusted_xp
        low, high = edges[band][:, None], edges[band + 1][:, None]
        missed = dangers[~((xp >= low) & (xp < high)).any(axis=1)]
        if missed.size:
            raise ValueError(
                f"bestiary.toml: encounters.{kind} cannot meet dangers {missed.tolist()} "
                "within their bands for the reference party"
            )


@dataclass(frozen=True, slots=True)
class Encounters:
    """One drawn group per site (arrays in the sites' order)."""

    leader: IntArray
    """Bestiary position of the leading (or only) kind."""
    leaders: IntArray
    minion: IntArray
    """Bestiary position of the followers' kind; NONE for a single-kind group."""
    minions: IntArray
    xp: IntArray
    """The monsters' XP added up."""
    adjusted_xp: IntArray
    """xp times the group multiplier: what is compared with the party's thresholds."""
    band: IntArray
    """The band the site's danger aims at."""
    difficulty: IntArray
    """The band the group falls in for the reference party (TRIVIAL below easy)."""


def draw_encounters(
    site_ids: IntArray,
    kinds: tuple[str, ...] | list[str],
    danger: IntArray,
    *,
    seeds: Seeds,
    bestiary: Bestiary,
    rules: CombatRules,
) -> Encounters:
    """A group of monsters for each site, within its danger's band for the reference party.

    Among a table's groups that fall in the band, one is drawn by its entry's weight times
    (xp / budget) ** -4 either way, so groups near the danger's budget are likeliest.

    Args:
        site_ids: one id per site (the encounter's id): its draw depends on it alone.
        kinds: each site's POI kind; it must have an encounter table.
        danger: each site's danger level, 1-10.
    """
    edges = band_edges(
        party_thresholds(rules=rules, size=len(rules.party), level=rules.party_level),
        rules=rules,
    )
    danger = np.clip(np.asarray(danger, dtype=np.int64), 1, DANGER_LEVELS)
    band = np.asarray(rules.danger_band, dtype=np.int64)[danger - 1]
    budget = danger_budget(danger, rules=rules, edges=edges)
    roll = keyed_uniform(np.asarray(site_ids), seeds=seeds, system="combat.encounter")
    chosen: dict[str, NDArray[np.generic]] = {}
    kind_array = np.asarray(kinds)
    for kind in sorted(set(kind_array.tolist())):
        rows = np.flatnonzero(kind_array == kind)
        groups = table_groups(bestiary.tables[kind], bestiary=bestiary, rules=rules)
        xp = groups.adjusted_xp[None, :]
        ratio = xp / budget[rows, None]
        inside = (xp >= edges[band[rows], None]) & (xp < edges[band[rows] + 1, None])
        weight = np.where(inside, groups.weight * np.minimum(ratio, 1 / ratio) ** _CLOSENESS, 0.0)
        cumulative = np.cumsum(weight, axis=1)
        pick = (cumulative < (roll[rows] * cumulative[:, -1])[:, None]).sum(axis=1)
        for name in Groups.__slots__:
            values = getattr(groups, name)
            chosen.setdefault(name, np.zeros(danger.size, dtype=values.dtype))[rows] = values[pick]
    xp_each = np.array([m.xp for m in bestiary.monsters] + [0], dtype=np.int64)
    raw = (
        chosen["leaders"] * xp_each[chosen["leader"]]
        + chosen["minions"] * xp_each[chosen["minion"]]
    )
    adjusted = np.rint(chosen["adjusted_xp"]).astype(np.int64)
    return Encounters(
        leader=chosen["leader"].astype(np.int64),
        leaders=chosen["leaders"].astype(np.int64),
        minion=chosen["minion"].astype(np.int64),
        minions=chosen["minions"].astype(np.int64),
        xp=raw,
        adjusted_xp=adjusted,
        band=band,
        difficulty=difficulty(chosen["adjusted_xp"].astype(np.float64), edges[:4]),
    )


def band_names(rules: CombatRules) -> Mapping[int, str]:
    """Band index -> name, with TRIVIAL as "trivial"."""
    return {TRIVIAL: "trivial", **dict(enumerate(rules.bands))}
