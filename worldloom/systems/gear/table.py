"""The gear seed table: carrying, condition, slots and what they hold, weapon and armour numbers,
materials, kits by profession and culture, packs, and artifacts (`data/gear.toml`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from worldloom.systems.economy import GRADED, GoodsTable

NONE = "none"
"""A kit option that leaves its slot empty."""
UNARMED = "unarmed"
"""The weapon of an empty main hand."""


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a worn or held item goes, and the goods that may go there."""

    key: str
    goods: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Weapon:
    damage: float
    """Average of its damage die."""
    finesse: bool


@dataclass(frozen=True, slots=True)
class Armour:
    ac: int
    """Armour class worn (0 for a shield)."""
    max_dex: int
    shield: int


@dataclass(frozen=True, slots=True)
class Material:
    key: str
    weight: float
    value: float
    """Multiplier on the item's price."""


@dataclass(frozen=True, slots=True)
class PackEntry:
    """A good a profession may carry: `low`..`high` units with `chance`."""

    good: str
    low: int
    high: int
    chance: float


@dataclass(frozen=True, slots=True)
class ArtifactRules:
    settlements_per_artifact: float
    sites_per_artifact: float
    min_count: int
    living_maker: float
    """Share of artifacts made by a living NPC (the rest by makers long dead)."""
    lost: float
    """Share lying lost in a dungeon, lair or ruin room rather than held."""
    max_owners: int
    min_owner_age: int
    ancient_years: tuple[int, int]
    goods: Mapping[str, float]
    materials: Mapping[str, float]
    """Material -> value multiplier."""
    names: tuple[str, ...]
    adjectives: tuple[str, ...]
    nouns: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class GearTable:
    """`data/gear.toml`, validated against the goods."""

    kg_per_strength: float
    child_share: float
    coin_kg: float
    purse_share: float
    purse_max: int
    max_wear: float
    loot_wear: float
    value_floor: float
    quality_power: float
    choice_power: float
    min_ratio: float
    max_ratio: float
    slots: tuple[Slot, ...]
    weapons: Mapping[str, Weapon]
    armour: Mapping[str, Armour]
    quality_bonus: Mapping[str, int]
    materials: Mapping[str, tuple[Material, ...]]
    kits: Mapping[str, Mapping[str, Mapping[str, float]]]
    """Profession (or "default") -> slot -> good (or NONE) -> weight."""
    culture: Mapping[str, Mapping[str, float]]
    packs: Mapping[str, tuple[PackEntry, ...]]
    artifacts: ArtifactRules

    @classmethod
    def from_mapping(
        cls,
        table: Mapping[str, Any],
        *,
        goods: GoodsTable,
        professions: Sequence[str],
        culture_types: Sequence[str],
    ) -> GearTable:
        """Validate a parsed `gear.toml`.

        Raises:
            ValueError: an unknown good, slot, profession or culture type; a good in a slot it
                may not go in; a worn good without its combat numbers; a bad number.
        """
        known = set(goods.keys())
        graded = {g.key for g in goods.goods if g.category in GRADED}
        slots = tuple(_slot(raw, graded) for raw in _list(table, "slot"))
        legal = {s.key: set(s.goods) for s in slots}
        weapons = {str(k): _weapon(k, v) for k, v in _section(table, "weapons").items()}
        armour = {str(k): _armour(k, v) for k, v in _section(table, "armour").items()}
        _require_stats(legal, weapons, armour)
        tiers = {t.key for t in goods.tiers}
        quality_bonus = {str(k): int(v) for k, v in _section(table, "quality_bonus").items()}
        if set(quality_bonus) != tiers:
            raise ValueError(f"gear.toml: [quality_bonus] must list every tier {sorted(tiers)}")
        materials: dict[str, tuple[Material, ...]] = {}
        for raw in _list(table, "material"):
            options = tuple(_material(k, v) for k, v in raw.get("options", {}).items())
            for good in raw.get("goods", []):
                _require(good in known and good not in materials, f"material good {good!r}")
                materials[good] = options
        allowed = {*professions, "default", "child"}
        kits = {
            str(owner): _kit(owner, raw, legal) for owner, raw in _section(table, "kit").items()
        }
        _require(set(kits) <= allowed and "default" in kits, "kits (unknown profession)")
        culture = {
            str(kind): {str(g): float(w) for g, w in raw.items()}
            for kind, raw in _section(table, "culture").items()
        }
        _require(set(culture) == set(culture_types), "culture types")
        _require(all(set(f) <= known for f in culture.values()), "culture goods")
        packs = {
            str(owner): tuple(_pack(owner, g, v, known) for g, v in raw.items())
            for owner, raw in _section(table, "pack").items()
        }
        _require(set(packs) <= allowed, "packs (unknown profession)")
        carry, condition, wealth = (_section(table, k) for k in ("carry", "condition", "wealth"))
        return cls(
            kg_per_strength=_number(carry, "kg_per_strength"),
            child_share=_number(carry, "child_share"),
            coin_kg=_number(carry, "coin_kg"),
            purse_share=_number(carry, "purse_share"),
            purse_max=int(_number(carry, "purse_max")),
            max_wear=_share(condition, "max_wear"),
            loot_wear=_share(condition, "loot_wear"),
            value_floor=_share(condition, "value_floor"),
            quality_power=_number(wealth, "quality_power"),
            choice_power=_number(wealth, "choice_power"),
            min_ratio=_number(wealth, "min_ratio"),
            max_ratio=_number(wealth, "max_ratio"),
            slots=slots,
            weapons=weapons,
            armour=armour,
            quality_bonus=quality_bonus,
            materials=materials,
            kits=kits,
            culture=culture,
            packs=packs,
            artifacts=_artifacts(_section(table, "artifacts"), legal, materials),
        )

    def kit_of(self, profession: str) -> Mapping[str, Mapping[str, float]]:
        return self.kits.get(profession, self.kits["default"])

    def pack_of(self, profession: str) -> tuple[PackEntry, ...]:
        return self.packs.get(profession, self.packs.get("default", ()))


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"gear.toml: bad {what}")


def _section(table: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = table.get(name)
    _require(isinstance(section, Mapping), f"or missing [{name}]")
    return section  # type: ignore[return-value]


def _list(table: Mapping[str, Any], name: str) -> Sequence[Mapping[str, Any]]:
    records = table.get(name)
    _require(isinstance(records, list) and bool(records), f"or missing [[{name}]]")
    return records  # type: ignore[return-value]


def _number(section: Mapping[str, Any], key: str) -> float:
    value = section.get(key)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    _require(ok and math.isfinite(float(value)), f"{key!r} (a positive number)")  # type: ignore[arg-type]
    return float(value)  # type: ignore[arg-type]


def _share(section: Mapping[str, Any], key: str) -> float:
    value = _number(section, key)
    _require(value <= 1.0, f"{key!r} (a share, at most 1)")
    return value


def _slot(raw: Mapping[str, Any], graded: set[str]) -> Slot:
    slot = Slot(str(raw.get("key", "")), tuple(str(g) for g in raw.get("goods", [])))
    _require(bool(slot.key) and bool(slot.goods), f"slot {slot.key!r}")
    _require(set(slot.goods) <= graded, f"slot {slot.key!r}: goods must be graded goods")
    return slot


def _weapon(key: str, raw: Mapping[str, Any]) -> Weapon:
    weapon = Weapon(float(raw.get("damage", 0.0)), bool(raw.get("finesse", False)))
    _require(weapon.damage > 0, f"weapon {key!r} damage")
    return weapon


def _armour(key: str, raw: Mapping[str, Any]) -> Armour:
    armour = Armour(int(raw.get("ac", 0)), int(raw.get("max_dex", 10)), int(raw.get("shield", 0)))
    _require(armour.ac >= 0 and armour.shield >= 0 and armour.max_dex >= 0, f"armour {key!r}")
    return armour


def _require_stats(
    legal: Mapping[str, set[str]], weapons: Mapping[str, Weapon], armour: Mapping[str, Armour]
) -> None:
    """Weapons and armour that may be worn must say what they do in a fight."""
    held = legal.get("main_hand", set()) | legal.get("ranged", set())
    worn = legal.get("body", set()) | {g for g in legal.get("off_hand", set()) if g not in held}
    _require("unarmed" in weapons and held <= set(weapons), "weapons (a held good without stats)")
    _require(worn <= set(armour), "armour (a worn good without stats)")


def _material(key: str, raw: Any) -> Material:
    _require(isinstance(raw, list) and len(raw) == 2, f"material {key!r} ([weight, value])")
    material = Material(str(key), float(raw[0]), float(raw[1]))
    _require(material.weight > 0 and material.value > 0, f"material {key!r} numbers")
    return material


def _kit(
    owner: str, raw: Mapping[str, Any], legal: Mapping[str, set[str]]
) -> dict[str, dict[str, float]]:
    kit: dict[str, dict[str, float]] = {}
    for slot, options in raw.items():
        _require(slot in legal, f"kit.{owner}: unknown slot {slot!r}")
        weights = {str(g): float(w) for g, w in options.items()}
        _require(set(weights) - {NONE} <= legal[slot], f"kit.{owner}.{slot}: illegal good")
        _require(all(w > 0 for w in weights.values()), f"kit.{owner}.{slot}: weights")
        kit[str(slot)] = weights
    return kit


def _pack(owner: str, good: str, raw: Any, known: set[str]) -> PackEntry:
    _require(good in known and isinstance(raw, list) and len(raw) == 3, f"pack.{owner}.{good}")
    entry = PackEntry(str(good), int(raw[0]), int(raw[1]), float(raw[2]))
    _require(1 <= entry.low <= entry.high and 0 < entry.chance <= 1, f"pack.{owner}.{good}")
    return entry


def _artifacts(
    raw: Mapping[str, Any], legal: Mapping[str, set[str]], materials: Mapping[str, Any]
) -> ArtifactRules:
    wearable = set().union(*legal.values())
    goods = {str(k): float(v) for k, v in raw.get("goods", {}).items()}
    nouns = {str(k): str(v) for k, v in raw.get("nouns", {}).items()}
    _require(bool(goods) and set(goods) <= wearable, "artifacts.goods (must be wearable)")
    _require(set(goods) <= set(nouns), "artifacts.nouns (one per good)")
    years = raw.get("ancient_years", [])
    rules = ArtifactRules(
        settlements_per_artifact=_number(raw, "settlements_per_artifact"),
        sites_per_artifact=_number(raw, "sites_per_artifact"),
        min_count=int(raw.get("min_count", 0)),
        living_maker=_share(raw, "living_maker"),
        lost=_share(raw, "lost"),
        max_owners=int(_number(raw, "max_owners")),
        min_owner_age=int(_number(raw, "min_owner_age")),
        ancient_years=(int(years[0]), int(years[1])) if len(years) == 2 else (0, 0),
        goods=goods,
        materials={str(k): float(v) for k, v in raw.get("materials", {}).items()},
        names=tuple(str(n) for n in raw.get("names", [])),
        adjectives=tuple(str(a) for a in raw.get("adjectives", [])),
        nouns=nouns,
    )
    _require(0 < rules.ancient_years[0] <= rules.ancient_years[1], "artifacts.ancient_years")
    _require(bool(rules.materials) and bool(rules.names) and bool(rules.adjectives), "artifacts")
    return rules
