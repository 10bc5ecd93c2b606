"""Loot: nested treasure classes by site, room and danger. A room's expected value never falls as
danger rises, whatever the prices; rolls are the same for the same seed, whatever else is
rolled with them; and the rolls average out to the expectation."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tests.strategies import world_seeds
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.gear import (
    DANGER_LEVELS,
    ItemMaker,
    LootTable,
    Pricing,
    expected_room_value,
    roll_loot,
)
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

GOODS = catalog.goods_table()
TABLE = catalog.loot_table()
MAKER = ItemMaker.build(GOODS, gear=catalog.gear_table(), magic=catalog.magic_table())
BASE = np.array([g.value for g in GOODS.goods])
ROOM_KINDS = [
    ("dungeon", "hall"), ("dungeon", "treasure vault"), ("dungeon", "armoury"),
    ("necropolis", "crypt"), ("ruin", "cellar"), ("lair", "den"), ("cave", "hoard"),
    ("mine", "cistern"), ("pirate_cove", "nest"), ("monster_lair", "bone pit"),
]  # fmt: skip


def pricing(markets: int = 1) -> Pricing:
    frame = pl.DataFrame(
        {
            "market_id": np.repeat(np.arange(markets), len(GOODS.goods)),
            "good": list(GOODS.keys()) * markets,
            "price": np.tile(BASE, markets),
        }
    )
    return Pricing.from_market_goods(frame, goods=GOODS)


def rooms(count: int, *, danger: int | None = None, start: int = 0) -> pl.DataFrame:
    ids = np.arange(start, start + count)
    kinds = [ROOM_KINDS[i % len(ROOM_KINDS)] for i in ids]
    return pl.DataFrame(
        {
            "sublocation_id": ids,
            "poi_id": ids // 4,
            "poi_kind": [k for k, _ in kinds],
            "room_kind": [r for _, r in kinds],
            "danger_level": np.full(count, danger) if danger else 1 + ids % DANGER_LEVELS,
            "market_id": np.zeros(count, dtype=np.int64),
        }
    )


def roll(frame: pl.DataFrame, seed: int = 1) -> pl.DataFrame:
    return roll_loot(
        frame, seeds=Seeds(seed), table=TABLE, goods=GOODS, maker=MAKER, pricing=pricing()
    )


@settings(max_examples=60, deadline=None)
@given(
    factors=arrays(np.float64, len(GOODS.goods), elements=st.floats(0.01, 100.0)),
    index=st.floats(0.05, 20.0),
    kind=st.sampled_from(ROOM_KINDS),
)
def test_expected_value_never_falls_as_danger_rises(
    factors: np.ndarray, index: float, kind: tuple[str, str]
) -> None:
    """Only the nodrop weight moves with danger, so this holds for any prices at all."""
    curve = expected_room_value(
        TABLE, goods=GOODS, maker=MAKER, unit_price=BASE * factors, price_index=index,
        poi_kind=kind[0], room_kind=kind[1],
    )  # fmt: skip
    assert np.all(np.diff(curve) >= -1e-9 * curve.max())
    assert curve[-1] > curve[0] > 0


def test_rooms_without_a_class_hold_nothing() -> None:
    curve = expected_room_value(
        TABLE, goods=GOODS, maker=MAKER, unit_price=BASE, price_index=1.0, poi_kind="inn",
        room_kind="cellar",
    )  # fmt: skip
    assert not curve.any()
    assert (
        roll(
            rooms(3).with_columns(
                pl.lit("inn").alias("poi_kind"), pl.lit("loft").alias("room_kind")
            )
        ).height
        == 0
    )


@settings(max_examples=15, deadline=None)
@given(seed=world_seeds, picks=st.lists(st.integers(0, 199), min_size=1, max_size=40, unique=True))
def test_a_rooms_contents_depend_on_the_room_alone(seed: int, picks: list[int]) -> None:
    every = roll(rooms(200), seed)
    some = roll(rooms(200)[sorted(picks)], seed)
    assert some.equals(every.filter(pl.col("sublocation_id").is_in(sorted(picks))))
    assert roll(rooms(200), seed).equals(every)


def test_rolls_average_to_the_expectation() -> None:
    for danger in (1, 5, 10):
        count = 4000
        frame = rooms(count, danger=danger)
        values = roll(frame).group_by("sublocation_id").agg(pl.col("value").sum())
        total = float(values["value"].sum())
        # A room's expectation depends only on its kind and its place's: once per pair.
        kinds = frame.group_by("poi_kind", "room_kind").len()
        expected = sum(
            n * expected_room_value(
                TABLE, goods=GOODS, maker=MAKER, unit_price=BASE, price_index=1.0,
                poi_kind=k, room_kind=r,
            )[danger - 1]
            for k, r, n in kinds.iter_rows()
        )  # fmt: skip
        assert total == pytest.approx(expected, rel=0.08), danger


def test_rows_are_coin_or_catalog_items_and_magic_comes_with_danger() -> None:
    loot = roll(rooms(3000))
    items = set(catalog.goods_table().keys())
    assert len(items) > 0
    coin = loot.filter(pl.col("item_id") < 0)
    assert (coin["qty"] == coin["value"]).all()
    assert coin["material"].is_null().all()
    assert coin["enchantment"].is_null().all()
    goods = loot.filter(pl.col("item_id") >= 0)
    catalog_ids = {
        (g * 16 + t)
        for g, good in enumerate(GOODS.goods)
        for t, tier in enumerate(GOODS.tiers)
        if good.category in ("tool", "weapon", "armour", "clothing", "luxury", "potion")
        or tier.key == "common"
    }
    assert set(goods["item_id"]) <= catalog_ids
    assert ((goods["condition"] > 0) & (goods["condition"] <= 1)).all()
    magic = loot.filter(pl.col("enchantment").is_not_null())
    assert magic.height > 0
    assert (magic["bonus"] >= 1).all()
    danger = rooms(3000).select("sublocation_id", "danger_level")
    assert magic.join(danger, on="sublocation_id")["danger_level"].min() >= 2
    dense = loot.group_by("sublocation_id").agg(
        (pl.col("position").max() + 1 == pl.len()).alias("dense")
    )
    assert dense["dense"].all()


def _loot_table(change: dict[str, Any]) -> LootTable:
    table = copy.deepcopy(read_toml("loot.toml"))
    for path, value in change.items():
        target = table
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return LootTable.from_mapping(
        table, goods=GOODS.keys(), poi_kinds=[p.kind for p in catalog.place_rules().pois]
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "class.junk.entries": [{"class": "arms", "weight": 1}],
                "class.arms.entries": [{"class": "junk", "weight": 1}],
            },
            "cycle",
        ),
        ({"class.junk.entries.0.per_danger": 1.0}, "only nodrop may change"),
        ({"class.dungeon_room.entries.0.per_danger": 2.0}, "downwards"),
        ({"class.junk.entries.0.good": "unicorn"}, "unknown good"),
        ({"class.junk.entries.0": {"weight": 1}}, "none of the four"),
        ({"class.junk.entries.0.qty": [3, 1]}, "1 <= low <= high"),
        ({"kinds.dungeon": "nowhere"}, "unknown classes"),
        ({"kinds.moon": "junk"}, "unknown POI kinds"),
        ({"coin_copper": [3, 2, 1, 1, 1, 1, 1, 1, 1, 1]}, "non-decreasing"),
        ({"extra_picks": [0, 0]}, "10 non-decreasing"),
        ({"class.purse.entries": [{"nodrop": True, "weight": 1}]}, "drops nothing"),
        ({"class.purse.picks": 0}, "1-63 picks"),
        ({"class": {}}, r"\[class"),
    ],
)
def test_bad_loot_tables_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _loot_table(change)


def test_classes_nest_no_deeper_than_eight() -> None:
    chain = {
        f"class.c{i}": {"picks": 1, "entries": [{"class": f"c{i + 1}", "weight": 1}]}
        for i in range(9)
    }
    chain["class.c9"] = {"picks": 1, "entries": [{"coin": [1, 1], "weight": 1}]}
    with pytest.raises(ValueError, match="deeper than 8"):
        _loot_table(chain)
