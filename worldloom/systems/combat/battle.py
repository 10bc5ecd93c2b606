"""Battles between two forces (a party and a room's monsters, or two armies): one fight through
the resolver, its outcome as a closed union, and a force's strength for planning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from worldloom.systems.combat.resolver import IntArray, Mode, Sides, resolve_fights
from worldloom.systems.combat.stat_block import StatBlocks
from worldloom.systems.rng import Key, Seeds, stable_key


@dataclass(frozen=True, slots=True)
class Force:
    """A side: groups of identical combatants, in rank order (the first takes the blows).

    `blocks` holds one stat block per group, `counts` how many fight in it."""

    blocks: StatBlocks
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.blocks) != len(self.counts) or not self.counts:
            raise ValueError("a force needs one count per stat block, and at least one group")
        if any(count < 0 for count in self.counts):
            raise ValueError("a force's counts cannot be negative")


@dataclass(frozen=True, slots=True)
class Victory:
    """The first force held the field."""

    rounds: int
    survivors: tuple[int, ...]
    """The first force's groups as they stand after the fight."""
    enemy_survivors: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Defeat:
    """The second force held the field."""

    rounds: int
    survivors: tuple[int, ...]
    enemy_survivors: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Stalemate:
    """Neither held the field: both fell at once, or the fight outlasted its rounds."""

    rounds: int
    survivors: tuple[int, ...]
    enemy_survivors: tuple[int, ...]


BattleOutcome = Victory | Defeat | Stalemate


def resolve_battle(
    first: Force,
    second: Force,
    *,
    seeds: Seeds,
    key: Sequence[Key],
    mode: Mode = "seeded",
    max_rounds: int = 40,
) -> BattleOutcome:
    """Fight `first` against `second` round by round (see `combat.resolver`).

    Args:
        seeds: the world's seed tree.
        key: what the battle is, e.g. ("battle", war_id, tick): its dice depend on this alone.
        mode: "seeded" rolls dice; "expected" strikes for expected damage (no dice).
        max_rounds: rounds before it is called a stalemate.
    """
    size = max(len(first.counts), len(second.counts))
    blocks = StatBlocks.concat([first.blocks, second.blocks])
    offset = len(first.counts)
    fights = resolve_fights(
        _side(np.arange(offset), first.counts, size),
        _side(np.arange(len(second.counts)) + offset, second.counts, size),
        blocks=blocks,
        keys=np.array([_battle_id(key)], dtype=np.int64),
        seeds=seeds,
        system="combat.battle",
        mode=mode,
        max_rounds=max_rounds,
    )
    rounds = int(fights.rounds[0])
    ours = tuple(int(n) for n in fights.left_a[0, : len(first.counts)])
    theirs = tuple(int(n) for n in fights.left_b[0, : len(second.counts)])
    match int(fights.winner[0]):
        case 1:
            return Victory(rounds, ours, theirs)
        case -1:
            return Defeat(rounds, ours, theirs)
        case _:
            return Stalemate(rounds, ours, theirs)


def force_strength(force: Force) -> float:
    """A force's fighting strength by Lanchester's square law: the geometric mean of what it
    deals a round (every blow landing) and what it can take, so doubling its numbers doubles it.
    Two forces of equal strength are an even fight; use it to match armies before a battle."""
    counts = np.asarray(force.counts, dtype=np.float64)
    dealt = float((counts * force.blocks.damage_per_round()).sum())
    taken = float((counts * force.blocks.hp).sum())
    return float(np.sqrt(dealt * taken))


def _battle_id(key: Sequence[Key]) -> int:
    """A battle's fight key: 63 bits of its key's digest."""
    words = stable_key(*key)
    return (words[0] << 31) | words[1]


def _side(kinds: IntArray, counts: tuple[int, ...], size: int) -> Sides:
    kind = np.full((1, size), -1, dtype=np.int64)
    count = np.zeros((1, size), dtype=np.int64)
    kind[0, : kinds.size] = kinds
    count[0, : len(counts)] = counts
    return Sides(kind, count)
