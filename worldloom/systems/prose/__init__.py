"""Procedural prose: descriptions of regions, places, powers and people, and the world's
lore, written from facts with no LLM; which entities an LLM may describe instead, and the
renames carried through every text."""

from __future__ import annotations

from worldloom.systems.prose.facts import (
    faction_facts,
    notable_facts,
    religion_facts,
    settlement_facts,
)
from worldloom.systems.prose.land import (
    REGION_DESCRIPTION_MAX,
    WORLD_LORE_MAX,
    describe_region,
    write_world_lore,
)
from worldloom.systems.prose.people import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    NOTABLE_BIO_MAX,
    PeopleProse,
    apply_people_texts,
    describe_religion,
    write_people_prose,
)
from worldloom.systems.prose.rename import rename_descriptions, rename_regions_in_tree, renamer
from worldloom.systems.prose.selection import (
    DESCRIBED_TIERS,
    MAX_FACTIONS,
    MAX_NOTABLES,
    MAX_RELIGIONS,
    MAX_SETTLEMENTS,
    NOTABLE_TIERS,
    choose_factions,
    choose_notables,
    choose_religions,
    choose_settlements,
)
from worldloom.systems.prose.templates import ProseTemplates

__all__ = [
    "DESCRIBED_TIERS",
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "MAX_FACTIONS",
    "MAX_NOTABLES",
    "MAX_RELIGIONS",
    "MAX_SETTLEMENTS",
    "NOTABLE_BIO_MAX",
    "NOTABLE_TIERS",
    "REGION_DESCRIPTION_MAX",
    "WORLD_LORE_MAX",
    "PeopleProse",
    "ProseTemplates",
    "apply_people_texts",
    "choose_factions",
    "choose_notables",
    "choose_religions",
    "choose_settlements",
    "describe_region",
    "describe_religion",
    "faction_facts",
    "notable_facts",
    "religion_facts",
    "rename_descriptions",
    "rename_regions_in_tree",
    "renamer",
    "settlement_facts",
    "write_people_prose",
    "write_world_lore",
]
