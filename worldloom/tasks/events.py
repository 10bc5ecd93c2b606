"""Worldloom's own Prefect events: what happened to a world, with the world as the resource, so
automations and the UI's event feed can follow a world (`worldloom.world.<id>`).

Every event here is a plain call from a flow (no task run of its own), named after what
happened: a world generated, a snapshot exported, and the wars and disasters of its history
(`worldloom.history.<event type>`, one per such event in the world's log).
"""

from __future__ import annotations

import json
from typing import Any, Final

import polars as pl
from prefect.events import emit_event

from worldloom.infrastructure.snapshot import Manifest, inspect_snapshot
from worldloom.infrastructure.store import open_store
from worldloom.tasks import catalog
from worldloom.tasks.world_record import load_world, world_db

GENERATED: Final = "worldloom.world.generated"
EXPORTED: Final = "worldloom.snapshot.exported"
HISTORY: Final = "worldloom.history."
"""The prefix of a history event's name; the event type follows (`worldloom.history.plague`)."""
ANNOUNCED_SYSTEMS: Final = frozenset({"tension_war", "chaos", "economy"})
"""Wars (tension_war) and disasters (chaos; the economy's famines and closed markets)..."""
ANNOUNCED_IMPORTANCE: Final = 5
"""...of at least this importance: a few a year, never the births and deaths."""
_ACTORS: Final = (
    ("faction_id", "faction", "factions", "faction"),
    ("other_faction_id", "faction", "factions", "other-faction"),
    ("settlement_id", "settlement", "settlements", "settlement"),
    ("region_id", "region", "regions", "region"),
)
"""Event column, resource kind, table of its names, and its role on the event."""


def world_resource(world_id: str, **labels: str) -> dict[str, str]:
    """The world as an event resource: `worldloom.world.<id>`, with `labels` beside it."""
    return {"prefect.resource.id": f"worldloom.world.{world_id}", **labels}


def announce_world_generated(*, snapshot: str, name: str) -> None:
    """`worldloom.world.generated`: a world was generated; `snapshot` is its exported folder."""
    manifest = inspect_snapshot(snapshot)
    _emit(
        GENERATED,
        manifest,
        payload={"name": name, "snapshot_id": manifest.snapshot_id},
        name=name,
    )


def announce_snapshot_exported(*, snapshot: str, location: str) -> None:
    """`worldloom.snapshot.exported`: the verified snapshot in the folder `snapshot` is
    published at `location` (that folder, or its object-store URL)."""
    manifest = inspect_snapshot(snapshot)
    _emit(
        EXPORTED,
        manifest,
        payload={"snapshot_id": manifest.snapshot_id, "location": location},
    )


def history_mark(*, home: str, world_id: str) -> int:
    """The id of the world's last recorded event (-1 before any): announce what comes after."""
    with open_store(world_db(home, world_id), read_only=True) as store:
        return store.next_id("events", world_id, "event_id") - 1


def announce_history(*, home: str, world_id: str, after_event_id: int) -> int:
    """`worldloom.history.<type>`: one Prefect event per war or disaster the world recorded
    after `after_event_id` (see `ANNOUNCED_SYSTEMS`), the world as its resource and the
    factions, settlement and region it names as related resources; returns how many."""
    types = catalog.event_catalog().types
    announced = [k for k, t in types.items() if t.system in ANNOUNCED_SYSTEMS]
    with open_store(world_db(home, world_id), read_only=True) as store:
        events = store.read("events", world_id, after={"event_id": after_event_id}).filter(
            pl.col("type").is_in(announced) & (pl.col("importance") >= ANNOUNCED_IMPORTANCE)
        )
        if events.height == 0:
            return 0
        world = load_world(store, world_id)
        names = {
            table: dict(store.read(table, world_id).select(pl.nth(0), "name").iter_rows())
            for table in ("factions", "settlements", "regions")
        }
    calendar = catalog.calendar()
    resource = world_resource(world_id, **{"prefect.resource.name": world.name})
    for event in events.iter_rows(named=True):
        related = [
            {
                "prefect.resource.id": f"worldloom.{kind}.{world_id}.{event[column]}",
                "prefect.resource.role": role,
                "prefect.resource.name": names[table].get(event[column], ""),
            }
            for column, kind, table, role in _ACTORS
            if event[column] is not None
        ]
        emit_event(
            event=f"{HISTORY}{event['type']}",
            resource=resource,
            payload={
                "event_id": event["event_id"],
                "tick": event["tick"],
                "year": calendar.date_of(event["tick"]).year,
                "importance": event["importance"],
                "cause_ids": list(event["cause_ids"] or []),
                "details": json.loads(event["payload"]),
                "seed": world.config.seed,
            },
            related=related,
        )
    return events.height


def _snapshot(world_id: str, snapshot_id: str) -> dict[str, str]:
    return {
        "prefect.resource.id": f"worldloom.snapshot.{world_id}.{snapshot_id}",
        "prefect.resource.role": "snapshot",
        "prefect.resource.name": snapshot_id,
    }


def _emit(
    event: str, manifest: Manifest, *, payload: dict[str, Any], name: str | None = None
) -> None:
    labels = {"prefect.resource.name": name} if name else {}
    world = {
        "seed": manifest.seed,
        "preset": manifest.preset,
        "tick": manifest.tick,
        "config_hash": manifest.config_hash,
    }
    # Prefect attaches the emitting run's flow, flow run (and deployment) as related resources.
    emit_event(
        event=event,
        resource=world_resource(manifest.world_id, **labels),
        payload={**payload, **world},
        related=[_snapshot(manifest.world_id, manifest.snapshot_id)],
    )
