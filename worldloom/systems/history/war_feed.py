"""The war room's records as history: each an event of its kind, its causes the events its
earlier records (and the chaos incidents behind it) became, and what it does to the world:
soldiers killed in battle and the garrison and townsfolk of a sacked town are people killed in
their settlement; a siege under way at the year's end keeps its market closed; a province that
changes hands is a border change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worldloom.systems.history.chaos_feed import plain_payload
from worldloom.systems.history.chronicle import Happening
from worldloom.systems.tension_war import (
    Battle,
    BorderIncident,
    SettlementOccupied,
    SiegeBegun,
    SiegeEnded,
    WarRecord,
)

_ACTORS = ("faction_id", "other_faction_id", "settlement_id", "region_id", "npc_id")


def war_happening(
    record: WarRecord,
    *,
    position: Mapping[int, int],
    earlier: Mapping[int, int],
    incidents: Mapping[int, int],
) -> Happening:
    """A war record as an event to log.

    Args:
        position: record id -> position of this year's happenings it became.
        earlier: record id -> event id of the records of earlier years.
        incidents: incident id -> position of the happening it was (this year's).
    """
    actors = {name: getattr(record, name) for name in _ACTORS if getattr(record, name) >= 0}
    causes = [
        position[c] if c in position else -1 - earlier[c]
        for c in record.causes
        if c in position or c in earlier
    ]
    causes += [incidents[i] for i in record.incident_causes if i in incidents]
    skip = {"incident_id"} if isinstance(record.payload, BorderIncident) else set()
    return Happening(
        kind=record.kind,
        tick=record.tick,
        payload=plain_payload(record.payload, skip=skip),
        actors=actors,
        causes=tuple(causes),
        importance=record.importance,
    )


def war_effects(record: WarRecord) -> dict[str, Any]:
    """What a record does: killed [(settlement, people)], siege (settlement, siege id, begun
    or ended), border (region, new holder, old holder)."""
    payload = record.payload
    effects: dict[str, Any] = {}
    if isinstance(payload, Battle) and payload.deaths:
        effects["killed"] = list(payload.deaths)
    if isinstance(payload, SiegeEnded):
        effects["siege"] = (record.settlement_id, payload.siege_id, False)
        if payload.deaths and record.settlement_id >= 0:
            effects["killed"] = [(record.settlement_id, payload.deaths)]
    if isinstance(payload, SiegeBegun):
        effects["siege"] = (record.settlement_id, payload.siege_id, True)
    if isinstance(payload, SettlementOccupied) and payload.region_changed:
        effects["border"] = (record.region_id, payload.to_faction_id, payload.from_faction_id)
    return effects
