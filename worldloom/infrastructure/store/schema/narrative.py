"""Narrative tables (stories): arcs sifted from the event log, quests from NPCs' motivations,
rumors and who believes them, notables' memories and reflections, motifs, and dialogue."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

ARCS = declare(
    "arcs",
    ("arc_id",),
    """
    arc_id BIGINT NOT NULL -- The arc's id, in the order its first event happened.
    pattern VARCHAR NOT NULL -- The sifting pattern it matches (data/arcs.toml).
    status VARCHAR NOT NULL -- in_progress, complete, or ended (an unless or a window closed it).
    stage SMALLINT NOT NULL -- [count] Stages of the pattern matched so far.
    stages SMALLINT NOT NULL -- [count] Stages the pattern has.
    start_tick BIGINT NOT NULL -- [tick] The day of its first event.
    last_tick BIGINT NOT NULL -- [tick] The day of its latest event.
    importance TINYINT NOT NULL -- [level] 1 (a footnote) to 10 (an age's turning point).
    motifs VARCHAR[] NOT NULL -- Its themes, strongest first (data/motifs.toml).
    title VARCHAR NOT NULL -- A one-line title naming its protagonists.
    summary VARCHAR NOT NULL -- What happened so far, in a few sentences (procedural or LLM).
    """,
    description=(
        "Stories found in the event log by sifting patterns (data/arcs.toml): a war from its "
        "first incident to peace, a succession crisis, a famine that drove a migration... An "
        "arc in progress is a partial match that later events may complete."
    ),
    indexed=False,
)
ARC_EVENTS = declare(
    "arc_events",
    ("arc_id", "event_id"),
    """
    arc_id BIGINT NOT NULL -- The arc (arcs).
    event_id BIGINT NOT NULL -- One of its events (events).
    stage SMALLINT NOT NULL -- [count] The pattern's stage it matched, from 0.
    step VARCHAR NOT NULL -- That stage's name in the pattern.
    """,
    description="The events each arc is made of, stage by stage.",
    references={"arc_id": "arcs", "event_id": "events"},
    indexed=False,
)
ARC_ROLES = declare(
    "arc_roles",
    ("arc_id", "role"),
    """
    arc_id BIGINT NOT NULL -- The arc (arcs).
    role VARCHAR NOT NULL -- The pattern's variable (e.g. attacker, heir, village).
    npc_id BIGINT -- The person in the role (npcs); null when the role is not a person.
    faction_id INTEGER -- The faction in the role (factions); null when not a faction.
    settlement_id INTEGER -- The settlement in the role (settlements); null when not one.
    region_id INTEGER -- The region in the role (regions); null when not a region.
    poi_id INTEGER -- The point of interest in the role (pois); null when not one.
    """,
    description="Who and where each arc's roles are bound to (exactly one id per row).",
    references={
        "arc_id": "arcs",
        "npc_id": "npcs",
        "faction_id": "factions",
        "settlement_id": "settlements",
        "region_id": "regions",
        "poi_id": "pois",
    },
    indexed=False,
)
ARC_PARTIALS = declare(
    "arc_partials",
    ("arc_id",),
    """
    arc_id BIGINT NOT NULL -- The match's id (its arc's id once it has enough stages to be one).
    pattern VARCHAR NOT NULL -- The sifting pattern it follows (data/arcs.toml).
    stage SMALLINT NOT NULL -- [count] Stages of the pattern matched so far.
    event_ids BIGINT[] NOT NULL -- Its events (events.event_id), in the order they joined it.
    event_stages SMALLINT[] NOT NULL -- [count] The stage each of them matched, from 0.
    event_ticks BIGINT[] NOT NULL -- [tick] The day each of them happened.
    event_importances TINYINT[] NOT NULL -- [level] The importance of each of them.
    bindings VARCHAR NOT NULL -- Its variables' values, as space-separated var=id pairs.
    """,
    description=(
        "The sifting's open matches, surfaced as arcs or not yet: what the next year's "
        "sifting resumes from (not exported)."
    ),
    exported=False,
)
QUESTS = declare(
    "quests",
    ("quest_id",),
    """
    quest_id BIGINT NOT NULL -- The quest's id.
    giver_npc_id BIGINT NOT NULL -- The NPC who offers it (npcs.npc_id).
    settlement_id INTEGER NOT NULL -- Where the giver lives and offers it (settlements).
    motivation VARCHAR NOT NULL -- One of Doran and Parberry's nine (data/quests.toml).
    strategy VARCHAR NOT NULL -- How the motivation expands into steps (data/quests.toml).
    arc_id BIGINT -- The arc whose next step it is (arcs); null when none.
    cause_event_id BIGINT -- The event behind the motivation (events.event_id); null: their station.
    difficulty_level TINYINT NOT NULL -- [level] 1 (an errand) to 10 (deadly), by its targets.
    reward DOUBLE NOT NULL -- [copper] The reward, priced in the giver's market.
    reward_item_id BIGINT -- An item given besides the money (items); null when none.
    issued_tick BIGINT NOT NULL -- [tick] The day it was first offered.
    status VARCHAR NOT NULL -- open, or closed (a target is gone, or its cause resolved).
    closed_tick BIGINT -- [tick] The day it was closed; null while open.
    closed_reason VARCHAR -- Why it was closed; null while open.
    title VARCHAR NOT NULL -- A one-line title.
    text VARCHAR NOT NULL -- How the giver asks for it (procedural or LLM).
    """,
    description=(
        "Quests offered by NPCs from a motivation the world state explains (Doran and "
        "Parberry's nine), expanded by a strategy into steps with real targets."
    ),
    references={
        "giver_npc_id": "npcs.npc_id",
        "settlement_id": "settlements",
        "arc_id": "arcs",
        "cause_event_id": "events.event_id",
        "reward_item_id": "items.item_id",
    },
    indexed=False,
)
QUEST_STEPS = declare(
    "quest_steps",
    ("quest_id", "position"),
    """
    quest_id BIGINT NOT NULL -- The quest (quests).
    position SMALLINT NOT NULL -- [count] Its place in the quest's order, from 0.
    action VARCHAR NOT NULL -- goto, kill, gather, escort, deliver, spy, talk, defend, use...
    npc_id BIGINT -- The person the step is about (npcs); null when none.
    settlement_id INTEGER -- The settlement it happens in or leads to (settlements); null when none.
    poi_id INTEGER -- The point of interest it leads to (pois); null when none.
    item_id BIGINT -- The item to gather, deliver or use (items); null when none.
    monster VARCHAR -- A bestiary kind to kill (monsters.monster, remade with the gear); or null.
    qty INTEGER NOT NULL -- [count] How many (items to gather, monsters to kill); 1 otherwise.
    text VARCHAR NOT NULL -- The step as a journal line.
    """,
    description="Each quest's steps in order, every target a real entity.",
    references={
        "quest_id": "quests",
        "npc_id": "npcs",
        "settlement_id": "settlements",
        "poi_id": "pois",
        "item_id": "items",
    },
    indexed=False,
)
RUMORS = declare(
    "rumors",
    ("rumor_id",),
    """
    rumor_id BIGINT NOT NULL -- The rumor's id.
    event_id BIGINT NOT NULL -- The true event it tells of (events).
    origin_settlement_id INTEGER NOT NULL -- Where it was first told (settlements.settlement_id).
    start_tick BIGINT NOT NULL -- [tick] The day it was first told.
    """,
    description="Rumors: each starts from an important event and travels along routes.",
    references={"event_id": "events", "origin_settlement_id": "settlements.settlement_id"},
    indexed=False,
)
RUMOR_VERSIONS = declare(
    "rumor_versions",
    ("rumor_id", "version"),
    """
    rumor_id BIGINT NOT NULL -- The rumor (rumors).
    version SMALLINT NOT NULL -- [count] 0 is the truth; each distortion makes a new version.
    parent_version SMALLINT -- [count] The version it was distorted from; null for the truth.
    settlement_id INTEGER NOT NULL -- Where this version was first told (settlements).
    tick BIGINT NOT NULL -- [tick] The day this version was first told.
    distortion VARCHAR NOT NULL -- none, actor, place or number: what the retelling changed.
    field VARCHAR -- The detail changed (e.g. settlement_id, dead); null for the truth.
    true_value VARCHAR -- The detail's true value; null for the truth.
    told_value VARCHAR -- The value this version tells instead; null for the truth.
    is_true BOOLEAN NOT NULL -- This version tells the event as it happened.
    text VARCHAR NOT NULL -- The rumor as people tell it (procedural or LLM).
    """,
    description="Every version of every rumor, with the distortion that made it.",
    references={"rumor_id": "rumors", "settlement_id": "settlements"},
    indexed=False,
)
RUMOR_BELIEFS = declare(
    "rumor_beliefs",
    ("rumor_id", "settlement_id"),
    """
    rumor_id BIGINT NOT NULL -- The rumor (rumors).
    settlement_id INTEGER NOT NULL -- A settlement it reached (settlements).
    version SMALLINT NOT NULL -- [count] The version people there believe (rumor_versions).
    heard_tick BIGINT NOT NULL -- [tick] The day it arrived there.
    confidence DOUBLE NOT NULL -- [share] How firmly they believe it, 0 to 1.
    """,
    description="Who believes what, where: the version of each rumor each settlement holds.",
    references={"rumor_id": "rumors", "settlement_id": "settlements"},
    indexed=False,
)
RUMOR_FRONTIER = declare(
    "rumor_frontier",
    ("rumor_id", "settlement_id"),
    """
    rumor_id BIGINT NOT NULL -- The rumor (rumors).
    settlement_id INTEGER NOT NULL -- A settlement it reaches after the world's tick (settlements).
    version SMALLINT NOT NULL -- [count] The version people there will believe (rumor_versions).
    heard_tick BIGINT NOT NULL -- [tick] The day it will arrive there.
    confidence DOUBLE NOT NULL -- [share] How firmly they will believe it, 0 to 1.
    new_version BOOLEAN NOT NULL -- The version is first told there (the columns below describe it).
    parent_version SMALLINT -- [count] Its parent version; null for the truth or not new_version.
    distortion VARCHAR -- none, actor, place or number; null when not new_version.
    field VARCHAR -- The detail changed; null for the truth or when not new_version.
    true_value VARCHAR -- The detail's true value; null for the truth or when not new_version.
    told_value VARCHAR -- The value this version tells; null for the truth or when not new_version.
    is_true BOOLEAN -- This version tells the event as it happened; null when not new_version.
    text VARCHAR -- The rumor as people will tell it; null when not new_version.
    """,
    description=(
        "Where rumors will arrive after the world's tick: a rumor's whole journey is drawn when "
        "it starts, and each run moves the arrivals it has reached into rumor_beliefs and "
        "rumor_versions (not exported)."
    ),
    exported=False,
    references={"rumor_id": "rumors", "settlement_id": "settlements"},
)
MEMORIES = declare(
    "memories",
    ("memory_id",),
    """
    memory_id BIGINT NOT NULL -- The memory's id.
    npc_id BIGINT NOT NULL -- The notable who remembers (npcs).
    event_id BIGINT NOT NULL -- The event remembered (events).
    tick BIGINT NOT NULL -- [tick] The day they took part in it or heard of it.
    how VARCHAR NOT NULL -- took_part, witnessed (at home, or their kin's) or heard (by rumor).
    importance TINYINT NOT NULL -- [level] 1 to 10, as it matters to them.
    topics VARCHAR[] NOT NULL -- Keywords retrieval matches a topic against.
    text VARCHAR NOT NULL -- The memory in their words.
    """,
    description=(
        "What each notable remembers (Generative Agents' memory stream): retrieval scores "
        "recency (exponential decay), importance and relevance to a topic."
    ),
    references={"npc_id": "npcs", "event_id": "events"},
    indexed=False,
)
REFLECTIONS = declare(
    "reflections",
    ("reflection_id",),
    """
    reflection_id BIGINT NOT NULL -- The reflection's id.
    npc_id BIGINT NOT NULL -- The notable who reflected (npcs).
    tick BIGINT NOT NULL -- [tick] The day of the reflection.
    memory_ids BIGINT[] NOT NULL -- The memories it draws on (memories.memory_id).
    text VARCHAR NOT NULL -- The insight, in their words.
    source VARCHAR NOT NULL -- procedural or llm.
    """,
    description=(
        "Notables' reflections: written when the importance of their recent memories passes "
        "a threshold."
    ),
    references={"npc_id": "npcs"},
    indexed=False,
)
MOTIFS = declare(
    "motifs",
    ("motif",),
    """
    motif VARCHAR NOT NULL -- A theme (data/motifs.toml): war, betrayal, decay, rebirth...
    score DOUBLE NOT NULL -- [share] Its weight in the world's history (the scores sum to 1).
    events INTEGER NOT NULL -- [count] Events that carry it.
    """,
    description="The themes of the world's history, scored from its events.",
)
REGION_MOTIFS = declare(
    "region_motifs",
    ("region_id", "motif"),
    """
    region_id INTEGER NOT NULL -- The region (regions).
    motif VARCHAR NOT NULL -- A theme (motifs).
    score DOUBLE NOT NULL -- [share] Its weight in the region's history (they sum to 1).
    events INTEGER NOT NULL -- [count] The region's events that carry it.
    """,
    description="The themes of each region's history, scored from the events that happened there.",
    references={"region_id": "regions"},
)
DIALOGUE_LINES = declare(
    "dialogue_lines",
    ("npc_id", "node", "position"),
    """
    npc_id BIGINT NOT NULL -- The notable speaking (npcs).
    node VARCHAR NOT NULL -- The conversation (a Yarn Spinner node title).
    position SMALLINT NOT NULL -- [count] The line's place in the node, from 0.
    kind VARCHAR NOT NULL -- greeting, rumor, quest, memory or farewell.
    rumor_id BIGINT -- The rumor it repeats (rumors); null when none.
    quest_id BIGINT -- The quest it offers (quests); null when none.
    memory_id BIGINT -- The memory it tells (memories); null when none.
    text VARCHAR NOT NULL -- The line (grounded: every name in it is an entity of the world).
    source VARCHAR NOT NULL -- procedural or llm.
    """,
    description=(
        "What each notable says: greetings, the rumors they repeat, their quest offers and "
        "memories; the snapshot also holds them as Yarn Spinner scripts (dialogue/*.yarn)."
    ),
    references={
        "npc_id": "npcs",
        "rumor_id": "rumors",
        "quest_id": "quests",
        "memory_id": "memories",
    },
)
NARRATIVE_STATE = declare(
    "narrative_state",
    ("system",),
    """
    system VARCHAR NOT NULL -- The narrative system: arcs, rumors, memories or quests.
    last_event_id BIGINT NOT NULL -- The last event it has read (events.event_id); -1 for none yet.
    tick BIGINT NOT NULL -- [tick] The world's tick it has told its stories up to.
    """,
    description=(
        "Where each narrative system stopped reading the event log (not exported): each "
        "reads on from there, so its tables end the same however the years were split."
    ),
    exported=False,
)
