"""The rumor tables' frame schemas (as schema/narrative.py has them) and the frontier's split."""

from __future__ import annotations

import polars as pl

RUMOR_SCHEMA = pl.Schema(
    {
        "rumor_id": pl.Int64(),
        "event_id": pl.Int64(),
        "origin_settlement_id": pl.Int32(),
        "start_tick": pl.Int64(),
    }
)
"""rumors' columns (systems may not import the store's table declarations)."""

_VERSION_DETAIL = {
    "parent_version": pl.Int16(),
    "distortion": pl.String(),
    "field": pl.String(),
    "true_value": pl.String(),
    "told_value": pl.String(),
    "is_true": pl.Boolean(),
    "text": pl.String(),
}

VERSION_SCHEMA = pl.Schema(
    {
        "rumor_id": pl.Int64(),
        "version": pl.Int16(),
        "parent_version": pl.Int16(),
        "settlement_id": pl.Int32(),
        "tick": pl.Int64(),
        **{k: v for k, v in _VERSION_DETAIL.items() if k != "parent_version"},
    }
)
"""rumor_versions' columns."""

BELIEF_SCHEMA = pl.Schema(
    {
        "rumor_id": pl.Int64(),
        "settlement_id": pl.Int32(),
        "version": pl.Int16(),
        "heard_tick": pl.Int64(),
        "confidence": pl.Float64(),
    }
)
"""rumor_beliefs' columns."""

FRONTIER_SCHEMA = pl.Schema({**BELIEF_SCHEMA, "new_version": pl.Boolean(), **_VERSION_DETAIL})
"""rumor_frontier's columns: a belief still to come, and the version it brings when that version
is first told there (the version columns are null otherwise)."""


def split_at(
    frontier: pl.DataFrame, until_tick: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The versions and beliefs reached by `until_tick`, and the frontier left after it."""
    due = frontier.filter(pl.col("heard_tick") <= until_tick)
    versions = (
        due.filter(pl.col("new_version"))
        .rename({"heard_tick": "tick"})
        .select(VERSION_SCHEMA.names())
        .cast(VERSION_SCHEMA)
    )
    beliefs = due.select(BELIEF_SCHEMA.names())
    left = frontier.filter(pl.col("heard_tick") > until_tick).sort("rumor_id", "settlement_id")
    return versions, beliefs, left
