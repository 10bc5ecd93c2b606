"""Climate: temperature from latitude and height, precipitation carried inland by the winds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from worldloom.systems.rng import Seeds
from worldloom.systems.world import TerrainConfig
from worldloom.systems.world_generation.forest import fold_to_root
from worldloom.systems.world_generation.model import FloatArray, IntArray, Mesh
from worldloom.systems.world_generation.noise import fractal_noise

LAPSE_RATE_C_PER_KM = 6.5
"""Standard atmosphere: air cools this much per kilometre of height."""

_MOISTURE_DECAY_KM = 2_000.0
"""Air over land loses 1/e of its moisture over this distance (continental interiors dry out)."""

_OROGRAPHIC_LOSS_PER_KM = 0.45
"""Air lifted 1 km above `_FREE_LIFT_M` rains out 1 - e^-0.45 (36%) of its moisture; 4 km over a
great range leaves it with a fifth: the rain shadow behind it."""

_FREE_LIFT_M = 500.0
"""Hills lower than this barely block the wind."""

_OROGRAPHIC_REACH_KM = 400.0
"""Rain wrung out by a climb falls over about this distance, so a cell receives the moisture lost
per kilometre on its way in times this (capped at twice the incoming air's moisture)."""

_EDGE_MOISTURE = 0.6
"""Moisture of air entering over land from beyond the map's upwind edge."""

_MIN_ALIGNMENT = 0.2
"""An upwind neighbour must lie within ~78 degrees of the wind's source direction."""


@dataclass(frozen=True, slots=True, eq=False)
class Climate:
    """Mean annual temperature and precipitation per cell."""

    temperature_c: FloatArray
    precipitation_mm: FloatArray


def generate_climate(
    mesh: Mesh, elevation_m: FloatArray, *, config: TerrainConfig, seeds: Seeds
) -> Climate:
    """Derive temperature and precipitation from latitude, height and prevailing winds.

    Latitude runs linearly from `latitude_north` at the top edge to `latitude_south` at the
    bottom. Each band has its prevailing wind (trades below 30 degrees, westerlies to 60, polar
    easterlies beyond). Air leaves the sea saturated, dries with distance over land, and rains
    out as it climbs, so windward slopes are wet and their lee lies in a rain shadow.

    Args:
        mesh: the cell mesh.
        elevation_m: (n,) elevation; below zero is sea.
        config: the latitude band.
        seeds: the world's seed tree; draws from `world_generation.climate`.

    Returns:
        Temperature (degrees C) and precipitation (mm per year) per cell.
    """
    latitude = latitude_of(mesh, config)
    height_m = np.maximum(elevation_m, 0.0)
    temperature = _sea_level_temperature(latitude) - LAPSE_RATE_C_PER_KM * height_m / 1_000.0

    upwind, step_km = _upwind_neighbours(mesh, latitude)
    is_sea = elevation_m < 0.0
    has_upwind = upwind >= 0
    # Air is saturated again over every sea cell; land at the upwind edge gets inflow air.
    is_root = is_sea | ~has_upwind
    parent = np.where(is_root, np.arange(mesh.size), upwind).astype(np.int64)
    travelled_km, root = fold_to_root(parent, np.where(is_root, 0.0, step_km), np.add)
    # Air that has been lifted over a barrier stays dry on the far side until it meets a higher
    # one, so the loss follows the highest ground crossed, not every small climb.
    barrier_m, _ = fold_to_root(parent, height_m, np.maximum)
    inflow = np.where(is_sea, 1.0, _EDGE_MOISTURE)
    moisture = inflow[root] * np.exp(
        -travelled_km / _MOISTURE_DECAY_KM
        - _OROGRAPHIC_LOSS_PER_KM * np.maximum(barrier_m - _FREE_LIFT_M, 0.0) / 1_000.0
    )

    # What the air loses lifting over new heights between its upwind cell and this one falls
    # here: windward slopes are the wettest ground. Per kilometre, so resolution does not matter.
    source = np.where(has_upwind, upwind, np.arange(mesh.size))
    lifted_km = np.maximum(barrier_m - np.maximum(barrier_m[source], _FREE_LIFT_M), 0.0) / 1_000.0
    lost = moisture[source] * -np.expm1(-_OROGRAPHIC_LOSS_PER_KM * lifted_km)
    lost_per_km = lost / np.maximum(step_km, 1e-9)
    orographic = np.minimum(_OROGRAPHIC_REACH_KM * lost_per_km, 2.0 * moisture[source])
    x = mesh.points[:, 0] / mesh.height_km
    y = mesh.points[:, 1] / mesh.height_km
    aspect = mesh.width_km / mesh.height_km
    # Weather is patchier than latitude alone: +-30% of local variation breaks up the bands.
    patchiness = np.exp(
        0.3
        * fractal_noise(
            x, y, aspect, octaves=3, frequency=3.0, rng=seeds.stream("world_generation.climate")
        )
    )
    precipitation = _base_precipitation(latitude) * (moisture + orographic) * patchiness
    return Climate(temperature_c=temperature, precipitation_mm=precipitation)


def latitude_of(mesh: Mesh, config: TerrainConfig) -> FloatArray:
    """Latitude of each cell in degrees: linear from the north edge to the south edge."""
    share = mesh.points[:, 1] / mesh.height_km
    latitude: FloatArray = (
        config.latitude_north + (config.latitude_south - config.latitude_north) * share
    )
    return latitude


def _sea_level_temperature(latitude: FloatArray) -> FloatArray:
    """Mean annual sea-level temperature: ~28 C at the equator, ~14 C at 45, ~-33 C at the poles."""
    result: FloatArray = 28.0 - 0.0075 * latitude * latitude
    return result


def _base_precipitation(latitude: FloatArray) -> FloatArray:
    """Rain from saturated air by latitude: wet equator (ITCZ), dry subtropical highs near 25-30
    degrees, wet mid-latitude storm tracks near 50, dry poles."""
    a = np.abs(latitude)
    result: FloatArray = (
        550.0 + 2_000.0 * np.exp(-((a / 13.0) ** 2)) + 1_000.0 * np.exp(-(((a - 50.0) / 15.0) ** 2))
    )
    return result


def _wind_source(latitude: FloatArray) -> FloatArray:
    """(n, 2) unit vectors pointing where each cell's wind comes from (x east, y south).

    Trades and polar easterlies come from the east and the pole; westerlies from the west and
    the equator. Poleward is -y in the north and +y in the south, since y grows southward.
    """
    band = np.abs(latitude)
    poleward_y = -np.sign(latitude)
    westerly = (band >= 30.0) & (band < 60.0)
    east = np.where(westerly, -1.0, 1.0)
    south = np.where(westerly, -0.5 * poleward_y, 0.5 * poleward_y)
    vectors = np.column_stack([east, south])
    result: FloatArray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return result


def _upwind_neighbours(mesh: Mesh, latitude: FloatArray) -> tuple[IntArray, FloatArray]:
    """For each cell, the neighbour its air comes from (or -1) and the distance to it (km).

    Candidates must lower the potential s * x, where s is +1 in westerly bands and -1 in
    easterly ones. Every upwind step strictly lowers it, so upwind chains never loop, even
    where bands of opposite winds meet.
    """
    n = mesh.size
    counts = np.diff(mesh.neighbor_indptr)
    rows = np.repeat(np.arange(n), counts)
    cols = mesh.neighbor_indices
    source = _wind_source(latitude)
    delta = mesh.points[cols] - mesh.points[rows]
    distance = np.hypot(delta[:, 0], delta[:, 1])
    alignment = np.einsum("ij,ij->i", delta, source[rows]) / distance
    sign = np.where(source[:, 0] < 0.0, 1.0, -1.0)
    potential = sign * mesh.points[:, 0]
    valid = (potential[cols] < potential[rows]) & (alignment > _MIN_ALIGNMENT)
    score = np.where(valid, alignment, -np.inf)
    best = np.maximum.reduceat(score, mesh.neighbor_indptr[:-1])
    is_best = valid & (score == best[rows])
    chosen = np.flatnonzero(is_best)
    # Several neighbours can tie; the first (lowest cell id) in each row wins.
    first = chosen[np.unique(rows[chosen], return_index=True)[1]]
    upwind = np.full(n, -1, dtype=np.int32)
    step_km = np.zeros(n, dtype=np.float64)
    upwind[rows[first]] = cols[first]
    step_km[rows[first]] = distance[first]
    return upwind, step_km
