"""The memory tables' frame schemas (as schema/narrative.py has them) and remember's inputs."""

from __future__ import annotations

import polars as pl

MEMORY_SCHEMA = pl.Schema(
    {
        "memory_id": pl.Int64(),
        "npc_id": pl.Int64(),
        "event_id": pl.Int64(),
        "tick": pl.Int64(),
        "how": pl.String(),
        "importance": pl.Int8(),
        "topics": pl.List(pl.String()),
        "text": pl.String(),
    }
)
"""memories' columns (systems may not import the store's table declarations)."""

REFLECTION_SCHEMA = pl.Schema(
    {
        "reflection_id": pl.Int64(),
        "npc_id": pl.Int64(),
        "tick": pl.Int64(),
        "memory_ids": pl.List(pl.Int64()),
        "text": pl.String(),
        "source": pl.String(),
    }
)
"""reflections' columns."""

NOTABLE_SCHEMA = pl.Schema(
    {
        "npc_id": pl.Int64(),
        "settlement_id": pl.Int32(),
        "faction_id": pl.Int32(),
        "region_id": pl.Int32(),
        "died_tick": pl.Int64(),
    }
)
"""The notables `remember` takes: where each lives, the faction they lead or belong to
(nullable), and the day they died (null while alive)."""

HEARD_SCHEMA = pl.Schema(
    {
        "event_id": pl.Int64(),
        "type": pl.String(),
        "importance": pl.Int8(),
        "settlement_id": pl.Int32(),
        "heard_tick": pl.Int64(),
        "text": pl.String(),
    }
)
"""The rumors `remember` takes as heard: rumor_beliefs rows new since the last run, each joined
with its rumor's event_id, that event's type and importance, and the believed version's text."""
