"""A world's timeline as a chart: its population and what happened, year by year (PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl
from PIL import Image, ImageDraw

from worldloom.infrastructure.cartography.price_chart import (
    _SUPERSAMPLE,
    BACKGROUND_RGB,
    GOOD_RGBS,
    TEXT_RGB,
    Series,
    _draw_axes,
    _draw_legend,
    _draw_series,
    _font,
    _Panel,
    _save,
)

TIMELINE_PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("people", ("population",)),
    ("per year", ("births", "deaths", "migrants")),
    ("events", ("wars", "battles", "plagues", "famines", "successions")),
)
"""Panels of the timeline: a label and the columns drawn in it."""


def render_timeline_chart(
    timeline: pl.DataFrame,
    path: Path | str,
    *,
    panels: Sequence[tuple[str, Sequence[str]]] = TIMELINE_PANELS,
    width: int = 1000,
    height: int = 800,
    title: str = "Timeline",
) -> Path:
    """Draw a world's years and write them as a PNG (identical inputs give identical bytes).

    Args:
        timeline: a `year` column and the columns `panels` name (missing ones are skipped).
        path: Where to write the PNG; its folder must exist.
        panels: label and columns of each panel, top to bottom.
        width: Image width in pixels.
        height: Image height in pixels.
        title: Drawn across the top.

    Returns:
        The path written.
    """
    if width < 320 or height < 240:
        raise ValueError(f"a timeline needs at least 320 x 240 pixels, got {width} x {height}")
    canvas_width, canvas_height = width * _SUPERSAMPLE, height * _SUPERSAMPLE
    image = Image.new("RGB", (canvas_width, canvas_height), BACKGROUND_RGB)
    draw = ImageDraw.Draw(image)
    size = max(10, width // 80) * _SUPERSAMPLE
    stroke = max(1, size // 8)
    font = _font(size)
    draw.text((canvas_width // 2, size), title, fill=TEXT_RGB, font=_font(round(size * 1.4)),
              anchor="mt")  # fmt: skip
    ordered = timeline.sort("year")
    years = list(ordered["year"].cast(pl.Float64))
    x_range = (min(years, default=0.0), max(years, default=1.0))
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
            (column, years, list(ordered[column].cast(pl.Float64)), colour)
            for column, colour in zip(present, GOOD_RGBS, strict=False)
        ]
        values = [y for _, _, ys, _ in lines for y in ys]
        panel = _Panel(box, x_range, (min([0.0, *values]), max([*values, 1e-9])))
        _draw_axes(draw, panel, font=font, label=label, stroke=stroke)
        for _, xs, ys, colour in lines:
            _draw_series(draw, panel, xs, ys, colour=colour, width=2 * stroke)
        _draw_legend(draw, (right + 2 * size, box[1]), lines, font, size)
    draw.text(((left + right) // 2, canvas_height - size // 2), "year", fill=TEXT_RGB, font=font,
              anchor="mb")  # fmt: skip
    return _save(image.resize((width, height), Image.Resampling.LANCZOS), Path(path))
