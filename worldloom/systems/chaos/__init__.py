"""Chaos: a storyteller (after RimWorld's) that rolls a living world's random events — droughts,
floods, fires, bandit raids, monster attacks, plagues, ruins and ore found, omens, price shocks,
lost caravans — from rates by region danger, season, tension and recent events, paced by a
personality (calm, classic, chaotic) from `data/chaos.toml`.

Step it once a calendar month (any period of 1..3660 days works; the rates scale with its
length, but a month keeps the pacing and the records' days as designed). Each call depends
only on the state it is handed, the period and the world seed, so 50 + 50 years of months give
the records of 100 years in one run::

    table = ChaosTable.from_mapping(read_toml("chaos.toml"))
    state = ChaosState.start()
    for tick, days in months:  # (first day, length) of each calendar month
        inputs = ChaosInputs.of(
            region_ids=..., region_danger=..., region_faction=..., region_tension=...,
            region_bandits=..., settlement_ids=..., settlement_region=...,
            settlement_population=..., poi_ids=..., poi_region=..., poi_kind=...,
            route_ids=..., route_region=...,
        )
        state, records = roll_chaos(
            state, tick=tick, days=days, inputs=inputs, table=table,
            personality="classic", calendar=calendar, seeds=Seeds(world_seed),
        )
        frames = state.to_frames()  # store between segments; ChaosState.from_frames(frames)

Every record's `kind` is its event type; its payload says what other systems apply (deaths,
yields, market closures, prices, cut routes; see `chaos.record`).
"""

from __future__ import annotations

from worldloom.systems.chaos.inputs import ChaosInputs
from worldloom.systems.chaos.record import (
    NONE,
    Attack,
    CaravanLost,
    ChaosPayload,
    ChaosRecord,
    Disaster,
    Discovery,
    Omen,
    Outbreak,
    PriceShock,
)
from worldloom.systems.chaos.state import ChaosState
from worldloom.systems.chaos.storyteller import MAX_DAYS, roll_chaos, storyteller_multiplier
from worldloom.systems.chaos.table import KINDS, ChaosTable, EventKind, Personality

__all__ = [
    "KINDS",
    "MAX_DAYS",
    "NONE",
    "Attack",
    "CaravanLost",
    "ChaosInputs",
    "ChaosPayload",
    "ChaosRecord",
    "ChaosState",
    "ChaosTable",
    "Disaster",
    "Discovery",
    "EventKind",
    "Omen",
    "Outbreak",
    "Personality",
    "PriceShock",
    "roll_chaos",
    "storyteller_multiplier",
]
