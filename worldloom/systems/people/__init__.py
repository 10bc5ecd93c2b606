"""People: cultures, characters, Tier-1 population counts, Tier-2 NPCs with families, and
the people stage's composer (`generate_people`), which adds faiths, powers and their prose."""

from __future__ import annotations

from worldloom.systems.people.character import (
    ATTRIBUTE_MAX,
    ATTRIBUTE_MIN,
    SKILL_MAX,
    CharacterTable,
    NotableRole,
    draw_characters,
)
from worldloom.systems.people.composer import (
    People,
    PeopleTables,
    batch_regions,
    generate_people,
    poi_sites,
    settlement_places,
)
from worldloom.systems.people.culture import (
    CULTURE_TYPES,
    TIERS,
    CultureRules,
    Cultures,
    NamePool,
    generate_cultures,
    name_pool,
)
from worldloom.systems.people.npc import FULL_TIERS, generate_npcs, npc_schema, plan_npcs
from worldloom.systems.people.player_template import build_player_template
from worldloom.systems.people.population import (
    POPULATION_SCHEMA,
    generate_population,
    sort_population,
)

__all__ = [
    "ATTRIBUTE_MAX",
    "ATTRIBUTE_MIN",
    "CULTURE_TYPES",
    "FULL_TIERS",
    "POPULATION_SCHEMA",
    "SKILL_MAX",
    "TIERS",
    "CharacterTable",
    "CultureRules",
    "Cultures",
    "NamePool",
    "NotableRole",
    "People",
    "PeopleTables",
    "batch_regions",
    "build_player_template",
    "draw_characters",
    "generate_cultures",
    "generate_npcs",
    "generate_people",
    "generate_population",
    "name_pool",
    "npc_schema",
    "plan_npcs",
    "poi_sites",
    "settlement_places",
    "sort_population",
]
