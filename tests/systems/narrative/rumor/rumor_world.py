"""Small hand-built worlds for the rumor tests: settlements, routes, events and their names."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from worldloom.infrastructure.seed_data import read_toml
from worldloom.infrastructure.store.schema.history import EVENTS
from worldloom.systems.narrative.names import Names
from worldloom.systems.narrative.rumor import RumorRules

EVENT_SCHEMA = pl.Schema(dict(EVENTS.schema.items()))


def settlements_frame(
    regions: Sequence[int], populations: Sequence[int] | None = None
) -> pl.DataFrame:
    """Settlements 0..n-1 in the given regions."""
    sizes = populations if populations is not None else [100] * len(regions)
    return pl.DataFrame(
        {
            "settlement_id": list(range(len(regions))),
            "region_id": list(regions),
            "population": list(sizes),
        },
        schema={"settlement_id": pl.Int32(), "region_id": pl.Int32(), "population": pl.Int32()},
    )


def routes_frame(rows: Sequence[tuple[str, int, int | None, list[int], float]]) -> pl.DataFrame:
    """Routes from (kind, start place, end place or None, cells, travel days)."""
    return pl.DataFrame(
        {
            "route_id": list(range(len(rows))),
            "kind": [r[0] for r in rows],
            "start_place": [r[1] for r in rows],
            "end_place": [r[2] for r in rows],
            "end_cell": [r[3][-1] for r in rows],
            "cells": [r[3] for r in rows],
            "travel_days": [r[4] for r in rows],
        },
        schema={
            "route_id": pl.Int32(),
            "kind": pl.String(),
            "start_place": pl.Int32(),
            "end_place": pl.Int32(),
            "end_cell": pl.Int32(),
            "cells": pl.List(pl.Int32()),
            "travel_days": pl.Float64(),
        },
    )


def line_routes(count: int, days: float) -> pl.DataFrame:
    """Roads 0-1, 1-2, ... each `days` long, with cells of their own."""
    return routes_frame(
        [("road", i, i + 1, [100 * i, 100 * i + 1, 100 * i + 2], days) for i in range(count - 1)]
    )


def event_rows(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """Events in the events table's frame schema; missing columns are null, payload a dict."""
    filled = []
    for i, row in enumerate(rows):
        full: dict[str, Any] = dict.fromkeys(EVENT_SCHEMA.names())
        full |= {"event_id": i, "cause_ids": [], "importance": 5, **row}
        full["payload"] = json.dumps(row.get("payload", {}))
        filled.append(full)
    return pl.DataFrame(filled, schema=EVENT_SCHEMA)


def world_names(settlements: int, *, factions: int = 3, npcs: int = 5, regions: int = 3) -> Names:
    """Names S0.., F0.., N0.., R0.., P0.. for a small world."""
    return Names(
        settlement={i: f"S{i}" for i in range(settlements)},
        faction={i: f"F{i}" for i in range(factions)},
        npc={i: f"N{i}" for i in range(npcs)},
        region={i: f"R{i}" for i in range(regions)},
        poi={100 + i: f"P{i}" for i in range(2)},
    )


def rules_with(**changes: dict[str, Any]) -> RumorRules:
    """The shipped rumors.toml with some of its tables' values replaced."""
    raw = read_toml("rumors.toml")
    for table, values in changes.items():
        raw[table] = {**raw[table], **values}
    return RumorRules.from_mapping(raw)


def calm_rules() -> RumorRules:
    """Rules under which nothing is ever distorted, relayed after exactly 2 days."""
    return rules_with(
        distortion={"actor": 0.0, "place": 0.0, "number": 0.0},
        travel={"relay_jitter_days": 0, "relay_days": 2, "base_hops": 9, "max_days": 1000},
    )
