"""Render an economy's charts as PNG: the world price index and key goods' prices over ticks,
and its health over time."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl
from PIL import Image, ImageDraw, ImageFont

BACKGROUND_RGB: Final = (250, 246, 236)
AXIS_RGB: Final = (60, 52, 44)
GRID_RGB: Final = (222, 214, 198)
TEXT_RGB: Final = (20, 16, 12)
INDEX_RGB: Final = (28, 38, 52)
BASE_RGB: Final = (160, 150, 136)

GOOD_RGBS: Final = (
    (178, 34, 34),
    (34, 102, 170),
    (46, 139, 87),
    (214, 140, 0),
    (128, 60, 160),
    (0, 150, 150),
    (140, 90, 40),
    (200, 80, 150),
)
"""One colour per good line, in legend order; goods beyond these are not drawn."""

LOG_SCALE_SPAN: Final = 10.0
"""Goods' prices go on a log axis when the highest is more than this many times the lowest."""

_PNG_COMPRESS_LEVEL: Final = 6
_SUPERSAMPLE: Final = 2

Box = tuple[int, int, int, int]
"""A plot area in pixels: left, top, right, bottom."""
Series = tuple[str, Sequence[float], Sequence[float], tuple[int, int, int]]
"""A line: its label, x values, y values and colour."""


def render_price_chart(
    index: pl.DataFrame,
    goods_prices: pl.DataFrame,
    path: Path | str,
    *,
    width: int = 1000,
    height: int = 700,
    title: str = "Prices over time",
) -> Path:
    """Draw the price chart and write it as a PNG (identical inputs give identical bytes).

    The top panel is the world price index, with the base-value line at 1; the bottom panel
    the goods' prices in copper, on a log axis when they span more than ``LOG_SCALE_SPAN``.

    Args:
        index: tick, index (e.g. ``EconomySummary.world_index``).
        goods_prices: tick, good, price, and optionally name for the legend (e.g.
            ``EconomySummary.key_prices``); the first ``len(GOOD_RGBS)`` goods by mean price
            are drawn.
        path: Where to write the PNG; its folder must exist.
        width: Image width in pixels.
        height: Image height in pixels.
        title: Drawn across the top.

    Returns:
        The path written.
    """
    if width < 320 or height < 240:
        raise ValueError(f"a price chart needs at least 320 x 240 pixels, got {width} x {height}")
    canvas_width, canvas_height = width * _SUPERSAMPLE, height * _SUPERSAMPLE
    image = Image.new("RGB", (canvas_width, canvas_height), BACKGROUND_RGB)
    draw = ImageDraw.Draw(image)
    size = max(10, width // 80) * _SUPERSAMPLE
    stroke = max(1, size // 8)
    font = _font(size)
    title_font = _font(round(size * 1.4))
    draw.text((canvas_width // 2, size), title, fill=TEXT_RGB, font=title_font, anchor="mt")

    left, right = 8 * size, canvas_width - 16 * size
    split = round(size * 4 + (canvas_height - size * 4) * 0.38)
    index_box = (left, size * 4, right, split - 3 * size)
    goods_box = (left, split + size, right, canvas_height - 3 * size)

    ordered = index.drop_nulls("index").sort("tick")
    ticks = list(ordered["tick"].cast(pl.Float64))
    values = list(ordered["index"].cast(pl.Float64))
    lines = _goods_series(goods_prices)
    all_ticks = ticks + [x for _, xs, _, _ in lines for x in xs]
    x_range = (min(all_ticks, default=0.0), max(all_ticks, default=1.0))

    index_panel = _Panel(index_box, x_range, (min([*values, 1.0]), max([*values, 1.0])))
    _draw_axes(draw, index_panel, font=font, label="price index", stroke=stroke)
    if index_panel.y_range[0] < 1.0 < index_panel.y_range[1]:
        _draw_series(draw, index_panel, x_range, (1.0, 1.0), colour=BASE_RGB, width=stroke)
    _draw_series(draw, index_panel, ticks, values, colour=INDEX_RGB, width=3 * stroke)

    prices = [y for _, _, ys, _ in lines for y in ys]
    low, high = min(prices, default=1.0), max(prices, default=2.0)
    goods_panel = _Panel(goods_box, x_range, (low, high), log=high > LOG_SCALE_SPAN * low)
    _draw_axes(draw, goods_panel, font=font, label="price (copper)", stroke=stroke)
    for _, xs, ys, colour in lines:
        _draw_series(draw, goods_panel, xs, ys, colour=colour, width=2 * stroke)
    _draw_legend(draw, (right + 2 * size, goods_box[1]), lines, font, size)
    x_label = ((left + right) // 2, canvas_height - size // 2)
    draw.text(x_label, "tick", fill=TEXT_RGB, font=font, anchor="mb")
    # Drawn at twice the size and shrunk: antialiased lines without a plotting library.
    return _save(image.resize((width, height), Image.Resampling.LANCZOS), Path(path))


HEALTH_PANELS: Final = (
    ("trade per agent-day (units)", ("trade",)),
    ("share", ("spoilage", "starving")),
    ("price index", ("prices",)),
)
"""The health chart's panels, top to bottom: label and the columns drawn in it."""


def render_health_chart(
    health: pl.DataFrame,
    path: Path | str,
    *,
    width: int = 1000,
    height: int = 800,
    title: str = "Economy health",
) -> Path:
    """Draw the economy's health over time and write it as a PNG (identical inputs give
    identical bytes): trade per agent-day, the spoiled and starving shares, the price index.

    Args:
        health: tick and the columns of `HEALTH_PANELS` (e.g. `health_over_time`).
        path: Where to write the PNG; its folder must exist.
        width: Image width in pixels.
        height: Image height in pixels.
        title: Drawn across the top.

    Returns:
        The path written.
    """
    return render_panel_chart(
        health, path, x="tick", panels=HEALTH_PANELS, width=width, height=height, title=title
    )


def render_panel_chart(
    frame: pl.DataFrame,
    path: Path | str,
    *,
    x: str,
    panels: Sequence[tuple[str, Sequence[str]]],
    width: int,
    height: int,
    title: str,
) -> Path:
    """Draw `frame`'s columns over its `x` column in stacked panels, each from 0 with its own
    legend, and write them as a PNG (identical inputs give identical bytes).

    Args:
        frame: the `x` column and the columns `panels` name (missing ones are skipped).
        path: Where to write the PNG; its folder must exist.
        x: The column along the horizontal axis (and its label).
        panels: label and columns of each panel, top to bottom.
        width: Image width in pixels.
        height: Image height in pixels.
        title: Drawn across the top.

    Returns:
        The path written.
    """
    if width < 320 or height < 240:
        raise ValueError(f"a chart needs at least 320 x 240 pixels, got {width} x {height}")
    canvas_width, canvas_height = width * _SUPERSAMPLE, height * _SUPERSAMPLE
    image = Image.new("RGB", (canvas_width, canvas_height), BACKGROUND_RGB)
    draw = ImageDraw.Draw(image)
    size = max(10, width // 80) * _SUPERSAMPLE
    stroke = max(1, size // 8)
    font = _font(size)
    draw.text((canvas_width // 2, size), title, fill=TEXT_RGB, font=_font(round(size * 1.4)),
              anchor="mt")  # fmt: skip
    ordered = frame.sort(x)
    xs = list(ordered[x].cast(pl.Float64))
    x_range = (min(xs, default=0.0), max(xs, default=1.0))
    left, right = 8 * size, canvas_width - 16 * size
    top, bottom = size * 4, canvas_height - 3 * size
    step = (bottom - top) / max(len(panels), 1)
    for row, (label, columns) in enumerate(panels):
        box = (
            left,
            round(top + row * step + size),
            right,
            round(top + (row + 1) * step - 2 * size),
        )
        present = [c for c in columns if c in ordered.columns]
        lines: list[Series] = [
            (column, xs, list(ordered[column].cast(pl.Float64)), colour)
            for column, colour in zip(present, GOOD_RGBS, strict=False)
        ]
        values = [y for _, _, ys, _ in lines for y in ys]
        panel = _Panel(box, x_range, (min([0.0, *values]), max([*values, 1e-9])))
        _draw_axes(draw, panel, font=font, label=label, stroke=stroke)
        for _, line_xs, ys, colour in lines:
            _draw_series(draw, panel, line_xs, ys, colour=colour, width=2 * stroke)
        _draw_legend(draw, (right + 2 * size, box[1]), lines, font, size)
    draw.text(((left + right) // 2, canvas_height - size // 2), x, fill=TEXT_RGB, font=font,
              anchor="mb")  # fmt: skip
    # Drawn at twice the size and shrunk: antialiased lines without a plotting library.
    return _save(image.resize((width, height), Image.Resampling.LANCZOS), Path(path))


def _save(image: Image.Image, target: Path) -> Path:
    buffer = io.BytesIO()
    # No pnginfo and no optimize pass: the bytes depend on the pixels alone.
    image.save(buffer, format="PNG", compress_level=_PNG_COMPRESS_LEVEL)
    target.write_bytes(buffer.getvalue())
    return target


def _goods_series(goods_prices: pl.DataFrame) -> list[Series]:
    label = "name" if "name" in goods_prices.columns else "good"
    prices = goods_prices.drop_nulls("price").filter(pl.col("price") > 0)
    order = (
        prices.group_by("good")
        .agg(pl.col("price").mean().alias("mean"), pl.col(label).first().alias("label"))
        .sort(["mean", "good"], descending=[True, False])
        .head(len(GOOD_RGBS))
    )
    lines: list[Series] = []
    rows = order.select("good", "label").iter_rows()
    for (good, name), colour in zip(rows, GOOD_RGBS[: order.height], strict=True):
        series = prices.filter(pl.col("good") == good).sort("tick")
        xs = list(series["tick"].cast(pl.Float64))
        ys = list(series["price"].cast(pl.Float64))
        lines.append((str(name if name is not None else good), xs, ys, colour))
    return lines


@dataclass(frozen=True, slots=True)
class _Panel:
    """A plot area and the data ranges it shows."""

    box: Box
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log: bool = False

    def to_pixels(self, x: float, y: float) -> tuple[float, float]:
        left, top, right, bottom = self.box
        x_lo, x_hi = _padded(*self.x_range, log=False, pad=0.0)
        y_lo, y_hi = _padded(*self.y_range, log=self.log, pad=0.05)
        if self.log:
            y, y_lo, y_hi = math.log10(y), math.log10(y_lo), math.log10(y_hi)
        return (
            left + (x - x_lo) / (x_hi - x_lo) * (right - left),
            bottom - (y - y_lo) / (y_hi - y_lo) * (bottom - top),
        )


def _draw_axes(
    draw: ImageDraw.ImageDraw,
    panel: _Panel,
    *,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    label: str,
    stroke: int,
) -> None:
    left, top, right, bottom = panel.box
    y_ticks = _log_ticks(*panel.y_range) if panel.log else _linear_ticks(*panel.y_range)
    for y in y_ticks:
        _, py = panel.to_pixels(panel.x_range[0], y)
        draw.line([(left, py), (right, py)], fill=GRID_RGB, width=stroke)
        draw.text((left - 3 * stroke, py), f"{y:g}", fill=TEXT_RGB, font=font, anchor="rm")
    for x in _linear_ticks(*panel.x_range, integer=True):
        px, _ = panel.to_pixels(x, panel.y_range[0])
        draw.line([(px, bottom), (px, bottom + 2 * stroke)], fill=AXIS_RGB, width=stroke)
        draw.text((px, bottom + 3 * stroke), f"{x:g}", fill=TEXT_RGB, font=font, anchor="mt")
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=AXIS_RGB, width=2 * stroke)
    draw.text((left, top - 2 * stroke), label, fill=TEXT_RGB, font=font, anchor="lb")


def _draw_series(
    draw: ImageDraw.ImageDraw,
    panel: _Panel,
    xs: Sequence[float],
    ys: Sequence[float],
    *,
    colour: tuple[int, int, int],
    width: int,
) -> None:
    points = [panel.to_pixels(x, y) for x, y in zip(xs, ys, strict=True)]
    if len(points) == 1:
        (px, py), radius = points[0], width + 1
        draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=colour)
    elif points:
        draw.line(points, fill=colour, width=width, joint="curve")


def _draw_legend(
    draw: ImageDraw.ImageDraw,
    origin: tuple[int, int],
    lines: Sequence[Series],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    size: int,
) -> None:
    x, y = origin
    for row, (label, _, _, colour) in enumerate(lines):
        py = y + row * round(size * 1.8) + size // 2
        draw.line([(x, py), (x + 2 * size, py)], fill=colour, width=max(1, size // 4))
        draw.text((x + round(2.5 * size), py), label[:18], fill=TEXT_RGB, font=font, anchor="lm")


def _padded(lo: float, hi: float, *, log: bool, pad: float) -> tuple[float, float]:
    # A flat series gets a band around it, so it is drawn mid-panel, not on an edge.
    if log:
        factor = (hi / lo) ** pad if hi > lo else 2.0
        return lo / factor, hi * factor
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    margin = span * pad if hi > lo else span / 2
    return lo - margin, hi + margin


def _linear_ticks(lo: float, hi: float, *, integer: bool = False, count: int = 5) -> list[float]:
    lo, hi = _padded(lo, hi, log=False, pad=0.0 if integer else 0.05)
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step - 1e-9)
    return [round(k * step, 10) for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def _log_ticks(lo: float, hi: float) -> list[float]:
    lo, hi = _padded(lo, hi, log=True, pad=0.05)
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    mantissas = (1, 2, 5) if len(decades) <= 4 else (1,)
    candidates = (m * 10.0**d for d in decades for m in mantissas)
    return [round(t, 10) for t in candidates if lo <= t <= hi]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except ImportError:  # Pillow built without FreeType: fixed-size bitmap font.
        return ImageFont.load_default()
