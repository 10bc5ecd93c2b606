"""The chaos room's records as history: each an event (its kind the event type, but
`plague_outbreak` is a `plague`), its causes the events its earlier records became, and what
it does to the world: the deaths it names are people killed in its settlement; a plague's
severity weighs on its region; a harvest cut below `FAILED_YIELD` is lost for the next year; a
market closed past the year's end stays closed for the next; a raid, monster attack or lost
caravan strains relations in its region (a war room `Incident`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from worldloom.systems.chaos import Attack, CaravanLost, ChaosRecord, Disaster, Discovery
from worldloom.systems.history.chronicle import Happening

EVENT_TYPE = {"plague_outbreak": "plague"}
"""Chaos kinds whose event type is named otherwise (the rest keep their kind's name)."""
FAILED_YIELD = 0.8
"""A drought or flood leaving less than this share of the harvest loses the region's grain."""
STRAINING = frozenset({"bandit_raid", "monster_attack", "caravan_lost"})
"""Chaos kinds that strain relations in their region (war room incidents)."""
_ACTORS = ("region_id", "settlement_id", "faction_id")


def chaos_happening(
    record: ChaosRecord,
    *,
    position: Mapping[int, int],
    earlier: Mapping[int, int],
    settlement_ids: frozenset[int],
) -> Happening:
    """A chaos record as an event to log.

    Args:
        position: record id -> position of this year's happenings it became.
        earlier: record id -> event id of the records of earlier years.
        settlement_ids: settlements that exist (a record's place that is not one is a POI).
    """
    payload = record.payload
    actors = {name: getattr(record, name) for name in _ACTORS if getattr(record, name) >= 0}
    if record.place_id >= 0 and record.place_id not in settlement_ids:
        actors["poi_id"] = record.place_id
    if isinstance(payload, Attack):
        if payload.attacker_faction_id >= 0:
            if "faction_id" in actors:
                actors["other_faction_id"] = actors["faction_id"]
            actors["faction_id"] = payload.attacker_faction_id
        if payload.source_poi_id >= 0:
            actors["poi_id"] = payload.source_poi_id
    if isinstance(payload, Discovery) and payload.poi_id >= 0:
        actors["poi_id"] = payload.poi_id
    causes = tuple(
        position[c] if c in position else -1 - earlier[c]
        for c in record.causes
        if c in position or c in earlier
    )
    return Happening(
        kind=EVENT_TYPE.get(record.kind, record.kind),
        tick=record.tick,
        payload=plain_payload(
            record.payload, skip={"attacker_faction_id", "source_poi_id", "poi_id"}
        ),
        actors=actors,
        causes=causes,
        importance=record.importance,
    )


def chaos_effects(record: ChaosRecord, *, year_end: int) -> dict[str, Any]:
    """What a record does: killed (settlement, people), plague (region, severity), failed
    (region), closed (settlement, why), strain (region, severity 1-10)."""
    payload = record.payload
    effects: dict[str, Any] = {}
    deaths = int(getattr(payload, "deaths", 0))
    if deaths and record.settlement_id >= 0:
        effects["killed"] = (record.settlement_id, deaths)
    if record.kind == "plague_outbreak" and record.region_id >= 0:
        effects["plague"] = (record.region_id, float(payload.severity))
    failed = isinstance(payload, Disaster) and payload.yield_multiplier < FAILED_YIELD
    if failed and record.region_id >= 0:
        effects["failed"] = record.region_id
    if getattr(payload, "market_closed_until", -1) > year_end and record.settlement_id >= 0:
        effects["closed"] = (record.settlement_id, record.kind)
    if (record.kind in STRAINING or isinstance(payload, CaravanLost)) and record.region_id >= 0:
        effects["strain"] = (record.region_id, min(10.0, max(1.0, 10 * payload.severity)))
    return effects


def plain_payload(
    payload: object, *, skip: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    """A record's payload as an event's: its fields, a list of (settlement, people) pairs as
    the people in it, any other tuple as its length."""
    out: dict[str, Any] = {}
    for f in fields(payload):  # type: ignore[arg-type]
        if f.name in skip:
            continue
        value = getattr(payload, f.name)
        if isinstance(value, tuple):
            pairs = all(isinstance(v, tuple) for v in value)
            value = sum(int(n) for _, n in value) if pairs else len(value)
        elif isinstance(value, float):
            value = float(value)
        out[f.name] = value
    return out
