"""Gear, magic and combat tables: monsters, spells and schools; casters, stat blocks, equipment,
inventories and merchants' stock; artifacts and their histories; loot and encounters."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

MONSTERS = declare(
    "monsters",
    ("monster",),
    """
    monster VARCHAR NOT NULL -- The kind's key, e.g. goblin, young_red_dragon.
    name VARCHAR NOT NULL -- Display name.
    family VARCHAR NOT NULL -- beast, humanoid, undead, giant, monstrosity, elemental, fiend...
    challenge DOUBLE NOT NULL -- [score] Challenge rating (0.125 is 1/8, 0.25 is 1/4).
    xp INTEGER NOT NULL -- [score] Experience points it is worth (by its challenge).
    hp INTEGER NOT NULL -- [score] Hit points.
    ac SMALLINT NOT NULL -- [score] Armour class.
    attack_bonus SMALLINT NOT NULL -- [score] Added to a d20 attack roll.
    damage DOUBLE NOT NULL -- [score] Average hit points of damage per hit.
    attacks SMALLINT NOT NULL -- [count] Attacks per round.
    spell_damage DOUBLE NOT NULL -- [score] Average damage per target of its breath; 0 for none.
    spell_targets SMALLINT NOT NULL -- [count] Targets one breath strikes.
    heal DOUBLE NOT NULL -- [score] Hit points it regains a round (regeneration); 0 for none.
    spell_uses SMALLINT NOT NULL -- [count] Rounds of a fight it can breathe or regenerate.
    habitats VARCHAR[] NOT NULL -- POI kinds (pois.kind) whose encounter tables name it, sorted.
    """,
    description=(
        "The bestiary (data/bestiary.toml, after the SRD 5.1): every kind of monster with the "
        "stat block the combat resolver fights with. XP follows the d20 XP-by-challenge table."
    ),
)
MAGIC_SCHOOLS = declare(
    "magic_schools",
    ("school",),
    """
    school VARCHAR NOT NULL -- The school's key, e.g. evocation, life.
    name VARCHAR NOT NULL -- Display name.
    tradition VARCHAR NOT NULL -- arcane (books), divine (gods) or primal (the land).
    domains VARCHAR[] NOT NULL -- Deity domains (deities.domains) it answers to, sorted.
    resources VARCHAR[] NOT NULL -- Region resources (regions.resources) it draws on, sorted.
    """,
    description=(
        "Schools of magic (data/magic.toml). A priest's divine school follows the domains of "
        "their faith's gods; arcane and primal schools are likelier where their region yields "
        "the school's resources."
    ),
)
SPELLS = declare(
    "spells",
    ("spell",),
    """
    spell VARCHAR NOT NULL -- The spell's key, e.g. fireball.
    name VARCHAR NOT NULL -- Display name.
    school VARCHAR NOT NULL -- Its school (magic_schools).
    tradition VARCHAR NOT NULL -- Its school's tradition.
    level SMALLINT NOT NULL -- [score] Spell level, 1 to 5.
    effect VARCHAR NOT NULL -- damage, heal, ward or utility (no effect in a fight).
    damage DOUBLE NOT NULL -- [score] Average hit points of damage per target; 0 if none.
    targets SMALLINT NOT NULL -- [count] Foes one cast strikes.
    heal DOUBLE NOT NULL -- [score] Hit points one cast restores.
    ward SMALLINT NOT NULL -- [score] Armour class it grants for a fight.
    """,
    description="Spells in combat terms (data/magic.toml).",
    references={"school": "magic_schools"},
)
CASTERS = declare(
    "casters",
    ("npc_id",),
    """
    npc_id BIGINT NOT NULL -- The caster (npcs).
    tradition VARCHAR NOT NULL -- arcane, divine or primal.
    school VARCHAR NOT NULL -- Their school (magic_schools).
    level SMALLINT NOT NULL -- [score] Caster level, 1 to 20 (from their lore or survival skill).
    spells VARCHAR[] NOT NULL -- Spells they know (spells.spell): their school's up to their level.
    spell_damage DOUBLE NOT NULL -- [score] Damage per target of their best attack spell; 0 if none.
    spell_targets SMALLINT NOT NULL -- [count] Targets of that spell.
    heal DOUBLE NOT NULL -- [score] Hit points their best healing spell restores; 0 if none.
    ward SMALLINT NOT NULL -- [score] Armour class their best warding spell grants; 0 if none.
    spell_uses SMALLINT NOT NULL -- [count] Casts a fight: 1 + level // 2, at most 6.
    """,
    description=(
        "The NPCs who cast: priests, healers, scholars, adventurers and a few others, by their "
        "profession's chance, their culture's leaning and their place (a holy site of their "
        "faith in their region; their region's resources)."
    ),
    references={"npc_id": "npcs", "school": "magic_schools"},
)
STAT_BLOCKS = declare(
    "stat_blocks",
    ("npc_id",),
    """
    npc_id BIGINT NOT NULL -- The NPC (npcs).
    level SMALLINT NOT NULL -- [score] Fighting level, 0 (children) to 20.
    hp INTEGER NOT NULL -- [score] Hit points.
    ac SMALLINT NOT NULL -- [score] Armour class (armour, dexterity, shield, wards).
    attack_bonus SMALLINT NOT NULL -- [score] To hit with their best weapon.
    damage DOUBLE NOT NULL -- [score] Average hit points of damage per hit.
    attacks SMALLINT NOT NULL -- [count] Attacks per round.
    spell_damage DOUBLE NOT NULL -- [score] Damage per target of their best attack spell; 0 if none.
    spell_targets SMALLINT NOT NULL -- [count] Targets of that spell.
    heal DOUBLE NOT NULL -- [score] Hit points a healing cast restores; 0 if none.
    spell_uses SMALLINT NOT NULL -- [count] Casts a fight.
    xp INTEGER NOT NULL -- [score] Experience points they are worth as a foe (by their challenge).
    capacity_kg DOUBLE NOT NULL -- [kg] What they can carry: strength x 6.8 (half for children).
    load_kg DOUBLE NOT NULL -- [kg] What they carry: equipment, purse and inventory.
    purse INTEGER NOT NULL -- [coins] Coin they carry (a share of their wealth).
    """,
    description=(
        "Every NPC's stat block by d20 rules, from their attributes, training (profession and "
        "best fighting skill), equipment and magic; their challenge by the DMG's hit points "
        "and damage per round. load_kg never exceeds capacity_kg."
    ),
    indexed=False,
    references={"npc_id": "npcs"},
)
EQUIPMENT = declare(
    "equipment",
    ("npc_id", "slot"),
    """
    npc_id BIGINT NOT NULL -- The wearer (npcs).
    slot VARCHAR NOT NULL -- clothing, feet, main_hand, body, off_hand, ranged, cloak or neck.
    item_id BIGINT NOT NULL -- What it is (items): a good at a quality tier.
    material VARCHAR -- What it is made of, e.g. steel, yew; null for goods without a choice.
    condition DOUBLE NOT NULL -- [share] 1 as new, lower as worn.
    enchantment VARCHAR -- The spell it holds (spells.spell); null when it is not enchanted.
    bonus SMALLINT NOT NULL -- [score] Enchantment bonus (to hit and damage, or armour class).
    value INTEGER NOT NULL -- [copper] What it fetches at the wearer's market's prices now.
    artifact_id INTEGER -- The named artifact it is (artifacts); null for ordinary items.
    """,
    description=(
        "What every NPC wears and wields, one item per slot: from their profession's kit, "
        "weighted by their culture's tastes and their wealth (richer: dearer goods, finer "
        "quality), within their carrying capacity. Only goods a slot takes go in it "
        "(data/gear.toml). value = price x quality x material x (0.25 + 0.75 condition) x "
        "(1 + 1.5 bonus)."
    ),
    indexed=False,
    references={"npc_id": "npcs", "item_id": "items", "artifact_id": "artifacts"},
)
INVENTORIES = declare(
    "inventories",
    ("npc_id", "item_id"),
    """
    npc_id BIGINT NOT NULL -- The carrier (npcs).
    item_id BIGINT NOT NULL -- What (items), at common quality.
    qty INTEGER NOT NULL -- [units] How many.
    value INTEGER NOT NULL -- [copper] What the lot fetches at the carrier's market now.
    """,
    description=(
        "What NPCs carry besides what they wear (food, tools, arrows, potions...), from their "
        "profession's pack, cut to what their capacity bears after equipment and purse."
    ),
    indexed=False,
    references={"npc_id": "npcs", "item_id": "items"},
)
MERCHANT_STOCK = declare(
    "merchant_stock",
    ("npc_id", "item_id"),
    """
    npc_id BIGINT NOT NULL -- The merchant (npcs) who sells it.
    item_id BIGINT NOT NULL -- What (items), at common quality.
    market_id INTEGER NOT NULL -- The market whose stock it is (markets).
    qty BIGINT NOT NULL -- [units] Units on offer.
    price DOUBLE NOT NULL -- [copper] The market's price of one unit now.
    """,
    description=(
        "Merchants' stock: each market's holdings (market_goods.stock, what its economy agents "
        "hold) shared among the merchants of its town (else of the places it serves, else its "
        "richest grown-up) by wealth, so their stock adds up to the market's exactly."
    ),
    references={"npc_id": "npcs", "item_id": "items", "market_id": "markets"},
)
ARTIFACTS = declare(
    "artifacts",
    ("artifact_id",),
    """
    artifact_id INTEGER NOT NULL -- The artifact's id, 0..n-1.
    name VARCHAR NOT NULL -- Its name, e.g. "The Pale Thorn".
    item_id BIGINT NOT NULL -- What it is (items): always a masterwork.
    material VARCHAR NOT NULL -- A wondrous material, e.g. star iron, moonsilver.
    enchantment VARCHAR -- The spell it holds (spells.spell); null when none fits its kind.
    bonus SMALLINT NOT NULL -- [score] Enchantment bonus, 2 or 3.
    value INTEGER NOT NULL -- [copper] What it would fetch at the prices where it is now.
    maker_npc_id BIGINT -- Its maker (npcs.npc_id) if alive; null for a maker long dead.
    maker_name VARCHAR NOT NULL -- Its maker's name.
    made_tick BIGINT NOT NULL -- [tick] When it was made (negative: before the world's day 0).
    holder_npc_id BIGINT -- Who holds it now (npcs.npc_id); null when it lies lost.
    sublocation_id INTEGER -- The room it lies lost in (sublocations); null when held.
    """,
    description=(
        "Named artifacts (after Dwarf Fortress): masterworks each held by one NPC (in their "
        "equipment) or lying lost in one dungeon, lair or ruin room (in poi_loot); item_history "
        "has how they got there."
    ),
    references={
        "item_id": "items",
        "maker_npc_id": "npcs.npc_id",
        "holder_npc_id": "npcs.npc_id",
        "sublocation_id": "sublocations",
    },
)
ITEM_HISTORY = declare(
    "item_history",
    ("artifact_id", "seq"),
    """
    artifact_id INTEGER NOT NULL -- The artifact (artifacts).
    seq SMALLINT NOT NULL -- The event's place in its history, 0 its making.
    tick BIGINT NOT NULL -- [tick] When (never before the event before it).
    event VARCHAR NOT NULL -- made, lost, found, sold, gifted or stolen.
    from_npc_id BIGINT -- Who had it (npcs.npc_id); null for nobody or someone long dead.
    to_npc_id BIGINT -- Who has it after (npcs.npc_id); null for nobody or someone long dead.
    place_id INTEGER -- Where (a settlement_id or poi_id); null when not recorded.
    sublocation_id INTEGER -- The room it was lost in (sublocations); null when none.
    """,
    description=(
        "Every event that moved an artifact, from its making to where it is now: the last "
        "event's to_npc_id is its holder, or its last event is a loss into its room. An NPC "
        "appears only at ticks when they were at least 16 (aged A at the world's tick T, they "
        "were born by T - A years). Gifts pass within a family; the living-world events will "
        "add thefts, gifts, burials and battles."
    ),
    references={
        "artifact_id": "artifacts",
        "from_npc_id": "npcs.npc_id",
        "to_npc_id": "npcs.npc_id",
        "sublocation_id": "sublocations",
    },
)
POI_LOOT = declare(
    "poi_loot",
    ("sublocation_id", "position"),
    """
    sublocation_id INTEGER NOT NULL -- The room (sublocations) it lies in.
    position SMALLINT NOT NULL -- Its place among the room's contents, 0 first.
    poi_id INTEGER NOT NULL -- The dungeon, lair or ruin (pois).
    item_id BIGINT -- What it is (items); null for a pile of coin.
    qty BIGINT NOT NULL -- [units] How many; for coin, copper pieces.
    material VARCHAR -- What it is made of; null for coin and goods without a choice.
    condition DOUBLE NOT NULL -- [share] 1 as new, lower as worn (coin: 1).
    enchantment VARCHAR -- The spell it holds (spells.spell); null when not magic.
    bonus SMALLINT NOT NULL -- [score] Enchantment bonus; 0 when not magic.
    value BIGINT NOT NULL -- [copper] What the lot fetches at the nearest market now.
    artifact_id INTEGER -- The named artifact it is (artifacts); null for ordinary loot.
    """,
    description=(
        "What every room of every dungeon, lair and ruin holds, rolled from nested treasure "
        "classes (data/loot.toml) by site kind, room kind and danger: the expected value of a "
        "room never falls as danger rises. Coin is scaled by the markets' price index."
    ),
    references={
        "sublocation_id": "sublocations",
        "poi_id": "pois",
        "item_id": "items",
        "artifact_id": "artifacts",
    },
)
ENCOUNTERS = declare(
    "encounters",
    ("encounter_id",),
    """
    encounter_id INTEGER NOT NULL -- The encounter's id, in (poi_id, sublocation_id) order.
    poi_id INTEGER NOT NULL -- Where (pois).
    sublocation_id INTEGER -- The room (sublocations); null for a site met in the open.
    monster VARCHAR NOT NULL -- The leading (or only) kind (monsters).
    count SMALLINT NOT NULL -- [count] How many of it.
    minion VARCHAR -- The followers' kind (monsters.monster); null for a group of one kind.
    minions SMALLINT NOT NULL -- [count] How many followers.
    xp INTEGER NOT NULL -- [score] The monsters' experience points added up.
    adjusted_xp INTEGER NOT NULL -- [score] xp times the d20 multiplier for the group's size.
    band VARCHAR NOT NULL -- The difficulty the site's danger aims at (see the description).
    difficulty VARCHAR NOT NULL -- The difficulty it has for the reference party.
    win_chance DOUBLE NOT NULL -- [share] How often the reference party won 48 seeded fights.
    fallen DOUBLE NOT NULL -- [people] Party members who fell in them, on average.
    """,
    description=(
        "The monsters met at each site, per room (by the room kind's chance, at least one room "
        "per site) or in the open, from the site kind's encounter table. Difficulty is the d20 "
        "XP budget for the reference party of four level-5 adventurers (easy from 1,000 "
        "adjusted XP, medium 2,000, hard 3,000, deadly 4,400 to 8,800): danger 1-2 aims at "
        "easy, 3-4 medium, 5-7 hard, 8-10 deadly (data/combat.toml)."
    ),
    references={
        "poi_id": "pois",
        "sublocation_id": "sublocations",
        "monster": "monsters",
        "minion": "monsters.monster",
    },
)
