"""Procedural prose: descriptions of regions, places, powers and people, and the world's
lore, written from facts with no LLM."""

from __future__ import annotations

from worldloom.systems.prose.people import (
    DESCRIPTION_MIN,
    FACTION_DESCRIPTION_MAX,
    NOTABLE_BIO_MAX,
    RELIGION_DESCRIPTION_MAX,
    SETTLEMENT_DESCRIPTION_MAX,
    PeopleProse,
    faction_facts,
    notable_facts,
    settlement_facts,
    write_people_prose,
)
from worldloom.systems.prose.writer import (
    REGION_DESCRIPTION_MAX,
    WORLD_LORE_MAX,
    ProseTemplates,
    describe_region,
    write_world_lore,
)

__all__ = [
    "DESCRIPTION_MIN",
    "FACTION_DESCRIPTION_MAX",
    "NOTABLE_BIO_MAX",
    "REGION_DESCRIPTION_MAX",
    "RELIGION_DESCRIPTION_MAX",
    "SETTLEMENT_DESCRIPTION_MAX",
    "WORLD_LORE_MAX",
    "PeopleProse",
    "ProseTemplates",
    "describe_region",
    "faction_facts",
    "notable_facts",
    "settlement_facts",
    "write_people_prose",
    "write_world_lore",
]
