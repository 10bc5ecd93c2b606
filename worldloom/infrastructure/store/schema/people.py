"""People and powers tables: cultures, religions, population, NPCs, factions, diplomacy."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

CULTURES = declare(
    "cultures",
    ("culture_id",),
    """
    culture_id INTEGER NOT NULL -- The culture's id, 0..n-1.
    key VARCHAR NOT NULL -- Stable key: its name base, or "<name base>_<id>" past the sixth.
    name VARCHAR NOT NULL -- The culture's name.
    name_base VARCHAR NOT NULL -- Name base its people and places are named from (regions).
    type VARCHAR NOT NULL -- generic, highland, river, lake, naval, nomadic or hunting.
    hearth_region_id INTEGER NOT NULL -- The region it spread from (regions).
    """,
    description=(
        "Cultures: one per name base (at most one per region), each spread from a hearth "
        "region until every region has exactly one (region_cultures). type says what land it "
        "prefers to expand over."
    ),
    references={
        "hearth_region_id": "regions.region_id",
    },
)
REGION_CULTURES = declare(
    "region_cultures",
    ("region_id",),
    """
    region_id INTEGER NOT NULL -- The region (regions).
    culture_id INTEGER NOT NULL -- The culture that holds it (cultures).
    """,
    description="The culture of every region (a settlement's people are mostly of it).",
    references={
        "region_id": "regions",
        "culture_id": "cultures",
    },
)
RELIGIONS = declare(
    "religions",
    ("religion_id",),
    """
    religion_id INTEGER NOT NULL -- The religion's id; parents come before their splinters.
    kind VARCHAR NOT NULL -- folk, organized, heresy or cult.
    name VARCHAR NOT NULL -- The faith's name.
    form VARCHAR NOT NULL -- How it arranges its gods (see the table description).
    culture_id INTEGER NOT NULL -- The culture it belongs to or arose in (cultures).
    parent_id INTEGER -- The faith a heresy or cult split from (religions); null for the others.
    origin_settlement_id INTEGER -- Holy city or birthplace (settlements); null for folk faiths.
    origin_region_id INTEGER -- The origin settlement's region (regions); null for folk faiths.
    description VARCHAR NOT NULL DEFAULT '' -- A paragraph on the faith.
    """,
    description=(
        "Faiths: a folk faith per culture, organized faiths founded in big cities, heresies "
        "split from organized faiths and cults grown from a culture's folk faith; simulate adds "
        "the heresies its schisms found (the schism event names them). form is one "
        "of animism, ancestor_worship, pantheon, dualism, monotheism or mystery "
        "(data/religions.toml)."
    ),
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
    deity_id INTEGER NOT NULL -- The deity's id.
    religion_id INTEGER NOT NULL -- The faith that worships it (religions).
    rank SMALLINT NOT NULL -- Its place in the faith, 0 the chief god.
    name VARCHAR NOT NULL -- The deity's name.
    epithet VARCHAR NOT NULL -- A title from its first domain, e.g. "the Red Spear".
    domains VARCHAR[] NOT NULL -- Domain keys it holds sway over (see the table description).
    """,
    description=(
        "The gods of every faith, chief god first. Domains: war, peace, sun, night, life, "
        "death, harvest, sea, storms, forge, mountains, wilds, hunt, wisdom, trade, healing, "
        "fate, ancestors, fire, trickery."
    ),
    references={
        "religion_id": "religions",
    },
)
HOLY_SITES = declare(
    "holy_sites",
    ("poi_id",),
    """
    poi_id INTEGER NOT NULL -- The shrine or temple (pois).
    religion_id INTEGER NOT NULL -- The faith that keeps it (religions).
    region_id INTEGER NOT NULL -- The region it stands in (regions).
    settlement_id INTEGER -- The settlement it stands in (settlements); null outside any.
    desecrated_tick BIGINT -- [tick] The day it was desecrated; null while it is kept.
    desecrated_event_id BIGINT -- The holy_site_desecrated event (events); null while kept.
    tick BIGINT NOT NULL DEFAULT 0 -- [tick] The day the row describes.
    """,
    description=(
        "Every shrine and temple POI, kept by one faith (sites in regions without people are "
        "left out). Temples and shrines inside towns are sub-locations, not holy sites. A site "
        "desecrated during simulate keeps the faith that kept it until it is consecrated again "
        "(holy_site_founded), by the faith its neighbours follow."
    ),
    references={
        "poi_id": "pois",
        "religion_id": "religions",
        "region_id": "regions",
        "settlement_id": "settlements",
        "desecrated_event_id": "events.event_id",
    },
)
RELIGION_SHARES = declare(
    "religion_shares",
    ("settlement_id", "religion_id"),
    """
    settlement_id INTEGER NOT NULL -- The settlement (settlements).
    religion_id INTEGER NOT NULL -- A faith followed there (religions).
    share DOUBLE NOT NULL -- [share] Part of its people who follow the faith (> 0; sums to 1).
    tick BIGINT NOT NULL DEFAULT 0 -- [tick] The day the row describes.
    """,
    description=(
        "Who follows which faith where: each settlement's shares sum to 1. simulate counts them "
        "again from population_groups at each year's end (a settlement left without people "
        "keeps its last shares)."
    ),
    references={
        "settlement_id": "settlements",
        "religion_id": "religions",
    },
)
RELIGION_RELATIONS = declare(
    "religion_relations",
    ("a_id", "b_id"),
    """
    a_id INTEGER NOT NULL -- One faith (religions.religion_id), the lower id of the pair.
    b_id INTEGER NOT NULL -- The other faith (religions.religion_id), the higher id.
    stance VARCHAR NOT NULL -- tolerant, wary (hostility 35+) or hostile (hostility 65+).
    hostility SMALLINT NOT NULL -- [score] 0 (tolerant) to 100 (hostile).
    """,
    description="How every pair of faiths regards each other (symmetric; each pair once).",
    references={
        "a_id": "religions.religion_id",
        "b_id": "religions.religion_id",
    },
)
POPULATION_GROUPS = declare(
    "population_groups",
    ("settlement_id", "age_band", "sex", "culture_id", "religion_id", "profession"),
    """
    settlement_id INTEGER NOT NULL -- The settlement (settlements).
    age_band VARCHAR NOT NULL -- Ages in years: 0-15, 16-29, 30-44, 45-59 or 60+.
    sex VARCHAR NOT NULL -- female or male.
    culture_id INTEGER NOT NULL -- Their culture (cultures).
    religion_id INTEGER NOT NULL -- Their faith (religions).
    profession VARCHAR NOT NULL -- What they do (see the table description); child under 16.
    count BIGINT NOT NULL -- [people] People in the group (> 0).
    tick BIGINT NOT NULL DEFAULT 0 -- [tick] The day the row describes.
    """,
    description=(
        "Tier 1: everyone, as counts per settlement, age band, sex, culture, religion and "
        "profession; a settlement's counts sum to its population. Professions: farmer, herder, "
        "hunter, fisher, woodcutter, miner, laborer, smith, artisan, merchant, sailor, "
        "innkeeper, priest, healer, guard, scholar, noble, adventurer, and child (under 16)."
    ),
    indexed=False,
    references={
        "settlement_id": "settlements",
        "culture_id": "cultures",
        "religion_id": "religions",
    },
)
NPCS = declare(
    "npcs",
    ("npc_id",),
    """
    npc_id BIGINT NOT NULL -- The NPC's id, consecutive by settlement.
    settlement_id INTEGER NOT NULL -- Where they live (settlements).
    name VARCHAR NOT NULL -- Given name.
    family_name VARCHAR NOT NULL -- Family name; a wife's and children's is their household head's.
    age SMALLINT NOT NULL -- [years] Age.
    sex VARCHAR NOT NULL -- female or male.
    culture_id INTEGER NOT NULL -- Their culture (cultures).
    religion_id INTEGER NOT NULL -- Their faith (religions).
    profession VARCHAR NOT NULL -- What they do (as in population_groups).
    trait_1 VARCHAR -- A personality trait (see the table description); null when they have none.
    trait_2 VARCHAR -- A second trait; null when they have fewer than two.
    trait_3 VARCHAR -- A third trait; null when they have fewer than three.
    strength TINYINT NOT NULL -- [score] Attribute, 3 to 18.
    dexterity TINYINT NOT NULL -- [score] Attribute, 3 to 18.
    constitution TINYINT NOT NULL -- [score] Attribute, 3 to 18.
    intelligence TINYINT NOT NULL -- [score] Attribute, 3 to 18.
    wisdom TINYINT NOT NULL -- [score] Attribute, 3 to 18.
    charisma TINYINT NOT NULL -- [score] Attribute, 3 to 18.
    skill_melee TINYINT NOT NULL -- [score] Skill level, 0 to 10 (governed by strength).
    skill_archery TINYINT NOT NULL -- [score] Skill level, 0 to 10 (governed by dexterity).
    skill_craft TINYINT NOT NULL -- [score] Skill level, 0 to 10 (governed by dexterity).
    skill_survival TINYINT NOT NULL -- [score] Skill level, 0 to 10 (governed by wisdom).
    skill_lore TINYINT NOT NULL -- [score] Skill level, 0 to 10 (governed by intelligence).
    skill_trade TINYINT NOT NULL -- [score] Skill level, 0 to 10 (governed by charisma).
    household_id BIGINT NOT NULL -- The npc_id of their household's head (their own if the head).
    father_id BIGINT -- Their father (npcs.npc_id); null when none is among the NPCs.
    mother_id BIGINT -- Their mother (npcs.npc_id); null when none is among the NPCs.
    spouse_id BIGINT -- Their spouse (npcs.npc_id); null when unmarried.
    wealth BIGINT NOT NULL -- [coins] Coin to their name (see the table description).
    notable BOOLEAN NOT NULL -- One of the people a story meets first (see notable_role).
    notable_role VARCHAR -- ruler, priest, merchant, guild_master or adventurer; else null.
    tick BIGINT NOT NULL DEFAULT 0 -- [tick] The day the row describes.
    """,
    description=(
        "Tier 2: individual people drawn from the Tier-1 counts: everyone in hamlets and "
        "villages, a sample plus the notables in larger places. Families link only within one "
        "settlement and culture. A person holds at most one trait of each opposed pair: "
        "brave/craven, honest/deceitful, generous/greedy, patient/wrathful, diligent/lazy, "
        "kind/cruel, humble/proud, trusting/paranoid, gregarious/shy, content/ambitious, "
        "pious/cynical. wealth is in coins from the profession's mean (data/characters.toml), "
        "scaled by tier, luck and standing; it is not the economy's copper."
    ),
    # A million rows on `large`: the key index took a third of the write (0.4 of 1.1 s), and
    # the ids are a range by construction.
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
NOTABLE_BIOS = declare(
    "notable_bios",
    ("npc_id",),
    """
    npc_id BIGINT NOT NULL -- The notable NPC (npcs).
    text VARCHAR NOT NULL -- A short biography.
    """,
    description=(
        "A short biography per notable NPC (beside `npcs`, so the million-row table stays narrow)."
    ),
    references={
        "npc_id": "npcs",
    },
)
FACTIONS = declare(
    "factions",
    ("faction_id",),
    """
    faction_id INTEGER NOT NULL -- The faction's id: states first (by capital), then by kind.
    kind VARCHAR NOT NULL -- state, order, guild, criminals or bandits.
    form VARCHAR NOT NULL -- Its government, trade or kind of band (see the table description).
    name VARCHAR NOT NULL -- The faction's name.
    seat_settlement_id INTEGER -- Where it sits (settlements); null for bandits.
    seat_region_id INTEGER NOT NULL -- The seat's region, or the region bandits roam (regions).
    state_id INTEGER -- The state holding its seat (factions); null in land no state holds.
    culture_id INTEGER NOT NULL -- The culture of its seat region (cultures).
    religion_id INTEGER -- An order's faith, else the seat's main one (religions); null for bandits.
    people BIGINT NOT NULL -- [people] Subjects of a state, or members of any other faction.
    territory_regions INTEGER NOT NULL -- [count] Regions a state holds; 0 for other kinds.
    territory_km2 DOUBLE NOT NULL -- [km2] Area a state holds; 0 for other kinds.
    power DOUBLE NOT NULL -- [score] sqrt(people) * (1 + 0.25 * territory_regions).
    leader_npc_id BIGINT -- Its leader (npcs.npc_id); null when no notable of a fitting role.
    description VARCHAR NOT NULL DEFAULT '' -- A paragraph on the faction.
    tick BIGINT NOT NULL DEFAULT 0 -- [tick] The day the row describes.
    """,
    description=(
        "States (one per capital, grown over the regions; see provinces), religious orders "
        "(one per organized faith, seated in its holy city), guilds, criminal groups in big "
        "cities and bandits in dangerous regions. A state's state_id is its own id. form: "
        "a state's government (monarchy, principality, empire, republic, theocracy, union, "
        "tribal), an order's militant, monastic or mendicant, a guild's trade (merchants, "
        "smiths, miners, masons, carpenters, fishmongers, shipwrights, furriers, brewers, "
        "apothecaries, jewellers, salters, weavers), criminals' thieves, smugglers or "
        "assassins, bandits' brigands or pirates."
    ),
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
    region_id INTEGER NOT NULL -- The region (regions); its name is the province's.
    faction_id INTEGER NOT NULL -- The state that holds it (factions).
    is_core BOOLEAN NOT NULL -- The region of the state's capital.
    tick BIGINT NOT NULL DEFAULT 0 -- [tick] The day the row describes.
    """,
    description="The states' territory: one row per claimed region (no state reaches the rest).",
    references={
        "region_id": "regions",
        "faction_id": "factions",
    },
)
DIPLOMACY = declare(
    "diplomacy",
    ("a_id", "b_id"),
    """
    a_id INTEGER NOT NULL -- One faction (factions.faction_id), the lower id of the pair.
    b_id INTEGER NOT NULL -- The other faction (factions.faction_id), the higher id.
    status VARCHAR NOT NULL -- a's standing towards b (see the table description).
    tension SMALLINT NOT NULL -- [score] 0 (friendly) to 100 (hostile).
    shared_border BOOLEAN NOT NULL -- Their lands or seats touch or overlap.
    tick BIGINT NOT NULL DEFAULT 0 -- [tick] The day the row describes.
    """,
    description=(
        "One row per faction pair (a < b). status is ally, friendly, neutral, suspicious, "
        "rival, enemy or at_war (mutual), or vassal (a is b's vassal) or suzerain (b is a's "
        "vassal); read the other way round, vassal and suzerain swap."
    ),
    indexed=False,
    references={
        "a_id": "factions.faction_id",
        "b_id": "factions.faction_id",
    },
)
