"""Inventories: the coin and goods NPCs carry besides what they wear, within their carrying
capacity; and the merchants' stock, which is the economy's holdings in their market."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.economy import TIER_STRIDE, GoodsTable
from worldloom.systems.gear.item import ItemMaker, Pricing, item_ids
from worldloom.systems.gear.table import GearTable
from worldloom.systems.rng import Seeds

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

MERCHANT = "merchant"


def purses(
    wealth: IntArray, *, free_kg: FloatArray, table: GearTable
) -> tuple[IntArray, FloatArray]:
    """Coins each NPC carries (a share of their wealth, capped, and only what the free capacity
    bears) and what they weigh."""
    coins = np.minimum(np.floor(wealth * table.purse_share), table.purse_max)
    coins = np.minimum(coins, np.floor(np.maximum(free_kg, 0.0) / table.coin_kg))
    coins = np.maximum(coins, 0).astype(np.int64)
    return coins, coins * table.coin_kg


def pack_inventories(
    npcs: pl.DataFrame,
    *,
    free_kg: FloatArray,
    seeds: Seeds,
    table: GearTable,
    goods: GoodsTable,
    maker: ItemMaker,
    pricing: Pricing,
) -> pl.DataFrame:
    """What each NPC carries by their profession's pack: each entry with its chance and a
    quantity in its range, in the pack's order, as much as their free capacity bears.

    Args:
        npcs: npc_id, profession and market_id, one row per NPC in the order of `free_kg`.
        free_kg: capacity left after their worn gear and coin.

    Returns:
        npc_id, item_id, qty, value (copper at their market's price), in (npc_id, item_id)
        order; nothing for NPCs who carry nothing.
    """
    positions = goods.index()
    # Sorted names and each NPC's place among them, as np.unique gives them, without sorting a
    # million Python strings (UTF-8 bytes sort as the strings do).
    professions = npcs["profession"]
    names = professions.unique().sort()
    code = professions.cast(pl.Enum(names)).to_physical().to_numpy().astype(np.int64)
    entries = [table.pack_of(name) for name in names.to_list()]
    count = np.array([len(e) for e in entries], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    flat = [entry for pack in entries for entry in pack]
    lines = count[code]
    # One line per NPC and pack entry, NPC by NPC in the pack's order (no join, no sort).
    owner = np.repeat(np.arange(npcs.height), lines)
    entry = first[code][owner] + np.arange(owner.size) - np.repeat(np.cumsum(lines) - lines, lines)
    good = np.array([positions[e.good] for e in flat], dtype=np.int64)[entry]
    low = np.array([e.low for e in flat], dtype=np.int64)[entry]
    high = np.array([e.high for e in flat], dtype=np.int64)[entry]
    chance = np.array([e.chance for e in flat])[entry]
    npc = npcs["npc_id"].to_numpy().astype(np.int64)[owner]
    carried = keyed_uniform(npc, good, seeds=seeds, system="inventory.carried")
    amount = keyed_uniform(npc, good, seeds=seeds, system="inventory.qty")
    qty = np.where(carried < chance, low + np.floor(amount * (high - low + 1)), 0)
    kg = maker.weight_kg[good]
    # Wanted weight before each line: trimmed lines weigh less, so the sum never overshoots.
    wanted = qty * kg
    exclusive = np.cumsum(wanted) - wanted
    starts = np.minimum(np.cumsum(lines) - lines, max(owner.size - 1, 0))
    at_start = np.where(lines > 0, exclusive[starts] if owner.size else 0.0, 0.0)
    before = exclusive - np.repeat(at_start, lines)
    room = np.asarray(free_kg)[owner] - before
    fit = np.where(kg > 0, np.floor(np.maximum(room, 0.0) / np.maximum(kg, 1e-12)), qty)
    qty = np.minimum(qty, fit).astype(np.int64)
    keep = qty > 0
    common = np.full(int(keep.sum()), maker.common, dtype=np.int64)
    market = npcs["market_id"].to_numpy().astype(np.int64)[owner[keep]]
    value = maker.value(
        pricing.price[market, good[keep]],
        tier=common,
        material_value=np.ones(common.size),
        condition=np.ones(common.size),
        bonus=np.zeros(common.size, dtype=np.int64),
        qty=qty[keep],
    )
    frame = pl.DataFrame(
        {
            "npc_id": npc[keep],
            "item_id": item_ids(good[keep], common),
            "qty": qty[keep],
            "value": value,
        }
    )
    # Rows are in npc order already; within an NPC, in item order as the key has it.
    return frame.sort("npc_id", "item_id")


def shopkeepers(npcs: pl.DataFrame, markets: pl.DataFrame) -> pl.DataFrame:
    """Who keeps each market's stock: its town's merchants; failing those, the merchants of the
    places it serves; failing those, its town's richest grown-up.

    Args:
        npcs: npc_id, settlement_id, profession, wealth, age.
        markets: market_id, settlement_id, served (the settlement ids it serves).

    Returns:
        market_id, npc_id, weight (their wealth + 1: shares of the stock go by it).
    """
    home = markets.select("market_id", "settlement_id")
    served = markets.select("market_id", pl.col("served").alias("settlement_id")).explode(
        "settlement_id"
    )
    merchants = npcs.filter(pl.col("profession") == MERCHANT).select(
        "npc_id", "settlement_id", "wealth"
    )
    in_town = home.join(merchants, on="settlement_id")
    nearby = served.join(merchants, on="settlement_id").filter(
        ~pl.col("market_id").is_in(in_town["market_id"].implode())
    )
    found = pl.concat([in_town, nearby])
    richest = (
        home.filter(~pl.col("market_id").is_in(found["market_id"].implode()))
        .join(
            npcs.filter(pl.col("age") >= 16).select("npc_id", "settlement_id", "wealth"),
            on="settlement_id",
        )
        .sort("wealth", "npc_id", descending=[True, False])
        .group_by("market_id", maintain_order=True)
        .first()
    )
    return (
        pl.concat([found, richest])
        .select("market_id", "npc_id", (pl.col("wealth") + 1).cast(pl.Float64).alias("weight"))
        .sort("market_id", "npc_id")
    )


def stock_merchants(
    keepers: pl.DataFrame, market_goods: pl.DataFrame, *, goods: GoodsTable, maker: ItemMaker
) -> pl.DataFrame:
    """Each market's stock shared out among its keepers by weight (largest remainders), so the
    keepers of a market hold exactly what its agents hold.

    Args:
        keepers: market_id, npc_id, weight (see `shopkeepers`).
        market_goods: the economy's market_id, good, price, stock.

    Returns:
        npc_id, item_id (the good at common quality), market_id, qty, price, in (npc_id,
        item_id) order.
    """
    positions = goods.index()
    held = market_goods.filter(pl.col("stock") > 0).with_columns(
        pl.col("good").replace_strict(positions, return_dtype=pl.Int64).alias("position")
    )
    shares = held.join(keepers, on="market_id").with_columns(
        (
            pl.col("stock") * pl.col("weight") / pl.col("weight").sum().over("market_id", "good")
        ).alias("exact")
    )
    shares = shares.with_columns(
        pl.col("exact").floor().cast(pl.Int64).alias("base"),
        (pl.col("exact") - pl.col("exact").floor()).alias("fraction"),
    ).sort(["market_id", "position", "fraction", "npc_id"], descending=[False, False, True, False])
    # The units the floors leave over go one each to the largest fractions (ties: lowest id).
    shares = shares.with_columns(
        (pl.col("stock") - pl.col("base").sum().over("market_id", "position")).alias("left"),
        (pl.int_range(pl.len()).over("market_id", "position") + 1).alias("order"),
    )
    return (
        shares.with_columns((pl.col("base") + (pl.col("order") <= pl.col("left"))).alias("qty"))
        .filter(pl.col("qty") > 0)
        .select(
            "npc_id",
            (pl.col("position") * TIER_STRIDE + maker.common).alias("item_id"),
            "market_id",
            "qty",
            "price",
        )
        .sort("npc_id", "item_id")
    )
