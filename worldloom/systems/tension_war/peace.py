"""How wars end: exhaustion from time, the dead and the lost; the peace with its terms (land,
tribute, vassalage) when a war's leaders are worn out; tribute paid on each anniversary."""

from __future__ import annotations

import math

import numpy as np

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.tension_war.campaign import SIDES
from worldloom.systems.tension_war.inputs import FloatArray
from worldloom.systems.tension_war.record import NONE, Peace, Treaty, TributePaid
from worldloom.systems.tension_war.siege import lift_siege, occupy
from worldloom.systems.tension_war.state import Tribute, War
from worldloom.systems.tension_war.turn import DAYS_PER_YEAR, Turn, chance

DAYS_PER_YEAR_TICKS = 365
"""Tribute falls due every this many days after the peace."""


def exhaust(turn: Turn, population: FloatArray) -> None:
    """Exhaustion grows with time at war, the dead and the lost; it fades in peace."""
    war = turn.table.war
    years = turn.days / DAYS_PER_YEAR
    fighting = turn.war_of != NONE
    lost = np.zeros(turn.ids.size)
    taken = turn.occupied_from != NONE
    np.add.at(
        lost,
        np.searchsorted(turn.ids, turn.occupied_from[taken]),
        turn.inputs.settlement_population[taken],
    )
    people_at_start = np.maximum(population + lost, 1.0)
    grown = (
        war["exhaustion_per_year"] * years
        + war["exhaustion_per_dead"] * turn.dead / people_at_start
        + war["exhaustion_per_lost"] * years * lost / people_at_start
    )
    faded = turn.exhaustion * math.exp(-war["exhaustion_recovery_per_year"] * years)
    turn.exhaustion = np.where(fighting, turn.exhaustion + grown, faded)


def make_peace(turn: Turn) -> None:
    """A war whose leaders are worn out (or that nobody has bled in for `stalemate_years`)
    ends: the less exhausted side wins; it keeps what it took, hands back what it lost, and
    may take tribute; soldiers go home; a truce follows."""
    war_table = turn.table.war
    odds = chance(war_table["peace_per_year"], turn.days)
    for war_id in sorted(turn.wars):
        war = turn.wars[war_id]
        leaders = np.array([turn.row(war.attacker), turn.row(war.defender)])
        worn = turn.exhaustion[leaders]
        luck = keyed_uniform(
            np.array([war_id]), np.array([turn.tick]), seeds=turn.seeds, system="war.peace"
        )[0]
        # A war nobody can reach (no road to the enemy) ends in a white peace as readily.
        phoney = (
            war.dead == (0, 0)
            and turn.end - war.declared_tick > war_table["stalemate_years"] * DAYS_PER_YEAR
        )
        worn_out = worn.max() >= war_table["peace_exhaustion"] or phoney
        if not worn_out or (luck >= odds and worn.max() < 2 * war_table["peace_exhaustion"]):
            continue
        _conclude(turn, lift_siege(turn, war, tick=turn.end - 1), worn)


def _conclude(turn: Turn, war: War, worn: FloatArray) -> None:
    war_table = turn.table.war
    winner = 0 if worn[0] < worn[1] else 1
    winners, losers = turn.members(war.war_id, winner), turn.members(war.war_id, 1 - winner)
    tick = turn.end - 1
    inputs = turn.inputs
    ceded, handed_back = [], []
    for row in np.flatnonzero(turn.occupied_from != NONE).tolist():
        holder = turn.row(int(turn.settlement_owner[row]))
        if turn.war_of[holder] != war.war_id:
            continue
        if turn.side[holder] == winner:
            ceded.append(int(inputs.settlement_ids[row]))
            turn.occupied_from[row] = NONE
        else:
            handed_back.append(row)
    gap = worn[1 - winner] - worn[winner]
    leader_rows = (turn.row(war.attacker), turn.row(war.defender))
    payer, payee = leader_rows[1 - winner], leader_rows[winner]
    subjects = float(inputs.settlement_population[turn.settlement_owner == turn.ids[payer]].sum())
    tribute = (
        war_table["tribute_copper_per_person_year"] / 12.0 * subjects
        if gap >= war_table["tribute_gap"]
        else 0.0
    )
    until = tick + int(war_table["tribute_years"] * DAYS_PER_YEAR) if tribute > 0 else NONE
    members = np.concatenate([winners, losers])
    returned = turn.levies[members].sum(axis=0) + turn.professionals[members].sum(axis=0)
    record = turn.emit(
        "peace",
        tick=tick,
        importance=8,
        faction=int(turn.ids[payee]),
        other=int(turn.ids[payer]),
        causes=(war.last_record,),
        payload=Peace(
            war_id=war.war_id,
            winner_side=SIDES[winner],
            days=tick - war.declared_tick,
            ceded=tuple(sorted(ceded)),
            tribute_per_month=tribute,
            tribute_until=until,
            returned=turn.people(returned),
            dead=war.dead[0] + war.dead[1],
        ),
    )
    for row in handed_back:
        owner = int(turn.occupied_from[row])
        turn.occupied_from[row] = NONE
        occupy(turn, row, to=owner, war_id=war.war_id, cause=record, tick=tick, treaty=True)
    if tribute > 0:
        turn.tributes.append(
            Tribute(war.war_id, int(turn.ids[payer]), int(turn.ids[payee]), tribute, until, record)
        )
    _bind(turn, payer, payee, gap=gap, cause=record, tick=tick)
    truce = tick + int(war_table["truce_years"] * DAYS_PER_YEAR)
    for x in winners.tolist():
        for y in losers.tolist():
            turn.truce_until[x, y] = turn.truce_until[y, x] = truce
            turn.tension[x, y] = turn.tension[y, x] = war_table["after_war_tension"]
            turn.memory[x, y] = turn.memory[y, x] = min(
                100.0, turn.memory[x, y] + war_table["memory_per_war"]
            )
    turn.levies[members] = 0
    turn.professionals[members] = 0
    turn.war_of[members] = NONE
    turn.side[members] = 0
    del turn.wars[war.war_id]


def _bind(turn: Turn, loser: int, winner: int, *, gap: float, cause: int, tick: int) -> None:
    """A crushed and much smaller loser becomes the winner's vassal (if neither is bound
    already: no vassal has vassals, none has two masters)."""
    war_table = turn.table.war
    might = turn.might()
    free = (
        turn.suzerain[loser] == NONE
        and turn.suzerain[winner] == NONE
        and not np.any(turn.suzerain == turn.ids[loser])
    )
    if (
        not free
        or gap < war_table["vassal_gap"]
        or might[winner] < war_table["vassal_might_ratio"] * max(int(might[loser]), 1)
    ):
        return
    turn.suzerain[loser] = turn.ids[winner]
    turn.allied[loser, winner] = turn.allied[winner, loser] = False
    turn.emit(
        "treaty_signed",
        tick=tick,
        importance=7,
        faction=int(turn.ids[loser]),
        other=int(turn.ids[winner]),
        causes=(cause,),
        payload=Treaty("vassalage", NONE),
    )


def pay_tributes(turn: Turn) -> None:
    """Tribute is paid once a year, on each anniversary of the peace, until it runs out."""
    years = turn.table.war["tribute_years"]
    kept = []
    for tribute in turn.tributes:
        first = tribute.until_tick - int(years * DAYS_PER_YEAR)
        due = first + DAYS_PER_YEAR_TICKS
        # anniversaries that fall in this step
        lowest = max(0, -(-(turn.tick - due) // DAYS_PER_YEAR_TICKS))
        when = due + lowest * DAYS_PER_YEAR_TICKS
        while when < turn.end and when <= tribute.until_tick:
            turn.emit(
                "tribute_paid",
                tick=when,
                importance=3,
                faction=tribute.payer,
                other=tribute.payee,
                causes=(tribute.peace_record,),
                payload=TributePaid(tribute.war_id, tribute.per_month * 12.0),
            )
            when += DAYS_PER_YEAR_TICKS
        if tribute.until_tick >= turn.end:
            kept.append(tribute)
    turn.tributes = kept
