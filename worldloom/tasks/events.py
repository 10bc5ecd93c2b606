"""Worldloom's own Prefect events: what happened to a world, with the world as the resource, so
automations and the UI's event feed can follow a world (`worldloom.world.<id>`).

Every event here is a plain call from a flow (no task run of its own). New kinds of event (the
living world's wars and disasters, say) get a function here, named after what happened.
"""

from __future__ import annotations

from typing import Any, Final

from prefect.events import emit_event

from worldloom.infrastructure.snapshot import Manifest, inspect_snapshot

GENERATED: Final = "worldloom.world.generated"
EXPORTED: Final = "worldloom.snapshot.exported"


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
