"""A world's timeline as a chart: its population and what happened, year by year (PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from worldloom.infrastructure.cartography.price_chart import render_panel_chart

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
    return render_panel_chart(
        timeline, path, x="year", panels=panels, width=width, height=height, title=title
    )
