"""Small hand-built economies for the market and economy tests (the shipped tables are bigger)."""

from __future__ import annotations

from typing import Any

import numpy as np

from worldloom.systems.economy import (
    EconomyRules,
    GoodsTable,
    Markets,
    RecipeBook,
    TradeLinks,
    Tuning,
    compile_rules,
)

TIERS = [
    {"key": "crude", "value": 0.6, "share": 0.2},
    {"key": "common", "value": 1.0, "share": 0.6},
    {"key": "fine", "value": 1.8, "share": 0.15},
    {"key": "masterwork", "value": 3.5, "share": 0.05},
]


def good(key: str, category: str, value: float, **extra: Any) -> dict[str, Any]:
    row = {"key": key, "name": key.title(), "category": category, "value": value, "weight": 1.0}
    row.update({"perish": 0.0, "nutrition": 0.0})
    row.update(extra)
    return row


VILLAGE_GOODS = [
    good("grain", "food", 3, nutrition=1.0, perish=0.01),
    good("bread", "food", 7, nutrition=2.5, perish=0.05),
    good("timber", "raw", 2, weight=5.0),
    good("tools", "tool", 30, weight=2.0),
    good("ale", "drink", 5, nutrition=0.5, perish=0.02),
]
VILLAGE_RECIPES: dict[str, Any] = {
    "recipe": [
        {
            "key": "farm_grain",
            "profession": "farmer",
            "inputs": {},
            "outputs": {"grain": 4},
            "resource": "grain",
            "tool": "tools",
            "wear": 0.05,
            "labor": 4,
            "time": 1,
        },
        {
            "key": "bake_bread",
            "profession": "innkeeper",
            "inputs": {"grain": 3},
            "outputs": {"bread": 3},
            "labor": 5,
            "time": 1,
        },
        {
            "key": "brew_ale",
            "profession": "innkeeper",
            "inputs": {"grain": 2},
            "outputs": {"ale": 3},
            "labor": 3,
            "time": 1,
        },
        {
            "key": "cut_timber",
            "profession": "woodcutter",
            "inputs": {},
            "outputs": {"timber": 4},
            "resource": "timber",
            "labor": 4,
            "time": 1,
        },
        {
            "key": "forge_tools",
            "profession": "smith",
            "inputs": {"timber": 4},
            "outputs": {"tools": 1},
            "labor": 18,
            "time": 2,
        },
    ],
    "need": [{"profession": "guard", "good": "tools", "per_tick": 0.02}],
    "consumption": {"food_per_tick": 1.0, "comfort_categories": ["drink"], "comfort_every": 5},
}
PROFESSIONS = ("farmer", "innkeeper", "woodcutter", "smith", "guard", "merchant")


def village_rules(tuning: Tuning | None = None) -> EconomyRules:
    goods = GoodsTable.from_mapping({"tier": TIERS, "good": VILLAGE_GOODS})
    book = RecipeBook.from_mapping(
        VILLAGE_RECIPES,
        goods=goods,
        professions=PROFESSIONS,
        resources=("grain", "timber"),
        biomes=("grassland",),
    )
    return compile_rules(goods, book, tuning=tuning)


def markets(count: int, *, agents: int = 24, resources: frozenset[str] | None = None) -> Markets:
    land = resources if resources is not None else frozenset({"grain", "timber"})
    return Markets(
        ids=np.arange(count, dtype=np.int64) + 100,
        biome=("grassland",) * count,
        resources=(land,) * count,
        agents=np.full(count, agents, dtype=np.int64),
    )


def ring_links(count: int, *, days: int = 2) -> TradeLinks:
    src = np.arange(count, dtype=np.int64)
    dst = (src + 1) % count
    return TradeLinks(
        src=np.r_[src, dst],
        dst=np.r_[dst, src],
        days=np.full(2 * count, days, dtype=np.int64),
        danger=np.full(2 * count, 2.0),
        toll=np.full(2 * count, 0.05),
    )


ONE_GOOD = [good("grain", "food", 10, nutrition=1.0)]
ONE_GOOD_RECIPES: dict[str, Any] = {
    "recipe": [
        {
            "key": "farm_grain",
            "profession": "farmer",
            "inputs": {},
            "outputs": {"grain": 4},
            "resource": "grain",
            "labor": 40,
            "time": 1,
        },
    ],
    "consumption": {"food_per_tick": 1.0, "comfort_categories": [], "comfort_every": 5},
}


def one_good_rules(tuning: Tuning | None = None) -> EconomyRules:
    """Farmers grow grain at 10 copper a unit (times their own cost scale); everyone eats it."""
    goods = GoodsTable.from_mapping({"tier": TIERS, "good": ONE_GOOD})
    book = RecipeBook.from_mapping(
        ONE_GOOD_RECIPES,
        goods=goods,
        professions=PROFESSIONS,
        resources=("grain",),
        biomes=("grassland",),
    )
    return compile_rules(goods, book, tuning=tuning)


TINY_LANDS = (
    ("grassland", {"grain", "herbs", "timber"}),
    ("temperate_forest", {"game", "timber", "herbs", "furs"}),
    ("wetland", {"fish", "peat", "grain"}),
    ("grassland", {"grain", "stone", "salt"}),
    ("taiga", {"game", "timber", "ore"}),
    ("steppe", {"grain", "game", "gems"}),
    ("grassland", {"grain", "fish", "herbs"}),
    ("shrubland", {"herbs", "stone", "ore", "salt"}),
)
"""Biomes and resources of a tiny world's eight markets: some farm, some fish, hunt or mine."""


def tiny_world(*, agents: int = 18) -> tuple[Markets, TradeLinks]:
    """Eight markets of the shipped goods and recipes in a ring with two cross roads (one into
    another realm), each with `agents` agents: the size of a tiny preset's economy."""
    count = len(TINY_LANDS)
    places = Markets(
        ids=np.arange(count, dtype=np.int64),
        biome=tuple(biome for biome, _ in TINY_LANDS),
        resources=tuple(frozenset(land) for _, land in TINY_LANDS),
        agents=np.full(count, agents, dtype=np.int64),
    )
    a = np.r_[np.arange(count), 0, 2]
    b = np.r_[(np.arange(count) + 1) % count, 4, 6]
    days = np.r_[np.tile([2, 3, 1, 4], count // 4), 5, 6].astype(np.int64)
    return places, TradeLinks(
        src=np.r_[a, b],
        dst=np.r_[b, a],
        days=np.r_[days, days],
        danger=np.full(2 * a.size, 2.0),
        toll=np.where(np.r_[a, b] == 2, 0.05, 0.0),
    )
