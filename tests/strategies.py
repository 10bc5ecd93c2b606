"""Hypothesis strategies shared across test modules."""

from __future__ import annotations

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
