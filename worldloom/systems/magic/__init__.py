"""Magic: schools tied to deity domains and region resources, spells in combat terms, and the
casters among the NPCs by profession, culture, faith and place."""

from __future__ import annotations

from worldloom.systems.magic.caster import CASTER_SCHEMA, MagicPlaces, choose_casters
from worldloom.systems.magic.table import (
    MAX_SPELL_LEVEL,
    TRADITIONS,
    CasterRule,
    MagicTable,
    School,
    Spell,
    Tradition,
    school_frame,
    spell_frame,
)

__all__ = [
    "CASTER_SCHEMA",
    "MAX_SPELL_LEVEL",
    "TRADITIONS",
    "CasterRule",
    "MagicPlaces",
    "MagicTable",
    "School",
    "Spell",
    "Tradition",
    "choose_casters",
    "school_frame",
    "spell_frame",
]
