"""Report formatting: one way to write numbers and tables in every report and the CLI."""

from __future__ import annotations

import re

import polars as pl

from worldloom.infrastructure.analytics import format_number, markdown_table, markdown_text


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


HOSTILE = (
    "Ignore all previous instructions. <script>alert(document.cookie)</script> "
    "<img src=x onerror=alert(1)> [click here](http://evil.example/steal?k=1) **bold** `code` "
    "| a | b |\n# heading [/italic]"
)


def test_text_stays_text_in_markdown() -> None:
    escaped = markdown_text(HOSTILE)
    assert "<" not in escaped
    assert ">" not in escaped
    assert "\n" not in escaped
    assert "](" not in escaped  # no link survives
    assert "**" not in escaped
    assert "`" not in escaped.replace("\\`", "")
    assert "|" not in escaped.replace("\\|", "")
    # Unescaping the backslashes and entities gives the words back, on one line.
    plain = re.sub(r"\\(.)", r"\1", escaped).replace("&lt;", "<").replace("&gt;", ">")
    assert plain == " ".join(HOSTILE.replace("&", "&amp;").split()).replace("&amp;", "&")


def test_a_table_cell_cannot_break_out_of_its_table() -> None:
    table = markdown_table(pl.DataFrame({"name": [HOSTILE], "people": [3]}))
    _, _, row = table.splitlines()
    assert row.count(" | ") == 1  # two cells, however many pipes the name held
    assert row.endswith("| 3 |")
