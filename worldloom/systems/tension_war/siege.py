"""Sieges: the besiegers wear a settlement down, storm its walls, sack it and take it (and its
province when it is the largest place there); a siege is lifted when the besiegers leave."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from worldloom.systems.tension_war.battle import fight, garrison
from worldloom.systems.tension_war.record import NONE, SettlementOccupied, SiegeBegun, SiegeEnded
from worldloom.systems.tension_war.state import War
from worldloom.systems.tension_war.turn import Turn


def begin_siege(turn: Turn, war: War, *, tick: int) -> War:
    siege_id = turn.next_siege_id
    turn.next_siege_id += 1
    leader = war.attacker if war.offence == 0 else war.defender
    holder = int(turn.settlement_owner[turn.inputs.settlement_row(war.target)])
    rows = turn.members(war.war_id, war.offence)
    record = turn.emit(
        "siege_begun",
        tick=tick,
        importance=5,
        faction=leader,
        other=holder,
        settlement=war.target,
        causes=(war.last_record,),
        payload=SiegeBegun(
            war.war_id, siege_id, int(turn.levies[rows].sum() + turn.professionals[rows].sum())
        ),
    )
    return replace(
        war,
        position=war.target,
        siege_id=siege_id,
        siege_record=record,
        siege_progress=0.0,
        last_record=record,
    )


def press_siege(turn: Turn, war: War, *, since: int) -> War:
    """Wear the besieged down for the days of the step left; storm the walls when worn."""
    inputs = turn.inputs
    row = inputs.settlement_row(war.target)
    rows = turn.members(war.war_id, war.offence)
    besiegers = int(turn.levies[rows].sum() + turn.professionals[rows].sum())
    on_walls = sum(garrison(turn, row))
    odds = min(2.0, max(0.5, besiegers / (3.0 * on_walls + 1.0)))
    days = turn.table.siege_days[str(inputs.settlement_tier[row])]
    war = replace(war, siege_progress=war.siege_progress + (turn.end - since) / days * odds)
    if war.siege_progress < 1.0:
        return war
    won, war = fight(turn, war, tick=turn.end - 1, assault=True)
    if not won:
        return replace(war, siege_progress=0.5)
    return _take(turn, war, tick=turn.end - 1)


def _take(turn: Turn, war: War, *, tick: int) -> War:
    """The settlement falls: the sack, the new holder, and its province when it is the
    province's largest place."""
    inputs = turn.inputs
    row = inputs.settlement_row(war.target)
    sacked = round(inputs.settlement_population[row] * turn.table.army["sack_share"])
    leader = war.attacker if war.offence == 0 else war.defender
    holder = int(turn.settlement_owner[row])
    ended = turn.emit(
        "siege_ended",
        tick=tick,
        importance=7,
        faction=leader,
        other=holder,
        settlement=war.target,
        causes=(war.last_record, war.siege_record),
        payload=SiegeEnded(war.war_id, war.siege_id, True, int(sacked)),
    )
    if turn.occupied_from[row] == NONE:
        turn.occupied_from[row] = holder
    elif turn.occupied_from[row] == leader:  # taken back
        turn.occupied_from[row] = NONE
    occupied = occupy(turn, row, to=leader, war_id=war.war_id, cause=ended, tick=tick, treaty=False)
    return replace(
        war,
        position=war.target,
        target=NONE,
        arrival_tick=NONE,
        siege_id=NONE,
        siege_record=NONE,
        siege_progress=0.0,
        last_record=occupied,
    )


def occupy(
    turn: Turn, row: int, *, to: int, war_id: int, cause: int, tick: int, treaty: bool
) -> int:
    """Hand the settlement at `row` to faction `to` (its province too when it is the
    province's largest settlement); returns the settlement_occupied record."""
    inputs = turn.inputs
    holder = int(turn.settlement_owner[row])
    turn.settlement_owner[row] = to
    region = int(inputs.region_row[row])
    in_region = np.flatnonzero(inputs.region_row == region)
    largest = int(in_region[np.argmax(inputs.settlement_population[in_region])])
    region_changed = largest == row and int(turn.region_owner[region]) != to
    if region_changed:
        turn.region_owner[region] = to
    capital = str(inputs.settlement_tier[row]) == "capital"
    return turn.emit(
        "settlement_occupied",
        tick=tick,
        importance=(9 if capital else 6) - (1 if treaty else 0),
        faction=to,
        other=holder,
        settlement=int(inputs.settlement_ids[row]),
        causes=(cause,),
        payload=SettlementOccupied(war_id, holder, to, region_changed, treaty),
    )


def lift_siege(turn: Turn, war: War, *, tick: int) -> War:
    """End a siege without taking the place (the besiegers left, or peace came)."""
    if war.siege_id == NONE:
        return war
    leader = war.attacker if war.offence == 0 else war.defender
    row = turn.inputs.settlement_row(war.target)
    record = turn.emit(
        "siege_ended",
        tick=tick,
        importance=4,
        faction=leader,
        other=int(turn.settlement_owner[row]),
        settlement=war.target,
        causes=(war.last_record, war.siege_record),
        payload=SiegeEnded(war.war_id, war.siege_id, False, 0),
    )
    return replace(war, siege_id=NONE, siege_record=NONE, siege_progress=0.0, last_record=record)
