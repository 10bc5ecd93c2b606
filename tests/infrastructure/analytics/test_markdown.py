"""Report formatting: one way to write numbers and tables in every report and the CLI."""

from __future__ import annotations

import polars as pl

from worldloom.infrastructure.analytics import format_number, markdown_table


def test_numbers_read_the_same_everywhere() -> None:
    assert format_number(1234567) == "1,234,567"
    assert format_number(0.123456) == "0.1235"
    assert format_number(12345.678) == "12,346"
    assert format_number(123.456) == "123.5"
    assert format_number(True) == "True"
    assert format_number(None) == ""
    assert format_number("Vellmar") == "Vellmar"


def test_a_frame_is_a_markdown_table() -> None:
    frame = pl.DataFrame({"region": ["Vell", "Zarra"], "people": [12000, 950]})
    assert markdown_table(frame) == (
        "| region | people |\n|---|---|\n| Vell | 12,000 |\n| Zarra | 950 |"
    )
    assert markdown_table(frame.clear()) == "_None._"
