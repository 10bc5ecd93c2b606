"""History tables (simulate): the event log, the population's yearly accounts, who was born and
died, and the histories of rulers and borders."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

EVENTS = declare(
    "events",
    ("event_id",),
    """
    event_id BIGINT NOT NULL -- The event's id, in the order events happened to be recorded.
    tick BIGINT NOT NULL -- [tick] The day it happened.
    type VARCHAR NOT NULL -- Its type (data/events.toml, which gives each type's payload schema).
    importance TINYINT NOT NULL -- [level] 1 (a footnote) to 10 (an age's turning point).
    npc_id BIGINT -- The person it is about (npcs); null when none.
    faction_id INTEGER -- The faction acting (factions); null when none.
    other_faction_id INTEGER -- The faction acted upon (factions.faction_id); null when none.
    settlement_id INTEGER -- Where it happened (settlements); null when not in one place.
    region_id INTEGER -- The region it happened in (regions); null when world-wide.
    poi_id INTEGER -- The point of interest it happened at (pois); null when none.
    cause_ids BIGINT[] NOT NULL -- Earlier events that led to it (events.event_id); [] for a root.
    payload VARCHAR NOT NULL -- The type's payload as JSON (its fields in data/events.toml).
    """,
    description=(
        "The world's history: every change of state during simulate is a typed event, with "
        "the people, factions and places it concerns, the earlier events that caused it "
        "(cause_ids, always smaller ids of no later tick) and a payload whose fields the "
        "event type's schema gives (worldloom/data/events.toml: births, deaths and their "
        "cause, marriages, successions, migrations, famines, plagues, wars, battles, sieges, "
        "peace ...)."
    ),
    indexed=False,
    references={
        "npc_id": "npcs",
        "faction_id": "factions",
        "other_faction_id": "factions.faction_id",
        "settlement_id": "settlements",
        "region_id": "regions",
        "poi_id": "pois",
    },
)
POPULATION_HISTORY = declare(
    "population_history",
    ("tick", "settlement_id"),
    """
    tick BIGINT NOT NULL -- [tick] The last day of the year the row accounts for.
    settlement_id INTEGER NOT NULL -- The settlement (settlements).
    population_start BIGINT NOT NULL -- [people] Tier-1 people when the year began.
    births BIGINT NOT NULL -- [people] Born during the year.
    deaths BIGINT NOT NULL -- [people] Died during the year (killed in war included).
    immigrants BIGINT NOT NULL -- [people] Arrived from other settlements.
    emigrants BIGINT NOT NULL -- [people] Left for other settlements.
    population_end BIGINT NOT NULL -- [people] Tier-1 people when the year ended.
    hardship DOUBLE NOT NULL -- [share] Hunger in its market over the year, 0 (fed) to 1.
    at_war BOOLEAN NOT NULL -- Its realm was at war during the year.
    """,
    description=(
        "Each settlement's yearly population account: population_end = population_start + "
        "births - deaths + immigrants - emigrants, every year (tested)."
    ),
    indexed=False,
    references={
        "settlement_id": "settlements",
    },
)
NPC_VITALS = declare(
    "npc_vitals",
    ("npc_id",),
    """
    npc_id BIGINT NOT NULL -- The person (npcs).
    born_tick BIGINT -- [tick] The day they were born; null for people of the generated world.
    died_tick BIGINT -- [tick] The day they died; null while they live.
    death_cause VARCHAR -- old_age, sickness, hunger, plague or war; null while they live.
    """,
    description=(
        "Tier-2 people born or dead since the world was generated (the dead keep their npcs "
        "row, with the age they died at)."
    ),
    references={
        "npc_id": "npcs",
    },
    indexed=False,
)
RULER_HISTORY = declare(
    "ruler_history",
    ("faction_id", "tick"),
    """
    faction_id INTEGER NOT NULL -- The faction (factions).
    tick BIGINT NOT NULL -- [tick] The day the seat changed hands.
    npc_id BIGINT -- The new leader (npcs); null when the seat stood empty.
    previous_npc_id BIGINT -- The leader before (npcs.npc_id); null when there was none.
    event_id BIGINT NOT NULL -- The succession (events).
    """,
    description="Every change of a faction's leader during simulate, with its event.",
    references={
        "npc_id": "npcs",
        "previous_npc_id": "npcs.npc_id",
        "event_id": "events",
    },
)
BORDER_HISTORY = declare(
    "border_history",
    ("region_id", "tick"),
    """
    region_id INTEGER NOT NULL -- The region (regions).
    tick BIGINT NOT NULL -- [tick] The day it changed hands.
    faction_id INTEGER -- The state holding it after (factions); null when none holds it.
    previous_faction_id INTEGER -- The state holding it before (factions.faction_id); null if none.
    event_id BIGINT NOT NULL -- The occupation or cession (events).
    """,
    description="Every change of a province's holder during simulate, with its event.",
    references={
        "faction_id": "factions",
        "previous_faction_id": "factions.faction_id",
        "event_id": "events",
    },
)
CHAOS_STATE = declare(
    "chaos_state",
    (),
    """
    next_record_id BIGINT NOT NULL -- The id the storyteller's next record gets.
    """,
    description="The chaos storyteller's memory between years: one row (not exported).",
    exported=False,
)
CHAOS_LOAD = declare(
    "chaos_load",
    ("region_id",),
    """
    region_id BIGINT NOT NULL -- A region with a load (regions).
    load DOUBLE NOT NULL -- [score] Importance of its recent events, decaying (paces chaos).
    """,
    description="How much has happened lately in each region, as the storyteller paces it.",
    exported=False,
    references={"region_id": "regions"},
)
CHAOS_RECENT = declare(
    "chaos_recent",
    ("region_id", "kind"),
    """
    region_id BIGINT NOT NULL -- The region (regions).
    kind VARCHAR NOT NULL -- A chaos kind (data/chaos.toml).
    tick BIGINT NOT NULL -- [tick] The day of its last record there.
    record_id BIGINT NOT NULL -- That record (chaos_events.record_id).
    """,
    description="The storyteller's last record of each kind in each region (what follows what).",
    exported=False,
    references={"region_id": "regions"},
)
CHAOS_DISCOVERED = declare(
    "chaos_discovered",
    ("poi_id",),
    """
    poi_id BIGINT NOT NULL -- A ruin that came to light (pois).
    """,
    description="Ruins the storyteller has revealed (a ruin is found once).",
    exported=False,
    references={"poi_id": "pois"},
)
CHAOS_EVENTS = declare(
    "chaos_events",
    ("record_id",),
    """
    record_id BIGINT NOT NULL -- A storyteller record's id.
    event_id BIGINT NOT NULL -- The event it became (events).
    """,
    description="Which event each chaos record became, so later records' causes find it.",
    exported=False,
    references={"event_id": "events"},
)
WAR_FACTIONS = declare(
    "war_factions",
    ("faction_id",),
    """
    faction_id BIGINT NOT NULL -- The faction (factions).
    suzerain_id BIGINT NOT NULL -- The faction it is a vassal of; -1 for none.
    exhaustion DOUBLE NOT NULL -- [share] War exhaustion, 0 (fresh) to 1 (spent).
    war_id BIGINT NOT NULL -- The war it fights in; -1 for none.
    side BIGINT NOT NULL -- Its side in that war: 0 the attacker's, 1 the defender's.
    """,
    description="The war room's memory of each faction between years (not exported).",
    exported=False,
)
WAR_PAIRS = declare(
    "war_pairs",
    ("a_id", "b_id"),
    """
    a_id BIGINT NOT NULL -- One faction (factions.faction_id), the lower id.
    b_id BIGINT NOT NULL -- The other faction (factions.faction_id), the higher id.
    tension DOUBLE NOT NULL -- [score] 0 (friendly) to 100 (hostile).
    memory DOUBLE NOT NULL -- [score] Grievance from old wars, decaying.
    allied BOOLEAN NOT NULL -- Allies.
    truce_until BIGINT NOT NULL -- [tick] No war before this day; -1 for no truce.
    incident_record BIGINT NOT NULL -- Their latest border incident record; -1 for none.
    incident_tick BIGINT NOT NULL -- [tick] Its day; -1 for none.
    bands_risen BIGINT NOT NULL -- [count] Tension bands the pair has reached.
    """,
    description="The war room's memory of each faction pair between years (not exported).",
    exported=False,
    indexed=False,
)
WAR_SETTLEMENTS = declare(
    "war_settlements",
    ("settlement_id",),
    """
    settlement_id BIGINT NOT NULL -- The settlement (settlements).
    owner_id BIGINT NOT NULL -- The state holding it; -1 for none.
    occupied_from BIGINT NOT NULL -- Whom it was taken from in the war under way; -1 if none.
    """,
    description="Who holds each settlement, for the war room (not exported).",
    exported=False,
)
WAR_REGIONS = declare(
    "war_regions",
    ("region_id",),
    """
    region_id BIGINT NOT NULL -- The region (regions).
    owner_id BIGINT NOT NULL -- The state holding it; -1 for none.
    """,
    description="Who holds each region, for the war room (not exported; provinces says it).",
    exported=False,
)
WAR_SOLDIERS = declare(
    "war_soldiers",
    ("faction_id", "settlement_id"),
    """
    faction_id BIGINT NOT NULL -- The faction whose army they serve in (factions).
    settlement_id BIGINT NOT NULL -- The settlement they came from (settlements).
    levies BIGINT NOT NULL -- [people] Levies under arms.
    professionals BIGINT NOT NULL -- [people] Professional soldiers under arms.
    """,
    description="Soldiers under arms by army and home settlement (not exported).",
    exported=False,
)
WAR_WARS = declare(
    "war_wars",
    ("war_id",),
    """
    war_id BIGINT NOT NULL -- The war's id.
    attacker BIGINT NOT NULL -- The faction that declared it (factions.faction_id).
    defender BIGINT NOT NULL -- The faction it was declared on (factions.faction_id).
    declared_tick BIGINT NOT NULL -- [tick] The day it was declared.
    last_record BIGINT NOT NULL -- Its latest war record (the cause of its next).
    offence BIGINT NOT NULL -- The side on the offensive: 0 attacker, 1 defender.
    position BIGINT NOT NULL -- Settlement the offensive army stands at; -1 for none.
    target BIGINT NOT NULL -- Settlement it marches on; -1 for none.
    arrival_tick BIGINT NOT NULL -- [tick] When it arrives.
    siege_id BIGINT NOT NULL -- Its siege under way; -1 for none.
    siege_record BIGINT NOT NULL -- That siege's record; -1 for none.
    siege_progress DOUBLE NOT NULL -- [share] 0 to 1 until the assault.
    attacker_dead BIGINT NOT NULL -- [people] Soldiers the attacker's side lost.
    defender_dead BIGINT NOT NULL -- [people] Soldiers the defender's side lost.
    """,
    description="Wars under way, for the war room (not exported; events tell their story).",
    exported=False,
)
WAR_TRIBUTES = declare(
    "war_tributes",
    ("war_id", "payer"),
    """
    war_id BIGINT NOT NULL -- The war whose peace set it.
    payer BIGINT NOT NULL -- The faction paying (factions.faction_id).
    payee BIGINT NOT NULL -- The faction paid (factions.faction_id).
    per_month DOUBLE NOT NULL -- [copper] Tribute a month.
    until_tick BIGINT NOT NULL -- [tick] Paid until this day.
    peace_record BIGINT NOT NULL -- The peace's war record.
    """,
    description="Tributes owed under peace terms (not exported).",
    exported=False,
)
WAR_COUNTERS = declare(
    "war_counters",
    (),
    """
    next_record_id BIGINT NOT NULL -- The war room's next record id.
    next_war_id BIGINT NOT NULL -- Its next war id.
    next_siege_id BIGINT NOT NULL -- Its next siege id.
    """,
    description="The war room's id counters: one row (not exported).",
    exported=False,
)
WAR_EVENTS = declare(
    "war_events",
    ("record_id",),
    """
    record_id BIGINT NOT NULL -- A war record's id.
    event_id BIGINT NOT NULL -- The event it became (events).
    """,
    description="Which event each war record became, so later records' causes find it.",
    exported=False,
    references={"event_id": "events"},
)
