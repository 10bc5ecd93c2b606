"""Synthetic inputs for the religion, faction and diplomacy systems: a grid of regions on a main
land mass, a two-region island with a capital and a lone islet with none, and the settlements,
POIs, cultures and NPCs the other stages would hand over (same frame contracts)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from worldloom.systems.region import Region

GRID_WIDTH, GRID_HEIGHT = 5, 4
TIERS = ("capital", "city", "town", "village", "hamlet")
CAPITAL_REGIONS = (0, 4, 12, 19, 20)
"""Four capitals on the main land mass, one on the island (regions 20-21); islet 22 has none."""
ISLET = 22
ROLES = ("ruler", "priest", "merchant", "guild_master", "adventurer", "smith")


@dataclass(frozen=True)
class PowersWorld:
    regions: tuple[Region, ...]
    settlements: pl.DataFrame
    pois: pl.DataFrame
    region_cultures: pl.DataFrame
    cultures: pl.DataFrame
    npcs: pl.DataFrame


def _region(region_id: int, landmass: int, neighbors: list[int], danger: int) -> Region:
    return Region(
        region_id=region_id,
        name=f"Region {region_id}",
        name_base="nordhaven",
        landmass_id=landmass,
        seed_cell=region_id * 10,
        center=(float(region_id % GRID_WIDTH), float(region_id // GRID_WIDTH)),
        cell_count=30,
        area_km2=1_000.0 + 50 * region_id,
        dominant_biome_id=5,
        climate="cool temperate",
        mean_temperature_c=8.0,
        mean_precipitation_mm=800.0,
        mean_elevation_m=300.0,
        max_elevation_m=900.0,
        coastal=region_id % GRID_WIDTH in (0, GRID_WIDTH - 1) or region_id >= 20,
        river_count=1,
        danger_level=danger,
        resources=("fish", "grain") if region_id % 3 == 0 else ("ore", "timber"),
        neighbors=tuple(sorted(neighbors)),
    )


def grid_regions() -> tuple[Region, ...]:
    """A 5x4 grid (land mass 0), an island of two regions (1) and an islet (2)."""
    regions = []
    for r in range(GRID_WIDTH * GRID_HEIGHT):
        x, y = r % GRID_WIDTH, r // GRID_WIDTH
        near = [
            nx + ny * GRID_WIDTH
            for nx, ny in ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1))
            if 0 <= nx < GRID_WIDTH and 0 <= ny < GRID_HEIGHT
        ]
        regions.append(_region(r, 0, near, danger=1 + (r * 7) % 10))
    regions.append(_region(20, 1, [21], danger=3))
    regions.append(_region(21, 1, [20], danger=9))
    regions.append(_region(ISLET, 2, [], danger=4))
    return tuple(regions)


@cache
def powers_world(seed: int = 1, npcs_per_settlement: int = 40) -> PowersWorld:
    """Settlements in every region (a capital where listed), POIs, cultures and NPCs."""
    rng = np.random.default_rng(seed)
    regions = grid_regions()
    rows = []
    for region in regions:
        count = int(rng.integers(2, 5))
        for i in range(count):
            tier = "capital" if i == 0 and region.region_id in CAPITAL_REGIONS else None
            tier = tier or TIERS[int(rng.integers(1, 5))]
            population = {"capital": 20_000, "city": 8_000, "town": 2_000}.get(tier, 300)
            rows.append((region.region_id, tier, int(population * rng.uniform(0.5, 1.5))))
    settlements = pl.DataFrame(
        {
            "settlement_id": pl.Series(range(len(rows)), dtype=pl.Int32),
            "region_id": pl.Series([r[0] for r in rows], dtype=pl.Int32),
            "cell_id": pl.Series([r[0] * 10 + 1 for r in rows], dtype=pl.Int32),
            "name": [f"Town{i}" for i in range(len(rows))],
            "tier": [r[1] for r in rows],
            "population": pl.Series([r[2] for r in rows], dtype=pl.Int64),
            "coastal": [regions[r[0]].coastal for r in rows],
        }
    )
    poi_rows = []
    for settlement_id, region_id, tier in settlements.select(
        "settlement_id", "region_id", "tier"
    ).iter_rows():
        if tier in ("capital", "city") or rng.random() < 0.3:
            poi_rows.append(("temple", region_id, settlement_id))
    for region in regions:
        poi_rows.append(("shrine", region.region_id, -1))
        poi_rows.append(("dungeon", region.region_id, -1))
    pois = pl.DataFrame(
        {
            "poi_id": pl.Series(range(len(poi_rows)), dtype=pl.Int32),
            "kind": [p[0] for p in poi_rows],
            "region_id": pl.Series([p[1] for p in poi_rows], dtype=pl.Int32),
            "cell_id": pl.Series([p[1] * 10 + 2 for p in poi_rows], dtype=pl.Int32),
            "name": [f"Site{i}" for i in range(len(poi_rows))],
            "settlement_id": pl.Series([p[2] for p in poi_rows], dtype=pl.Int32),
        }
    )
    # Three cultures in bands across the grid; the island shares the first, the islet the last.
    culture_of = [min((r % GRID_WIDTH) * 3 // GRID_WIDTH, 2) for r in range(20)] + [0, 0, 2]
    region_cultures = pl.DataFrame(
        {
            "region_id": pl.Series(range(len(regions)), dtype=pl.Int32),
            "culture_id": pl.Series(culture_of, dtype=pl.Int32),
        }
    )
    cultures = pl.DataFrame(
        {
            "culture_id": pl.Series([0, 1, 2], dtype=pl.Int32),
            "key": ["north", "wood", "hill"],
            "name": ["Skarlings", "Aelindi", "Durgrim"],
            "name_base": ["nordhaven", "sylvane", "khazrak"],
        }
    )
    n = settlements.height * npcs_per_settlement
    home = np.repeat(settlements["settlement_id"].to_numpy(), npcs_per_settlement)
    notable = rng.random(n) < 0.15
    role = np.where(notable, np.array(ROLES)[rng.integers(0, len(ROLES), n)], "")
    npcs = pl.DataFrame(
        {
            "npc_id": pl.Series(np.arange(n) * 3 + 7, dtype=pl.Int64),
            "settlement_id": pl.Series(home, dtype=pl.Int32),
            "age": pl.Series(rng.integers(16, 80, n), dtype=pl.Int16),
            "notable": notable,
            "notable_role": role,
            "culture_id": pl.Series(
                np.array(culture_of)[settlements["region_id"][home]], dtype=pl.Int32
            ),
            "religion_id": pl.Series(np.full(n, -1), dtype=pl.Int32),
        }
    )
    return PowersWorld(regions, settlements, pois, region_cultures, cultures, npcs)
