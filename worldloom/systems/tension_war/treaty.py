"""Diplomacy's turning points: wars declared past the threshold and allies called, alliances
formed and renounced, non-aggression pacts, exhaustion and the peace with its terms (land,
tribute), and tribute paid."""

from __future__ import annotations

import math

import numpy as np

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.tension_war.campaign import SIDES, lift_siege, occupy, people, raise_army
from worldloom.systems.tension_war.inputs import BoolArray, FloatArray, IntArray
from worldloom.systems.tension_war.record import (
    NONE,
    AllyCalled,
    Peace,
    Treaty,
    TributePaid,
    WarDeclared,
)
from worldloom.systems.tension_war.state import Tribute, War
from worldloom.systems.tension_war.tension import casus_belli
from worldloom.systems.tension_war.turn import Turn

DAYS_PER_YEAR = 365.0
DAYS_PER_YEAR_TICKS = 365
"""Tribute falls due every this many days after the peace."""


def _chance(per_year: float, days: int) -> float:
    return 1.0 - math.exp(-per_year * days / DAYS_PER_YEAR)


def _draw(turn: Turn, a: IntArray, b: IntArray, system: str) -> FloatArray:
    ticks = np.full(a.size, turn.tick, dtype=np.int64)
    result: FloatArray = keyed_uniform(
        turn.ids[a], turn.ids[b], ticks, seeds=turn.seeds, system=system
    )
    return result


def _free_states(turn: Turn) -> BoolArray:
    free: BoolArray = turn.inputs.faction_is_state & (turn.war_of == NONE)
    return free


def declare_wars(turn: Turn, border: BoolArray) -> None:
    """Neighbouring states past the threshold, at peace, without truce or alliance, may go to
    war (the tenser first); the stronger declares, allies answer, armies are raised."""
    war_table = turn.table.war
    free = _free_states(turn)
    a, b = np.nonzero(np.triu(border, 1))
    bound = (turn.suzerain[a] == turn.ids[b]) | (turn.suzerain[b] == turn.ids[a])
    ready = (
        free[a]
        & free[b]
        & ~turn.allied[a, b]
        & ~bound
        & (turn.truce_until[a, b] <= turn.tick)
        & (turn.tension[a, b] >= war_table["threshold"])
    )
    a, b = a[ready], b[ready]
    struck = _draw(turn, a, b, "war.declare") < _chance(war_table["declare_per_year"], turn.days)
    a, b = a[struck], b[struck]
    order = np.lexsort((b, a, -turn.tension[a, b]))
    might = _might(turn)
    for x, y in zip(a[order].tolist(), b[order].tolist(), strict=True):
        if turn.war_of[x] != NONE or turn.war_of[y] != NONE:
            continue
        attacker, defender = (x, y) if might[x] >= might[y] else (y, x)
        _declare(turn, attacker, defender, border)


def _might(turn: Turn) -> IntArray:
    """People in the settlements each faction holds."""
    owners = turn.settlement_owner
    held = owners != NONE
    might = np.zeros(turn.ids.size, dtype=np.int64)
    np.add.at(
        might, np.searchsorted(turn.ids, owners[held]), turn.inputs.settlement_population[held]
    )
    return might


def _declare(turn: Turn, attacker: int, defender: int, border: BoolArray) -> None:
    war_id = turn.next_war_id
    turn.next_war_id += 1
    recent = turn.incident_tick[attacker, defender] >= turn.tick - 365
    declared = turn.emit(
        "war_declared",
        tick=turn.tick,
        importance=8,
        faction=int(turn.ids[attacker]),
        other=int(turn.ids[defender]),
        causes=(int(turn.incident_record[attacker, defender]),) if recent else (),
        payload=WarDeclared(
            war_id,
            casus_belli(turn, border, attacker, defender),
            float(turn.tension[attacker, defender]),
        ),
    )
    tick = turn.tick_of(declared)
    for side, row in ((0, attacker), (1, defender)):
        turn.war_of[row], turn.side[row] = war_id, side
    joined: list[tuple[int, int]] = []
    for side, leader in ((0, attacker), (1, defender)):
        foe = defender if side == 0 else attacker
        for ally in _allies(turn, leader, foe, war_id=war_id):
            turn.war_of[ally], turn.side[ally] = war_id, side
            called = turn.emit(
                "ally_called",
                tick=tick,
                importance=5,
                faction=int(turn.ids[ally]),
                other=int(turn.ids[leader]),
                causes=(declared,),
                payload=AllyCalled(war_id, SIDES[side]),
            )
            joined.append((ally, called))
    last = declared
    for row, cause in ((attacker, declared), (defender, declared), *joined):
        last = raise_army(turn, row, war_id=war_id, cause=cause, tick=tick)
    turn.wars[war_id] = War(
        war_id=war_id,
        attacker=int(turn.ids[attacker]),
        defender=int(turn.ids[defender]),
        declared_tick=tick,
        last_record=last,
        offence=0,
        position=NONE,
        target=NONE,
        arrival_tick=NONE,
        siege_id=NONE,
        siege_record=NONE,
        siege_progress=0.0,
        dead=(0, 0),
    )


def _allies(turn: Turn, leader: int, foe: int, *, war_id: int) -> list[int]:
    """Free states bound to `leader` (allies, its vassals, its suzerain) and not to `foe`;
    vassals always come, others with `ally_join`."""
    ids = turn.ids
    free = _free_states(turn)
    vassal = turn.suzerain == ids[leader]
    lord = ids == turn.suzerain[leader]
    bound_to_foe = turn.allied[foe] | (turn.suzerain == ids[foe]) | (ids == turn.suzerain[foe])
    candidates = np.flatnonzero(free & (turn.allied[leader] | vassal | lord) & ~bound_to_foe)
    if not candidates.size:
        return []
    luck = keyed_uniform(
        ids[candidates],
        np.full(candidates.size, war_id, dtype=np.int64),
        seeds=turn.seeds,
        system="war.ally",
    )
    come = vassal[candidates] | (luck < turn.table.war["ally_join"])
    return [int(c) for c in candidates[come]]


def make_alliances(turn: Turn, border: BoolArray) -> None:
    """Alliances renounced, and vassals breaking free, when tension has grown; friendly states
    with a shared enemy ally; tense neighbours below the threshold sometimes sign a
    non-aggression pact."""
    war = turn.table.war
    states = turn.inputs.faction_is_state
    n = turn.ids.size
    a, b = np.triu_indices(n, 1)
    pair_states = states[a] & states[b]
    broken = np.flatnonzero(
        pair_states & turn.allied[a, b] & (turn.tension[a, b] >= war["alliance_breaks"])
    )
    for i in broken.tolist():
        x, y = int(a[i]), int(b[i])
        turn.allied[x, y] = turn.allied[y, x] = False
        turn.emit(
            "treaty_signed",
            tick=turn.tick,
            importance=5,
            faction=int(turn.ids[x]),
            other=int(turn.ids[y]),
            payload=Treaty("alliance_renounced", NONE),
        )
    restless = np.flatnonzero(turn.suzerain != NONE)
    for vassal in restless.tolist():
        lord = turn.row(int(turn.suzerain[vassal]))
        if turn.tension[vassal, lord] >= war["alliance_breaks"] and turn.war_of[vassal] == NONE:
            turn.suzerain[vassal] = NONE
            turn.emit(
                "treaty_signed",
                tick=turn.tick,
                importance=7,
                faction=int(turn.ids[vassal]),
                other=int(turn.ids[lord]),
                payload=Treaty("independence", NONE),
            )
    enemy = (turn.tension >= war["enemy_tension"]) & states[None, :]
    shared = (enemy.astype(np.int64) @ enemy.T.astype(np.int64)) > 0
    fresh = (
        pair_states
        & ~turn.allied[a, b]
        & (turn.tension[a, b] < war["ally_tension"])
        & shared[a, b]
        & (turn.war_of[a] == NONE)
        & (turn.war_of[b] == NONE)
    )
    chance = _chance(war["alliance_per_year"], turn.days)
    for i in np.flatnonzero(fresh & (_draw(turn, a, b, "war.alliance") < chance)).tolist():
        x, y = int(a[i]), int(b[i])
        turn.allied[x, y] = turn.allied[y, x] = True
        turn.emit(
            "alliance_formed",
            tick=turn.tick,
            importance=6,
            faction=int(turn.ids[x]),
            other=int(turn.ids[y]),
            payload=Treaty("alliance", NONE),
        )
    pact = (
        pair_states
        & border[a, b]
        & (turn.tension[a, b] >= 50.0)
        & (turn.tension[a, b] < war["threshold"])
        & (turn.truce_until[a, b] <= turn.tick)
        & (turn.war_of[a] == NONE)
        & (turn.war_of[b] == NONE)
    )
    chance = _chance(war["pact_per_year"], turn.days)
    until = turn.tick + int(war["truce_years"] * DAYS_PER_YEAR)
    for i in np.flatnonzero(pact & (_draw(turn, a, b, "war.pact") < chance)).tolist():
        x, y = int(a[i]), int(b[i])
        turn.truce_until[x, y] = turn.truce_until[y, x] = until
        turn.tension[x, y] = turn.tension[y, x] = turn.tension[x, y] - war["pact_tension_drop"]
        turn.emit(
            "treaty_signed",
            tick=turn.tick,
            importance=5,
            faction=int(turn.ids[x]),
            other=int(turn.ids[y]),
            payload=Treaty("non_aggression", until),
        )


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
    chance = _chance(war_table["peace_per_year"], turn.days)
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
        if not worn_out or (luck >= chance and worn.max() < 2 * war_table["peace_exhaustion"]):
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
            returned=people(turn, returned),
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
    might = _might(turn)
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
