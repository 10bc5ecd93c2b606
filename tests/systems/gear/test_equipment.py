"""Equipment and inventories: NPCs dressed by profession, culture and wealth, only in legal
slots and within what they can carry; packs that fit; merchants' stock that is exactly the
economy's holdings."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import world_seeds
from worldloom.infrastructure.seed_data import read_toml
from worldloom.infrastructure.store import strictly_ascending
from worldloom.systems.economy import TIER_STRIDE
from worldloom.systems.gear import GearTable, ItemMaker, Pricing
from worldloom.systems.gear.equipment import Wearers, dress, equipment_rows, fighting_gear
from worldloom.systems.gear.inventory import (
    pack_inventories,
    purses,
    shopkeepers,
    stock_merchants,
)
from worldloom.systems.people import CULTURE_TYPES
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

GOODS = catalog.goods_table()
GEAR = catalog.gear_table()
MAKER = ItemMaker.build(GOODS, gear=GEAR, magic=catalog.magic_table())
PRICING = Pricing.from_market_goods(
    pl.DataFrame(
        {"market_id": [0] * len(GOODS.goods), "good": list(GOODS.keys()),
         "price": [g.value for g in GOODS.goods]}
    ),
    goods=GOODS,
)  # fmt: skip
PROFESSIONS = ["farmer", "guard", "adventurer", "noble", "child", "hunter", "miner", "priest"]


def people(count: int, *, seed: int = 0, **fixed: Any) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pl.DataFrame(
        {
            "npc_id": np.arange(count, dtype=np.int64) * 2 + 1,
            "profession": np.array(PROFESSIONS)[rng.integers(0, len(PROFESSIONS), count)],
            "type": np.array(["generic", "nomadic", "naval"])[rng.integers(0, 3, count)],
            "strength": rng.integers(3, 19, count),
            "wealth": rng.integers(0, 300, count),
            "market_id": np.zeros(count, dtype=np.int64),
        }
    )
    return frame.with_columns(*(pl.lit(v).alias(k) for k, v in fixed.items()))


def outfit(frame: pl.DataFrame, seed: int = 1):  # type: ignore[no-untyped-def]
    wearers = Wearers.from_frame(frame)
    return wearers, dress(wearers, seeds=Seeds(seed), table=GEAR, goods=GOODS, maker=MAKER)


def test_gear_goes_only_in_legal_slots_and_within_capacity() -> None:
    frame = people(5000)
    wearers, worn = outfit(frame)
    rows = equipment_rows(wearers, worn, table=GEAR, maker=MAKER, pricing=PRICING)
    legal = {slot.key: {GOODS.index()[g] for g in slot.goods} for slot in GEAR.slots}
    good = rows["item_id"].to_numpy() // TIER_STRIDE
    assert all(g in legal[s] for g, s in zip(good, rows["slot"], strict=True))
    assert rows.select("npc_id", "slot").is_unique().all()
    weight = (
        pl.DataFrame({"npc_id": rows["npc_id"], "kg": MAKER.weight_kg[good]})
        .group_by("npc_id")
        .agg(pl.col("kg").sum())
    )
    carried = dict(zip(weight["npc_id"], weight["kg"], strict=True))
    for npc, load, capacity in zip(wearers.npc_id, worn.load_kg, worn.capacity_kg, strict=True):
        assert load <= capacity + 1e-9
        assert load == pytest.approx(carried.get(npc, 0.0))


def test_worn_rows_come_in_the_table_s_key_order() -> None:
    """By NPC, then slot by name (not the table's slot order): stored so, and read back
    without a sort."""
    wearers, worn = outfit(people(2000))
    rows = equipment_rows(wearers, worn, table=GEAR, maker=MAKER, pricing=PRICING)

    assert [slot.key for slot in GEAR.slots] != sorted(slot.key for slot in GEAR.slots)
    assert rows["slot"].n_unique() > 2
    assert strictly_ascending(rows, ("npc_id", "slot"))


def test_guards_are_armed_and_armoured_and_nobles_wear_finery() -> None:
    frame = people(6000)
    wearers, worn = outfit(frame)
    rows = equipment_rows(wearers, worn, table=GEAR, maker=MAKER, pricing=PRICING).join(
        frame.select("npc_id", "profession"), on="npc_id"
    )

    def share(profession: str, slots: set[str]) -> float:
        mine = frame.filter(pl.col("profession") == profession)
        have = rows.filter((pl.col("profession") == profession) & pl.col("slot").is_in(slots))
        return have["npc_id"].n_unique() / mine.height

    assert share("guard", {"main_hand"}) > 0.9 > share("farmer", {"main_hand"})
    assert share("guard", {"body"}) > 0.6 > share("farmer", {"body"}) == 0.0
    assert share("adventurer", {"ranged"}) > share("priest", {"ranged"}) == 0.0
    assert share("noble", {"neck"}) > 0.4 > share("child", {"neck"}) == 0.0


def test_wealth_buys_dearer_gear_and_culture_its_tastes() -> None:
    poor = people(3000, profession="guard", wealth=5)
    rich = people(3000, profession="guard", wealth=500)
    middling = people(3000, profession="guard", wealth=60)
    frames = pl.concat(
        [
            poor,
            rich.with_columns(pl.col("npc_id") + 100_000),
            middling.with_columns(pl.col("npc_id") + 200_000),
        ]
    )
    wearers, worn = outfit(frames)
    rows = equipment_rows(wearers, worn, table=GEAR, maker=MAKER, pricing=PRICING)
    value = rows.group_by("npc_id").agg(pl.col("value").sum())
    mean = lambda lo, hi: value.filter(pl.col("npc_id").is_between(lo, hi))["value"].mean()  # noqa: E731
    assert mean(100_000, 199_999) > mean(200_000, 299_999) > mean(0, 99_999)
    nomads = people(3000, profession="hunter", type="nomadic")
    sailors = people(3000, profession="hunter", type="naval").with_columns(
        pl.col("npc_id") + 100_000
    )
    wearers, worn = outfit(pl.concat([nomads, sailors]))
    rows = equipment_rows(wearers, worn, table=GEAR, maker=MAKER, pricing=PRICING)
    spears = rows.filter(pl.col("item_id") // TIER_STRIDE == GOODS.index()["spear"])
    assert (spears["npc_id"] < 100_000).sum() > (spears["npc_id"] >= 100_000).sum()


@settings(max_examples=10, deadline=None)
@given(seed=world_seeds, order=st.randoms(use_true_random=False))
def test_an_npcs_gear_depends_on_nobody_elses(seed: int, order: Any) -> None:
    frame = people(400, seed=3)
    wearers, worn = outfit(frame, seed)
    rows = equipment_rows(wearers, worn, table=GEAR, maker=MAKER, pricing=PRICING)
    picked = sorted(order.sample(range(400), 120))
    # Wealth counts relative to the profession's median, so the subset keeps everyone's wealth
    # ratio by keeping the medians: compare NPCs whose profession appears in full.
    sub_wearers, sub_worn = outfit(frame[picked], seed)
    sub_rows = equipment_rows(sub_wearers, sub_worn, table=GEAR, maker=MAKER, pricing=PRICING)
    ids = frame[picked]["npc_id"].implode()
    same_median = (
        frame.group_by("profession")
        .agg(pl.col("wealth").median())
        .join(
            frame[picked].group_by("profession").agg(pl.col("wealth").median().alias("sub")),
            on="profession",
        )
        .filter(pl.col("wealth") == pl.col("sub"))["profession"]
        .implode()
    )
    keep = frame.filter(pl.col("npc_id").is_in(ids) & pl.col("profession").is_in(same_median))[
        "npc_id"
    ].implode()
    assert sub_rows.filter(pl.col("npc_id").is_in(keep)).equals(
        rows.filter(pl.col("npc_id").is_in(keep))
    )


def test_fighting_gear_reads_weapons_armour_and_shields() -> None:
    frame = people(3000, profession="guard")
    _, worn = outfit(frame)
    fighting = fighting_gear(worn, table=GEAR, goods=GOODS)
    slot = [s.key for s in GEAR.slots].index("body")
    body, tier = worn.good[slot], worn.tier[slot]
    keys, tiers = GOODS.keys(), [t.key for t in GOODS.tiers]
    expected = [
        GEAR.armour[keys[g]].ac + GEAR.quality_bonus[tiers[t]] if g >= 0 else 10
        for g, t in zip(body.tolist(), tier.tolist(), strict=True)
    ]
    assert fighting.armour_ac.tolist() == expected
    assert set(np.unique(fighting.weapon_damage)) <= {1.0, 2.5, 3.5, 4.5}
    assert set(np.unique(fighting.shield)) <= {0, 2}
    assert (fighting.ward == 0).all()


def test_packs_and_purses_fit_what_is_left_to_carry() -> None:
    frame = people(4000)
    wearers, worn = outfit(frame)
    free = worn.capacity_kg - worn.load_kg
    coins, coin_kg = purses(wearers.wealth, free_kg=free, table=GEAR)
    assert (coins <= GEAR.purse_max).all()
    assert (coin_kg <= free + 1e-9).all()
    packs = pack_inventories(
        frame, free_kg=free - coin_kg, seeds=Seeds(2), table=GEAR, goods=GOODS, maker=MAKER,
        pricing=PRICING,
    )  # fmt: skip
    assert packs.select("npc_id", "item_id").is_unique().all()
    kg = (
        packs.with_columns(
            (
                pl.Series(MAKER.weight_kg[packs["item_id"].to_numpy() // TIER_STRIDE])
                * pl.col("qty")
            ).alias("kg")
        )
        .group_by("npc_id")
        .agg(pl.col("kg").sum())
    )
    room = dict(zip(wearers.npc_id, free - coin_kg, strict=True))
    assert all(k <= room[n] + 1e-9 for n, k in zip(kg["npc_id"], kg["kg"], strict=True))
    assert (packs["qty"] > 0).all()
    with_bread = packs.filter(pl.col("item_id") // TIER_STRIDE == GOODS.index()["bread"])
    assert with_bread.height > 0


@settings(max_examples=40, deadline=None)
@given(
    stock=st.lists(st.integers(0, 500), min_size=6, max_size=6),
    weights=st.lists(st.integers(0, 1000), min_size=1, max_size=5),
)
def test_merchants_hold_exactly_what_their_market_holds(
    stock: list[int], weights: list[int]
) -> None:
    keepers = pl.DataFrame(
        {"market_id": [0] * len(weights) + [1], "npc_id": [*list(range(len(weights))), 99],
         "weight": [w + 1.0 for w in weights] + [1.0]}
    )  # fmt: skip
    goods = ["bread", "longsword", "salt"]
    holdings = pl.DataFrame(
        {"market_id": [0, 0, 0, 1, 1, 1], "good": goods * 2, "price": [5.0] * 6, "stock": stock}
    )
    shop = stock_merchants(keepers, holdings, goods=GOODS, maker=MAKER)
    held = shop.group_by("market_id", "item_id").agg(pl.col("qty").sum())
    index = GOODS.index()
    expected = {
        (m, index[g] * TIER_STRIDE + MAKER.common): s
        for m, g, s in zip(holdings["market_id"], holdings["good"], holdings["stock"], strict=True)
        if s > 0
    }
    assert (
        dict(zip(zip(held["market_id"], held["item_id"], strict=True), held["qty"], strict=True))
        == expected
    )


def test_shops_are_kept_by_town_merchants_else_nearby_ones_else_the_richest() -> None:
    npcs = pl.DataFrame(
        {
            "npc_id": [1, 2, 3, 4, 5, 6],
            "settlement_id": [10, 10, 20, 21, 30, 30],
            "profession": ["merchant", "farmer", "farmer", "merchant", "farmer", "noble"],
            "wealth": [50, 5, 1, 20, 3, 900],
            "age": [40, 30, 30, 35, 10, 50],
        }
    )
    markets = pl.DataFrame(
        {"market_id": [0, 1, 2], "settlement_id": [10, 20, 30], "served": [[11], [21], [31]]}
    )
    keepers = shopkeepers(npcs, markets)
    assert dict(zip(keepers["market_id"], keepers["npc_id"], strict=True)) == {0: 1, 1: 4, 2: 6}


def _gear_table(path: str, value: Any) -> GearTable:
    table = copy.deepcopy(read_toml("gear.toml"))
    target = table
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return GearTable.from_mapping(
        table,
        goods=GOODS,
        professions=[p.key for p in catalog.character_table().professions] + ["child"],
        culture_types=list(CULTURE_TYPES),
    )


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("slot.0.goods", ["bread"], "graded goods"),
        ("kit.guard.main_hand", {"plate_armour": 1}, "illegal good"),
        ("kit.guard.body", {"mail": 0}, "weights"),
        ("kit.guard.tail", {"mail": 1}, "unknown slot"),
        ("kit.wizard", {}, "unknown profession"),
        ("weapons.spear", {"damage": 0}, "damage"),
        ("weapons", {"unarmed": {"damage": 1}}, "held good without stats"),
        ("armour", {}, "worn good without stats"),
        ("armour.mail", {"ac": -1}, "armour 'mail'"),
        ("quality_bonus", {"common": 0}, "every tier"),
        ("material.0.goods", ["unicorn"], "material good"),
        ("material.0.options", {"steel": [0, 1.0]}, "numbers"),
        ("material.0.options", {"steel": 3}, "weight, value"),
        ("culture", {"generic": {}}, "culture types"),
        ("culture.generic", {"unicorn": 2.0}, "culture goods"),
        ("pack.farmer", {"bread": [3, 1, 0.5]}, "pack.farmer.bread"),
        ("pack.wizard", {"bread": [1, 1, 0.5]}, "unknown profession"),
        ("carry.kg_per_strength", 0, "positive number"),
        ("condition.max_wear", 1.5, "at most 1"),
        ("artifacts.goods", {"bread": 1}, "must be wearable"),
        ("artifacts.nouns", {}, "one per good"),
        ("artifacts.ancient_years", [10, 5], "ancient_years"),
        ("artifacts.names", [], "artifacts"),
        ("slot", [], "slot"),
        ("carry", 3, "carry"),
    ],
)
def test_bad_gear_tables_are_refused(path: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _gear_table(path, value)
