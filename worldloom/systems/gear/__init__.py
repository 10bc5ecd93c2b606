"""Gear: item instances priced in the world's markets, nested loot tables and every room's
contents, equipment by profession, wealth and culture, inventories within carrying capacity,
merchants' stock from the economy's holdings, named artifacts with their histories, and the
gear stage's composer (`generate_gear`), which adds magic, stat blocks and encounters."""

from __future__ import annotations

from worldloom.systems.gear.composer import Gear, GearTables, GearWorld, generate_gear
from worldloom.systems.gear.item import ItemMaker, Pricing, item_ids
from worldloom.systems.gear.loot import LOOT_SCHEMA, expected_room_value, roll_loot
from worldloom.systems.gear.loot_table import DANGER_LEVELS, LootTable
from worldloom.systems.gear.site import loot_rooms
from worldloom.systems.gear.table import GearTable

__all__ = [
    "DANGER_LEVELS",
    "LOOT_SCHEMA",
    "Gear",
    "GearTable",
    "GearTables",
    "GearWorld",
    "ItemMaker",
    "LootTable",
    "Pricing",
    "expected_room_value",
    "generate_gear",
    "item_ids",
    "loot_rooms",
    "roll_loot",
]
