"""Item instances: a good from the economy's catalog at a quality tier, of a material, in some
condition, perhaps enchanted, and priced in a market at the world's tick. Bulk draws only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.economy import GRADED, TIER_STRIDE, GoodsTable
from worldloom.systems.gear.table import GearTable
from worldloom.systems.magic import MagicTable

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

NO_MATERIAL = -1
"""A good that is its own material (bread, ore)."""
SLOT_EFFECTS = {
    "main_hand": ("damage",),
    "ranged": ("damage",),
    "body": ("ward",),
    "off_hand": ("ward",),
}
"""Which spell effects an enchanted item worn in a slot may carry; what is worn elsewhere
(clothes, cloaks, jewellery) may carry any. Only goods a slot takes are ever enchanted."""
ANY_EFFECT = ("damage", "heal", "ward")


@dataclass(frozen=True, slots=True)
class Pricing:
    """What goods fetch in each market at the world's tick."""

    price: FloatArray
    """[market, good position]: copper per unit at common quality."""
    index: float
    """The median over markets and goods of price over base value (1: goods at base value)."""

    @classmethod
    def from_market_goods(cls, market_goods: pl.DataFrame, *, goods: GoodsTable) -> Pricing:
        """From the economy's `market_goods` rows (market_id, good, price)."""
        positions = goods.index()
        markets = int(market_goods["market_id"].to_numpy().max(initial=-1)) + 1
        base = np.array([g.value for g in goods.goods])
        price = np.tile(base, (max(markets, 1), 1))
        rows = market_goods.select("market_id", "good", "price").rows()
        for market, good, value in rows:
            price[market, positions[good]] = value
        index = float(np.median(price / base)) if rows else 1.0
        return cls(price, index)


@dataclass(frozen=True, slots=True)
class ItemMaker:
    """The catalog's numbers as arrays, for drawing and pricing many items at once."""

    category: tuple[str, ...]
    """Per good position."""
    weight_kg: FloatArray
    graded: BoolArray
    tier_value: FloatArray
    """Per tier position."""
    tier_cumulative: FloatArray
    """Cumulative tier shares in ascending value order (positions in `tier_order`)."""
    tier_order: IntArray
    common: int
    material_names: tuple[str, ...]
    material_cumulative: FloatArray
    """[good, option]: cumulative weights, row-normalised; rows of unlisted goods are 0."""
    material_code: IntArray
    """[good, option] -> index into `material_names`."""
    material_value: FloatArray
    """[good, option] -> value multiplier."""
    enchant_effects: tuple[tuple[str, ...], ...]
    """Per good position: the spell effects it may be enchanted with (none: never)."""
    spells: tuple[str, ...]
    spell_effect: tuple[str, ...]
    value_floor: float
    loot_wear: float
    """Most wear loot shows (condition 1 - loot_wear at worst)."""
    max_wear: float
    """Most wear worn gear shows."""
    value_per_bonus: float
    max_bonus: int

    @classmethod
    def build(cls, goods: GoodsTable, *, gear: GearTable, magic: MagicTable) -> ItemMaker:
        order = np.argsort([t.value for t in goods.tiers], kind="stable").astype(np.int64)
        shares = np.array([goods.tiers[t].share for t in order])
        names = tuple(sorted({m.key for options in gear.materials.values() for m in options}))
        width = max([len(o) for o in gear.materials.values()] + [1])
        cumulative = np.zeros((len(goods.goods), width))
        code = np.zeros((len(goods.goods), width), dtype=np.int64)
        value = np.ones((len(goods.goods), width))
        for g, good in enumerate(goods.goods):
            options = gear.materials.get(good.key, ())
            if options:
                weights = np.array([m.weight for m in options])
                cumulative[g, : len(options)] = np.cumsum(weights) / weights.sum()
                cumulative[g, len(options) :] = 1.0
                code[g, : len(options)] = [names.index(m.key) for m in options]
                value[g, : len(options)] = [m.value for m in options]
        effects: dict[str, set[str]] = {}
        for slot in gear.slots:
            for key in slot.goods:
                effects.setdefault(key, set()).update(SLOT_EFFECTS.get(slot.key, ANY_EFFECT))
        return cls(
            enchant_effects=tuple(tuple(sorted(effects.get(g.key, ()))) for g in goods.goods),
            category=tuple(g.category for g in goods.goods),
            weight_kg=np.array([g.weight for g in goods.goods]),
            graded=np.array([g.category in GRADED for g in goods.goods]),
            tier_value=np.array([t.value for t in goods.tiers]),
            tier_cumulative=np.cumsum(shares) / shares.sum(),
            tier_order=order,
            common=next(i for i, t in enumerate(goods.tiers) if t.key == "common"),
            material_names=names,
            material_cumulative=cumulative,
            material_code=code,
            material_value=value,
            spells=tuple(s.key for s in magic.spells),
            spell_effect=tuple(s.effect for s in magic.spells),
            value_floor=gear.value_floor,
            loot_wear=gear.loot_wear,
            max_wear=gear.max_wear,
            value_per_bonus=magic.value_per_bonus,
            max_bonus=magic.max_bonus,
        )

    def tier(self, good: IntArray, roll: FloatArray, *, lift: FloatArray | float) -> IntArray:
        """Tier positions: graded goods by the tier shares, the roll raised to 1 / lift (lift > 1
        favours finer work); other goods are common."""
        lifted = np.asarray(roll) ** (1.0 / np.asarray(lift))
        rank = np.minimum(
            np.searchsorted(self.tier_cumulative, lifted, side="right"), self.tier_order.size - 1
        )
        drawn: IntArray = np.where(self.graded[good], self.tier_order[rank], self.common)
        return drawn

    def material(self, good: IntArray, roll: FloatArray) -> tuple[IntArray, FloatArray]:
        """Per item: a material code (NO_MATERIAL for goods without) and its value factor."""
        rows = self.material_cumulative[good]
        option = np.minimum((rows < roll[:, None]).sum(axis=1), rows.shape[1] - 1)
        listed = rows[:, -1] > 0
        code = np.where(listed, self.material_code[good, option], NO_MATERIAL)
        return code, np.where(listed, self.material_value[good, option], 1.0)

    def material_labels(self, code: IntArray) -> list[str | None]:
        names = (*self.material_names, None)
        return [names[c] for c in code.tolist()]

    def enchant(
        self, good: IntArray, chance: FloatArray, bonus_cap: IntArray, rolls: FloatArray
    ) -> tuple[IntArray, IntArray]:
        """Enchantments: per item a spell position (-1 for none) and a bonus (0 for none).

        `rolls` is [item, 3]: whether it is enchanted (below `chance`), its bonus (1 to
        `bonus_cap`, at most the table's), and which fitting spell it holds.
        """
        spell = np.full(good.size, -1, dtype=np.int64)
        bonus = np.zeros(good.size, dtype=np.int64)
        for effects in sorted(set(self.enchant_effects) - {()}):
            fitting = [i for i, e in enumerate(self.spell_effect) if e in effects]
            of_kind = np.array([e == effects for e in self.enchant_effects])
            rows = np.flatnonzero(of_kind[good] & (rolls[:, 0] < chance))
            if not fitting or rows.size == 0:
                continue
            cap = np.clip(bonus_cap[rows], 1, self.max_bonus)
            bonus[rows] = 1 + np.floor(rolls[rows, 1] * cap).astype(np.int64)
            pick = np.minimum((rolls[rows, 2] * len(fitting)).astype(np.int64), len(fitting) - 1)
            spell[rows] = np.asarray(fitting)[pick]
        return spell, bonus

    def spell_labels(self, spell: IntArray) -> list[str | None]:
        names = (*self.spells, None)
        return [names[s] for s in spell.tolist()]

    def value(
        self,
        unit_price: FloatArray,
        *,
        tier: IntArray,
        material_value: FloatArray,
        condition: FloatArray,
        bonus: IntArray,
        qty: IntArray,
    ) -> IntArray:
        """Copper for the lot: price x tier x material x condition x enchantment x qty, at
        least 1."""
        worth = (
            unit_price
            * self.tier_value[tier]
            * material_value
            * (self.value_floor + (1.0 - self.value_floor) * condition)
            * (1.0 + self.value_per_bonus * bonus)
            * qty
        )
        return np.maximum(1, np.rint(worth)).astype(np.int64)


def item_ids(good: IntArray, tier: IntArray) -> IntArray:
    """The economy's item ids (`items.item_id`): good position x TIER_STRIDE + tier position."""
    return (np.asarray(good, dtype=np.int64) * TIER_STRIDE + tier).astype(np.int64)


def labels(codes: IntArray, names: tuple[str, ...] | list[str]) -> pl.Series:
    """Names for codes in bulk (a negative code is null)."""
    mapping = dict(enumerate(names))
    return pl.Series(np.asarray(codes, dtype=np.int64)).replace_strict(
        mapping, default=None, return_dtype=pl.String
    )
