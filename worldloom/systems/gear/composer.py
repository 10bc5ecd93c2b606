"""The gear stage's composer: a world's magic, equipment, inventories, merchants' stock,
artifacts, loot, encounters and stat blocks, in the order each needs the last."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from worldloom.systems.combat import Rulebook, bestiary_frame, challenge_xp
from worldloom.systems.economy import GoodsTable
from worldloom.systems.gear.artifact import NOBODY, Forged, Realm, forge_artifacts
from worldloom.systems.gear.equipment import (
    Outfit,
    Wearers,
    dress,
    equipment_rows,
    fighting_gear,
)
from worldloom.systems.gear.holding import artifact_rows, lost_artifact_loot, wear_artifacts
from worldloom.systems.gear.inventory import (
    pack_inventories,
    purses,
    shopkeepers,
    stock_merchants,
)
from worldloom.systems.gear.item import ItemMaker, Pricing
from worldloom.systems.gear.loot import roll_loot
from worldloom.systems.gear.loot_table import LootTable
from worldloom.systems.gear.sheet import npc_stat_blocks, stat_block_rows
from worldloom.systems.gear.site import (
    loot_rooms,
    nearest_markets,
    place_encounters,
    settlement_markets,
)
from worldloom.systems.gear.table import GearTable
from worldloom.systems.magic import (
    MagicPlaces,
    MagicTable,
    choose_casters,
    school_frame,
    spell_frame,
)
from worldloom.systems.naming import NameBases
from worldloom.systems.rng import Seeds

OWNER_PROFESSIONS = ("noble", "adventurer", "guard", "priest", "merchant")
"""Who may own an artifact besides notables."""
MAKER_PROFESSIONS = ("smith", "artisan")
MAKER_AGE = 30


@dataclass(frozen=True, slots=True)
class GearTables:
    """The seed tables the gear stage reads."""

    goods: GoodsTable
    gear: GearTable
    loot: LootTable
    magic: MagicTable
    combat: Rulebook
    name_bases: NameBases
    days_per_year: int


@dataclass(frozen=True, slots=True)
class GearWorld:
    """The stored rows the gear stage stands on."""

    npcs: pl.DataFrame
    settlements: pl.DataFrame
    pois: pl.DataFrame
    sublocations: pl.DataFrame
    regions: pl.DataFrame
    cultures: pl.DataFrame
    deities: pl.DataFrame
    holy_sites: pl.DataFrame
    markets: pl.DataFrame
    market_goods: pl.DataFrame
    tick: int


@dataclass(frozen=True, slots=True)
class Gear:
    """Everything the gear stage makes, one frame per table."""

    monsters: pl.DataFrame
    spells: pl.DataFrame
    magic_schools: pl.DataFrame
    casters: pl.DataFrame
    stat_blocks: pl.DataFrame
    equipment: pl.DataFrame
    inventories: pl.DataFrame
    merchant_stock: pl.DataFrame
    artifacts: pl.DataFrame
    item_history: pl.DataFrame
    poi_loot: pl.DataFrame
    encounters: pl.DataFrame


def generate_gear(world: GearWorld, *, seeds: Seeds, tables: GearTables) -> Gear:
    """Arm, dress, pack and empower a world's people; fill its dungeons; set its monsters.

    Args:
        world: the stored rows it stands on (people, places, faiths, markets at the tick).
        seeds: the world's seed tree.
        tables: the seed tables.
    """
    goods, gear = tables.goods, tables.gear
    pricing = Pricing.from_market_goods(world.market_goods, goods=goods)
    maker = ItemMaker.build(goods, gear=gear, magic=tables.magic)
    markets = settlement_markets(world.settlements, world.markets)
    # Each join finds one row per NPC, in the NPCs' order: stored NPCs come in id order, so
    # the sort (a gather of every column of a million rows) is only for others.
    npcs = (
        world.npcs.join(markets, on="settlement_id", how="left", maintain_order="left")
        .join(
            world.settlements.select("settlement_id", "region_id"),
            on="settlement_id",
            how="left",
            maintain_order="left",
        )
        .join(
            world.cultures.select("culture_id", "type"),
            on="culture_id",
            how="left",
            maintain_order="left",
        )
    )
    if not npcs["npc_id"].is_sorted():
        npcs = npcs.sort("npc_id")
    casters = choose_casters(
        npcs,
        places=MagicPlaces(
            settlement_region=world.settlements.select("settlement_id", "region_id"),
            region_resources=world.regions.select("region_id", "resources"),
            culture_types=world.cultures.select("culture_id", "type"),
            deities=world.deities.select("religion_id", "rank", "domains"),
            holy_sites=world.holy_sites.select("religion_id", "region_id"),
        ),
        seeds=seeds,
        table=tables.magic,
    )
    wearers = Wearers.from_frame(npcs)
    outfit = dress(wearers, seeds=seeds, table=gear, goods=goods, maker=maker)
    rooms = loot_rooms(world.pois, world.sublocations)
    rooms = rooms.with_columns(
        pl.Series(
            "market_id",
            nearest_markets(rooms, settlements=world.settlements, markets=world.markets),
        )
    )
    forged, holder_rows = _artifacts(
        world, npcs, outfit, rooms, seeds=seeds, tables=tables, maker=maker
    )
    wear_artifacts(outfit, forged.artifacts, holder_rows, maker=maker)
    free = outfit.capacity_kg - outfit.load_kg
    coins, coin_kg = purses(wearers.wealth, free_kg=free, table=gear)
    inventories = pack_inventories(
        npcs,
        free_kg=free - coin_kg,
        seeds=seeds,
        table=gear,
        goods=goods,
        maker=maker,
        pricing=pricing,
    )
    packed = np.zeros(npcs.height)
    if inventories.height:
        ids = inventories["npc_id"].to_numpy()
        kg = (
            maker.weight_kg[inventories["item_id"].to_numpy() // 16] * inventories["qty"].to_numpy()
        )
        np.add.at(packed, np.searchsorted(wearers.npc_id, ids), kg)
    blocks = npc_stat_blocks(
        npcs,
        fighting=fighting_gear(outfit, table=gear, goods=goods),
        casters=casters,
        rules=tables.combat.rules,
    )
    loot = roll_loot(
        rooms, seeds=seeds, table=tables.loot, goods=goods, maker=maker, pricing=pricing
    )
    loot = pl.concat(
        [loot, lost_artifact_loot(forged.artifacts, rooms, loot, maker=maker, pricing=pricing)]
    )
    held = holder_rows >= 0
    return Gear(
        monsters=bestiary_frame(tables.combat.bestiary),
        spells=spell_frame(tables.magic),
        magic_schools=school_frame(tables.magic),
        casters=casters,
        stat_blocks=stat_block_rows(
            wearers.npc_id,
            blocks,
            xp=challenge_xp(blocks, rules=tables.combat.rules),
            capacity_kg=outfit.capacity_kg,
            load_kg=outfit.load_kg + coin_kg + packed,
            purse=coins,
        ),
        equipment=equipment_rows(wearers, outfit, table=gear, maker=maker, pricing=pricing),
        inventories=inventories,
        merchant_stock=stock_merchants(
            shopkeepers(npcs, world.markets), world.market_goods, goods=goods, maker=maker
        ),
        artifacts=artifact_rows(
            forged.artifacts,
            holder_ids=np.where(held, wearers.npc_id[np.maximum(holder_rows, 0)], NOBODY).tolist(),
            holder_markets=np.where(held, wearers.market[np.maximum(holder_rows, 0)], 0).tolist(),
            rooms=rooms,
            maker=maker,
            pricing=pricing,
        ),
        item_history=forged.history,
        poi_loot=loot.sort("sublocation_id", "position"),
        encounters=place_encounters(
            world.pois, world.sublocations, seeds=seeds, rulebook=tables.combat
        ),
    )


def _artifacts(
    world: GearWorld,
    npcs: pl.DataFrame,
    outfit: Outfit,
    rooms: pl.DataFrame,
    *,
    seeds: Seeds,
    tables: GearTables,
    maker: ItemMaker,
) -> tuple[Forged, np.ndarray]:
    """The world's artifacts, and per artifact its holder's row in `npcs` (-1 when lost)."""
    rules = tables.gear.artifacts
    adults = npcs.filter(pl.col("age") >= rules.min_owner_age)
    owners = adults.filter(pl.col("notable") | pl.col("profession").is_in(OWNER_PROFESSIONS))
    row = np.searchsorted(npcs["npc_id"].to_numpy(), owners["npc_id"].to_numpy())
    kg = np.where(outfit.good >= 0, maker.weight_kg[np.maximum(outfit.good, 0)], 0.0)
    candidates = owners.select(
        "npc_id", "settlement_id", "culture_id", "age", "father_id", "mother_id", "spouse_id"
    ).with_columns(
        pl.Series("free_kg", (outfit.capacity_kg - outfit.load_kg)[row]),
        pl.Series("slot_kg", kg[:, row].T, dtype=pl.Array(pl.Float64, kg.shape[0])),
        pl.Series("row", row),
    )
    masters = adults.filter(
        pl.col("profession").is_in(MAKER_PROFESSIONS) & (pl.col("age") >= MAKER_AGE)
    ).select(
        "npc_id",
        "settlement_id",
        "culture_id",
        "age",
        pl.concat_str("name", pl.lit(" "), "family_name").alias("name"),
    )
    sites = rooms.select("poi_id").n_unique() if rooms.height else 0
    count = max(
        rules.min_count,
        round(
            world.settlements.height / rules.settlements_per_artifact
            + sites / rules.sites_per_artifact
        ),
    )
    bases = world.cultures.sort("culture_id")["name_base"].to_list()
    forged = forge_artifacts(
        count,
        realm=Realm(
            candidates,
            masters,
            rooms.select("sublocation_id", "poi_id", "danger_level"),
            tuple(bases),
        ),
        tick=world.tick,
        days_per_year=tables.days_per_year,
        seeds=seeds,
        table=tables.gear,
        goods=tables.goods,
        maker=maker,
        bases=tables.name_bases,
    )
    holders = np.array(
        [row[a.holder] if a.holder != NOBODY else -1 for a in forged.artifacts], dtype=np.int64
    )
    return forged, holders
