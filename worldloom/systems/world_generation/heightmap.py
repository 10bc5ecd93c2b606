"""Heightmaps: land and sea shaped by a template, warped noise and mountain ridges, in metres."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse import csr_matrix

from worldloom.systems.rng import Seeds
from worldloom.systems.world import HeightmapTemplate, TerrainConfig
from worldloom.systems.world_generation.mesh import label_components
from worldloom.systems.world_generation.model import BoolArray, FloatArray, Mesh
from worldloom.systems.world_generation.noise import fractal_noise

_STREAM = "world_generation.heightmap"

_OCEAN_DEPTH_M = 5_000.0
"""Depth of the deepest sea cell; abyssal plains sit near 4-6 km on Earth."""


_EDGE_MARGIN = 0.12
"""Share of the map height over which land fades out towards the edges, so continents sit in
the sea instead of being cut off by the frame."""

Shape = Callable[[FloatArray, FloatArray, float, np.random.Generator], FloatArray]


def generate_heightmap(mesh: Mesh, *, config: TerrainConfig, seeds: Seeds) -> FloatArray:
    """Shape land and sea over the mesh and give every cell an elevation in metres.

    A template lays out the large masses (Gaussian blobs), domain-warped multi-octave value noise
    roughens them into coastlines, ridged noise raises mountain chains inside the land, and a
    smoothing pass over the cell graph removes single-cell spikes. The sea level is the quantile
    that leaves `config.land_fraction` of cells dry; islands and inland waters smaller than
    `config.min_island_cells` are removed.

    Args:
        mesh: the cell mesh.
        config: template, land share, maximum elevation and minimum island size.
        seeds: the world's seed tree; draws from streams named `world_generation.heightmap`.

    Returns:
        (n,) elevation in metres: land in (0, max_elevation_m], sea floor below zero.
    """
    aspect = mesh.width_km / mesh.height_km
    # Coordinates in units of the map height, so blobs and noise are round, not stretched.
    x = mesh.points[:, 0] / mesh.height_km
    y = mesh.points[:, 1] / mesh.height_km
    shape = _TEMPLATES[config.template]
    # tanh turns blob interiors into plateaus, so relief inland comes from noise and ridges
    # rather than every continent being one dome.
    height = np.tanh(1.6 * shape(x, y, aspect, seeds.stream(_STREAM, "shape", config.template)))

    warp_x = fractal_noise(
        x, y, aspect, octaves=3, frequency=2.0, rng=seeds.stream(_STREAM, "warp", 0)
    )
    warp_y = fractal_noise(
        x, y, aspect, octaves=3, frequency=2.0, rng=seeds.stream(_STREAM, "warp", 1)
    )
    wx, wy = x + 0.12 * warp_x, y + 0.12 * warp_y
    height += _NOISE_AMPLITUDE[config.template] * fractal_noise(
        wx, wy, aspect, octaves=6, frequency=3.0, rng=seeds.stream(_STREAM, "noise")
    )
    ridges = 1.0 - np.abs(
        fractal_noise(wx, wy, aspect, octaves=4, frequency=2.5, rng=seeds.stream(_STREAM, "ridges"))
    )
    # Ridges only rise where the land is already high, so ranges run along continents' spines.
    height += 0.9 * ridges**3 * np.clip(height, 0.0, 1.0)
    if config.template == "archipelago":
        # Narrow sea lanes (the zero lines of a noise field) cut the land into islands even
        # when the land share is too large for the template's blobs alone.
        lanes = fractal_noise(
            wx, wy, aspect, octaves=3, frequency=3.5, rng=seeds.stream(_STREAM, "lanes")
        )
        height -= 1.5 * np.exp(-((lanes / 0.1) ** 2))
    height -= _edge_fade(x, y, aspect)
    height = _smooth(mesh, height, passes=2)

    sea_level = float(np.quantile(height, 1.0 - config.land_fraction))
    land = _without_specks(mesh, height > sea_level, config.min_island_cells)
    return _to_metres(height, land, config.max_elevation_m)


def _blob(
    x: FloatArray,
    y: FloatArray,
    *,
    centre: tuple[float, float],
    radius: float,
    stretch: float,
    angle: float,
) -> FloatArray:
    """An elliptical Gaussian of peak 1; `stretch` > 1 elongates it along `angle`."""
    dx, dy = x - centre[0], y - centre[1]
    cos, sin = np.cos(angle), np.sin(angle)
    along = (dx * cos + dy * sin) / stretch
    across = -dx * sin + dy * cos
    result: FloatArray = np.exp(-(along * along + across * across) / (2.0 * radius * radius))
    return result


def _random_blob(
    x: FloatArray,
    y: FloatArray,
    rng: np.random.Generator,
    *,
    centre: tuple[float, float],
    radius: tuple[float, float],
) -> FloatArray:
    return _blob(
        x,
        y,
        centre=centre,
        radius=float(rng.uniform(*radius)),
        stretch=float(rng.uniform(1.0, 1.8)),
        angle=float(rng.uniform(0.0, np.pi)),
    )


def _continents(
    x: FloatArray, y: FloatArray, aspect: float, rng: np.random.Generator
) -> FloatArray:
    """Two or three large masses side by side, separated by open sea."""
    count = int(rng.integers(2, 4))
    slot = aspect / count
    height = np.zeros_like(x)
    for index in range(count):
        centre = (slot * (index + rng.uniform(0.35, 0.65)), float(rng.uniform(0.3, 0.7)))
        height += _random_blob(x, y, rng, centre=centre, radius=(0.14, 0.2))
    return height


def _archipelago(
    x: FloatArray, y: FloatArray, aspect: float, rng: np.random.Generator
) -> FloatArray:
    """Many small islands scattered over the whole map."""
    count = int(rng.integers(18, 30))
    height = np.zeros_like(x)
    for _ in range(count):
        centre = (float(rng.uniform(0.1, 0.9)) * aspect, float(rng.uniform(0.1, 0.9)))
        size = float(rng.uniform(0.6, 1.0))
        blob = size * _random_blob(x, y, rng, centre=centre, radius=(0.02, 0.07))
        height = np.maximum(height, blob)
    return height


def _pangea(x: FloatArray, y: FloatArray, aspect: float, rng: np.random.Generator) -> FloatArray:
    """One supercontinent filling most of the map, with a few lobes."""
    centre = (aspect * float(rng.uniform(0.45, 0.55)), float(rng.uniform(0.45, 0.55)))
    height = 1.2 * _blob(x, y, centre=centre, radius=0.3, stretch=aspect, angle=0.0)
    for _ in range(int(rng.integers(2, 5))):
        lobe = (aspect * float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.2, 0.8)))
        height += 0.5 * _random_blob(x, y, rng, centre=lobe, radius=(0.1, 0.16))
    return height


def _inland_sea(
    x: FloatArray, y: FloatArray, aspect: float, rng: np.random.Generator
) -> FloatArray:
    """A ring of land around a great enclosed sea, like the Mediterranean's basin."""
    centre = (aspect * float(rng.uniform(0.45, 0.55)), float(rng.uniform(0.45, 0.55)))
    ring = 1.3 * _blob(x, y, centre=centre, radius=0.36, stretch=aspect, angle=0.0)
    sea = _random_blob(x, y, rng, centre=centre, radius=(0.14, 0.18))
    return ring - 1.5 * sea


_TEMPLATES: dict[HeightmapTemplate, Shape] = {
    "continents": _continents,
    "archipelago": _archipelago,
    "pangea": _pangea,
    "inland_sea": _inland_sea,
}

_NOISE_AMPLITUDE: dict[HeightmapTemplate, float] = {
    "continents": 0.6,
    "archipelago": 0.5,
    "pangea": 0.6,
    "inland_sea": 0.55,
}
"""How far noise bends the template: archipelagos keep their islands apart."""


def _edge_fade(x: FloatArray, y: FloatArray, aspect: float) -> FloatArray:
    distance = np.minimum(np.minimum(x, aspect - x), np.minimum(y, 1.0 - y))
    t = np.clip(distance / _EDGE_MARGIN, 0.0, 1.0)
    fade: FloatArray = 1.5 * (1.0 - t * t * (3.0 - 2.0 * t))
    return fade


def _smooth(mesh: Mesh, values: FloatArray, *, passes: int) -> FloatArray:
    """Blend each cell halfway towards its neighbours' mean, `passes` times."""
    degree = np.diff(mesh.neighbor_indptr)
    weights = np.repeat(1.0 / degree, degree)
    mean_of_neighbours = csr_matrix(
        (weights, mesh.neighbor_indices, mesh.neighbor_indptr), shape=(mesh.size, mesh.size)
    )
    for _ in range(passes):
        values = 0.5 * values + 0.5 * (mean_of_neighbours @ values)
    return values


def _without_specks(mesh: Mesh, land: BoolArray, min_cells: int) -> BoolArray:
    """Sink islands and fill inland waters smaller than `min_cells` (they would be specks)."""
    result = land.copy()
    for mask in (land, ~land):
        labels = label_components(mesh, mask)
        sizes = np.bincount(labels[mask])
        small = mask & (sizes[np.where(mask, labels, 0)] < min_cells)
        result[small] = ~result[small]
    return result


def _to_metres(height: FloatArray, land: BoolArray, max_elevation_m: float) -> FloatArray:
    """Map heights to metres by rank, which fixes the hypsometric curve whatever the template.

    Ranks keep the order of cells, so every slope still points the same way.
    """
    elevation = np.empty_like(height)
    for mask, curve, low, high in (
        (land, _land_curve, 1.0, max_elevation_m),
        (~land, _sea_curve, -1.0, -_OCEAN_DEPTH_M),
    ):
        cells = np.flatnonzero(mask)
        if cells.size == 0:
            continue
        # Land ranks from the coast up; sea ranks from the coast down (descending height).
        order = np.argsort(height[cells] if high > 0 else -height[cells], kind="stable")
        rank = np.empty(cells.size, dtype=np.float64)
        rank[order] = np.arange(cells.size) / max(cells.size - 1, 1)
        elevation[cells] = low + (high - low) * curve(rank)
    return elevation


def _land_curve(rank: FloatArray) -> FloatArray:
    """Share of the highest peak reached by the land cell at `rank` (0 = coast, 1 = summit).

    Fitted to Earth's hypsometry scaled to the map's maximum: half the land below ~10%
    of it, 90% below ~40%, and only the top 1-2% rising into high peaks.
    """
    result: FloatArray = 0.45 * rank**2.2 + 0.55 * rank**20
    return result


def _sea_curve(rank: FloatArray) -> FloatArray:
    """Share of the ocean depth reached by the sea cell at `rank` (0 = coast, 1 = deepest).

    Below linear, so the floor drops fast off the shelf and most sea cells are deep ocean.
    """
    result: FloatArray = rank**0.7
    return result
