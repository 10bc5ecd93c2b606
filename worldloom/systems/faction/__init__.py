"""Factions and diplomacy: states grown over regions, orders, guilds and outlaws, their
leaders, and a tension and status for every pair."""

from __future__ import annotations

from worldloom.systems.faction.diplomacy import (
    STATUSES,
    VASSAL_POWER_RATIO,
    WAR_TENSION,
    Diplomacy,
    generate_diplomacy,
)
from worldloom.systems.faction.faction import NO_STATE, Factions, generate_factions, grow_states
from worldloom.systems.faction.table import FactionTable

__all__ = [
    "NO_STATE",
    "STATUSES",
    "VASSAL_POWER_RATIO",
    "WAR_TENSION",
    "Diplomacy",
    "FactionTable",
    "Factions",
    "generate_diplomacy",
    "generate_factions",
    "grow_states",
]
