"""Diplomacy's turning points before a war: wars declared past the threshold and allies called,
alliances formed and renounced, vassals breaking free, non-aggression pacts."""

from __future__ import annotations

import numpy as np

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.tension_war.campaign import SIDES, raise_army
from worldloom.systems.tension_war.inputs import BoolArray, FloatArray, IntArray
from worldloom.systems.tension_war.record import NONE, AllyCalled, Treaty, WarDeclared
from worldloom.systems.tension_war.state import War
from worldloom.systems.tension_war.tension import casus_belli
from worldloom.systems.tension_war.turn import DAYS_PER_YEAR, Turn, chance


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
    struck = _draw(turn, a, b, "war.declare") < chance(war_table["declare_per_year"], turn.days)
    a, b = a[struck], b[struck]
    order = np.lexsort((b, a, -turn.tension[a, b]))
    might = turn.might()
    for x, y in zip(a[order].tolist(), b[order].tolist(), strict=True):
        if turn.war_of[x] != NONE or turn.war_of[y] != NONE:
            continue
        attacker, defender = (x, y) if might[x] >= might[y] else (y, x)
        _declare(turn, attacker, defender, border)


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
    a, b = np.triu_indices(turn.ids.size, 1)
    # Only states make treaties: their pairs, in the order of all pairs (the draws are keyed
    # by the pair, so leaving out the others' changes none; a world's ~300 guilds, orders and
    # bandits made the pairs ~400 times more).
    of_states = states[a] & states[b]
    a, b = a[of_states], b[of_states]
    broken = np.flatnonzero(turn.allied[a, b] & (turn.tension[a, b] >= war["alliance_breaks"]))
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
    shared = (enemy[a] & enemy[b]).any(axis=1)
    fresh = (
        ~turn.allied[a, b]
        & (turn.tension[a, b] < war["ally_tension"])
        & shared
        & (turn.war_of[a] == NONE)
        & (turn.war_of[b] == NONE)
    )
    odds = chance(war["alliance_per_year"], turn.days)
    for i in np.flatnonzero(fresh & (_draw(turn, a, b, "war.alliance") < odds)).tolist():
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
        border[a, b]
        & (turn.tension[a, b] >= 50.0)
        & (turn.tension[a, b] < war["threshold"])
        & (turn.truce_until[a, b] <= turn.tick)
        & (turn.war_of[a] == NONE)
        & (turn.war_of[b] == NONE)
    )
    odds = chance(war["pact_per_year"], turn.days)
    until = turn.tick + int(war["truce_years"] * DAYS_PER_YEAR)
    for i in np.flatnonzero(pact & (_draw(turn, a, b, "war.pact") < odds)).tolist():
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
