"""How the reference party fares against encounters: many seeded fights each, through the one
resolver, summed up as a win chance and the members who fall."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.combat.encounter import NONE, Encounters
from worldloom.systems.combat.resolver import EMPTY, Mode, Sides, resolve_fights
from worldloom.systems.combat.rulebook import Rulebook
from worldloom.systems.combat.stat_block import StatBlocks, monster_blocks, party_blocks
from worldloom.systems.rng import Seeds

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

FIGHT_BITS = 8
"""A fight's key is its encounter's key << 8 | its trial: at most 256 trials an encounter."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """Per encounter, over its seeded fights against the reference party."""

    win_chance: FloatArray
    fallen: FloatArray
    """Mean party members who fall (win or lose)."""
    rounds: FloatArray


def monster_sides(encounters: Encounters, *, offset: int) -> Sides:
    """Each encounter's monsters as a side: minions in front, their leader behind; kinds are
    bestiary positions shifted by `offset` (where the monsters start in the blocks)."""
    size = encounters.leader.size
    led = encounters.minion != NONE
    kind = np.full((size, 2), EMPTY, dtype=np.int64)
    count = np.zeros((size, 2), dtype=np.int64)
    kind[:, 0] = np.where(led, encounters.minion, encounters.leader) + offset
    count[:, 0] = np.where(led, encounters.minions, encounters.leaders)
    kind[:, 1] = np.where(led, encounters.leader + offset, EMPTY)
    count[:, 1] = np.where(led, encounters.leaders, 0)
    # A leader with no followers drawn stands in front alone.
    alone = led & (encounters.minions == 0)
    kind[alone, 0], count[alone, 0] = kind[alone, 1], count[alone, 1]
    kind[alone, 1], count[alone, 1] = EMPTY, 0
    return Sides(kind, count)


def assess_encounters(
    encounters: Encounters,
    keys: IntArray,
    *,
    seeds: Seeds,
    rulebook: Rulebook,
    trials: int | None = None,
    mode: Mode = "seeded",
) -> Assessment:
    """Fight each encounter `trials` times (the rules' fights_per_encounter by default) with
    the reference party, front rank first.

    Args:
        keys: one id per encounter (fight keys are key << 8 | trial, so below 2**55).
    """
    rules = rulebook.rules
    trials = trials or rules.fights_per_encounter
    if not 1 <= trials <= 2**FIGHT_BITS:
        raise ValueError(f"assess_encounters: 1-{2**FIGHT_BITS} trials, got {trials}")
    party = party_blocks(rules)
    blocks = StatBlocks.concat([party, monster_blocks(rulebook.bestiary.monsters)])
    foes = monster_sides(encounters, offset=len(party))
    count = encounters.leader.size
    members = len(party)
    ours = Sides(
        np.tile(np.arange(members, dtype=np.int64), (count * trials, 1)),
        np.ones((count * trials, members), dtype=np.int64),
    )
    theirs = Sides(np.repeat(foes.kind, trials, axis=0), np.repeat(foes.count, trials, axis=0))
    fight_keys = (np.repeat(np.asarray(keys, dtype=np.int64), trials) << FIGHT_BITS) + np.tile(
        np.arange(trials, dtype=np.int64), count
    )
    fights = resolve_fights(
        ours,
        theirs,
        blocks=blocks,
        keys=fight_keys,
        seeds=seeds,
        mode=mode,
        max_rounds=rules.max_rounds,
    )
    won = (fights.winner == 1).reshape(count, trials)
    fallen = (members - fights.left_a.sum(axis=1)).reshape(count, trials)
    return Assessment(
        win_chance=won.mean(axis=1) if trials else np.zeros(count),
        fallen=fallen.mean(axis=1),
        rounds=fights.rounds.reshape(count, trials).mean(axis=1),
    )
