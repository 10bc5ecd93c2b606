"""Combat: stat blocks by d20 rules, the bestiary, encounters by XP budget for a party of a
given size and level, and one resolver for every fight, from a dungeon room to a battle."""

from __future__ import annotations

from worldloom.systems.combat.assess import Assessment, assess_encounters, monster_sides
from worldloom.systems.combat.battle import (
    BattleOutcome,
    Defeat,
    Force,
    Stalemate,
    Victory,
    force_strength,
    resolve_battle,
)
from worldloom.systems.combat.bestiary import Bestiary, EncounterEntry, MonsterKind, bestiary_frame
from worldloom.systems.combat.encounter import (
    NONE,
    TRIVIAL,
    Encounters,
    band_edges,
    band_names,
    danger_budget,
    difficulty,
    draw_encounters,
    group_multiplier,
    party_thresholds,
)
from worldloom.systems.combat.resolver import EMPTY, Fights, Mode, Sides, resolve_fights
from worldloom.systems.combat.rulebook import Rulebook
from worldloom.systems.combat.stat_block import (
    Sheets,
    StatBlocks,
    ability_modifier,
    challenge_index,
    challenge_xp,
    derive_stat_blocks,
    monster_blocks,
    party_blocks,
)
from worldloom.systems.combat.table import ATTRIBUTES, CombatRules, Sheet, Training

__all__ = [
    "ATTRIBUTES",
    "EMPTY",
    "NONE",
    "TRIVIAL",
    "Assessment",
    "BattleOutcome",
    "Bestiary",
    "CombatRules",
    "Defeat",
    "EncounterEntry",
    "Encounters",
    "Fights",
    "Force",
    "Mode",
    "MonsterKind",
    "Rulebook",
    "Sheet",
    "Sheets",
    "Sides",
    "Stalemate",
    "StatBlocks",
    "Training",
    "Victory",
    "ability_modifier",
    "assess_encounters",
    "band_edges",
    "band_names",
    "bestiary_frame",
    "challenge_index",
    "challenge_xp",
    "danger_budget",
    "derive_stat_blocks",
    "difficulty",
    "draw_encounters",
    "force_strength",
    "group_multiplier",
    "monster_blocks",
    "monster_sides",
    "party_blocks",
    "party_thresholds",
    "resolve_battle",
    "resolve_fights",
]
