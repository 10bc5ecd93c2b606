"""Small hand-built notables, rumors heard and memory rules for the memory tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.narrative.memory import HEARD_SCHEMA, NOTABLE_SCHEMA, MemoryRules
from worldloom.systems.narrative.rumor import RumorRules

EVENT_TEXTS = RumorRules.from_mapping(read_toml("rumors.toml")).texts


def memory_rules(**changes: dict[str, Any]) -> MemoryRules:
    """The shipped memory.toml with some of its tables' values replaced."""
    raw = read_toml("memory.toml")
    for table, values in changes.items():
        raw[table] = {**raw[table], **values}
    return MemoryRules.from_mapping(raw, event_texts=EVENT_TEXTS)


def notables_frame(rows: Sequence[tuple[int, int, int | None, int | None]]) -> pl.DataFrame:
    """Notables from (npc_id, settlement_id, faction_id, died_tick); region = settlement."""
    return pl.DataFrame(
        {
            "npc_id": [r[0] for r in rows],
            "settlement_id": [r[1] for r in rows],
            "faction_id": [r[2] for r in rows],
            "region_id": [r[1] for r in rows],
            "died_tick": [r[3] for r in rows],
        },
        schema=NOTABLE_SCHEMA,
    )


def heard_frame(rows: Sequence[tuple[int, str, int, int, int, str]]) -> pl.DataFrame:
    """Rumors heard from (event_id, type, importance, settlement_id, heard_tick, text)."""
    return pl.DataFrame(rows, schema=HEARD_SCHEMA, orient="row")
