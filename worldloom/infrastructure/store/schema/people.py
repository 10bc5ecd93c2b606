"""People and powers tables: cultures, religions, population, NPCs, factions, diplomacy."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

CULTURES = declare(
    "cultures",
    ("culture_id",),
    """
    culture_id INTEGER NOT NULL
    key VARCHAR NOT NULL
    name VARCHAR NOT NULL
    name_base VARCHAR NOT NULL
    type VARCHAR NOT NULL
    hearth_region_id INTEGER NOT NULL
    """,
    references={
        "hearth_region_id": "regions.region_id",
    },
)
REGION_CULTURES = declare(
    "region_cultures",
    ("region_id",),
    """
    region_id INTEGER NOT NULL
    culture_id INTEGER NOT NULL
    """,
    references={
        "region_id": "regions",
        "culture_id": "cultures",
    },
)
RELIGIONS = declare(
    "religions",
    ("religion_id",),
    """
    religion_id INTEGER NOT NULL
    kind VARCHAR NOT NULL
    name VARCHAR NOT NULL
    form VARCHAR NOT NULL
    culture_id INTEGER NOT NULL
    parent_id INTEGER NOT NULL
    origin_settlement_id INTEGER NOT NULL
    origin_region_id INTEGER NOT NULL
    description VARCHAR NOT NULL DEFAULT ''
    """,
    references={
        "culture_id": "cultures",
        "parent_id": "religions.religion_id",
        "origin_settlement_id": "settlements.settlement_id",
        "origin_region_id": "regions.region_id",
    },
)
DEITIES = declare(
    "deities",
    ("deity_id",),
    """
    deity_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    rank SMALLINT NOT NULL
    name VARCHAR NOT NULL
    epithet VARCHAR NOT NULL
    domains VARCHAR[] NOT NULL
    """,
    references={
        "religion_id": "religions",
    },
)
HOLY_SITES = declare(
    "holy_sites",
    ("poi_id",),
    """
    poi_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    region_id INTEGER NOT NULL
    settlement_id INTEGER NOT NULL
    """,
    references={
        "poi_id": "pois",
        "religion_id": "religions",
        "region_id": "regions",
        "settlement_id": "settlements",
    },
)
RELIGION_SHARES = declare(
    "religion_shares",
    ("settlement_id", "religion_id"),
    """
    settlement_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    share DOUBLE NOT NULL
    """,
    references={
        "settlement_id": "settlements",
        "religion_id": "religions",
    },
)
RELIGION_RELATIONS = declare(
    "religion_relations",
    ("a_id", "b_id"),
    """
    a_id INTEGER NOT NULL
    b_id INTEGER NOT NULL
    stance VARCHAR NOT NULL
    hostility SMALLINT NOT NULL
    """,
    references={
        "a_id": "religions.religion_id",
        "b_id": "religions.religion_id",
    },
)
POPULATION_GROUPS = declare(
    "population_groups",
    ("settlement_id", "age_band", "sex", "culture_id", "religion_id", "profession"),
    """
    settlement_id INTEGER NOT NULL
    age_band VARCHAR NOT NULL
    sex VARCHAR NOT NULL
    culture_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    profession VARCHAR NOT NULL
    count BIGINT NOT NULL
    """,
    indexed=False,
    references={
        "settlement_id": "settlements",
        "culture_id": "cultures",
        "religion_id": "religions",
    },
)
"""Tier 1: everyone, as counts per settlement, age band, sex, culture, religion, profession."""
NPCS = declare(
    "npcs",
    ("npc_id",),
    """
    npc_id BIGINT NOT NULL
    settlement_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    family_name VARCHAR NOT NULL
    age SMALLINT NOT NULL
    sex VARCHAR NOT NULL
    culture_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    profession VARCHAR NOT NULL
    trait_1 VARCHAR
    trait_2 VARCHAR
    trait_3 VARCHAR
    strength TINYINT NOT NULL
    dexterity TINYINT NOT NULL
    constitution TINYINT NOT NULL
    intelligence TINYINT NOT NULL
    wisdom TINYINT NOT NULL
    charisma TINYINT NOT NULL
    skill_melee TINYINT NOT NULL
    skill_archery TINYINT NOT NULL
    skill_craft TINYINT NOT NULL
    skill_survival TINYINT NOT NULL
    skill_lore TINYINT NOT NULL
    skill_trade TINYINT NOT NULL
    household_id BIGINT NOT NULL
    father_id BIGINT NOT NULL
    mother_id BIGINT NOT NULL
    spouse_id BIGINT NOT NULL
    wealth BIGINT NOT NULL
    notable BOOLEAN NOT NULL
    notable_role VARCHAR
    """,
    indexed=False,
    references={
        "settlement_id": "settlements",
        "culture_id": "cultures",
        "religion_id": "religions",
        "father_id": "npcs.npc_id",
        "mother_id": "npcs.npc_id",
        "spouse_id": "npcs.npc_id",
    },
)
"""Tier 2: individual people; -1 in a link column means none. A million rows on `large`: the
key index took a third of the write (0.4 of 1.1 s), and the ids are a range by construction."""
NOTABLE_BIOS = declare(
    "notable_bios",
    ("npc_id",),
    """
    npc_id BIGINT NOT NULL
    text VARCHAR NOT NULL
    """,
    references={
        "npc_id": "npcs",
    },
)
"""A short biography per notable NPC (beside `npcs`, so the million-row table stays narrow)."""
FACTIONS = declare(
    "factions",
    ("faction_id",),
    """
    faction_id INTEGER NOT NULL
    kind VARCHAR NOT NULL
    form VARCHAR NOT NULL
    name VARCHAR NOT NULL
    seat_settlement_id INTEGER NOT NULL
    seat_region_id INTEGER NOT NULL
    state_id INTEGER NOT NULL
    culture_id INTEGER NOT NULL
    religion_id INTEGER NOT NULL
    people BIGINT NOT NULL
    territory_regions INTEGER NOT NULL
    territory_km2 DOUBLE NOT NULL
    power DOUBLE NOT NULL
    leader_npc_id BIGINT NOT NULL
    description VARCHAR NOT NULL DEFAULT ''
    """,
    references={
        "seat_settlement_id": "settlements.settlement_id",
        "seat_region_id": "regions.region_id",
        "state_id": "factions.faction_id",
        "culture_id": "cultures",
        "religion_id": "religions",
        "leader_npc_id": "npcs.npc_id",
    },
)
PROVINCES = declare(
    "provinces",
    ("region_id",),
    """
    region_id INTEGER NOT NULL
    faction_id INTEGER NOT NULL
    is_core BOOLEAN NOT NULL
    """,
    references={
        "region_id": "regions",
        "faction_id": "factions",
    },
)
DIPLOMACY = declare(
    "diplomacy",
    ("a_id", "b_id"),
    """
    a_id INTEGER NOT NULL
    b_id INTEGER NOT NULL
    status VARCHAR NOT NULL
    tension SMALLINT NOT NULL
    shared_border BOOLEAN NOT NULL
    """,
    indexed=False,
    references={
        "a_id": "factions.faction_id",
        "b_id": "factions.faction_id",
    },
)
"""One row per faction pair (a < b); `status` is a's standing towards b (a vassal of b...)."""
