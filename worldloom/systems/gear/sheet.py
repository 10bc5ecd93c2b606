"""NPC stat blocks: their attributes and training, what their gear gives and what their magic
does, written as combat sheets and turned into stat blocks by the combat room's d20 rules."""

from __future__ import annotations

import numpy as np
import polars as pl

from worldloom.systems.combat import ATTRIBUTES, CombatRules, Sheets, StatBlocks, derive_stat_blocks
from worldloom.systems.gear.equipment import Fighting

MARTIAL_SKILLS = ("skill_melee", "skill_archery")
"""A level comes from the better of these (the people room's skills, 0-10)."""


def npc_levels(
    npcs: pl.DataFrame, *, rules: CombatRules
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per NPC: level (the profession's start plus per_skill per point of their best fighting
    skill, at most max_level; children stay at their training's level), hit points per level,
    and whether they fight as a trade."""
    professions = npcs["profession"].to_numpy()
    start = np.full(npcs.height, rules.default_training.level, dtype=np.int64)
    hit_die = np.full(npcs.height, rules.default_training.hit_die)
    martial = np.full(npcs.height, rules.default_training.martial)
    grows = np.ones(npcs.height, dtype=np.bool_)
    for profession, training in rules.training.items():
        rows = professions == profession
        start[rows], hit_die[rows], martial[rows] = (
            training.level,
            training.hit_die,
            training.martial,
        )
        if training.level == 0:
            grows[rows] = False
    skill = np.maximum(*(npcs[name].to_numpy().astype(np.int64) for name in MARTIAL_SKILLS))
    level = np.where(grows, start + np.floor(rules.per_skill * skill).astype(np.int64), start)
    return np.clip(level, 0, rules.max_level), hit_die, martial


def npc_stat_blocks(
    npcs: pl.DataFrame, *, fighting: Fighting, casters: pl.DataFrame, rules: CombatRules
) -> StatBlocks:
    """Stat blocks for every NPC, in the order of `npcs`.

    Args:
        npcs: npc_id, profession, the six attributes and the martial skills.
        fighting: what each NPC's gear gives (same order).
        casters: npc_id, spell_damage, spell_targets, heal, ward, spell_uses (casters only).
    """
    level, hit_die, martial = npc_levels(npcs, rules=rules)
    magic = npcs.select("npc_id").join(casters, on="npc_id", how="left").fill_null(0)
    attributes = np.stack([npcs[a].to_numpy() for a in ATTRIBUTES], axis=1).astype(np.int8)
    sheets = Sheets(
        attributes=attributes,
        level=level,
        hit_die=hit_die,
        martial=martial,
        armour_ac=fighting.armour_ac,
        max_dex=fighting.max_dex,
        shield=fighting.shield,
        ward=fighting.ward + magic["ward"].to_numpy().astype(np.int64),
        weapon_damage=fighting.weapon_damage,
        finesse=fighting.finesse,
        weapon_bonus=fighting.weapon_bonus,
        spell_damage=magic["spell_damage"].to_numpy().astype(np.float64),
        spell_targets=magic["spell_targets"].to_numpy().astype(np.int64),
        heal=magic["heal"].to_numpy().astype(np.float64),
        spell_uses=magic["spell_uses"].to_numpy().astype(np.int64),
    )
    return derive_stat_blocks(sheets)


def stat_block_rows(
    npc_id: np.ndarray,
    blocks: StatBlocks,
    *,
    xp: np.ndarray,
    capacity_kg: np.ndarray,
    load_kg: np.ndarray,
    purse: np.ndarray,
) -> pl.DataFrame:
    """The `stat_blocks` rows: one per NPC."""
    return pl.DataFrame(
        {
            "npc_id": npc_id,
            "level": blocks.level,
            "hp": blocks.hp,
            "ac": blocks.ac,
            "attack_bonus": blocks.attack,
            "damage": blocks.damage,
            "attacks": blocks.attacks,
            "spell_damage": blocks.spell_damage,
            "spell_targets": blocks.spell_targets,
            "heal": blocks.heal,
            "spell_uses": blocks.spell_uses,
            "xp": xp,
            "capacity_kg": np.round(capacity_kg, 2),
            "load_kg": np.round(load_kg, 2),
            "purse": purse,
        }
    )
