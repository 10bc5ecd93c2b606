"""Synthetic worlds for the war room: a grid of regions shared out among states grown from their
capitals, settlements with fighting-age people and guards, roads between neighbours, faiths that
hate each other, and a diplomacy table like the generated one."""

from __future__ import annotations

import numpy as np
import polars as pl

from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.tension_war import WarInputs, WarTable

TABLE = WarTable.from_mapping(read_toml("war.toml"))
TIER_BY_RANK = ("capital", "city", "town", "village", "hamlet")


def grid_world(
    seed: int = 0, *, side: int = 6, states: int = 6, per_region: int = 2
) -> tuple[WarInputs, pl.DataFrame, pl.DataFrame]:
    """A `side` x `side` grid of regions, `states` states plus a guild and bandits; returns the
    inputs, the diplomacy pairs and the provinces. Ids are offset and spaced so that rows and
    ids never coincide."""
    rng = np.random.default_rng(seed)
    regions = side * side
    region_ids = np.arange(regions) * 3 + 10
    xy = np.stack(np.divmod(np.arange(regions), side), axis=1)
    a, b = [], []
    for r in range(regions):
        for q in range(r + 1, regions):
            if np.abs(xy[r] - xy[q]).sum() == 1:
                a.append(r)
                b.append(q)
    capitals = rng.choice(regions, states, replace=False)
    distance = np.abs(xy[:, None, :] - xy[None, capitals, :]).sum(axis=2)
    owner_state = np.argmin(distance + rng.random(distance.shape) * 0.5, axis=1)
    factions = states + 2
    faction_ids = np.arange(factions) * 5 + 100
    settlements = regions * per_region
    settlement_region_row = np.repeat(np.arange(regions), per_region)
    population = rng.integers(80, 3000, settlements)
    for s, capital in enumerate(capitals):
        population[capital * per_region] = 20_000 + 1_000 * s
    tiers = np.array([TIER_BY_RANK[min(4, int(np.log10(p) * 1.4 - 1))][:] for p in population])
    tiers = np.where(population >= 20_000, "capital", np.where(tiers == "capital", "city", tiers))
    settlement_ids = np.arange(settlements) * 2 + 1000
    road_start, road_end, road_days = [], [], []
    for r in range(regions):
        base = r * per_region
        for k in range(1, per_region):
            road_start.append(settlement_ids[base])
            road_end.append(settlement_ids[base + k])
            road_days.append(1.0 + rng.random())
    for x, y in zip(a, b, strict=True):
        road_start.append(settlement_ids[x * per_region])
        road_end.append(settlement_ids[y * per_region])
        road_days.append(3.0 + 4.0 * rng.random())
    culture = np.concatenate([rng.integers(0, 3, states), [0, 1]])
    religion = np.concatenate([rng.integers(0, 3, states), [-1, -1]])
    hostility = np.array([[0, 40, 80], [40, 0, 60], [80, 60, 0]], dtype=np.float64)
    seat_settlement = np.concatenate(
        [settlement_ids[capitals * per_region], [settlement_ids[1], -1]]
    )
    seat_region = np.concatenate([region_ids[capitals], [region_ids[0], region_ids[regions - 1]]])
    inputs = WarInputs.of(
        faction_ids=faction_ids,
        faction_is_state=np.arange(factions) < states,
        faction_culture=culture,
        faction_religion=religion,
        faction_seat_settlement=seat_settlement,
        faction_seat_region=seat_region,
        faction_leader=np.arange(factions) * 7 + 50_000,
        faction_leadership=rng.integers(-1, 3, factions),
        religion_hostility=hostility,
        region_ids=region_ids,
        region_elevation=rng.uniform(0, 2500, regions),
        region_a=region_ids[a],
        region_b=region_ids[b],
        settlement_ids=settlement_ids,
        settlement_region=region_ids[settlement_region_row],
        settlement_tier=tiers,
        settlement_population=population,
        settlement_men=population * 22 // 100,
        settlement_women=population * 22 // 100,
        settlement_guards=population // 100,
        road_start=road_start,
        road_end=road_end,
        road_days=road_days,
    )
    provinces = pl.DataFrame(
        {"region_id": region_ids, "faction_id": faction_ids[owner_state]},
    )
    i, j = np.triu_indices(factions, 1)
    tension = np.clip(rng.normal(55, 15, i.size), 0, 100).round()
    status = np.select(
        [tension < 15, tension < 30, tension < 50, tension < 62, tension < 75],
        ["ally", "friendly", "neutral", "suspicious", "rival"],
        "enemy",
    )
    diplomacy = pl.DataFrame(
        {"a_id": faction_ids[i], "b_id": faction_ids[j], "status": status, "tension": tension}
    )
    return inputs, diplomacy, provinces
