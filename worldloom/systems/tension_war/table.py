"""The war seed table: what moves tension, when wars start and end, how armies are raised, march
and fight, and the fighters' sheets (`data/war.toml`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from worldloom.systems.combat import ATTRIBUTES, Sheets, StatBlocks, derive_stat_blocks

TIERS = ("hamlet", "village", "town", "city", "capital")
"""Settlement tiers (settlements.tier)."""
FIGHTERS = ("levy", "professional", "guard")
"""The fighter sheets, in the order of `WarTable.blocks`."""
LEVY, PROFESSIONAL, GUARD = range(3)

_TENSION = (
    "baseline", "reversion_per_year", "border", "culture", "religion", "trade", "memory",
    "memory_half_life_years", "noise_per_month", "incident", "incident_blame",
    "border_incident_per_year",
    "border_incident_tension",
)  # fmt: skip
_WAR = (
    "threshold", "declare_per_year", "ally_join", "ally_tension", "alliance_per_year",
    "alliance_breaks", "enemy_tension", "pact_per_year", "pact_tension_drop", "truce_years",
    "after_war_tension", "memory_per_war", "peace_exhaustion", "peace_per_year",
    "exhaustion_per_year", "exhaustion_per_dead", "exhaustion_per_lost",
    "exhaustion_recovery_per_year", "tribute_gap", "tribute_copper_per_person_year",
    "tribute_years", "stalemate_years", "vassal_gap", "vassal_might_ratio",
)  # fmt: skip
_ARMY = (
    "levy_men", "levy_women", "guards_march", "professionals", "upkeep_levy",
    "upkeep_professional", "march_speed", "battle_rounds", "assault_rounds", "militia_share",
    "sack_share",
)  # fmt: skip
_SHARES = (
    "levy_men",
    "levy_women",
    "guards_march",
    "professionals",
    "militia_share",
    "sack_share",
    "ally_join",
    "reversion_per_year",
    "incident_blame",
)
_TENSIONS = (
    "baseline",
    "threshold",
    "ally_tension",
    "alliance_breaks",
    "enemy_tension",
    "after_war_tension",
)


@dataclass(frozen=True, slots=True)
class WarTable:
    """`data/war.toml`, validated. `tension`, `war` and `army` hold its numbers by name (see
    the file for what each means)."""

    tension: Mapping[str, float]
    war: Mapping[str, float]
    army: Mapping[str, float]
    rose_bands: tuple[float, ...]
    bands: tuple[float, ...]
    """Upper bounds of ally, friendly, neutral, suspicious and rival; enemy above."""
    fortification: Mapping[str, int]
    siege_days: Mapping[str, float]
    elevation_steps: tuple[float, ...]
    blocks: StatBlocks
    """One stat block per `FIGHTERS`, by the combat room's rules."""

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> WarTable:
        """Validate a parsed `war.toml`.

        Raises:
            ValueError: a missing or malformed number, a share outside [0, 1], a tension
                outside 0-100, bands that do not ascend, a missing tier or fighter; the message
                names the field.
        """
        tension = _numbers(table, "tension", _TENSION)
        war = _numbers(table, "war", _WAR)
        army = _numbers(table, "army", _ARMY)
        for name in _SHARES:
            value = {**tension, **war, **army}[name]
            if value > 1.0:
                raise ValueError(f"war.toml: {name} is a share and must lie in [0, 1]")
        for name in _TENSIONS:
            value = {**tension, **war}[name]
            if value > 100.0:
                raise ValueError(f"war.toml: {name} is a tension and must lie in 0-100")
        if min(army["march_speed"], army["battle_rounds"], army["assault_rounds"]) <= 0:
            raise ValueError("war.toml: march_speed, battle_rounds and assault_rounds must be > 0")
        section = _section(table, "tension")
        rose = _ascending(section.get("rose_bands"), "tension.rose_bands")
        bands = _ascending(section.get("bands"), "tension.bands")
        if len(bands) != 5:
            raise ValueError("war.toml: tension.bands needs 5 bounds")
        fortification = {tier: int(v) for tier, v in _tiers(table, "fortification").items()}
        siege_days = _tiers(table, "siege_days")
        if min(siege_days.values()) <= 0:
            raise ValueError("war.toml: siege_days must be positive")
        steps = _ascending(_section(table, "terrain").get("elevation_m"), "terrain.elevation_m")
        fighters = table.get("fighter")
        if not isinstance(fighters, list) or [
            f.get("role") if isinstance(f, Mapping) else None for f in fighters
        ] != list(FIGHTERS):
            raise ValueError(f"war.toml: [[fighter]] must list {list(FIGHTERS)} in that order")
        return cls(
            tension=tension,
            war=war,
            army=army,
            rose_bands=rose,
            bands=bands,
            fortification=fortification,
            siege_days=siege_days,
            elevation_steps=steps,
            blocks=derive_stat_blocks(_sheets(fighters)),
        )


def _section(table: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = table.get(name)
    if not isinstance(section, Mapping):
        raise ValueError(f"war.toml: needs a [{name}] table")
    return section


def _numbers(table: Mapping[str, Any], name: str, keys: tuple[str, ...]) -> dict[str, float]:
    section = _section(table, name)
    numbers = {}
    for key in keys:
        value = section.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"war.toml: {name}.{key} must be a number")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"war.toml: {name}.{key} must be finite and non-negative")
        numbers[key] = float(value)
    return numbers


def _ascending(raw: Any, where: str) -> tuple[float, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"war.toml: {where} needs a list of numbers")
    values = tuple(float(v) for v in raw)
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(f"war.toml: {where} must ascend")
    return values


def _tiers(table: Mapping[str, Any], name: str) -> dict[str, float]:
    section = _section(table, name)
    if set(section) != set(TIERS):
        raise ValueError(f"war.toml: [{name}] needs exactly the tiers {list(TIERS)}")
    values = {}
    for tier in TIERS:
        value = section[tier]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"war.toml: {name}.{tier} must be a non-negative number")
        values[tier] = float(value)
    return values


def _sheets(fighters: list[Any]) -> Sheets:
    rows = []
    for raw in fighters:
        attributes = raw.get("attributes", {})
        if set(attributes) != set(ATTRIBUTES) or not all(
            isinstance(v, int) and 1 <= v <= 30 for v in attributes.values()
        ):
            raise ValueError(f"war.toml: fighter {raw['role']!r} needs the six attributes, 1-30")
        level = raw.get("level")
        if not isinstance(level, int) or not 0 <= level <= 20:
            raise ValueError(f"war.toml: fighter {raw['role']!r} needs a level 0-20")
        rows.append((raw, attributes, level))
    count = len(rows)

    def column(key: str, dtype: type) -> Any:
        return np.array([raw.get(key, 0) for raw, _, _ in rows], dtype=dtype)

    return Sheets(
        attributes=np.array(
            [[attrs[a] for a in ATTRIBUTES] for _, attrs, _ in rows], dtype=np.int8
        ).reshape(count, len(ATTRIBUTES)),
        level=np.array([level for _, _, level in rows], dtype=np.int64),
        hit_die=column("hit_die", np.float64),
        martial=column("martial", np.bool_),
        armour_ac=column("armour_ac", np.int64),
        max_dex=column("max_dex", np.int64),
        shield=column("shield", np.int64),
        ward=column("ward", np.int64),
        weapon_damage=column("weapon_damage", np.float64),
        finesse=column("finesse", np.bool_),
        weapon_bonus=np.zeros(count, dtype=np.int64),
        spell_damage=np.zeros(count),
        spell_targets=np.zeros(count, dtype=np.int64),
        heal=np.zeros(count),
        spell_uses=np.zeros(count, dtype=np.int64),
    )
