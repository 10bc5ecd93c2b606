"""Goods and quality tiers: what the economy makes, eats and trades, and the item catalog."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

CATEGORIES = (
    "food", "drink", "raw", "material", "tool", "weapon", "armour", "clothing", "luxury",
    "reagent", "potion",
)  # fmt: skip
"""Every good belongs to exactly one of these."""
NOURISHING = frozenset({"food", "drink"})
"""Categories whose goods feed people: these, and only these, carry `nutrition`."""
GRADED = frozenset({"tool", "weapon", "armour", "clothing", "luxury", "potion"})
"""Crafted categories that come in quality tiers; other goods exist at common quality only."""
COMMON = "common"
"""The tier every good has, at value multiplier 1; its items keep the good's plain name."""
TIER_STRIDE = 16
"""`item_id = good position * TIER_STRIDE + tier position`, so ids stay put when tiers are
added (up to this many)."""

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_ITEM_SCHEMA = {
    "item_id": pl.Int64,
    "good": pl.String,
    "name": pl.String,
    "category": pl.String,
    "quality": pl.String,
    "value": pl.Int64,
    "weight": pl.Float64,
}


@dataclass(frozen=True, slots=True)
class Good:
    """A kind of thing that is made, traded and used up."""

    key: str
    name: str
    category: str
    value: float
    """Copper per unit at common quality, >= 1."""
    weight: float
    """Kilograms per unit."""
    perish: float
    """Share of a stock that spoils each tick (a day); 0 for durables."""
    nutrition: float
    """Food units one unit feeds; > 0 exactly for food and drink."""


@dataclass(frozen=True, slots=True)
class QualityTier:
    """A grade of workmanship for crafted goods."""

    key: str
    value: float
    """Multiplier on the good's common value."""
    share: float
    """Default share of crafted output that comes out at this tier."""


@dataclass(frozen=True, slots=True)
class GoodsTable:
    """Everything `data/goods.toml` defines, validated; positions are the goods' codes."""

    goods: tuple[Good, ...]
    tiers: tuple[QualityTier, ...]

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> GoodsTable:
        """Validate a parsed `goods.toml`.

        Raises:
            ValueError: a duplicate or malformed key, an unknown category, a value below 1, a
                perish share outside [0, 1), nutrition on a good that is not food or drink
                (or none on one that is), or tiers whose shares do not sum to 1; the
                message names the good or tier and the field.
        """
        tiers = tuple(_tier(raw) for raw in _records(table, "tier"))
        _require_unique("tier", [t.key for t in tiers])
        if not any(t.key == COMMON and t.value == 1 for t in tiers):
            raise ValueError(f"goods.toml: needs a tier {COMMON!r} with value 1")
        if len(tiers) > TIER_STRIDE:
            raise ValueError(f"goods.toml: at most {TIER_STRIDE} tiers fit the item ids")
        if not math.isclose(sum(t.share for t in tiers), 1.0, abs_tol=1e-9):
            raise ValueError("goods.toml: tier shares must sum to 1")
        goods = tuple(_good(raw) for raw in _records(table, "good"))
        _require_unique("good", [g.key for g in goods])
        return cls(goods, tiers)

    def index(self) -> dict[str, int]:
        """Good key -> position in `goods`."""
        return {good.key: position for position, good in enumerate(self.goods)}

    def keys(self) -> tuple[str, ...]:
        """Good keys in table order."""
        return tuple(good.key for good in self.goods)

    def of_category(self, *categories: str) -> tuple[int, ...]:
        """Positions of the goods in any of `categories`, in table order."""
        return tuple(i for i, good in enumerate(self.goods) if good.category in categories)

    def good(self, key: str) -> Good:
        """The good called `key` (KeyError if there is none)."""
        for good in self.goods:
            if good.key == key:
                return good
        raise KeyError(key)


def build_item_catalog(goods: GoodsTable) -> pl.DataFrame:
    """One row per good and quality tier it comes in: the items a world can hold.

    Graded goods (see `GRADED`) come in every tier, the rest only at common quality. Ids are
    `good position * TIER_STRIDE + tier position`, so they depend on the tables alone.
    """
    rows: dict[str, list[Any]] = {column: [] for column in _ITEM_SCHEMA}
    for g, good in enumerate(goods.goods):
        for t, tier in enumerate(goods.tiers):
            if tier.key != COMMON and good.category not in GRADED:
                continue
            plain = tier.key == COMMON
            rows["item_id"].append(g * TIER_STRIDE + t)
            rows["good"].append(good.key)
            rows["name"].append(good.name if plain else f"{tier.key.title()} {good.name}")
            rows["category"].append(good.category)
            rows["quality"].append(tier.key)
            rows["value"].append(max(1, round(good.value * tier.value)))
            rows["weight"].append(good.weight)
    return pl.DataFrame(rows, schema=_ITEM_SCHEMA)


def _records(table: Mapping[str, Any], name: str) -> Sequence[Mapping[str, Any]]:
    records = table.get(name)
    if not isinstance(records, list) or not records:
        raise ValueError(f"goods.toml: needs at least one [[{name}]]")
    return records


def _require_unique(what: str, keys: Sequence[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"goods.toml: {what} {key!r} is defined twice")
        seen.add(key)


def _number(raw: Mapping[str, Any], field: str, owner: str) -> float:
    value = raw.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"goods.toml: {owner} needs a finite number {field!r}")
    return float(value)


def _tier(raw: Mapping[str, Any]) -> QualityTier:
    key = str(raw.get("key", ""))
    owner = f"tier {key!r}"
    tier = QualityTier(key, _number(raw, "value", owner), _number(raw, "share", owner))
    if not _KEY.match(key):
        raise ValueError(f"goods.toml: {owner} needs a snake_case key")
    if tier.value <= 0 or not 0 <= tier.share <= 1:
        raise ValueError(f"goods.toml: {owner} needs value > 0 and share in [0, 1]")
    return tier


def _good(raw: Mapping[str, Any]) -> Good:
    key = str(raw.get("key", ""))
    owner = f"good {key!r}"
    if not _KEY.match(key):
        raise ValueError(f"goods.toml: {owner} key must be snake_case")
    category = str(raw.get("category", ""))
    if category not in CATEGORIES:
        raise ValueError(f"goods.toml: {owner} has unknown category {category!r}")
    good = Good(
        key=key,
        name=str(raw.get("name", "")),
        category=category,
        value=_number(raw, "value", owner),
        weight=_number(raw, "weight", owner),
        perish=_number(raw, "perish", owner),
        nutrition=_number(raw, "nutrition", owner) if "nutrition" in raw else 0.0,
    )
    if not good.name:
        raise ValueError(f"goods.toml: {owner} needs a name")
    if good.value < 1:
        raise ValueError(f"goods.toml: {owner} value must be >= 1 copper, got {good.value}")
    if good.weight < 0:
        raise ValueError(f"goods.toml: {owner} weight must be >= 0, got {good.weight}")
    if not 0 <= good.perish < 1:
        raise ValueError(f"goods.toml: {owner} perish must be in [0, 1), got {good.perish}")
    if good.nutrition < 0 or (good.nutrition > 0) != (category in NOURISHING):
        raise ValueError(
            f"goods.toml: {owner} nutrition must be > 0 for food and drink and 0 otherwise, "
            f"got {good.nutrition} for a {category} good"
        )
    return good
