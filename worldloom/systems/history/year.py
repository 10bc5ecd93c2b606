"""A year of the world's storms and wars, a calendar month at a time.

Each month the chaos storyteller rolls first; its raids, monster attacks and lost caravans
strain relations (war room incidents) before the war room steps the same month, with the
tensions the last month left weighing on where chaos strikes. Every record becomes a
`Happening` in the order it was made (so causes always come first), and what the records do to
the world is gathered: people killed by settlement, plague severity, harvests lost, markets
closed by disasters and by sieges still under way at the year's end, realm pairs at war, the
provinces that changed hands, and the diplomacy matrix as it stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.chaos import ChaosInputs, ChaosState, ChaosTable, roll_chaos
from worldloom.systems.history.chaos_feed import chaos_effects, chaos_happening
from worldloom.systems.history.chronicle import Happening, Hooks
from worldloom.systems.history.war_feed import war_effects, war_happening
from worldloom.systems.rng import Seeds
from worldloom.systems.tension_war import (
    Incident,
    TributePaid,
    WarInputs,
    WarRecord,
    WarState,
    WarTable,
    advance_war,
    diplomacy_pairs,
)
from worldloom.systems.world import Calendar


@dataclass(frozen=True, slots=True)
class Border:
    """A province changing hands: the region, its new and old holder (-1 none), the position
    of the happening that moved it."""

    region_id: int
    holder: int
    previous: int
    position: int


@dataclass(frozen=True, slots=True)
class RolledYear:
    chaos_state: ChaosState
    war_state: WarState
    happenings: tuple[Happening, ...]
    chaos_records: tuple[tuple[int, int], ...]
    """(record id, position of its happening) of the year's chaos records."""
    war_records: tuple[tuple[int, int], ...]
    """(record id, position of its happening) of the year's war records."""
    killed: Mapping[int, int]
    """Settlement id -> soldiers killed in battle and the garrisons and townsfolk of sacks."""
    struck: Mapping[int, int]
    """Settlement id -> people the year's disasters, raids and plagues killed."""
    at_war_realms: frozenset[int]
    hooks: Hooks
    borders: tuple[Border, ...]
    diplomacy: pl.DataFrame
    upkeep: Mapping[int, Mapping[int, float]] = field(default_factory=dict)
    """Realm -> settlement its soldiers came from -> copper their year under arms cost."""
    tributes: tuple[tuple[int, int, float], ...] = ()
    """(payer, payee, copper) of the year's tributes, as paid."""
    killings: Mapping[int, int] = field(default_factory=dict)
    """Settlement id -> the position of the year's first happening that killed its people in
    battle or a sack (their deaths follow from it)."""


@dataclass(frozen=True, slots=True)
class Rooms:
    """The chaos and war rooms' seed tables and the world as they see it."""

    chaos_table: ChaosTable
    war_table: WarTable
    chaos_inputs: ChaosInputs
    war_inputs: WarInputs
    personality: str | None


def roll_year(
    chaos_state: ChaosState,
    war_state: WarState,
    *,
    rooms: Rooms,
    first_tick: int,
    calendar: Calendar,
    seeds: Seeds,
    earlier_chaos: Mapping[int, int],
    earlier_war: Mapping[int, int],
) -> RolledYear:
    """Chaos and war over the calendar year starting at `first_tick`.

    Args:
        earlier_chaos, earlier_war: record id -> event id of the rooms' records of earlier
            years (what this year's records may name as causes).
    """
    settlements = frozenset(rooms.chaos_inputs.settlement_ids.tolist())
    happenings: list[Happening] = []
    chaos_at: dict[int, int] = {}
    war_at: dict[int, int] = {}
    killed: dict[int, int] = {}
    killings: dict[int, int] = {}
    struck: dict[int, int] = {}
    failed: set[int] = set()
    closed: dict[int, str] = {}
    sieges: dict[int, int] = {}
    borders: list[Border] = []
    at_war: set[int] = set()
    upkeep: dict[int, dict[int, float]] = {}
    tributes: list[tuple[int, int, float]] = []
    army = rooms.war_table.army
    year_end = first_tick + calendar.days_per_year
    tick = first_tick
    for month in calendar.months:
        inputs = replace(rooms.chaos_inputs, region_tension=war_state.region_tension())
        chaos_state, rolled = roll_chaos(
            chaos_state,
            tick=tick,
            days=month.days,
            inputs=inputs,
            table=rooms.chaos_table,
            personality=rooms.personality,
            calendar=calendar,
            seeds=seeds,
        )
        incidents = []
        for record in rolled:
            chaos_at[record.record_id] = len(happenings)
            happenings.append(
                chaos_happening(
                    record, position=chaos_at, earlier=earlier_chaos, settlement_ids=settlements
                )
            )
            effects = chaos_effects(record, year_end=year_end)
            _gather(effects, killed=struck, failed=failed, closed=closed)
            if "strain" in effects:
                region, severity = effects["strain"]
                incidents.append(
                    Incident(chaos_at[record.record_id], record.tick, region, severity)
                )
        war_state, records = advance_war(
            war_state,
            tick=tick,
            days=month.days,
            inputs=rooms.war_inputs,
            table=rooms.war_table,
            seeds=seeds,
            incidents=incidents,
        )
        incident_at = {i.incident_id: i.incident_id for i in incidents}
        for war_record in records:
            war_at[war_record.record_id] = len(happenings)
            happenings.append(
                war_happening(
                    war_record, position=war_at, earlier=earlier_war, incidents=incident_at
                )
            )
            position = war_at[war_record.record_id]
            if isinstance(war_record.payload, TributePaid):
                payer, payee = war_record.faction_id, war_record.other_faction_id
                tributes.append((payer, payee, war_record.payload.copper))
            _war(
                war_record,
                position,
                killed=killed,
                killings=killings,
                sieges=sieges,
                borders=borders,
            )
        at_war.update(war_state.faction_ids[war_state.war_of >= 0].tolist())
        _pay_soldiers(war_state, army, days=month.days, upkeep=upkeep)
        tick += month.days
    fighting = np.triu(war_state.at_war(), 1)
    ids = war_state.faction_ids
    cut = tuple((int(ids[a]), int(ids[b])) for a, b in zip(*np.nonzero(fighting), strict=True))
    for settlement in sieges:
        closed.setdefault(settlement, "siege")
    return RolledYear(
        chaos_state=chaos_state,
        war_state=war_state,
        happenings=tuple(happenings),
        chaos_records=tuple(chaos_at.items()),
        war_records=tuple(war_at.items()),
        killed=killed,
        killings=killings,
        struck=struck,
        at_war_realms=frozenset(at_war),
        hooks=Hooks(cut, tuple(sorted(closed.items())), tuple(sorted(failed))),
        borders=tuple(borders),
        diplomacy=diplomacy_pairs(war_state, inputs=rooms.war_inputs, table=rooms.war_table),
        upkeep=upkeep,
        tributes=tuple(tributes),
    )


def _pay_soldiers(
    state: WarState, army: Mapping[str, float], *, days: int, upkeep: dict[int, dict[int, float]]
) -> None:
    """A month's wages of the soldiers under arms as it ends, by realm and home settlement."""
    # Only the few hundred cells of the realms-by-settlements grid with soldiers can cost
    # anything: their wages alone are worked out (the whole grid's took most of the month).
    rows, columns = np.nonzero((state.levies != 0) | (state.professionals != 0))
    cost = (
        army["upkeep_levy"] * state.levies[rows, columns]
        + army["upkeep_professional"] * state.professionals[rows, columns]
    )
    paid = cost != 0
    for faction, home, wage in zip(
        state.faction_ids[rows[paid]].tolist(),
        state.settlement_ids[columns[paid]].tolist(),
        cost[paid].tolist(),
        strict=True,
    ):
        realm = upkeep.setdefault(faction, {})
        realm[home] = realm.get(home, 0.0) + wage * days


def _gather(
    effects: Mapping[str, Any],
    *,
    killed: dict[int, int],
    failed: set[int],
    closed: dict[int, str],
) -> None:
    if "killed" in effects:
        where, people = effects["killed"]
        killed[int(where)] = killed.get(int(where), 0) + int(people)
    if "failed" in effects:
        failed.add(int(effects["failed"]))
    if "closed" in effects:
        shut, why = effects["closed"]
        closed.setdefault(int(shut), str(why))


def _war(
    record: WarRecord,
    position: int,
    *,
    killed: dict[int, int],
    killings: dict[int, int],
    sieges: dict[int, int],
    borders: list[Border],
) -> None:
    effects = war_effects(record)
    for settlement, people in effects.get("killed", ()):
        killed[settlement] = killed.get(settlement, 0) + int(people)
        killings.setdefault(settlement, position)
    if "siege" in effects:
        settlement, siege, begun = effects["siege"]
        if begun:
            sieges[settlement] = siege
        elif sieges.get(settlement) == siege:
            del sieges[settlement]
    if "border" in effects:
        region, holder, previous = effects["border"]
        borders.append(Border(region, holder, previous, position))
