"""The combat resolver: fights round by round between two sides of grouped combatants, many
fights at once, each with its own seeded dice (or in expected values, for bulk use).

One model serves a party in a dungeon room and two armies in a field: a side is a few groups of
identical combatants (four party members of one each; 3,000 spearmen and 400 archers). Each
round both sides strike at once: a group's attacks hit the enemy's front group with the d20
chance (21 + attack - armour class) / 20, kept within 5-95 %; its spells or breath hit up to
`spell_targets` of them while its uses last, or heal its own side's front group when that is
hurt. Damage kills the front group's members one by one, the excess carrying over to the next
group, so a side fights as though it focused its blows. A side with nobody left loses; both at
once, or neither after `max_rounds`, is a stalemate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.combat.stat_block import StatBlocks
from worldloom.systems.draw import mix, step_uniform
from worldloom.systems.kernel import kernel, kernel_helper
from worldloom.systems.rng import Seeds

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Mode = Literal["seeded", "expected"]

EMPTY = -1
"""A group slot no combatant fills."""
_EXACT_ATTACKS = 64
"""Up to this many attacks a round are rolled one by one; more are drawn from the normal
approximation of their binomial count (armies)."""


@dataclass(frozen=True, slots=True)
class Sides:
    """One side of many fights: `[fight, group]` arrays of a stat block (a row of the blocks
    handed to `resolve_fights`, or EMPTY) and how many fight in the group. Groups are in rank
    order: the first living one takes the blows."""

    kind: IntArray
    count: IntArray


@dataclass(frozen=True, slots=True)
class Fights:
    """How each fight ended."""

    winner: NDArray[np.int8]
    """1 the first side won, -1 the second, 0 a stalemate."""
    rounds: IntArray
    left_a: IntArray
    """[fight, group]: the first side's survivors."""
    left_b: IntArray


def resolve_fights(
    a: Sides,
    b: Sides,
    *,
    blocks: StatBlocks,
    keys: NDArray[np.integer[Any]],
    seeds: Seeds,
    system: str = "combat.fight",
    mode: Mode = "seeded",
    max_rounds: int,
) -> Fights:
    """Fight every row of `a` against the same row of `b`.

    Args:
        a: the first side of each fight.
        b: the second side.
        blocks: the stat blocks `a.kind` and `b.kind` index.
        keys: one id per fight (e.g. an encounter id x 64 + its trial): a fight's dice depend
            on its key only, never on the batch it is resolved in.
        seeds: the world's seed tree.
        system: the stream the dice come from.
        mode: "seeded" rolls dice; "expected" strikes for the expected damage, so a fight's
            outcome is fixed by its sides.
        max_rounds: rounds before a fight is called a stalemate.
    """
    fights = int(np.asarray(keys).shape[0])
    if a.kind.shape[0] != fights or b.kind.shape[0] != fights:
        raise ValueError("resolve_fights: one key per fight, and both sides of every fight")
    base = seeds.stream(system).integers(0, 2**63, dtype=np.uint64)
    table = np.stack(
        [
            blocks.hp.astype(np.float64),
            blocks.ac.astype(np.float64),
            blocks.attack.astype(np.float64),
            blocks.damage,
            blocks.attacks.astype(np.float64),
            blocks.spell_damage,
            blocks.spell_targets.astype(np.float64),
            blocks.heal,
            blocks.spell_uses.astype(np.float64),
        ],
        axis=1,
    )
    winner, rounds, left_a, left_b = _fight(
        np.ascontiguousarray(a.kind, dtype=np.int64),
        np.ascontiguousarray(np.where(a.kind >= 0, a.count, 0), dtype=np.int64),
        np.ascontiguousarray(b.kind, dtype=np.int64),
        np.ascontiguousarray(np.where(b.kind >= 0, b.count, 0), dtype=np.int64),
        np.ascontiguousarray(table),
        np.asarray(keys, dtype=np.int64).view(np.uint64),
        np.uint64(base),
        mode == "expected",
        max_rounds,
    )
    return Fights(winner, rounds, left_a, left_b)


_HP, _AC, _ATTACK, _DAMAGE, _ATTACKS, _SPELL, _TARGETS, _HEAL, _USES = range(9)
"""Columns of the kernel's stat table."""


@kernel
def _fight(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    a_kind: IntArray,
    a_count: IntArray,
    b_kind: IntArray,
    b_count: IntArray,
    table: FloatArray,
    keys: NDArray[np.uint64],
    base: np.uint64,
    expected: bool,
    max_rounds: int,
) -> tuple[NDArray[np.int8], IntArray, IntArray, IntArray]:
    fights = keys.shape[0]
    winner = np.zeros(fights, dtype=np.int8)
    rounds = np.zeros(fights, dtype=np.int64)
    left_a = a_count.copy()
    left_b = b_count.copy()
    wound_a = np.zeros(a_count.shape, dtype=np.float64)
    wound_b = np.zeros(b_count.shape, dtype=np.float64)
    used_a = np.zeros(a_count.shape, dtype=np.int64)
    used_b = np.zeros(b_count.shape, dtype=np.int64)
    scorch_a = np.zeros(a_count.shape, dtype=np.float64)
    scorch_b = np.zeros(b_count.shape, dtype=np.float64)
    for f in range(fights):
        state = mix(base ^ keys[f])
        for turn in range(max_rounds):
            if left_a[f].sum() == 0 or left_b[f].sum() == 0:
                break
            hit_b, blast_b, heal_a, state = _strike(
                a_kind[f], left_a[f], used_a[f], wound_a[f], b_kind[f], left_b[f], table,
                state, expected,
            )  # fmt: skip
            hit_a, blast_a, heal_b, state = _strike(
                b_kind[f], left_b[f], used_b[f], wound_b[f], a_kind[f], left_a[f], table,
                state, expected,
            )  # fmt: skip
            _mend(left_a[f], wound_a[f], heal_a)
            _mend(left_b[f], wound_b[f], heal_b)
            _wound(a_kind[f], left_a[f], wound_a[f], scorch_a[f], table, hit_a, blast_a)
            _wound(b_kind[f], left_b[f], wound_b[f], scorch_b[f], table, hit_b, blast_b)
            rounds[f] = turn + 1
        alive_a, alive_b = left_a[f].sum() > 0, left_b[f].sum() > 0
        if alive_a and not alive_b:
            winner[f] = 1
        elif alive_b and not alive_a:
            winner[f] = -1
    return winner, rounds, left_a, left_b


@kernel_helper
def _strike(  # noqa: PLR0917 - a kernel helper takes its arrays positionally (numba)
    kind: IntArray,
    count: IntArray,
    used: IntArray,
    wound: FloatArray,
    foe_kind: IntArray,
    foe_count: IntArray,
    table: FloatArray,
    state: np.uint64,
    expected: bool,
) -> tuple[float, float, float, np.uint64]:
    """One side's blows for a round: (damage to the foe's front, area damage to each of its
    members, healing for itself, dice state)."""
    front = -1
    for g in range(foe_count.shape[0]):
        if foe_count[g] > 0:
            front = g
            break
    damage, area, healing = 0.0, 0.0, 0.0
    if front < 0:
        return damage, area, healing, state
    target = table[foe_kind[front]]
    hurt = 0.0
    for g in range(count.shape[0]):
        if count[g] > 0:
            hurt = max(hurt, wound[g])
    for g in range(count.shape[0]):
        n = count[g]
        if n == 0:
            continue
        row = table[kind[g]]
        chance = min(0.95, max(0.05, (21.0 + row[_ATTACK] - target[_AC]) / 20.0))
        swings = int(n * row[_ATTACKS])
        if expected:
            hits = swings * chance
        else:
            hits, state = _hits(swings, chance, state)
        # A blow beyond what its target can take is wasted, not carried to the next foe.
        damage += hits * min(row[_DAMAGE], target[_HP])
        if used[g] < row[_USES]:
            if row[_HEAL] > 0 and hurt >= 0.5 * row[_HEAL]:
                healing += n * row[_HEAL]
                used[g] += 1
            elif row[_SPELL] > 0:
                # An area blast is shared out over the front group's members, not focused.
                struck = min(row[_TARGETS], float(foe_count[front]))
                area += n * min(row[_SPELL], target[_HP]) * struck / foe_count[front]
                used[g] += 1
    return damage, area, healing, state


@kernel_helper
def _mend(count: IntArray, wound: FloatArray, healing: float) -> None:
    """Healing closes the wounds of the side's foremost hurt group (the dead stay dead)."""
    for g in range(count.shape[0]):
        if healing <= 0:
            return
        if count[g] > 0 and wound[g] > 0:
            closed = min(wound[g], healing)
            wound[g] -= closed
            healing -= closed


@kernel_helper
def _wound(  # noqa: PLR0917 - a kernel helper takes its arrays positionally (numba)
    kind: IntArray,
    count: IntArray,
    wound: FloatArray,
    scorch: FloatArray,
    table: FloatArray,
    damage: float,
    area: float,
) -> None:
    """Area damage scorches every member of the front group alike; blows then fell its
    members one by one, the excess carrying over to the next group."""
    for g in range(count.shape[0]):
        if count[g] > 0:
            scorch[g] += area
            if scorch[g] >= table[kind[g], _HP]:
                count[g] = 0
            break
    for g in range(count.shape[0]):
        if damage <= 0:
            return
        if count[g] == 0:
            continue
        hp = table[kind[g], _HP] - scorch[g]
        total = wound[g] + damage
        felled = min(count[g], int(total // hp))
        count[g] -= felled
        if count[g] > 0:
            wound[g] = total - felled * hp
            return
        wound[g] = 0.0
        damage = total - felled * hp


@kernel_helper
def _hits(swings: int, chance: float, state: np.uint64) -> tuple[float, np.uint64]:
    """How many of `swings` attacks hit: rolled one by one, or for armies drawn from the
    normal approximation (Box-Muller on two draws)."""
    if swings <= _EXACT_ATTACKS:
        hits = 0
        for _ in range(swings):
            roll, state = step_uniform(state)
            if roll < chance:
                hits += 1
        return float(hits), state
    first, state = step_uniform(state)
    second, state = step_uniform(state)
    normal = math.sqrt(-2.0 * math.log(1.0 - first)) * math.cos(2.0 * math.pi * second)
    mean = swings * chance
    spread = math.sqrt(swings * chance * (1.0 - chance))
    return float(min(swings, max(0, round(mean + normal * spread)))), state
