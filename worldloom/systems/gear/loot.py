"""Loot: every dungeon, lair and ruin room's contents rolled from nested treasure classes, and
the expected worth of a room by danger, priced in the world's markets.

Rolls go in waves down the class tree, all rooms at once: a class makes its picks, each pick
draws an entry, entries that are classes make the next wave's picks. Each pick is keyed by its
room and its path down the tree, so a room's contents never depend on the other rooms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.economy import GoodsTable
from worldloom.systems.gear.item import ItemMaker, Pricing, item_ids
from worldloom.systems.gear.loot_table import DANGER_LEVELS, PATH_BASE, Entry, LootTable
from worldloom.systems.rng import Seeds

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_KINDS = ("nodrop", "coin", "good", "class")
_GUARANTEED_PATH = PATH_BASE // 2
"""Guaranteed classes start their paths here, clear of the room class's own picks."""

LOOT_SCHEMA = {
    "sublocation_id": pl.Int32,
    "position": pl.Int16,
    "poi_id": pl.Int32,
    "item_id": pl.Int64,
    "qty": pl.Int64,
    "material": pl.String,
    "condition": pl.Float64,
    "enchantment": pl.String,
    "bonus": pl.Int16,
    "value": pl.Int64,
    "artifact_id": pl.Int32,
}
"""The rolled rows: item_id -1 is coin (qty then counts copper), artifact_id -1 is none."""


@dataclass(frozen=True, slots=True)
class _Flat:
    """The table's entries as arrays: [class code, entry] -> kind, target code, quantities."""

    weights: FloatArray
    kind: IntArray
    target: IntArray
    low: IntArray
    high: IntArray
    picks: IntArray


def _flatten(table: LootTable, goods: GoodsTable) -> _Flat:
    order = table.order()
    codes = {key: c for c, key in enumerate(order)}
    positions = goods.index()
    weights, _ = table.weights()
    shape = weights.shape[0], weights.shape[2]
    kind, target = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    low, high = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    for c, key in enumerate(order):
        for e, entry in enumerate(table.classes[key].entries):
            kind[c, e] = _KINDS.index(entry.kind)
            target[c, e] = (
                codes[entry.target] if entry.kind == "class" else positions.get(entry.target, -1)
            )
            low[c, e], high[c, e] = entry.low, entry.high
    picks = np.array([table.classes[k].picks for k in order], dtype=np.int64)
    return _Flat(weights, kind, target, low, high, picks)


def roll_loot(
    rooms: pl.DataFrame,
    *,
    seeds: Seeds,
    table: LootTable,
    goods: GoodsTable,
    maker: ItemMaker,
    pricing: Pricing,
) -> pl.DataFrame:
    """Roll every room's contents.

    Args:
        rooms: sublocation_id, poi_id, poi_kind, room_kind, danger_level (1-10) and market_id
            (the market whose prices value what is found there).
        seeds: the world's seed tree.
        table: the loot table.
        goods: the goods catalog.
        maker: item numbers.
        pricing: the markets' prices.

    Returns:
        `LOOT_SCHEMA` rows in (sublocation_id, position) order; rooms whose kinds roll no class
        hold nothing.
    """
    codes = {key: c for c, key in enumerate(table.order())}
    flat = _flatten(table, goods)
    treasure = [
        table.room_class(kind, room)
        for kind, room in zip(rooms["poi_kind"], rooms["room_kind"], strict=True)
    ]
    rolls = np.array([t is not None for t in treasure], dtype=np.bool_)
    room_id = rooms["sublocation_id"].to_numpy().astype(np.int64)
    danger = np.clip(rooms["danger_level"].to_numpy().astype(np.int64), 1, DANGER_LEVELS)
    # Wave 0: each room's own class (path 1) and the classes its kind guarantees (paths 32...).
    start_room, start_class, start_path = [], [], []
    for r in np.flatnonzero(rolls).tolist():
        start_room.append(r)
        start_class.append(codes[treasure[r]])  # type: ignore[index]
        start_path.append(1)
        rule = table.rooms.get(rooms["room_kind"][r])
        for j, key in enumerate(rule.guaranteed if rule else ()):
            start_room.append(r)
            start_class.append(codes[key])
            start_path.append(_GUARANTEED_PATH + j)
    room = np.array(start_room, dtype=np.int64)
    klass = np.array(start_class, dtype=np.int64)
    path = np.array(start_path, dtype=np.int64)
    top = path == 1
    leaves: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    while room.size:
        picks = flat.picks[klass] + np.where(
            top, np.asarray(table.extra_picks)[danger[room] - 1], 0
        )
        first = np.repeat(np.cumsum(picks) - picks, picks)
        pick_room, pick_class = np.repeat(room, picks), np.repeat(klass, picks)
        pick_path = np.repeat(path, picks) * PATH_BASE + 1 + np.arange(first.size) - first
        cumulative = np.cumsum(flat.weights[pick_class, danger[pick_room] - 1], axis=1)
        roll = keyed_uniform(room_id[pick_room], pick_path, seeds=seeds, system="loot.pick")
        entry = (cumulative < (roll * cumulative[:, -1])[:, None]).sum(axis=1)
        kind = flat.kind[pick_class, entry]
        dropped = (kind == _KINDS.index("coin")) | (kind == _KINDS.index("good"))
        leaves.append((pick_room[dropped], pick_class[dropped], entry[dropped], pick_path[dropped]))
        deeper = kind == _KINDS.index("class")
        room, path = pick_room[deeper], pick_path[deeper]
        klass = flat.target[pick_class[deeper], entry[deeper]]
        top = np.zeros(room.size, dtype=np.bool_)
    return _items(
        rooms,
        room_id,
        danger,
        leaves,
        flat=flat,
        seeds=seeds,
        table=table,
        maker=maker,
        pricing=pricing,
    )


def _items(
    rooms: pl.DataFrame,
    room_id: IntArray,
    danger: IntArray,
    leaves: list[tuple[IntArray, IntArray, IntArray, IntArray]],
    *,
    flat: _Flat,
    seeds: Seeds,
    table: LootTable,
    maker: ItemMaker,
    pricing: Pricing,
) -> pl.DataFrame:
    """The leaves of every wave as item rows."""
    if not leaves:
        return pl.DataFrame(schema=LOOT_SCHEMA)
    room, klass, entry, path = (np.concatenate([leaf[i] for leaf in leaves]) for i in range(4))
    ids, d = room_id[room], danger[room]
    draw = {
        what: keyed_uniform(ids, path, seeds=seeds, system=f"loot.{what}")
        for what in ("qty", "quality", "material", "condition", "magic", "bonus", "spell")
    }
    low, high = flat.low[klass, entry], flat.high[klass, entry]
    qty = low + np.floor(draw["qty"] * (high - low + 1)).astype(np.int64)
    coin = flat.kind[klass, entry] == _KINDS.index("coin")
    good = np.where(coin, 0, flat.target[klass, entry])
    tier = maker.tier(good, draw["quality"], lift=1.0 + table.quality_shift * (d - 1))
    material, material_value = maker.material(good, draw["material"])
    condition = np.round(1.0 - maker.loot_wear * draw["condition"], 3)
    spell, bonus = maker.enchant(
        good,
        np.asarray(table.magic_chance)[d - 1],
        1 + d // table.magic_bonus_per,
        np.stack([draw["magic"], draw["bonus"], draw["spell"]], axis=1),
    )
    market = rooms["market_id"].to_numpy().astype(np.int64)[room]
    worth = maker.value(
        pricing.price[market, good],
        tier=tier,
        material_value=material_value,
        condition=condition,
        bonus=bonus,
        qty=qty,
    )
    copper = np.maximum(1, np.rint(qty * np.asarray(table.coin_copper)[d - 1] * pricing.index))
    frame = pl.DataFrame(
        {
            "sublocation_id": ids,
            "path": path,
            "poi_id": rooms["poi_id"].to_numpy()[room],
            "item_id": np.where(coin, -1, item_ids(good, tier)),
            "qty": np.where(coin, copper, qty).astype(np.int64),
            "material": [
                None if c else m
                for c, m in zip(coin.tolist(), maker.material_labels(material), strict=True)
            ],
            "condition": np.where(coin, 1.0, condition),
            "enchantment": maker.spell_labels(np.where(coin, -1, spell)),
            "bonus": np.where(coin, 0, bonus),
            "value": np.where(coin, copper, worth).astype(np.int64),
            "artifact_id": np.full(room.size, -1),
        }
    )
    return (
        frame.sort("sublocation_id", "path")
        .with_columns(pl.int_range(pl.len()).over("sublocation_id").alias("position"))
        .select(list(LOOT_SCHEMA))
        .cast(LOOT_SCHEMA)  # type: ignore[arg-type]
    )


def expected_room_value(
    table: LootTable,
    *,
    goods: GoodsTable,
    maker: ItemMaker,
    unit_price: FloatArray,
    price_index: float,
    poi_kind: str,
    room_kind: str,
) -> FloatArray:
    """The expected copper in one room of a site of `poi_kind`, at each danger 1..10.

    Args:
        unit_price: per good position, its price at common quality (e.g. a market's, or the
            mean over markets).
        price_index: the world's price index (scales coin).
    """
    treasure = table.room_class(poi_kind, room_kind)
    if treasure is None:
        return np.zeros(DANGER_LEVELS)
    positions = goods.index()
    rule = table.rooms.get(room_kind)
    values = np.zeros(DANGER_LEVELS)
    for d in range(1, DANGER_LEVELS + 1):
        worth = _Worth(
            table,
            d,
            unit=_unit_value(d, table=table, maker=maker, unit_price=unit_price),
            coin=table.coin_copper[d - 1] * price_index,
            positions=positions,
        )
        guaranteed = sum(worth.of(key, top=False) for key in (rule.guaranteed if rule else ()))
        values[d - 1] = worth.of(treasure, top=True) + guaranteed
    return values


class _Worth:
    """Expected copper of the classes' rolls at one danger, each nested class worked out once."""

    def __init__(
        self,
        table: LootTable,
        danger: int,
        *,
        unit: FloatArray,
        coin: float,
        positions: dict[str, int],
    ) -> None:
        self._table, self._danger, self._unit, self._coin = table, danger, unit, coin
        self._positions = positions
        self._memo: dict[str, float] = {}

    def of(self, key: str, *, top: bool) -> float:
        """A roll of class `key`; `top` adds the danger's extra picks (a room's own class)."""
        if not top and key in self._memo:
            return self._memo[key]
        klass = self._table.classes[key]
        weights = np.array([e.weight_at(self._danger) for e in klass.entries])
        outcome = np.array([self._entry(e) for e in klass.entries])
        picks = klass.picks + (self._table.extra_picks[self._danger - 1] if top else 0)
        result = picks * float(weights @ outcome) / float(weights.sum())
        if not top:
            self._memo[key] = result
        return result

    def _entry(self, entry: Entry) -> float:
        mean_qty = (entry.low + entry.high) / 2
        if entry.kind == "coin":
            return mean_qty * self._coin
        if entry.kind == "good":
            return mean_qty * float(self._unit[self._positions[entry.target]])
        if entry.kind == "class":
            return self.of(entry.target, top=False)
        return 0.0


def _unit_value(
    d: int, *, table: LootTable, maker: ItemMaker, unit_price: FloatArray
) -> FloatArray:
    """Expected copper of one unit of each good found at danger d."""
    lift = 1.0 + table.quality_shift * (d - 1)
    ranked = maker.tier_cumulative**lift
    chance = np.diff(np.concatenate([[0.0], ranked]))
    graded_mult = float(chance @ maker.tier_value[maker.tier_order])
    tier = np.where(maker.graded, graded_mult, maker.tier_value[maker.common])
    material = (
        np.diff(
            np.concatenate(
                [np.zeros((maker.material_cumulative.shape[0], 1)), maker.material_cumulative],
                axis=1,
            ),
            axis=1,
        )
        * maker.material_value
    ).sum(axis=1)
    material = np.where(maker.material_cumulative[:, -1] > 0, material, 1.0)
    condition = maker.value_floor + (1 - maker.value_floor) * (1 - maker.loot_wear / 2)
    cap = min(maker.max_bonus, 1 + d // table.magic_bonus_per)
    enchantable = np.array([bool(effects) for effects in maker.enchant_effects])
    magic = np.where(
        enchantable, 1 + table.magic_chance[d - 1] * maker.value_per_bonus * (cap + 1) / 2, 1.0
    )
    result: FloatArray = unit_price * tier * material * condition * magic
    return result
