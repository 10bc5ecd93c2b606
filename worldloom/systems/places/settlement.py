"""Settlements: cells ranked by suitability, spread out by size, sorted into tiers from capital
to hamlet with rank-size populations, and named from their region's name base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from worldloom.systems.naming import PlaceNamer
from worldloom.systems.places.rules import TIERS, PlaceRules, SettlementRules, TierKey
from worldloom.systems.places.site import SiteFeatures, biome_values
from worldloom.systems.region import RegionMap
from worldloom.systems.rng import Seeds
from worldloom.systems.world_generation import BiomeTable, Terrain
from worldloom.systems.world_generation.model import FloatArray, IntArray

_SHRINK = 0.75
"""When too few cells keep the wanted spacing, retry at three quarters of it."""
_POPULATION_JITTER = 0.15
"""Log-normal spread around the rank-size curve before re-sorting (sizes are not that tidy)."""


@dataclass(frozen=True, slots=True)
class Settlement:
    """One settlement; `settlement_id` is its rank (0 is the largest place)."""

    settlement_id: int
    name: str
    tier: TierKey
    population: int
    cell: int
    region_id: int
    landmass_id: int
    x: float
    y: float
    is_port: bool
    score: float


@dataclass(frozen=True, slots=True)
class SettlementLayout:
    """The settlements and the spacing each size class kept."""

    settlements: tuple[Settlement, ...]
    major_spacing_km: float
    """Capitals, cities and towns stand at least this far from any other settlement."""
    minor_spacing_km: float
    """Villages and hamlets stand at least this far from any other settlement."""


def score_sites(
    terrain: Terrain,
    *,
    biomes: BiomeTable,
    sites: SiteFeatures,
    rules: SettlementRules,
    seeds: Seeds,
) -> FloatArray:
    """Suitability of every cell for a settlement; `-inf` on water."""
    weights = rules.score
    discharge = np.log1p(terrain.discharge_m3s.astype(np.float64))
    river = np.clip(discharge / np.log1p(weights.river_reference_m3s), 0.0, 1.0) * sites.river
    elevation_km = np.maximum(terrain.elevation_m.astype(np.float64), 0.0) / 1000.0
    harshness = np.abs(terrain.temperature_c - weights.ideal_temperature_c) / 10.0
    noise = seeds.stream("settlement.score").random(terrain.mesh.size)
    score = (
        biome_values(biomes, "habitability")[terrain.biome_id]
        + weights.river * river
        + weights.confluence * sites.confluence
        + weights.lake_shore * sites.lake_shore
        + weights.coast * sites.coast
        + weights.harbour * sites.harbour
        + weights.elevation_per_km * elevation_km
        + weights.temperature_per_10c * harshness
        + weights.noise * noise
    )
    result: FloatArray = np.where(terrain.is_land, score, -np.inf)
    return result


def place_settlements(
    terrain: Terrain,
    region_map: RegionMap,
    *,
    seeds: Seeds,
    biomes: BiomeTable,
    sites: SiteFeatures,
    rules: PlaceRules,
    count: int,
    namer: PlaceNamer,
) -> SettlementLayout:
    """Place `count` settlements (fewer only if there are fewer land cells).

    Capitals come first, one per political core (about one per `regions_per_capital` regions):
    the best cell of a region, one on each land mass big enough to hold a state, then the best
    remaining regions far enough from the others. Cities and towns take the best remaining
    cells at a wide spacing, villages and hamlets at a narrow one; no two share a cell.

    Args:
        terrain: the world's terrain.
        region_map: its regions (each has a name base the settlement names come from).
        seeds: the world's seed tree.
        biomes: the biome table.
        sites: per-cell site features.
        rules: the places table.
        count: how many settlements to place.
        namer: draws unique names (it remembers them, so POIs named later never clash).
    """
    land = np.flatnonzero(terrain.is_land)
    count = min(count, int(land.size))
    if count == 0 or not region_map.regions:
        return SettlementLayout((), 0.0, 0.0)
    settlement_rules = rules.settlements
    score = score_sites(terrain, biomes=biomes, sites=sites, rules=settlement_rules, seeds=seeds)
    order = land[np.lexsort((land, -score[land]))]
    points = terrain.mesh.points
    land_area = float(terrain.mesh.area_km2[land].sum())
    quotas = _tier_quotas(rules, count=count, regions=len(region_map.regions))
    capitals = _pick_capitals(
        terrain, region_map, order, wanted=quotas[0], rules=settlement_rules, land_area=land_area
    )
    n_major = sum(quotas[:3])
    major, major_spacing = _spread(
        points,
        order,
        occupied=capitals,
        need=n_major - len(capitals),
        spacing=settlement_rules.major_spacing * np.sqrt(land_area / n_major),
    )
    minor, minor_spacing = _spread(
        points,
        order,
        occupied=capitals + major,
        need=count - n_major,
        spacing=settlement_rules.minor_spacing * np.sqrt(land_area / count),
    )
    # Within each size class the list is already best-first; split it into tiers by quota.
    cities, villages = min(quotas[1], len(major)), min(quotas[3], len(minor))
    tiers = _tier_list(
        ("capital", len(capitals)),
        ("city", cities),
        ("town", len(major) - cities),
        ("village", villages),
        ("hamlet", len(minor) - villages),
    )
    cells = np.asarray(capitals + major + minor, dtype=np.int64)
    populations = _populations(settlement_rules, count=cells.size, seeds=seeds)
    ports = _ports(terrain, sites, rules, cells, tiers)
    settlements = []
    for rank, cell in enumerate(cells.tolist()):
        region = region_map.regions[int(region_map.cell_region[cell])]
        site = "coast" if sites.coast[cell] else "river" if sites.river[cell] else "default"
        name = namer.name(
            base=region.name_base,
            patterns=rules.names.get(site, rules.names["default"]),
            rng=seeds.stream("settlement.name", cell),
        )
        settlements.append(
            Settlement(
                settlement_id=rank,
                name=name,
                tier=tiers[rank],
                population=int(populations[rank]),
                cell=cell,
                region_id=region.region_id,
                landmass_id=int(terrain.landmass_id[cell]),
                x=float(points[cell, 0]),
                y=float(points[cell, 1]),
                is_port=bool(ports[rank]),
                score=float(score[cell]),
            )
        )
    return SettlementLayout(tuple(settlements), major_spacing, minor_spacing)


def _tier_list(*runs: tuple[TierKey, int]) -> list[TierKey]:
    return [tier for tier, count in runs for _ in range(count)]


def _tier_quotas(rules: PlaceRules, *, count: int, regions: int) -> list[int]:
    """Settlements per tier (in `TIERS` order); hamlets take the rest."""
    per_core = rules.settlements.regions_per_capital
    capitals = min(max(1, round(regions / per_core)), regions, count)
    quotas = [capitals]
    for tier in rules.tiers[1:-1]:
        quotas.append(min(round(tier.share * count), count - sum(quotas)))
    quotas.append(count - sum(quotas))
    return quotas


def _pick_capitals(
    terrain: Terrain,
    region_map: RegionMap,
    order: IntArray | NDArray[np.int64],
    *,
    wanted: int,
    rules: SettlementRules,
    land_area: float,
) -> list[int]:
    """The best cell of `wanted` well-spaced regions, first covering the big land masses."""
    regions = region_map.cell_region[order]
    _, first = np.unique(regions, return_index=True)
    best = order[np.sort(first)]  # each region's best cell, best regions first
    masses = terrain.landmass_id[best]
    mass_cells = np.bincount(terrain.landmass_id[terrain.is_land])
    big_enough = mass_cells >= terrain.is_land.sum() / (2 * wanted)
    chosen: list[int] = []
    for cell, mass in zip(best.tolist(), masses.tolist(), strict=True):
        fresh = all(terrain.landmass_id[c] != mass for c in chosen)
        if len(chosen) < wanted and big_enough[mass] and fresh:
            chosen.append(cell)
    spacing = rules.capital_spacing * np.sqrt(land_area / wanted)
    rest, _ = _spread(
        terrain.mesh.points, best, occupied=chosen, need=wanted - len(chosen), spacing=spacing
    )
    return chosen + rest


def _spread(
    points: FloatArray,
    candidates: Sequence[int] | NDArray[np.integer],
    *,
    occupied: list[int],
    need: int,
    spacing: float,
) -> tuple[list[int], float]:
    """Take up to `need` cells from `candidates` in order, each at least `spacing` km from
    every occupied or taken cell, shrinking the spacing until enough fit.

    Returns:
        The cells taken (in candidate order) and the last spacing used, which every taken cell
        keeps from every other and from the occupied ones.
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    taken: list[int] = []
    if need <= 0:
        return taken, float(spacing)
    tree = cKDTree(points[candidates])
    while True:
        blocked = np.zeros(candidates.size, dtype=bool)
        used = occupied + taken
        blocked[np.isin(candidates, used)] = True
        if used and spacing > 0:
            for near in tree.query_ball_point(points[used], r=spacing):
                blocked[near] = True
        for i in np.flatnonzero(~blocked).tolist():
            if blocked[i]:
                continue
            taken.append(int(candidates[i]))
            if len(taken) == need:
                return taken, float(spacing)
            blocked[i] = True
            if spacing > 0:
                blocked[tree.query_ball_point(points[candidates[i]], r=spacing)] = True
        if spacing <= 0:  # every candidate cell is taken
            return taken, 0.0
        spacing = spacing * _SHRINK if spacing > 1e-3 else 0.0


def _populations(rules: SettlementRules, *, count: int, seeds: Seeds) -> NDArray[np.int64]:
    """Rank-size populations, largest first, never increasing down the ranks."""
    top = max(rules.min_top_population, rules.top_population_per_settlement * count)
    ranks = np.arange(1, count + 1, dtype=np.float64)
    jitter = np.exp(seeds.stream("settlement.population").normal(0.0, _POPULATION_JITTER, count))
    sizes = np.sort(top * ranks**-rules.rank_size_exponent * jitter)[::-1]
    return np.maximum(np.round(sizes), rules.min_population).astype(np.int64)


def _ports(
    terrain: Terrain,
    sites: SiteFeatures,
    rules: PlaceRules,
    cells: NDArray[np.int64],
    tiers: list[TierKey],
) -> NDArray[np.bool_]:
    """Coastal settlements of port tiers, plus the largest coastal one on any land mass that
    would otherwise have none (an island needs a way off it)."""
    eligible = np.array([rules.tiers[TIERS.index(t)].port_eligible for t in tiers], dtype=bool)
    coastal: NDArray[np.bool_] = sites.coast[cells]
    ports: NDArray[np.bool_] = coastal & eligible
    masses = terrain.landmass_id[cells]
    for mass in np.unique(masses[coastal]).tolist():
        on_mass = np.flatnonzero((masses == mass) & coastal)
        if not ports[on_mass].any():
            ports[on_mass[0]] = True  # ids are ranks: the first is the largest
    return ports
