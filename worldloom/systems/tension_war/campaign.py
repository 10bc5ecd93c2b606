"""Armies at war: levies raised from the people, and each step of a war's campaign — the
stronger side's march along the roads to the nearest enemy settlement, the battle before it,
the siege."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from worldloom.systems.combat import Force, force_strength
from worldloom.systems.tension_war.battle import fight
from worldloom.systems.tension_war.record import NONE, ArmyRaised
from worldloom.systems.tension_war.siege import begin_siege, lift_siege, press_siege
from worldloom.systems.tension_war.state import War
from worldloom.systems.tension_war.table import LEVY, PROFESSIONAL
from worldloom.systems.tension_war.turn import Turn

SIDES = ("attacker", "defender")


def raise_army(turn: Turn, row: int, *, war_id: int, cause: int, tick: int) -> int:
    """Levy the faction's men and women of fighting age and hire its professionals (guards who
    march, and standing soldiers by its people) in every settlement it holds."""
    inputs, army = turn.inputs, turn.table.army
    held = turn.settlement_owner == turn.ids[row]
    levies = np.round(
        inputs.settlement_men * army["levy_men"] + inputs.settlement_women * army["levy_women"]
    ).astype(np.int64)
    professionals = np.round(
        inputs.settlement_guards * army["guards_march"]
        + inputs.settlement_population * army["professionals"]
    ).astype(np.int64)
    turn.levies[row] = np.where(held, levies, 0)
    turn.professionals[row] = np.where(held, professionals, 0)
    upkeep = (
        army["upkeep_levy"] * turn.levies[row].sum()
        + army["upkeep_professional"] * turn.professionals[row].sum()
    )
    return turn.emit(
        "army_raised",
        tick=tick,
        importance=4,
        faction=int(turn.ids[row]),
        settlement=turn.seat(row),
        causes=(cause,),
        payload=ArmyRaised(
            war_id=war_id,
            levies=turn.people(turn.levies[row]),
            professionals=turn.people(turn.professionals[row]),
            upkeep_per_day=float(upkeep),
        ),
    )


def wage(turn: Turn, war_id: int) -> None:
    """One step of a war's campaign: the stronger side takes the offensive, marches on the
    nearest settlement its enemies hold, fights the enemy's army there if it has one, besieges
    the place and storms it when the siege has worn it down."""
    war = turn.wars[war_id]
    strength = [_strength(turn, war_id, side) for side in (0, 1)]
    offence = 0 if strength[0] >= strength[1] else 1
    if offence != war.offence:
        war = lift_siege(turn, war, tick=turn.tick)
        war = replace(war, offence=offence, position=NONE, target=NONE, arrival_tick=NONE)
    if strength[offence] <= 0:
        turn.wars[war_id] = war
        return
    if war.target == NONE or not _enemy_holds(turn, war, war.target):
        war = lift_siege(turn, war, tick=turn.tick)
        war = _march(turn, war)
    if war.target == NONE or war.arrival_tick >= turn.end:
        turn.wars[war_id] = war
        return
    arrived = max(war.arrival_tick, turn.tick)
    if war.siege_id == NONE:
        if strength[1 - offence] > 0:
            won, war = fight(turn, war, tick=arrived, assault=False)
            if not won:
                turn.wars[war_id] = replace(war, position=NONE, target=NONE, arrival_tick=NONE)
                return
        war = begin_siege(turn, war, tick=arrived)
    turn.wars[war_id] = press_siege(turn, war, since=arrived)


def _strength(turn: Turn, war_id: int, side: int) -> float:
    rows = turn.members(war_id, side)
    counts = (int(turn.professionals[rows].sum()), int(turn.levies[rows].sum()))
    if sum(counts) == 0:
        return 0.0
    blocks = turn.table.blocks.take(np.array([PROFESSIONAL, LEVY]))
    return force_strength(Force(blocks, counts))


def _enemy_holds(turn: Turn, war: War, settlement: int) -> bool:
    owner = int(turn.settlement_owner[turn.inputs.settlement_row(settlement)])
    if owner == NONE:
        return False
    row = turn.row(owner)
    return bool(turn.war_of[row] == war.war_id and turn.side[row] != war.offence)


def _march(turn: Turn, war: War) -> War:
    """Choose the nearest enemy settlement by road from where the army stands (its leader's
    seat when it stands nowhere) and set out."""
    leader = war.attacker if war.offence == 0 else war.defender
    position = war.position if war.position != NONE else turn.seat(turn.row(leader))
    if position == NONE:
        return replace(war, target=NONE)
    inputs = turn.inputs
    days = inputs.travel_days(inputs.settlement_row(position))
    owners = turn.settlement_owner
    rows = np.searchsorted(turn.ids, np.where(owners == NONE, turn.ids[0], owners))
    enemy = (owners != NONE) & (turn.war_of[rows] == war.war_id) & (turn.side[rows] != war.offence)
    days = np.where(enemy, days, np.inf)
    target = int(np.argmin(days))
    if not np.isfinite(days[target]):
        return replace(war, position=position, target=NONE, arrival_tick=NONE)
    travel = math.ceil(days[target] / turn.table.army["march_speed"])
    return replace(
        war,
        position=position,
        target=int(inputs.settlement_ids[target]),
        arrival_tick=turn.tick + travel,
    )
