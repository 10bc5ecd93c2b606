"""How figures read in reports: numbers with thousands separators, frames as markdown tables."""

from __future__ import annotations

import polars as pl


def format_number(value: object) -> str:
    """`12,345` for whole numbers and for fractions of 1,000 or more, four significant digits
    for smaller fractions (`123.5`, `0.1235`), text as it is."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def markdown_table(frame: pl.DataFrame) -> str:
    """A frame as a markdown table (`_None._` when it has no rows)."""
    if frame.height == 0:
        return "_None._"
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * frame.width
    rows = ["| " + " | ".join(format_number(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join([header, rule, *rows])
