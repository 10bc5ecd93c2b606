"""Cultures: hearths chosen by land affinity, spread over the region graph by a cost-aware flood."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import numpy as np
import polars as pl

from worldloom.systems.naming import MarkovNamer, NameBases
from worldloom.systems.region import Region, RegionMap
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import BiomeTable

CultureType = Literal["generic", "highland", "river", "lake", "naval", "nomadic", "hunting"]
CULTURE_TYPES: tuple[str, ...] = get_args(CultureType)
FEATURES = (
    "coastal",
    "inland",
    "highland",
    "lowland",
    "river",
    "riverless",
    "wetland",
    "forest",
    "open",
    "sea",
)
"""Region features a culture type can price; `sea` is the crossing to another land mass."""
TIERS = ("hamlet", "village", "town", "city", "capital")
"""Settlement tiers, smallest first; a tier's rank is its index."""
_ISLAND_REGIONS = 3
"""A land mass of at most this many regions is an island: coastal hearths there are Naval."""


@dataclass(frozen=True, slots=True)
class CultureRules:
    """How hearths become types and what each type pays to expand (see `data/cultures.toml`)."""

    highland_m: float
    lowland_m: float
    river_count: int
    naval_chance: float
    lake_biomes: frozenset[str]
    nomadic_biomes: frozenset[str]
    hunting_biomes: frozenset[str]
    roughness: float
    sea_cost: float
    sea_links: int
    expansionism: tuple[float, float]
    multipliers: Mapping[str, Mapping[str, float]]
    """Culture type -> region feature -> cost multiplier (missing features cost 1)."""
    minority_share: Mapping[str, float]
    """Settlement tier -> share of people from neighbouring regions' cultures."""

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> CultureRules:
        """Validate a parsed `cultures.toml`.

        Raises:
            ValueError: an unknown culture type or feature, a non-positive multiplier, or a
                minority share outside [0, 1); the message names it.
        """
        hearth, expansion = dict(table["hearth"]), dict(table["expansion"])
        types = {str(k): dict(v) for k, v in dict(table["types"]).items()}
        if missing := sorted(set(CULTURE_TYPES) - set(types)):
            raise ValueError(f"cultures.toml: types missing: {', '.join(missing)}")
        multipliers: dict[str, dict[str, float]] = {}
        for kind, costs in types.items():
            if kind not in CULTURE_TYPES:
                raise ValueError(f"cultures.toml: unknown culture type {kind!r}")
            for feature, value in costs.items():
                if feature not in FEATURES:
                    raise ValueError(f"cultures.toml: type {kind!r} prices unknown {feature!r}")
                if float(value) <= 0:
                    raise ValueError(f"cultures.toml: type {kind!r} {feature} must be positive")
            multipliers[kind] = {str(k): float(v) for k, v in costs.items()}
        shares = {str(k): float(v) for k, v in dict(table["minority_share"]).items()}
        if sorted(shares) != sorted(TIERS) or not all(0 <= v < 1 for v in shares.values()):
            raise ValueError("cultures.toml: minority_share needs every tier, each in [0, 1)")
        low, high = float(expansion["min_expansionism"]), float(expansion["max_expansionism"])
        if not 0 < low <= high:
            raise ValueError("cultures.toml: need 0 < min_expansionism <= max_expansionism")
        return cls(
            highland_m=float(hearth["highland_m"]),
            lowland_m=float(hearth["lowland_m"]),
            river_count=int(hearth["river_count"]),
            naval_chance=float(hearth["naval_chance"]),
            lake_biomes=frozenset(hearth["lake_biomes"]),
            nomadic_biomes=frozenset(hearth["nomadic_biomes"]),
            hunting_biomes=frozenset(hearth["hunting_biomes"]),
            roughness=float(expansion["roughness"]),
            sea_cost=float(expansion["sea_cost"]),
            sea_links=int(expansion["sea_links"]),
            expansionism=(low, high),
            multipliers=multipliers,
            minority_share=shares,
        )


@dataclass(frozen=True, slots=True)
class Culture:
    """One culture; `culture_id` indexes `Cultures.cultures`."""

    culture_id: int
    key: str
    name: str
    name_base: str
    type: CultureType
    hearth_region_id: int
    expansionism: float


@dataclass(frozen=True, slots=True)
class Cultures:
    """All cultures and the culture of every region (`region_culture[region_id]`)."""

    cultures: tuple[Culture, ...]
    region_culture: tuple[int, ...]

    @classmethod
    def from_tables(cls, table: pl.DataFrame, regions: pl.DataFrame) -> Cultures:
        """The cultures as `table()` and `regions()` give them (rows in any order).

        Expansionism is not in the tables: it only prices the spread, which is done, so read
        back it is NaN (nothing after `generate_cultures` reads it).
        """
        rows = table.sort("culture_id").iter_rows(named=True)
        cultures = tuple(
            Culture(
                culture_id=int(row["culture_id"]),
                key=str(row["key"]),
                name=str(row["name"]),
                name_base=str(row["name_base"]),
                type=_culture_type(str(row["type"])),
                hearth_region_id=int(row["hearth_region_id"]),
                expansionism=float("nan"),
            )
            for row in rows
        )
        if [c.culture_id for c in cultures] != list(range(len(cultures))):
            raise ValueError("culture ids must be 0..n-1")
        owner = regions.sort("region_id")
        if owner["region_id"].to_list() != list(range(owner.height)):
            raise ValueError("region_cultures must hold every region 0..n-1 once")
        return cls(cultures, tuple(int(c) for c in owner["culture_id"].to_list()))

    def table(self) -> pl.DataFrame:
        """culture_id (Int32), key, name, name_base, type (String), hearth_region_id (Int32)."""
        return pl.DataFrame(
            {
                "culture_id": [c.culture_id for c in self.cultures],
                "key": [c.key for c in self.cultures],
                "name": [c.name for c in self.cultures],
                "name_base": [c.name_base for c in self.cultures],
                "type": [c.type for c in self.cultures],
                "hearth_region_id": [c.hearth_region_id for c in self.cultures],
            },
            schema={
                "culture_id": pl.Int32,
                "key": pl.String,
                "name": pl.String,
                "name_base": pl.String,
                "type": pl.String,
                "hearth_region_id": pl.Int32,
            },
        )

    def regions(self) -> pl.DataFrame:
        """region_id (Int32), culture_id (Int32): one row per region."""
        return pl.DataFrame(
            {"region_id": range(len(self.region_culture)), "culture_id": self.region_culture},
            schema={"region_id": pl.Int32, "culture_id": pl.Int32},
        )


def generate_cultures(
    region_map: RegionMap,
    *,
    seeds: Seeds,
    biomes: BiomeTable,
    name_bases: NameBases,
    rules: CultureRules,
    count: int | None = None,
) -> Cultures:
    """Place culture hearths and spread the cultures until every region has exactly one.

    Cultures take the name bases in order (one each; past the last base they cycle, with a
    numbered key). Each hearth is the most habitable unclaimed region whose land suggests the
    culture's base (`NameBases.affinity`), favouring regions far from earlier hearths; a base no
    region suggests takes the best unclaimed region anywhere.

    Args:
        region_map: the world's regions.
        seeds: the world's seed tree.
        biomes: the biome table the regions were described with.
        name_bases: culture name bases and their land affinity.
        rules: hearth typing and expansion costs.
        count: number of cultures (default: one per name base); capped at the region count.
    """
    regions = region_map.regions
    wanted = min(len(name_bases.bases) if count is None else count, len(regions))
    if wanted <= 0:
        return Cultures((), ())
    habitability = np.array([biomes.by_id(r.dominant_biome_id).habitability for r in regions])
    affinity = [
        name_bases.affinity.base_for(
            biome_key=biomes.by_id(r.dominant_biome_id).key, mean_elevation_m=r.mean_elevation_m
        )
        for r in regions
    ]
    centers = np.array([r.center for r in regions], dtype=np.float64)
    span = float(np.ptp(centers, axis=0).max()) or 1.0
    per_mass = np.bincount([r.landmass_id for r in regions])
    namers: dict[str, MarkovNamer] = {}
    taken: set[str] = set()
    hearths: list[int] = []
    cultures = []
    for culture_id in range(wanted):
        base = name_bases.bases[culture_id % len(name_bases.bases)]
        key = base.key if culture_id < len(name_bases.bases) else f"{base.key}_{culture_id}"
        rng = seeds.stream("culture", key)
        open_regions = np.array([r not in hearths for r in range(len(regions))])
        suited = open_regions & np.array([a == base.key for a in affinity])
        candidates = suited if suited.any() else open_regions
        if hearths:
            gaps = np.linalg.norm(centers[:, None, :] - centers[hearths][None, :, :], axis=2)
            spread = gaps.min(axis=1) / span
        else:
            spread = np.zeros(len(regions))
        score = habitability + spread + 0.3 * rng.random(len(regions))
        hearth = int(np.flatnonzero(candidates)[np.argmax(score[candidates])])
        hearths.append(hearth)
        namer = namers.setdefault(base.key, MarkovNamer.learn(base))
        name = namer.generate(rng=rng, taken=taken)
        taken.add(name.lower())
        island = per_mass[regions[hearth].landmass_id] <= _ISLAND_REGIONS
        kind = _hearth_type(regions[hearth], biomes, rules, island=island, roll=rng.random())
        low, high = rules.expansionism
        cultures.append(
            Culture(culture_id, key, name, base.key, kind, hearth, float(rng.uniform(low, high)))
        )
    features = [_features(r, biomes, rules) for r in regions]
    owner = _spread(
        cultures,
        regions,
        features=features,
        habitability=habitability,
        centers=centers,
        rules=rules,
    )
    return Cultures(tuple(cultures), tuple(owner))


def _culture_type(text: str) -> CultureType:
    if text not in CULTURE_TYPES:
        raise ValueError(f"unknown culture type {text!r}")
    return cast(CultureType, text)


def _hearth_type(
    region: Region, biomes: BiomeTable, rules: CultureRules, *, island: bool, roll: float
) -> CultureType:
    """Azgaar's order: lake shores, then highlands, the sea, rivers, steppe and deep forest."""
    biome = biomes.by_id(region.dominant_biome_id).key
    checks: tuple[tuple[CultureType, bool], ...] = (
        ("lake", biome in rules.lake_biomes),
        ("highland", region.mean_elevation_m > rules.highland_m),
        ("naval", region.coastal and (island or roll < rules.naval_chance)),
        ("river", region.river_count >= rules.river_count),
        ("nomadic", biome in rules.nomadic_biomes),
        ("hunting", biome in rules.hunting_biomes),
    )
    return next((kind for kind, holds in checks if holds), "generic")


def _features(region: Region, biomes: BiomeTable, rules: CultureRules) -> frozenset[str]:
    biome = biomes.by_id(region.dominant_biome_id).key
    found = {"coastal" if region.coastal else "inland"}
    if region.mean_elevation_m > rules.highland_m:
        found.add("highland")
    elif region.mean_elevation_m < rules.lowland_m:
        found.add("lowland")
    found.add("river" if region.river_count > 0 else "riverless")
    if biome in rules.lake_biomes:
        found.add("wetland")
    if biome in rules.hunting_biomes or "forest" in biome:
        found.add("forest")
    elif biome in rules.nomadic_biomes or biome == "grassland":
        found.add("open")
    return frozenset(found)


def _spread(
    cultures: Sequence[Culture],
    regions: Sequence[Region],
    *,
    features: Sequence[frozenset[str]],
    habitability: np.ndarray[Any, np.dtype[np.float64]],
    centers: np.ndarray[Any, np.dtype[np.float64]],
    rules: CultureRules,
) -> list[int]:
    """A multi-source Dijkstra where each culture prices regions by its own type.

    Regions are few (hundreds to a few thousand), so a heap in Python is fast enough and keeps
    the per-culture costs readable. Ties go to the lower culture id, then the lower region id.
    """
    links = _links(regions, centers, rules.sea_links)
    owner = [-1] * len(regions)
    heap = [(0.0, c.culture_id, c.hearth_region_id) for c in cultures]
    heapq.heapify(heap)
    while heap:
        cost, culture_id, region_id = heapq.heappop(heap)
        if owner[region_id] >= 0:
            continue
        owner[region_id] = culture_id
        culture = cultures[culture_id]
        prices = rules.multipliers[culture.type]
        for neighbor, by_sea in links[region_id]:
            if owner[neighbor] >= 0:
                continue
            step = 1.0 + rules.roughness * (1.0 - habitability[neighbor])
            for feature in features[neighbor]:
                step *= prices.get(feature, 1.0)
            if by_sea:
                step *= rules.sea_cost * prices.get("sea", 1.0)
            heapq.heappush(heap, (cost + step / culture.expansionism, culture_id, neighbor))
    if -1 in owner:  # a land mass with no coast and no hearth: the nearest claimed region's
        claimed = [r for r, c in enumerate(owner) if c >= 0]
        for region_id in [r for r, c in enumerate(owner) if c < 0]:
            gaps = np.linalg.norm(centers[claimed] - centers[region_id], axis=1)
            owner[region_id] = owner[claimed[int(np.argmin(gaps))]]
    return owner


def _links(
    regions: Sequence[Region], centers: np.ndarray[Any, np.dtype[np.float64]], sea_links: int
) -> list[list[tuple[int, bool]]]:
    """Land neighbours, plus sea links from each coastal region to the nearest coastal regions
    of other land masses (how Naval cultures reach islands)."""
    links: list[list[tuple[int, bool]]] = [[(n, False) for n in r.neighbors] for r in regions]
    coastal = np.array([r.region_id for r in regions if r.coastal], dtype=np.int64)
    masses = np.array([regions[int(r)].landmass_id for r in coastal], dtype=np.int64)
    for position, region_id in enumerate(coastal):
        gaps = np.linalg.norm(centers[coastal] - centers[region_id], axis=1)
        gaps[masses == masses[position]] = np.inf
        for index in np.argsort(gaps, kind="stable")[:sea_links]:
            if np.isfinite(gaps[index]):
                other = int(coastal[index])
                links[int(region_id)].append((other, True))
                links[other].append((int(region_id), True))
    return links


@dataclass(frozen=True, slots=True)
class NamePool:
    """A culture's stock of personal and family names, drawn by index for millions of people.

    Names repeat across people, as they do in life; each list is unique within itself.
    """

    culture_id: int
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


_FEMININE_ENDINGS = ("a", "e", "i", "y", "h")


def name_pool(
    culture: Culture, *, seeds: Seeds, name_bases: NameBases, given: int = 120, family: int = 240
) -> NamePool:
    """Draw `given` female, `given` male and `family` family names from the culture's base.

    The Markov chain knows no sex, so of `2 * given` fresh names those with a vowel-like ending
    become female names and the rest male (topped up from each other when one side runs short),
    which mirrors how the bases' own names sound. Family names never repeat a given name.
    """
    if given < 1 or family < 1:
        raise ValueError(f"name pool needs at least one name of each kind, got {given}/{family}")
    namer = MarkovNamer.learn(name_bases.get(culture.name_base))
    rng = seeds.stream("culture.names", culture.key)
    taken: set[str] = set()
    drawn = []
    for _ in range(2 * given):
        name = namer.generate(rng=rng, taken=taken)
        taken.add(name.lower())
        drawn.append(name)
    soft = [n for n in drawn if n.lower().endswith(_FEMININE_ENDINGS)]
    hard = [n for n in drawn if not n.lower().endswith(_FEMININE_ENDINGS)]
    female = (soft + hard[::-1])[:given]
    chosen = set(female)
    male = [n for n in drawn if n not in chosen]
    families = []
    for _ in range(family):
        name = namer.generate(rng=rng, taken=taken)
        taken.add(name.lower())
        families.append(name)
    return NamePool(culture.culture_id, tuple(female), tuple(male), tuple(families))
