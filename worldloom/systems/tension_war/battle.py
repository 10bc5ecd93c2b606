"""Battles: a field battle or an assault through the combat room's resolver, with walls,
terrain and leadership moving armour class and attack, and the dead counted by the settlement
they came from."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from worldloom.systems.combat import Defeat, Force, StatBlocks, Victory, resolve_battle
from worldloom.systems.tension_war.inputs import IntArray
from worldloom.systems.tension_war.record import Battle, People
from worldloom.systems.tension_war.state import War
from worldloom.systems.tension_war.table import GUARD, LEVY, PROFESSIONAL
from worldloom.systems.tension_war.turn import Turn


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


def _modified(blocks: StatBlocks, *, ac: int, attack: int) -> StatBlocks:
    return replace(blocks, ac=blocks.ac + ac, attack=blocks.attack + attack)


def fight(turn: Turn, war: War, *, tick: int, assault: bool) -> tuple[bool, War]:
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
        defending = garrison(turn, target_row)
        blocks = table.blocks.take(np.array([GUARD, LEVY]))
        defenders = turn.members(war.war_id, 1 - war.offence)[:0]
    else:
        defenders = turn.members(war.war_id, 1 - war.offence)
        defending = (int(turn.professionals[defenders].sum()), int(turn.levies[defenders].sum()))
        blocks = table.blocks.take(np.array([PROFESSIONAL, LEVY]))
    second = Force(_modified(blocks, ac=terrain + fort, attack=defence_bonus), defending)
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


def garrison(turn: Turn, settlement_row: int) -> tuple[int, int]:
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
    return turn.people(dead)


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


def _merge(first: People, second: People) -> People:
    total: dict[int, int] = {}
    for settlement, count in (*first, *second):
        total[settlement] = total.get(settlement, 0) + count
    return tuple(sorted(total.items()))
