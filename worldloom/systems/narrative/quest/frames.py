"""The quest tables' frame schemas, as schema/narrative.py declares them (without world_id)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

QUESTS_SCHEMA = pl.Schema(
    {
        "quest_id": pl.Int64(),
        "giver_npc_id": pl.Int64(),
        "settlement_id": pl.Int32(),
        "motivation": pl.String(),
        "strategy": pl.String(),
        "arc_id": pl.Int64(),
        "cause_event_id": pl.Int64(),
        "difficulty_level": pl.Int8(),
        "reward": pl.Float64(),
        "reward_item_id": pl.Int64(),
        "issued_tick": pl.Int64(),
        "status": pl.String(),
        "closed_tick": pl.Int64(),
        "closed_reason": pl.String(),
        "title": pl.String(),
        "text": pl.String(),
    }
)
"""quests' columns (systems may not import the store's table declarations)."""

QUEST_STEPS_SCHEMA = pl.Schema(
    {
        "quest_id": pl.Int64(),
        "position": pl.Int16(),
        "action": pl.String(),
        "npc_id": pl.Int64(),
        "settlement_id": pl.Int32(),
        "poi_id": pl.Int32(),
        "item_id": pl.Int64(),
        "monster": pl.String(),
        "qty": pl.Int32(),
        "text": pl.String(),
    }
)
"""quest_steps' columns."""


def frame_of(schema: pl.Schema, rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Rows (dicts with at least the schema's columns) as a frame of exactly that schema."""
    return pl.DataFrame({c: [r[c] for r in rows] for c in schema}, schema=schema)
