"""How figures read in reports: numbers with thousands separators, frames as markdown tables,
and text as text: a name or a description (which an LLM may have written) never becomes
markup, a link or HTML in a report."""

from __future__ import annotations

import re

import polars as pl

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
"""Characters markdown gives a meaning; each is shown as itself with a backslash before it."""


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


def markdown_text(text: str) -> str:
    """`text` as literal markdown: no emphasis, link, heading, table break or HTML in it, and
    on one line (a newline would end a table row or a quote)."""
    plain = " ".join(text.split())
    escaped = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", escaped)


def markdown_table(frame: pl.DataFrame) -> str:
    """A frame as a markdown table (`_None._` when it has no rows)."""
    if frame.height == 0:
        return "_None._"
    header = "| " + " | ".join(markdown_text(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * frame.width
    rows = [
        "| " + " | ".join(markdown_text(format_number(v)) for v in row) + " |"
        for row in frame.iter_rows()
    ]
    return "\n".join([header, rule, *rows])
