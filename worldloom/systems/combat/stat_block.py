"""Stat blocks: what a combatant fights with, derived from attributes, training, gear and magic
by d20 rules, in bulk (one array per number, a million NPCs at a time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.combat.bestiary import MonsterKind
from worldloom.systems.combat.table import ATTRIBUTES, CombatRules, Sheet

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

AREA_TARGETS_FOR_CHALLENGE = 2
"""The DMG's rule of thumb: an area attack counts as hitting two targets."""
ROUNDS_FOR_CHALLENGE = 3
"""...and damage per round is averaged over a fight's first three rounds."""


@dataclass(frozen=True, slots=True)
class StatBlocks:
    """Combatants, one element per combatant in every array."""

    level: IntArray
    """Level for NPCs and the party; the challenge rounded down (at least 0) for monsters."""
    hp: IntArray
    ac: IntArray
    attack: IntArray
    """Attack bonus of its best attack."""
    damage: FloatArray
    """Average damage per hit (at least 1)."""
    attacks: IntArray
    """Attacks per round."""
    spell_damage: FloatArray
    """Average damage per target of its best area spell or breath; 0 when none."""
    spell_targets: IntArray
    heal: FloatArray
    """Hit points it restores to its side per round while its uses last."""
    spell_uses: IntArray
    """Rounds of a fight it can cast (or breathe)."""

    def __len__(self) -> int:
        return int(self.hp.size)

    def take(self, index: NDArray[np.integer[Any]]) -> StatBlocks:
        """The combatants at `index`, in its order."""
        return StatBlocks(*(getattr(self, f.name)[index] for f in fields(self)))

    @classmethod
    def concat(cls, blocks: Sequence[StatBlocks]) -> StatBlocks:
        return cls(*(np.concatenate([getattr(b, f.name) for b in blocks]) for f in fields(cls)))

    def damage_per_round(self) -> FloatArray:
        """Damage per round if every attack hits, spells averaged as the DMG does."""
        spells = (
            self.spell_damage
            * np.minimum(self.spell_targets, AREA_TARGETS_FOR_CHALLENGE)
            * np.minimum(self.spell_uses, ROUNDS_FOR_CHALLENGE)
            / ROUNDS_FOR_CHALLENGE
        )
        result: FloatArray = self.attacks * self.damage + spells
        return result


@dataclass(frozen=True, slots=True)
class Sheets:
    """Fighters described like NPCs, one element per fighter (see `combat.table.Sheet`)."""

    attributes: NDArray[np.int8]
    """[fighter, attribute] in `ATTRIBUTES` order, 3..18 for NPCs."""
    level: IntArray
    hit_die: FloatArray
    martial: NDArray[np.bool_]
    armour_ac: IntArray
    max_dex: IntArray
    shield: IntArray
    ward: IntArray
    weapon_damage: FloatArray
    finesse: NDArray[np.bool_]
    weapon_bonus: IntArray
    """To hit and to damage, from workmanship and enchantment."""
    spell_damage: FloatArray
    spell_targets: IntArray
    heal: FloatArray
    spell_uses: IntArray

    @classmethod
    def of(cls, sheets: Sequence[Sheet], *, level: int) -> Sheets:
        """Sheets written out in the seed table (the reference party), all at `level`."""
        count = len(sheets)
        return cls(
            attributes=np.array(
                [[s.attributes[a] for a in ATTRIBUTES] for s in sheets], dtype=np.int8
            ).reshape(count, len(ATTRIBUTES)),
            level=np.full(count, level, dtype=np.int64),
            hit_die=np.array([s.hit_die for s in sheets], dtype=np.float64),
            martial=np.array([s.martial for s in sheets], dtype=np.bool_),
            armour_ac=np.array([s.armour_ac for s in sheets], dtype=np.int64),
            max_dex=np.array([s.max_dex for s in sheets], dtype=np.int64),
            shield=np.array([s.shield for s in sheets], dtype=np.int64),
            ward=np.array([s.ward for s in sheets], dtype=np.int64),
            weapon_damage=np.array([s.weapon_damage for s in sheets], dtype=np.float64),
            finesse=np.array([s.finesse for s in sheets], dtype=np.bool_),
            weapon_bonus=np.zeros(count, dtype=np.int64),
            spell_damage=np.array([s.spell_damage for s in sheets], dtype=np.float64),
            spell_targets=np.array([s.spell_targets for s in sheets], dtype=np.int64),
            heal=np.array([s.heal for s in sheets], dtype=np.float64),
            spell_uses=np.array([s.spell_uses for s in sheets], dtype=np.int64),
        )


def ability_modifier(scores: NDArray[np.integer[Any]]) -> IntArray:
    """The d20 modifier of an attribute score: (score - 10) // 2, so 3 gives -4 and 18 gives +4."""
    return (np.asarray(scores, dtype=np.int64) - 10) // 2


def proficiency(level: IntArray) -> IntArray:
    """+2 at levels 1-4, +3 at 5-8 ... +6 at 17-20; 0 for the untrained (level 0)."""
    bonus: IntArray = np.where(level >= 1, 2 + (np.maximum(level, 1) - 1) // 4, 0)
    return bonus


def derive_stat_blocks(sheets: Sheets) -> StatBlocks:
    """Stat blocks by d20 rules, for any number of fighters at once.

    Hit points: level x (hit die + constitution modifier), plus the first level's extra
    (hit die - 2: a d8's 8 over its average 5), at least 1; the untrained (level 0) get one hit
    die. Armour class: the armour's, plus the dexterity modifier up to the armour's cap, plus
    shield and ward. Attack: proficiency plus strength (or the better of strength and dexterity
    for finesse and ranged weapons) plus the weapon's bonus. Martial fighters strike twice from
    level 5 and three times from 11.
    """
    mods = ability_modifier(sheets.attributes)
    strength, dexterity, constitution = mods[:, 0], mods[:, 1], mods[:, 2]
    level = sheets.level.astype(np.int64)
    trained = level >= 1
    hp = np.where(
        trained,
        level * (sheets.hit_die + constitution) + (sheets.hit_die - 2.0),
        sheets.hit_die + constitution,
    )
    hitting = np.where(sheets.finesse, np.maximum(strength, dexterity), strength)
    extra = sheets.martial.astype(np.int64) * ((level >= 5).astype(np.int64) + (level >= 11))
    return StatBlocks(
        level=level,
        hp=np.maximum(1, np.floor(hp)).astype(np.int64),
        ac=(
            sheets.armour_ac + np.minimum(dexterity, sheets.max_dex) + sheets.shield + sheets.ward
        ).astype(np.int64),
        attack=(proficiency(level) + hitting + sheets.weapon_bonus).astype(np.int64),
        damage=np.maximum(1.0, sheets.weapon_damage + hitting + sheets.weapon_bonus),
        attacks=1 + extra,
        spell_damage=sheets.spell_damage.astype(np.float64),
        spell_targets=sheets.spell_targets.astype(np.int64),
        heal=sheets.heal.astype(np.float64),
        spell_uses=sheets.spell_uses.astype(np.int64),
    )


def monster_blocks(monsters: Sequence[MonsterKind]) -> StatBlocks:
    """The bestiary's kinds as stat blocks, in its order."""
    return StatBlocks(
        level=np.array([int(m.challenge) for m in monsters], dtype=np.int64),
        hp=np.array([m.hp for m in monsters], dtype=np.int64),
        ac=np.array([m.ac for m in monsters], dtype=np.int64),
        attack=np.array([m.attack for m in monsters], dtype=np.int64),
        damage=np.array([m.damage for m in monsters], dtype=np.float64),
        attacks=np.array([m.attacks for m in monsters], dtype=np.int64),
        spell_damage=np.array([m.spell_damage for m in monsters], dtype=np.float64),
        spell_targets=np.array([m.spell_targets for m in monsters], dtype=np.int64),
        heal=np.array([m.heal for m in monsters], dtype=np.float64),
        spell_uses=np.array([m.spell_uses for m in monsters], dtype=np.int64),
    )


def party_blocks(rules: CombatRules) -> StatBlocks:
    """The reference party's stat blocks, front rank first."""
    return derive_stat_blocks(Sheets.of(rules.party, level=rules.party_level))


def challenge_index(blocks: StatBlocks, *, rules: CombatRules) -> IntArray:
    """Each combatant's challenge, as a position in `rules.challenge`, by the DMG's method:
    a defensive rating from hit points (regeneration over three rounds counted) shifted a step
    per 2 points of armour class off the expected, an offensive one from damage per round
    shifted by the attack bonus likewise, and their mean rounded down."""
    last = rules.challenge.size - 1
    effective_hp = blocks.hp + blocks.heal * ROUNDS_FOR_CHALLENGE
    defence = np.minimum(np.searchsorted(rules.challenge_hp, effective_hp), last)
    defence = defence + (blocks.ac - rules.challenge_ac[defence]).astype(np.int64) // 2
    offence = np.minimum(np.searchsorted(rules.challenge_dpr, blocks.damage_per_round()), last)
    offence = offence + (blocks.attack - rules.challenge_attack[offence]).astype(np.int64) // 2
    index: IntArray = np.clip((defence + offence) // 2, 0, last)
    return index


def challenge_xp(blocks: StatBlocks, *, rules: CombatRules) -> IntArray:
    """The XP each combatant is worth (an NPC's as if met as a monster)."""
    result: IntArray = rules.challenge_xp[challenge_index(blocks, rules=rules)]
    return result
