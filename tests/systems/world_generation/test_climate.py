"""Climate on hand-made landscapes: latitude, lapse rate, winds, distance and rain shadows."""

from __future__ import annotations

import numpy as np
import pytest

from worldloom.systems.rng import Seeds
from worldloom.systems.world import TerrainConfig
from worldloom.systems.world_generation import generate_mesh
from worldloom.systems.world_generation.climate import generate_climate


def strip(
    north: float, south: float, *, sea_on: str, ridge: bool
) -> tuple[TerrainConfig, np.ndarray, np.ndarray, np.ndarray]:
    """A 2000 x 1000 km map: a sea strip on one side, lowland at 100 m, maybe a 3 km range.

    The range climbs evenly from 100 m at x = 700 km to 3000 m at x = 1000 km and drops
    straight back to the plain at x = 1050 km.
    """
    config = TerrainConfig(
        cells=4_000, width_km=2_000, aspect_ratio=2.0, latitude_north=north, latitude_south=south
    )
    mesh = generate_mesh(config, seeds=Seeds(1))
    x = mesh.points[:, 0]
    elevation = np.full(mesh.size, 100.0)
    coast = x < 200 if sea_on == "west" else x > 1_800
    elevation[coast] = -1_000.0
    if ridge:
        ramp = (x > 700) & (x < 1_000)
        elevation[ramp] = 100.0 + 2_900.0 * (x[ramp] - 700.0) / 300.0
        elevation[(x >= 1_000) & (x < 1_050)] = 3_000.0
    climate = generate_climate(mesh, elevation, config=config, seeds=Seeds(1))
    return config, x, elevation, climate.precipitation_mm


@pytest.mark.parametrize(
    ("north", "south", "sea_on"),
    [
        (50.0, 40.0, "west"),  # westerlies: the wet side faces west
        (-40.0, -50.0, "west"),  # westerlies in the south too
        (20.0, 10.0, "east"),  # trade winds blow from the east
        (80.0, 70.0, "east"),  # polar easterlies
    ],
)
def test_ranges_cast_rain_shadows_downwind(north: float, south: float, sea_on: str) -> None:
    _, x, _, rain = strip(north, south, sea_on=sea_on, ridge=True)
    west = (x > 350) & (x < 650)
    east = (x > 1_200) & (x < 1_600)
    windward, leeward = (west, east) if sea_on == "west" else (east, west)
    assert np.median(rain[leeward]) < 0.6 * np.median(rain[windward])


def test_slopes_facing_the_wind_get_orographic_rain() -> None:
    _, x, _, rain = strip(50.0, 40.0, sea_on="west", ridge=True)
    slope = (x > 800) & (x < 1_000)
    plain = (x > 350) & (x < 650)
    assert np.median(rain[slope]) > np.median(rain[plain])


def test_air_dries_with_distance_from_the_sea() -> None:
    _, x, _, rain = strip(50.0, 40.0, sea_on="west", ridge=False)
    near = (x > 250) & (x < 450)
    far = (x > 1_500) & (x < 1_800)
    assert np.median(rain[far]) < 0.8 * np.median(rain[near])


def test_without_wind_shift_a_mirrored_world_is_not_wetter_downwind() -> None:
    # The same strip under the trades (from the east) has its sea downwind: no coastal bonus.
    _, x, _, rain = strip(20.0, 10.0, sea_on="west", ridge=False)
    near = (x > 250) & (x < 450)
    far = (x > 1_500) & (x < 1_800)
    assert np.median(rain[near]) <= np.median(rain[far]) * 1.1


def test_temperature_follows_latitude_and_lapse_rate() -> None:
    config = TerrainConfig(
        cells=2_000, width_km=1_000, aspect_ratio=1.0, latitude_north=60, latitude_south=0
    )
    mesh = generate_mesh(config, seeds=Seeds(2))
    flat = generate_climate(mesh, np.full(mesh.size, 0.0), config=config, seeds=Seeds(2))
    high = generate_climate(mesh, np.full(mesh.size, 2_000.0), config=config, seeds=Seeds(2))
    y = mesh.points[:, 1]
    # Warmer towards the equator (the bottom edge), monotonically.
    order = np.argsort(y)
    assert (np.diff(flat.temperature_c[order]) >= -1e-9).all()
    assert flat.temperature_c[y > 900].mean() > flat.temperature_c[y < 100].mean() + 15
    assert high.temperature_c == pytest.approx(flat.temperature_c - 13.0)
