"""Tension and war: tension between factions from borders, faiths, cultures, trade, old wars and
incidents, decaying in peace; wars declared past a threshold with a casus belli, allies called,
armies raised from the people, marches along the roads, battles and assaults resolved by the
combat room, sieges and occupation, exhaustion and peace with terms (land, tribute,
vassalage); alliances, pacts and independence; the diplomacy matrix evolving with all of it
(`data/war.toml`). Only states (faction_is_state) raise armies; every faction has tensions.

Step it once a calendar month (1..366 days; marches and sieges count days, so months keep the
design's pace). Each step depends only on the state it is handed, the step and the world seed,
so 50 + 50 years of months give the records of 100 years in one run::

    table = WarTable.from_mapping(read_toml("war.toml"))
    inputs = WarInputs.of(
        faction_ids=..., faction_is_state=..., faction_seat_settlement=...,
        faction_seat_region=..., region_ids=..., region_a=..., region_b=...,
        settlement_ids=..., settlement_region=..., settlement_tier=...,
        settlement_population=..., settlement_men=..., settlement_women=...,
        settlement_guards=..., road_start=..., road_end=..., road_days=...,
        faction_culture=..., faction_religion=..., religion_hostility=..., ...
    )
    state = start_war_state(inputs, diplomacy=diplomacy_frame, provinces=provinces_frame)
    for tick, days in months:
        state, records = advance_war(
            state, tick=tick, days=days, inputs=inputs, table=table, seeds=Seeds(world_seed),
            incidents=[Incident(event_id, tick, region_id, severity) ...],
        )
        frames = state.to_frames()  # store between segments; WarState.from_frames(frames)
    diplomacy = diplomacy_pairs(state, inputs=inputs, table=table)
    region_tension = state.region_tension()  # for chaos

Each record's `kind` is its event type; its payload says what other systems apply (see
`tension_war.record`): deaths by settlement, soldiers leaving and coming home, markets closed
and routes cut by sieges, settlements and provinces changing hands, upkeep and tribute.
Records come in tick order with ids counting on from the state's `next_record_id`; a record's
`causes` are earlier war records, its `incident_causes` the caller's incidents. A chaos event
becomes an `Incident` (severity 1-10); one blamed on nobody strains relations with chance
`tension.incident_blame`, on the holder's most hated neighbour.
"""

from __future__ import annotations

from worldloom.systems.tension_war.battle import effective_strength
from worldloom.systems.tension_war.inputs import WarInputs
from worldloom.systems.tension_war.record import (
    KINDS,
    NONE,
    AllyCalled,
    ArmyRaised,
    Battle,
    BorderIncident,
    Incident,
    Peace,
    People,
    SettlementOccupied,
    SiegeBegun,
    SiegeEnded,
    TensionRose,
    Treaty,
    TributePaid,
    WarDeclared,
    WarPayload,
    WarRecord,
)
from worldloom.systems.tension_war.state import Tribute, War, WarState, start_war_state
from worldloom.systems.tension_war.step import MAX_DAYS, advance_war, diplomacy_pairs
from worldloom.systems.tension_war.table import FIGHTERS, TIERS, WarTable
from worldloom.systems.tension_war.tension import CASUS_BELLI, shared_borders

__all__ = [
    "CASUS_BELLI",
    "FIGHTERS",
    "KINDS",
    "MAX_DAYS",
    "NONE",
    "TIERS",
    "AllyCalled",
    "ArmyRaised",
    "Battle",
    "BorderIncident",
    "Incident",
    "Peace",
    "People",
    "SettlementOccupied",
    "SiegeBegun",
    "SiegeEnded",
    "TensionRose",
    "Treaty",
    "Tribute",
    "TributePaid",
    "War",
    "WarDeclared",
    "WarInputs",
    "WarPayload",
    "WarRecord",
    "WarState",
    "WarTable",
    "advance_war",
    "diplomacy_pairs",
    "effective_strength",
    "shared_borders",
    "start_war_state",
]
