"""Render a world map PNG from cell colours, regions, relief, coasts, rivers and labels."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import gaussian_filter
from scipy.spatial import cKDTree

RIVER_RGB: Final = (52, 104, 178)
ROAD_RGB: Final = (122, 74, 38)
COAST_RGB: Final = (28, 38, 52)
MARKER_RGB: Final = (30, 24, 20)
TEXT_RGB: Final = (20, 16, 12)
HALO_RGB: Final = (250, 246, 236)

BORDER_DARKENING: Final = 0.5
"""Region borders keep half their brightness: visible, but the terrain colour shows through."""

RELIEF_STRENGTH: Final = 0.8
"""How far hillshading moves brightness from flat ground (0 = no relief)."""

_SUN_AZIMUTH_DEGREES: Final = 315.0
"""Light from the north-west, the cartographic convention (north is the top of the image)."""
_SUN_ALTITUDE_DEGREES: Final = 45.0
_PNG_COMPRESS_LEVEL: Final = 6

River = tuple[ArrayLike, float]
"""A river polyline in km, ``(k, 2)``, and its drawn width in pixels (e.g. from discharge)."""
Marker = tuple[float, float, str]
"""A position in km and its text."""


def render_map(
    *,
    points: ArrayLike,
    width_km: float,
    height_km: float,
    cell_rgb: ArrayLike,
    cell_region: ArrayLike,
    cell_is_land: ArrayLike,
    rivers: Sequence[River],
    markers: Sequence[Marker] = (),
    labels: Sequence[Marker] = (),
    cell_elevation: ArrayLike | None = None,
    image_width: int = 1600,
    roads: Sequence[River] = (),
    marker_sizes: Sequence[float] | None = None,
) -> bytes:
    """Draw the map and return it as PNG bytes (identical inputs give identical bytes).

    Each pixel takes the colour of its nearest cell site. Land is hillshaded when elevations
    are given; region borders are thin dark lines where neighbouring pixels belong to
    different regions; coastlines are drawn on the land side of every land/water edge.

    Args:
        points: ``(n, 2)`` cell sites in km (y grows south).
        width_km: Map width in km.
        height_km: Map height in km; the image height follows the aspect ratio.
        cell_rgb: ``(n, 3)`` uint8 base colour per cell.
        cell_region: ``(n,)`` region per cell, negative for none.
        cell_is_land: ``(n,)`` bool.
        rivers: Polylines in km with a width in pixels, drawn in order.
        markers: Points of interest: a dot and its name (no name: a dot alone).
        labels: Text centred on a position, e.g. region names.
        cell_elevation: Optional ``(n,)`` elevation per cell, any unit, for hillshading.
        image_width: Image width in pixels.
        roads: Polylines in km with a width in pixels, drawn over rivers in a road colour.
        marker_sizes: A radius factor per marker (e.g. by settlement size); default 1.

    Returns:
        The PNG file's bytes.
    """
    sites = np.asarray(points, dtype=np.float64)
    count = len(sites)
    if sites.ndim != 2 or sites.shape[1] != 2 or count == 0:
        raise ValueError(f"points must have shape (n, 2) with n > 0, got {sites.shape}")
    if not (width_km > 0 and height_km > 0 and image_width >= 16):
        raise ValueError(f"bad map size {width_km} x {height_km} km at {image_width} px")
    colours = _per_cell(cell_rgb, count, "cell_rgb", (count, 3)).astype(np.uint8)
    regions = _per_cell(cell_region, count, "cell_region", (count,)).astype(np.int64)
    land = _per_cell(cell_is_land, count, "cell_is_land", (count,)).astype(bool)

    image_height = max(1, round(image_width * height_km / width_km))
    scale = (image_width / width_km, image_height / height_km)
    nearest = _nearest_cell(sites, image_width, image_height, scale)

    pixels = colours[nearest].astype(np.float32)
    land_pixels = land[nearest]
    if cell_elevation is not None:
        elevation = _per_cell(cell_elevation, count, "cell_elevation", (count,))
        cell_px = float(np.sqrt(image_width * image_height / count))
        relief = _relief_factor(elevation.astype(np.float32)[nearest], smoothing_px=cell_px)
        pixels[land_pixels] *= relief[land_pixels, None]
    region_pixels = regions[nearest]
    pixels[_region_borders(region_pixels)] *= BORDER_DARKENING
    pixels[_coast(land_pixels)] = COAST_RGB

    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="RGB")
    draw = ImageDraw.Draw(image)
    for polyline, width_px in rivers:
        _draw_line(draw, polyline, width_px, scale, RIVER_RGB)
    for polyline, width_px in roads:
        _draw_line(draw, polyline, width_px, scale, ROAD_RGB)
    font_size = max(10, image_width // 110)
    sizes = [1.0] * len(markers) if marker_sizes is None else list(marker_sizes)
    if len(sizes) != len(markers):
        raise ValueError(f"{len(sizes)} marker sizes for {len(markers)} markers")
    _draw_markers(draw, markers, sizes, scale, font_size)
    _draw_labels(draw, labels, scale, round(font_size * 1.3))

    buffer = io.BytesIO()
    # No pnginfo and no optimize pass: the bytes depend on the pixels alone.
    image.save(buffer, format="PNG", compress_level=_PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def _per_cell(
    values: ArrayLike, count: int, name: str, shape: tuple[int, ...]
) -> NDArray[np.generic]:
    array = np.asarray(values)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} for {count} cells, got {array.shape}")
    return array


def _nearest_cell(
    sites: NDArray[np.float64], width: int, height: int, scale: tuple[float, float]
) -> NDArray[np.intp]:
    """Index of the nearest site for every pixel centre, as an ``(height, width)`` array."""
    xs = (np.arange(width, dtype=np.float64) + 0.5) / scale[0]
    ys = (np.arange(height, dtype=np.float64) + 0.5) / scale[1]
    grid = np.empty((height, width, 2), dtype=np.float64)
    grid[..., 0] = xs[None, :]
    grid[..., 1] = ys[:, None]
    # Each query is independent, so using every core cannot change the result.
    _, nearest = cKDTree(sites).query(grid.reshape(-1, 2), workers=-1)
    index: NDArray[np.intp] = nearest.reshape(height, width)
    return index


def _relief_factor(elevation: NDArray[np.float32], *, smoothing_px: float) -> NDArray[np.float32]:
    """Brightness multiplier from a hillshade: 1 on flat ground, lower on slopes facing away.

    Slopes are normalised by the 99th percentile so the relief reads the same whatever unit
    or vertical scale the elevations use.
    """
    # Cells are flat facets; smoothing over about a cell turns them into terrain.
    surface = gaussian_filter(elevation, sigma=max(smoothing_px, 0.5))
    slope_y, slope_x = np.gradient(surface)
    steepness = np.hypot(slope_x, slope_y)
    reference = float(np.percentile(steepness, 99))
    if reference <= 0:
        return np.ones_like(elevation)
    slope_x, slope_y = slope_x / reference, slope_y / reference
    azimuth = np.radians(_SUN_AZIMUTH_DEGREES)
    altitude = np.radians(_SUN_ALTITUDE_DEGREES)
    # Image x grows east and y south; the light vector points toward the sun.
    light = (np.sin(azimuth) * np.cos(altitude), -np.cos(azimuth) * np.cos(altitude))
    normal_length = np.sqrt(slope_x**2 + slope_y**2 + 1.0)
    shade = (-slope_x * light[0] - slope_y * light[1] + np.sin(altitude)) / normal_length
    factor = 1.0 + RELIEF_STRENGTH * (np.clip(shade, 0.0, 1.0) - np.sin(altitude))
    relief: NDArray[np.float32] = factor.astype(np.float32)
    return relief


def _region_borders(region: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Pixels whose right or lower neighbour lies in another region (both in some region)."""
    border = np.zeros(region.shape, dtype=bool)
    inside = region >= 0
    across = (region[:, 1:] != region[:, :-1]) & inside[:, 1:] & inside[:, :-1]
    down = (region[1:, :] != region[:-1, :]) & inside[1:, :] & inside[:-1, :]
    border[:, :-1] |= across
    border[:-1, :] |= down
    return border


def _coast(land: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Land pixels with water among their four neighbours."""
    water_next = np.zeros(land.shape, dtype=bool)
    water_next[:, :-1] |= ~land[:, 1:]
    water_next[:, 1:] |= ~land[:, :-1]
    water_next[:-1, :] |= ~land[1:, :]
    water_next[1:, :] |= ~land[:-1, :]
    return land & water_next


def _to_pixels(x: float, y: float, scale: tuple[float, float]) -> tuple[float, float]:
    return (x * scale[0], y * scale[1])


def _draw_line(
    draw: ImageDraw.ImageDraw,
    polyline: ArrayLike,
    width_px: float,
    scale: tuple[float, float],
    colour: tuple[int, int, int],
) -> None:
    line = np.asarray(polyline, dtype=np.float64)
    if line.ndim != 2 or line.shape[1] != 2:
        raise ValueError(f"a river or road must be a (k, 2) polyline, got shape {line.shape}")
    if len(line) < 2:
        return
    xy = [_to_pixels(float(x), float(y), scale) for x, y in line]
    draw.line(xy, fill=colour, width=max(1, round(width_px)), joint="curve")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except ImportError:  # Pillow built without FreeType: fixed-size bitmap font.
        return ImageFont.load_default()


def _draw_markers(
    draw: ImageDraw.ImageDraw,
    markers: Sequence[Marker],
    sizes: Sequence[float],
    scale: tuple[float, float],
    size: int,
) -> None:
    font = _font(size)
    for (x, y, text), factor in zip(markers, sizes, strict=True):
        radius = max(1.0, max(2, size // 4) * factor)
        px, py = _to_pixels(x, y, scale)
        box = (px - radius, py - radius, px + radius, py + radius)
        draw.ellipse(box, fill=MARKER_RGB, outline=HALO_RGB)
        if not text:
            continue
        draw.text(
            (px + radius + 2, py),
            text,
            fill=TEXT_RGB,
            font=font,
            anchor="lm",
            stroke_width=2,
            stroke_fill=HALO_RGB,
        )


def _draw_labels(
    draw: ImageDraw.ImageDraw, labels: Sequence[Marker], scale: tuple[float, float], size: int
) -> None:
    font = _font(size)
    for x, y, text in labels:
        draw.text(
            _to_pixels(x, y, scale),
            text,
            fill=TEXT_RGB,
            font=font,
            anchor="mm",
            stroke_width=2,
            stroke_fill=HALO_RGB,
        )
