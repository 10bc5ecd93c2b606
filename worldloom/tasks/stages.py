"""Which tables each generation stage writes, so a re-run stage clears what stood on it."""

from __future__ import annotations

STAGE_TABLES: dict[str, tuple[str, ...]] = {
    "terrain": ("cells", "rivers", "lakes"),
    "regions": ("regions", "locations", "prose_baseline"),
    "places": ("settlements", "pois", "routes", "sublocations"),
    "people": (
        "cultures",
        "region_cultures",
        "religions",
        "deities",
        "holy_sites",
        "religion_shares",
        "religion_relations",
        "population_groups",
        "npcs",
        "notable_bios",
        "factions",
        "provinces",
        "diplomacy",
        "people_prose_baseline",
    ),
    "economy": (
        "goods",
        "items",
        "recipes",
        "markets",
        "market_links",
        "market_goods",
        "market_prices",
        "market_price_periods",
        "trades",
        "caravans",
        "role_stats",
        "economy_ledger",
        "money_supply",
        "economy_health",
        "economy_agents",
        "economy_books",
    ),
    "gear": (
        "monsters",
        "magic_schools",
        "spells",
        "casters",
        "stat_blocks",
        "artifacts",
        "equipment",
        "inventories",
        "merchant_stock",
        "item_history",
        "poi_loot",
        "encounters",
    ),
}
"""In pipeline order. `cells` and `locations` are also rewritten by the next stage (region ids,
places in the tree); they belong to the stage that first writes them."""


HISTORY_TABLES: tuple[str, ...] = (
    "events",
    "population_history",
    "npc_vitals",
    "ruler_history",
    "border_history",
    "chaos_state",
    "chaos_load",
    "chaos_recent",
    "chaos_discovered",
    "chaos_events",
    "war_factions",
    "war_pairs",
    "war_settlements",
    "war_regions",
    "war_soldiers",
    "war_wars",
    "war_tributes",
    "war_counters",
    "war_events",
)
"""What simulate writes (it also changes the people's numbers, lives and leaders and the
settlements' sizes in place). It stands on the people: a stage up to them made again clears
it. The economy and gear stages leave it (simulate runs them itself; a world's past does not
change when its markets or gear are made again)."""
HISTORY_STANDS_ON = "people"

STORY_TABLES: tuple[str, ...] = (
    "arcs",
    "arc_events",
    "arc_roles",
    "arc_partials",
    "rumors",
    "rumor_versions",
    "rumor_beliefs",
    "rumor_frontier",
    "memories",
    "reflections",
    "quests",
    "quest_steps",
    "motifs",
    "region_motifs",
    "dialogue_lines",
    "narrative_state",
)
"""What the stories write, all read from the history: cleared with it."""


def downstream_tables(stage: str) -> tuple[str, ...]:
    """The tables of every stage after `stage`, and the history (with the stories told from
    it) if it stands on `stage`: stale once `stage` runs again."""
    stages = list(STAGE_TABLES)
    later = stages[stages.index(stage) + 1 :]
    stands = stages.index(stage) <= stages.index(HISTORY_STANDS_ON)
    history = HISTORY_TABLES + STORY_TABLES if stands else ()
    return tuple(table for name in later for table in STAGE_TABLES[name]) + history
