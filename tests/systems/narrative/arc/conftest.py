"""Fixtures for the arc room: the real catalogs and a small event-log builder."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from worldloom.infrastructure.store.schema.history import EVENTS
from worldloom.systems.history import EventCatalog
from worldloom.systems.narrative.arc import ArcPatterns
from worldloom.systems.narrative.names import Names

DATA = Path(__file__).parents[4] / "worldloom" / "data"
Event = tuple[int, str, dict[str, Any], dict[str, Any]]
"""(tick, type, actor columns and cause_ids, payload): event ids are given in list order."""


@pytest.fixture(scope="session")
def catalog() -> EventCatalog:
    with (DATA / "events.toml").open("rb") as handle:
        return EventCatalog.from_mapping(tomllib.load(handle))


@pytest.fixture(scope="session")
def arcs_table() -> dict[str, Any]:
    with (DATA / "arcs.toml").open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="session")
def patterns(catalog: EventCatalog, arcs_table: dict[str, Any]) -> ArcPatterns:
    return ArcPatterns.from_mapping(arcs_table, events=catalog)


@pytest.fixture(scope="session")
def make_log(catalog: EventCatalog) -> Callable[[Sequence[Event]], pl.DataFrame]:
    """Events rows from (tick, type, actors, payload) tuples; payloads checked by the catalog.

    Payload fields a test leaves out get a neutral value of their kind.
    """
    neutral = {"int": 0, "float": 0.0, "str": "", "bool": False}

    def build(events: Sequence[Event]) -> pl.DataFrame:
        columns: dict[str, list[Any]] = {name: [] for name in EVENTS.schema.names()}
        for event_id, (tick, kind, actors, payload) in enumerate(events):
            full = {f.name: neutral[f.kind] for f in catalog[kind].payload} | payload
            columns["event_id"].append(event_id)
            columns["tick"].append(tick)
            columns["type"].append(kind)
            columns["importance"].append(catalog[kind].importance)
            for actor in ("npc_id", "faction_id", "other_faction_id"):
                columns[actor].append(actors.get(actor))
            for actor in ("settlement_id", "region_id", "poi_id"):
                columns[actor].append(actors.get(actor))
            columns["cause_ids"].append(list(actors.get("cause_ids", [])))
            columns["payload"].append(catalog.encode(kind, full))
        return pl.DataFrame(columns, schema=EVENTS.schema)

    return build


@pytest.fixture(scope="session")
def names() -> Names:
    return Names(
        npc={1: "Orla", 2: "Bram", 3: "Cade", 4: "Dara"},
        faction={1: "Aldmark", 2: "Brenholt", 3: "Corvath"},
        settlement={3: "Ashford", 4: "Bywater", 5: "Cinderfall", 6: "Dunmere", 8: "Eastwick"},
        region={2: "the Greenvale", 7: "the Salt Marsh"},
        poi={40: "the Drowned Crypt"},
    )
