"""Rumors that travel and change (Caves of Qud's true and false histories): every important event
starts a rumor where it happened; it travels the roads and sea lanes from settlement to
settlement, each retelling may swap an actor, move the place or exaggerate a number (a new
version traced to the truth), and each settlement believes the first version that reaches it,
less firmly the further it has come.

Entry points: `rumor_places` (the settlement graph from settlements and routes),
`RumorRules.from_mapping` (data/rumors.toml) and `spread_rumors` (a `RumorBook` in, its
`RumorNews` out: the rumors, rumor_versions and rumor_beliefs rows it adds, and the frontier
still to come).
"""

from __future__ import annotations

from worldloom.systems.narrative.rumor.frames import (
    BELIEF_SCHEMA,
    FRONTIER_SCHEMA,
    RUMOR_SCHEMA,
    VERSION_SCHEMA,
)
from worldloom.systems.narrative.rumor.places import RumorPlaces, rumor_places
from worldloom.systems.narrative.rumor.rules import EventTexts, RumorRules
from worldloom.systems.narrative.rumor.spread import RumorBook, RumorNews, spread_rumors
from worldloom.systems.narrative.rumor.telling import Telling, event_payload, tell_event

__all__ = [
    "BELIEF_SCHEMA",
    "FRONTIER_SCHEMA",
    "RUMOR_SCHEMA",
    "VERSION_SCHEMA",
    "EventTexts",
    "RumorBook",
    "RumorNews",
    "RumorPlaces",
    "RumorRules",
    "Telling",
    "event_payload",
    "rumor_places",
    "spread_rumors",
    "tell_event",
]
