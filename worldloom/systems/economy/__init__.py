"""The economy: goods and recipes, markets and their sites, an agent double-auction
economy ticked over every market at once, and caravans between markets."""

from __future__ import annotations

from worldloom.systems.economy.crafting import CraftingError, RecipeBook, yield_multiplier
from worldloom.systems.economy.item import (
    CATEGORIES,
    GRADED,
    TIER_STRIDE,
    GoodsTable,
    build_item_catalog,
)
from worldloom.systems.economy.market import Orders, clear_books
from worldloom.systems.economy.market_site import (
    MarketLayout,
    RouteChains,
    SettlementSites,
    linked,
    locate_markets,
)
from worldloom.systems.economy.rules import EconomyRules, Tuning, compile_rules
from worldloom.systems.economy.simulation import seed_economy, simulate_economy
from worldloom.systems.economy.slots import OUTPUT, SPARE, SPARE_SLOTS, build_slots
from worldloom.systems.economy.state import EconomyRun, EconomyState, Markets, TradeLinks

__all__ = [
    "CATEGORIES",
    "GRADED",
    "OUTPUT",
    "SPARE",
    "SPARE_SLOTS",
    "TIER_STRIDE",
    "CraftingError",
    "EconomyRules",
    "EconomyRun",
    "EconomyState",
    "GoodsTable",
    "MarketLayout",
    "Markets",
    "Orders",
    "RecipeBook",
    "RouteChains",
    "SettlementSites",
    "TradeLinks",
    "Tuning",
    "build_item_catalog",
    "build_slots",
    "clear_books",
    "compile_rules",
    "linked",
    "locate_markets",
    "seed_economy",
    "simulate_economy",
    "yield_multiplier",
]
