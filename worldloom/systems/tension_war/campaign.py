"""Armies at war: levies raised from the people, the stronger side's march along the roads to the
nearest enemy settlement, field battles and assaults through the combat room's resolver,
sieges, and settlements (and their provinces) changing hands."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from worldloom.systems.combat import (
    Defeat,
    Force,
    StatBlocks,
    Victory,
    force_strength,
    resolve_battle,
)
from worldloom.systems.tension_war.inputs import IntArray
from worldloom.systems.tension_war.record import (
    NONE,
    ArmyRaised,
    Battle,
    People,
    SettlementOccupied,
    SiegeBegun,
    SiegeEnded,
)
from worldloom.systems.tension_war.state import War
from worldloom.systems.tension_war.table import GUARD, LEVY, PROFESSIONAL
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
        settlement=_seat(turn, row),
        causes=(cause,),
        payload=ArmyRaised(
            war_id=war_id,
            levies=_people(turn, turn.levies[row]),
            professionals=_people(turn, turn.professionals[row]),
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
        war = _lift_siege(turn, war, tick=turn.tick)
        war = replace(war, offence=offence, position=NONE, target=NONE, arrival_tick=NONE)
    if strength[offence] <= 0:
        turn.wars[war_id] = war
        return
    if war.target == NONE or not _enemy_holds(turn, war, war.target):
        war = _lift_siege(turn, war, tick=turn.tick)
        war = _march(turn, war)
    if war.target == NONE or war.arrival_tick >= turn.end:
        turn.wars[war_id] = war
        return
    arrived = max(war.arrival_tick, turn.tick)
    if war.siege_id == NONE:
        if strength[1 - offence] > 0:
            won, war = _fight(turn, war, tick=arrived, assault=False)
            if not won:
                turn.wars[war_id] = replace(war, position=NONE, target=NONE, arrival_tick=NONE)
                return
        war = _begin_siege(turn, war, tick=arrived)
    turn.wars[war_id] = _press_siege(turn, war, since=arrived)


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
    position = war.position if war.position != NONE else _seat(turn, turn.row(leader))
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


def _modified(blocks: StatBlocks, *, ac: int, attack: int) -> StatBlocks:
    return replace(blocks, ac=blocks.ac + ac, attack=blocks.attack + attack)


def _fight(turn: Turn, war: War, *, tick: int, assault: bool) -> tuple[bool, War]:
    """A field battle before the target (or the assault on its walls); losses fall on the
    settlements the dead came from. Returns whether the offensive won, and the war with its
    dead counted and the battle as its latest record."""
    inputs, table = turn.inputs, turn.table
    target_row = inputs.settlement_row(war.target)
    elevation = inputs.region_elevation[inputs.region_row[target_row]]
    terrain = int(np.searchsorted(table.elevation_steps, elevation, side="right"))
    fort = table.fortification[str(inputs.settlement_tier[target_row])] if assault else 0
    attackers = turn.members(war.war_id, war.offence)
    leader = war.attacker if war.offence == 0 else war.defender
    defender_leader = war.defender if war.offence == 0 else war.attacker
    attack_bonus = int(inputs.faction_leadership[turn.row(leader)])
    defence_bonus = int(inputs.faction_leadership[turn.row(defender_leader)])
    first = Force(
        _modified(table.blocks.take(np.array([PROFESSIONAL, LEVY])), ac=0, attack=attack_bonus),
        (int(turn.professionals[attackers].sum()), int(turn.levies[attackers].sum())),
    )
    if assault:
        garrison = _garrison(turn, target_row)
        blocks = table.blocks.take(np.array([GUARD, LEVY]))
        defenders = turn.members(war.war_id, 1 - war.offence)[:0]
    else:
        defenders = turn.members(war.war_id, 1 - war.offence)
        garrison = (int(turn.professionals[defenders].sum()), int(turn.levies[defenders].sum()))
        blocks = table.blocks.take(np.array([PROFESSIONAL, LEVY]))
    second = Force(_modified(blocks, ac=terrain + fort, attack=defence_bonus), garrison)
    rounds = int(table.army["assault_rounds" if assault else "battle_rounds"])
    outcome = resolve_battle(
        first, second, seeds=turn.seeds, key=("war.battle", war.war_id, tick), max_rounds=rounds
    )
    lost_first = tuple(b - a for a, b in zip(outcome.survivors, first.counts, strict=True))
    lost_second = tuple(b - a for a, b in zip(outcome.enemy_survivors, second.counts, strict=True))
    share_first = sum(lost_first) / max(1, sum(first.counts))
    share_second = sum(lost_second) / max(1, sum(second.counts))
    match outcome:
        case Victory():
            won = True
        case Defeat():
            won = False
        case _:
            won = share_first < share_second
    deaths = _lose(turn, attackers, lost_first)
    if not assault:
        deaths = _merge(deaths, _lose(turn, defenders, lost_second))
    else:
        deaths = _merge(deaths, ((war.target, sum(lost_second)),) if sum(lost_second) else ())
    dead = list(war.dead)
    dead[war.offence] += sum(lost_first)
    dead[1 - war.offence] += sum(lost_second)
    size = sum(first.counts) + sum(second.counts)
    record = turn.emit(
        "battle",
        tick=tick,
        importance=min(9, 4 + int(math.log10(max(size, 1)))),
        faction=leader,
        other=defender_leader,
        settlement=war.target,
        causes=(war.last_record,),
        payload=Battle(
            war_id=war.war_id,
            attackers=sum(first.counts),
            defenders=sum(second.counts),
            attackers_lost=sum(lost_first),
            defenders_lost=sum(lost_second),
            attacker_strength=effective_strength(first, against=second),
            defender_strength=effective_strength(second, against=first),
            winner_faction_id=leader if won else defender_leader,
            terrain_bonus=terrain,
            fortification=fort,
            assault=assault,
            deaths=deaths,
        ),
    )
    return won, replace(war, dead=(dead[0], dead[1]), last_record=record)


def effective_strength(force: Force, *, against: Force) -> float:
    """Lanchester's strength (`combat.force_strength`) with the odds of landing a blow: what
    the force deals a round, times its chance to hit the enemy's front rank (d20: 21 + attack -
    armour class in 20, kept within 5-95 %), times what it can take, square-rooted. So terrain,
    walls and leadership, which move armour class and attack, move it too."""
    front = next((i for i, n in enumerate(against.counts) if n > 0), 0)
    armour = float(against.blocks.ac[front])
    hit = np.clip((21.0 + force.blocks.attack - armour) / 20.0, 0.05, 0.95)
    counts = np.asarray(force.counts, dtype=np.float64)
    dealt = float((counts * force.blocks.damage_per_round() * hit).sum())
    taken = float((counts * force.blocks.hp).sum())
    return math.sqrt(dealt * taken)


def _garrison(turn: Turn, settlement_row: int) -> tuple[int, int]:
    """Guards left at home and the militia on a settlement's walls."""
    inputs, army = turn.inputs, turn.table.army
    guards = round(inputs.settlement_guards[settlement_row] * (1.0 - army["guards_march"]))
    militia = round(inputs.settlement_men[settlement_row] * army["militia_share"])
    return int(guards), int(militia)


def _lose(turn: Turn, rows: IntArray, lost: tuple[int, ...]) -> People:
    """Take `lost` (professionals, levies) from the factions `rows`, in proportion to where
    their soldiers came from; returns the dead by settlement."""
    dead = np.zeros(turn.inputs.settlement_ids.size, dtype=np.int64)
    for pool, count in zip((turn.professionals, turn.levies), lost, strict=True):
        taken = _apportion(pool[rows], count)
        pool[rows] -= taken
        dead += taken.sum(axis=0)
        turn.dead[rows] += taken.sum(axis=1)
    return _people(turn, dead)


def _apportion(pool: IntArray, count: int) -> IntArray:
    """`count` taken from `pool` in proportion to its cells (largest remainders, ties to the
    first cell), never more than a cell holds."""
    total = int(pool.sum())
    count = min(count, total)
    if count <= 0:
        return np.zeros_like(pool)
    exact = pool.astype(np.float64) * (count / total)
    taken = np.floor(exact).astype(np.int64)
    short = count - int(taken.sum())
    if short:
        remainder = (exact - taken).ravel()
        order = np.argsort(-remainder, kind="stable")[:short]
        flat = taken.ravel()
        flat[order] += 1
        taken = flat.reshape(pool.shape)
    result: IntArray = np.minimum(taken, pool)
    return result


def _begin_siege(turn: Turn, war: War, *, tick: int) -> War:
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


def _press_siege(turn: Turn, war: War, *, since: int) -> War:
    """Wear the besieged down for the days of the step left; storm the walls when worn."""
    inputs = turn.inputs
    row = inputs.settlement_row(war.target)
    rows = turn.members(war.war_id, war.offence)
    besiegers = int(turn.levies[rows].sum() + turn.professionals[rows].sum())
    on_walls = sum(_garrison(turn, row))
    odds = min(2.0, max(0.5, besiegers / (3.0 * on_walls + 1.0)))
    days = turn.table.siege_days[str(inputs.settlement_tier[row])]
    war = replace(war, siege_progress=war.siege_progress + (turn.end - since) / days * odds)
    if war.siege_progress < 1.0:
        return war
    won, war = _fight(turn, war, tick=turn.end - 1, assault=True)
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


def _lift_siege(turn: Turn, war: War, *, tick: int) -> War:
    """End a siege without taking the place (the besiegers left or peace came)."""
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


def lift_siege(turn: Turn, war: War, *, tick: int) -> War:
    """`_lift_siege` for the peace."""
    return _lift_siege(turn, war, tick=tick)


def _seat(turn: Turn, row: int) -> int:
    """The faction's seat if it still holds it, else its most populous settlement (-1: none)."""
    inputs = turn.inputs
    seat = int(inputs.faction_seat_settlement[row])
    faction = turn.ids[row]
    if seat != NONE and turn.settlement_owner[inputs.settlement_row(seat)] == faction:
        return seat
    held = np.flatnonzero(turn.settlement_owner == faction)
    if not held.size:
        return NONE
    return int(inputs.settlement_ids[held[np.argmax(inputs.settlement_population[held])]])


def _people(turn: Turn, counts: IntArray) -> People:
    rows = np.flatnonzero(counts)
    ids = turn.inputs.settlement_ids
    return tuple((int(ids[r]), int(counts[r])) for r in rows)


def _merge(first: People, second: People) -> People:
    total: dict[int, int] = {}
    for settlement, count in (*first, *second):
        total[settlement] = total.get(settlement, 0) + count
    return tuple(sorted(total.items()))


def people(turn: Turn, counts: IntArray) -> People:
    """(settlement_id, count) for the non-zero counts of a per-settlement array."""
    return _people(turn, counts)
