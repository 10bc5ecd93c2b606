"""Equipment: every NPC dressed and armed from their profession's kit, their culture's tastes and
their wealth, slot by slot within what they can carry; and the modifiers combat reads off it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.economy import GoodsTable
from worldloom.systems.gear.item import ItemMaker, Pricing, item_ids, labels
from worldloom.systems.gear.table import NONE, UNARMED, GearTable
from worldloom.systems.rng import Seeds

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

CHILD = "child"
EMPTY = -1
"""A slot holding nothing (in the per-NPC slot arrays)."""


@dataclass(frozen=True, slots=True)
class Wearers:
    """The NPCs to equip, as arrays (one element per NPC)."""

    npc_id: IntArray
    profession: tuple[str, ...] | list[str]
    culture_type: tuple[str, ...] | list[str]
    strength: IntArray
    wealth: IntArray
    market: IntArray
    """The market whose prices value their gear."""

    @classmethod
    def from_frame(cls, npcs: pl.DataFrame) -> Wearers:
        """From npc_id, profession, type (culture type), strength, wealth, market_id columns."""
        return cls(
            npc_id=npcs["npc_id"].to_numpy().astype(np.int64),
            profession=npcs["profession"].to_list(),
            culture_type=npcs["type"].fill_null("generic").to_list(),
            strength=npcs["strength"].to_numpy().astype(np.int64),
            wealth=npcs["wealth"].to_numpy().astype(np.int64),
            market=npcs["market_id"].fill_null(0).to_numpy().astype(np.int64),
        )


@dataclass(frozen=True, slots=True)
class Outfit:
    """What every NPC wears: per slot arrays [slot, npc], and their totals."""

    good: IntArray
    """Good position in each slot, EMPTY for none."""
    tier: IntArray
    material: IntArray
    material_value: FloatArray
    condition: FloatArray
    spell: IntArray
    """Enchantment (a spell position), -1 for none."""
    bonus: IntArray
    """Enchantment bonus, 0 for none."""
    artifact: IntArray
    """The artifact it is, -1 for none."""
    capacity_kg: FloatArray
    load_kg: FloatArray
    """Weight of what they wear."""


def wealth_ratio(wearers: Wearers, *, table: GearTable) -> FloatArray:
    """Each NPC's wealth over the median of their profession's (1 where that median is 0)."""
    frame = pl.DataFrame({"profession": wearers.profession, "wealth": wearers.wealth})
    median = frame.select(pl.col("wealth").median().over("profession"))["wealth"].to_numpy()
    ratio = np.where(median > 0, wearers.wealth / np.maximum(median, 1e-9), 1.0)
    return np.clip(ratio, table.min_ratio, table.max_ratio)


def dress(
    wearers: Wearers, *, seeds: Seeds, table: GearTable, goods: GoodsTable, maker: ItemMaker
) -> Outfit:
    """Fill every NPC's slots in the table's order, each from their kit's options weighted by
    culture and wealth; an item that would take the load past their capacity is left at home.
    Every draw is keyed by the NPC's id and the slot."""
    n, slots = wearers.npc_id.size, table.slots
    positions = goods.index()
    professions = np.asarray(wearers.profession)
    kit_names = sorted(table.kits)
    kit_code = np.full(n, kit_names.index("default"), dtype=np.int64)
    for k, name in enumerate(kit_names):
        kit_code[professions == name] = k
    culture_names = sorted(table.culture)
    cultures = np.asarray(wearers.culture_type)
    culture_code = np.zeros(n, dtype=np.int64)
    for c, name in enumerate(culture_names):
        culture_code[cultures == name] = c
    # [culture, good position + 1 spare column for "none"] -> weight factor
    taste = np.ones((len(culture_names), len(goods.goods) + 1))
    for c, name in enumerate(culture_names):
        for key, factor in table.culture[name].items():
            taste[c, positions[key]] = factor
    capacity = np.asarray(
        wearers.strength
        * table.kg_per_strength
        * np.where(professions == CHILD, table.child_share, 1.0),
        dtype=np.float64,
    )
    log_ratio = np.log(wealth_ratio(wearers, table=table))
    shape = (len(slots), n)
    good, tier, material = (np.full(shape, EMPTY, dtype=np.int64) for _ in range(3))
    material_value, condition = np.ones(shape), np.ones(shape)
    load = np.zeros(n)
    for s, slot in enumerate(slots):
        options, weights, value_log = _slot_options(slot.key, kit_names, table=table, goods=goods)
        if options.shape[1] == 0:
            continue
        # Kit weights times culture tastes, once per (kit, culture); wealth per NPC.
        tasted = (weights[:, None, :] * taste[:, options].transpose(1, 0, 2)).reshape(
            -1, options.shape[1]
        )
        weight = tasted[kit_code * len(culture_names) + culture_code]
        weight *= np.exp(table.choice_power * log_ratio[:, None] * value_log[kit_code])
        choice = keyed_uniform(wearers.npc_id, seeds=seeds, system=f"gear.choice.{slot.key}")
        cumulative = np.cumsum(weight, axis=1)
        total = cumulative[:, -1]
        pick = np.minimum(
            (cumulative < (choice * total)[:, None]).sum(axis=1), options.shape[1] - 1
        )
        chosen = np.where(total > 0, options[kit_code, pick], EMPTY)
        kg = np.where(chosen >= 0, maker.weight_kg[np.maximum(chosen, 0)], 0.0)
        fits = (chosen >= 0) & (load + kg <= capacity)
        rows = np.flatnonzero(fits)
        worn = chosen[rows]
        # Keyed by id, a draw is the same whoever else draws: only the wearers roll the rest.
        rolls = {
            what: keyed_uniform(wearers.npc_id[rows], seeds=seeds, system=f"gear.{what}.{slot.key}")
            for what in ("quality", "material", "condition")
        }
        good[s, rows] = worn
        tier[s, rows] = maker.tier(
            worn, rolls["quality"], lift=np.exp(table.quality_power * log_ratio[rows])
        )
        material[s, rows], material_value[s, rows] = maker.material(worn, rolls["material"])
        condition[s, rows] = np.round(1.0 - maker.max_wear * rolls["condition"], 3)
        load[rows] += kg[rows]
    return Outfit(
        good=good,
        tier=tier,
        material=material,
        material_value=material_value,
        condition=condition,
        spell=np.full(shape, -1, dtype=np.int64),
        bonus=np.zeros(shape, dtype=np.int64),
        artifact=np.full(shape, -1, dtype=np.int64),
        capacity_kg=capacity,
        load_kg=load,
    )


def _slot_options(
    slot: str, kit_names: list[str], *, table: GearTable, goods: GoodsTable
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Per kit, the slot's options: [kit, option] good positions (the spare "none" column for
    none), weights (0 past a kit's options) and log(value / the options' mean value)."""
    positions = goods.index()
    none = len(goods.goods)
    lists = [table.kit_of(kit).get(slot, {}) for kit in kit_names]
    width = max(len(options) for options in lists)
    good = np.full((len(kit_names), width), none, dtype=np.int64)
    weight = np.zeros((len(kit_names), width))
    value_log = np.zeros((len(kit_names), width))
    for k, options in enumerate(lists):
        if not options:
            continue
        values = {g: goods.goods[positions[g]].value for g in options if g != NONE}
        cheapest = min(values.values(), default=1.0)
        worth = np.array([values.get(g, cheapest / 4) for g in options])
        for o, (key, w) in enumerate(options.items()):
            good[k, o] = none if key == NONE else positions[key]
            weight[k, o] = w
        value_log[k, : len(options)] = np.log(worth / worth.mean())
    # "none" is the spare column: EMPTY once chosen.
    return np.where(good == none, EMPTY, good), weight, value_log


def equipment_rows(
    wearers: Wearers, outfit: Outfit, *, table: GearTable, maker: ItemMaker, pricing: Pricing
) -> pl.DataFrame:
    """The worn items as rows: npc_id, slot, item_id, material, condition, value (copper at
    their market's prices), enchantment, bonus, artifact_id (-1: none)."""
    # NPC-major, and each NPC's slots by name: the rows come out in the table's key order
    # (npc_id, slot) without a sort, so they are stored in it and read without one.
    by_name = np.argsort(np.array([slot.key for slot in table.slots]), kind="stable")
    npc, rank = np.nonzero(outfit.good[by_name].T >= 0)
    slot_index = by_name[rank]
    good = outfit.good[slot_index, npc]
    tier = outfit.tier[slot_index, npc]
    value = maker.value(
        pricing.price[wearers.market[npc], good],
        tier=tier,
        material_value=outfit.material_value[slot_index, npc],
        condition=outfit.condition[slot_index, npc],
        bonus=outfit.bonus[slot_index, npc],
        qty=np.ones(good.size, dtype=np.int64),
    )
    return pl.DataFrame(
        {
            "npc_id": wearers.npc_id[npc],
            "slot": labels(slot_index, [slot.key for slot in table.slots]),
            "item_id": item_ids(good, tier),
            "material": labels(outfit.material[slot_index, npc], maker.material_names),
            "condition": outfit.condition[slot_index, npc],
            "enchantment": labels(outfit.spell[slot_index, npc], maker.spells),
            "bonus": outfit.bonus[slot_index, npc],
            "value": value,
            "artifact_id": outfit.artifact[slot_index, npc],
        }
    )


@dataclass(frozen=True, slots=True)
class Fighting:
    """What a wearer's gear gives in a fight, per NPC (see `combat.Sheets`)."""

    weapon_damage: FloatArray
    finesse: BoolArray
    weapon_bonus: IntArray
    armour_ac: IntArray
    max_dex: IntArray
    shield: IntArray
    ward: IntArray
    """Armour class from enchanted jewellery and clothes."""


def fighting_gear(outfit: Outfit, *, table: GearTable, goods: GoodsTable) -> Fighting:
    """The best weapon worn (main hand or bow, by its die), the armour and the shield, with
    quality's and enchantments' bonuses (enchanted clothes and jewellery ward); nothing in hand
    fights unarmed, no armour is armour class 10."""
    keys = goods.keys()
    tiers = tuple(t.key for t in goods.tiers)
    count = outfit.good.shape[1]
    slot = {s.key: i for i, s in enumerate(table.slots)}
    die = np.array([table.weapons[k].damage if k in table.weapons else 0.0 for k in keys] + [0.0])
    finesse = np.array(
        [table.weapons[k].finesse if k in table.weapons else False for k in keys] + [False]
    )
    bonus = np.array([table.quality_bonus[t] for t in tiers] + [0])
    best = np.full(count, table.weapons[UNARMED].damage)
    best_finesse = np.zeros(count, dtype=np.bool_)
    best_bonus = np.zeros(count, dtype=np.int64)
    for name in ("main_hand", "ranged"):
        if name not in slot:
            continue
        held, tier = outfit.good[slot[name]], outfit.tier[slot[name]]
        better = die[held] > best
        best = np.where(better, die[held], best)
        best_finesse = np.where(better, finesse[held], best_finesse)
        best_bonus = np.where(better, bonus[tier] + outfit.bonus[slot[name]], best_bonus)
    ac = np.array([table.armour[k].ac if k in table.armour else 0 for k in keys] + [0])
    dex = np.array([table.armour[k].max_dex if k in table.armour else 10 for k in keys] + [10])
    shields = np.array([table.armour[k].shield if k in table.armour else 0 for k in keys] + [0])
    body = outfit.good[slot["body"]] if "body" in slot else np.full(count, EMPTY)
    body_tier = outfit.tier[slot["body"]] if "body" in slot else np.full(count, EMPTY)
    worn = body >= 0
    off = outfit.good[slot["off_hand"]] if "off_hand" in slot else np.full(count, EMPTY)
    enchanted = {name: outfit.bonus[i] for name, i in slot.items()}
    zero = np.zeros(count, dtype=np.int64)
    armoured = ("main_hand", "ranged", "body", "off_hand")
    return Fighting(
        weapon_damage=best,
        finesse=best_finesse,
        weapon_bonus=best_bonus,
        armour_ac=np.where(
            worn, ac[body] + bonus[body_tier] + enchanted.get("body", zero), 10
        ).astype(np.int64),
        max_dex=np.where(worn, dex[body], 10).astype(np.int64),
        shield=np.where(shields[off] > 0, shields[off] + enchanted.get("off_hand", zero), 0).astype(
            np.int64
        ),
        ward=sum((b for name, b in enchanted.items() if name not in armoured), zero),
    )
