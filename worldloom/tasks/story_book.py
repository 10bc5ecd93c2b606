"""What the stories tasks share: the world's names, the events a narrative system has not read
yet, and the read positions they move to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from worldloom.infrastructure.store import WorldStore, table_frame
from worldloom.systems.narrative import Names


@dataclass(frozen=True, slots=True)
class Unread:
    """The events a narrative system reads next: after `after` (its position; -1 when it has
    read none), up to the world's `tick`."""

    events: pl.DataFrame
    after: int
    tick: int

    @property
    def last_event_id(self) -> int:
        """The position it has read to once these are read."""
        # The store reads events in id order.
        return int(self.events["event_id"][-1]) if self.events.height else self.after


def unread_events(store: WorldStore, world_id: str, *, system: str, tick: int) -> Unread:
    """The events `system` has not read, in id order."""
    state = store.read("narrative_state", world_id, where={"system": system})
    after = int(state["last_event_id"][0]) if state.height else -1
    events = store.read("events", world_id, after={"event_id": after})
    return Unread(events=events, after=after, tick=tick)


def state_rows(store: WorldStore, world_id: str, reads: Mapping[str, Unread]) -> pl.DataFrame:
    """`narrative_state` with each system of `reads` moved to what it has now read (written in
    the same transaction as its tables: a run killed before reads the same events again;
    after, none twice)."""
    others = store.read("narrative_state", world_id).filter(~pl.col("system").is_in(list(reads)))
    moved = table_frame(
        "narrative_state",
        {
            "system": list(reads),
            "last_event_id": [unread.last_event_id for unread in reads.values()],
            "tick": [unread.tick for unread in reads.values()],
        },
    )
    return pl.concat([others, moved]).sort("system")


def world_names(store: WorldStore, world_id: str) -> Names:
    """Every entity's name by id (people by their full names)."""
    npcs = store.read("npcs", world_id).select(
        "npc_id", pl.concat_str("name", "family_name", separator=" ").alias("full")
    )
    return Names(
        npc=dict(npcs.iter_rows()),
        faction=_names(store, world_id, "factions", "faction_id"),
        settlement=_names(store, world_id, "settlements", "settlement_id"),
        region=_names(store, world_id, "regions", "region_id"),
        poi=_names(store, world_id, "pois", "poi_id"),
        item=_names(store, world_id, "items", "item_id"),
    )


def _names(store: WorldStore, world_id: str, table: str, key: str) -> dict[int, str]:
    return dict(store.read(table, world_id).select(key, "name").iter_rows())
