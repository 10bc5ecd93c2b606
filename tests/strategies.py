"""Hypothesis strategies shared across test modules."""

from __future__ import annotations

import polars as pl
from hypothesis import strategies as st

from worldloom.systems.world import TerrainConfig


@st.composite
def small_terrain_configs(draw: st.DrawFn) -> TerrainConfig:
    """Valid terrain configs small enough to generate in tens of milliseconds."""
    north = draw(st.floats(min_value=-40.0, max_value=85.0))
    south = draw(st.floats(min_value=-85.0, max_value=north - 5.0))
    return TerrainConfig(
        cells=draw(st.integers(min_value=1_000, max_value=2_500)),
        width_km=draw(st.floats(min_value=300.0, max_value=8_000.0)),
        aspect_ratio=draw(st.floats(min_value=1.0, max_value=2.5)),
        template=draw(st.sampled_from(["continents", "archipelago", "pangea", "inland_sea"])),
        land_fraction=draw(st.floats(min_value=0.2, max_value=0.7)),
        latitude_north=north,
        latitude_south=south,
        max_elevation_m=draw(st.floats(min_value=500.0, max_value=9_000.0)),
        min_island_cells=draw(st.integers(min_value=1, max_value=12)),
    )


world_seeds = st.integers(min_value=0, max_value=2**63 - 1)

climate_values = st.floats(allow_nan=False, allow_infinity=True, width=64)
"""Any temperature or precipitation, extremes included: the biome table must cover them all."""


_TIER_POPULATION = {
    "hamlet": (1, 120),
    "village": (100, 600),
    "town": (600, 4_000),
    "city": (4_000, 20_000),
    "capital": (10_000, 40_000),
}
"""Population range per settlement tier, as the places stage sizes them."""


@st.composite
def settlement_frames(draw: st.DrawFn, *, region_count: int, max_size: int = 30) -> pl.DataFrame:
    """Settlements frames as the places stage hands them over (ids 0..n-1), any tier mix."""
    size = draw(st.integers(min_value=1, max_value=max_size))
    tiers = draw(st.lists(st.sampled_from(list(_TIER_POPULATION)), min_size=size, max_size=size))
    populations = [draw(st.integers(*_TIER_POPULATION[tier])) for tier in tiers]
    regions = draw(st.lists(st.integers(0, region_count - 1), min_size=size, max_size=size))
    coastal = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    return synthetic_settlements(tiers, populations, regions, coastal)


def synthetic_settlements(
    tiers: list[str], populations: list[int], regions: list[int], coastal: list[bool]
) -> pl.DataFrame:
    """A settlements frame in the places stage's schema from plain lists."""
    size = len(tiers)
    return pl.DataFrame(
        {
            "settlement_id": range(size),
            "region_id": regions,
            "cell_id": range(size),
            "name": [f"Place {i}" for i in range(size)],
            "tier": tiers,
            "population": populations,
            "coastal": coastal,
        },
        schema={
            "settlement_id": pl.Int32,
            "region_id": pl.Int32,
            "cell_id": pl.Int32,
            "name": pl.String,
            "tier": pl.String,
            "population": pl.Int64,
            "coastal": pl.Boolean,
        },
    )
