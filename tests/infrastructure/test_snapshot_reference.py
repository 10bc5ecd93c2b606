"""SNAPSHOT.md is the snapshot's reference a runtime developer reads: it must say what the
data dictionary says, table by table."""

from __future__ import annotations

from pathlib import Path

from worldloom.infrastructure.snapshot.reference import column_type, snapshot_reference
from worldloom.infrastructure.store import TABLES

CHECKED_IN = Path(__file__).parents[2] / "SNAPSHOT.md"


def test_the_checked_in_reference_is_current() -> None:
    assert CHECKED_IN.read_text(encoding="utf-8") == snapshot_reference(), (
        "SNAPSHOT.md is stale: regenerate it with "
        "`.venv/bin/python -m worldloom.infrastructure.snapshot.reference > SNAPSHOT.md`"
    )


def test_every_exported_table_and_column_is_described() -> None:
    text = snapshot_reference()
    for table in TABLES.values():
        heading = f"\n## {table.name}\n"
        assert (heading in text) == table.exported, table.name
        if not table.exported:
            continue
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        for column in table.columns:
            row = f"| `{column.name}` | `{column_type(table, column.name)}` |"
            assert row in section, (table.name, column.name)
            assert column.description.replace("|", "/") in section
