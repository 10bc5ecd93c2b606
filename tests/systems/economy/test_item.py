"""Goods and quality tiers: the shipped table, each validation error, and the item catalog."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from worldloom.systems.economy import (
    CATEGORIES,
    GRADED,
    TIER_STRIDE,
    GoodsTable,
    build_item_catalog,
)
from worldloom.tasks import catalog

Table = dict[str, Any]


def _small() -> Table:
    return {
        "tier": [
            {"key": "crude", "value": 0.6, "share": 0.3},
            {"key": "common", "value": 1.0, "share": 0.6},
            {"key": "fine", "value": 1.8, "share": 0.1},
        ],
        "good": [
            {"key": "grain", "name": "Grain", "category": "raw", "value": 3, "weight": 1.0,
             "perish": 0.002},
            {"key": "bread", "name": "Bread", "category": "food", "value": 5, "weight": 0.5,
             "perish": 0.1, "nutrition": 1.2},
            {"key": "longsword", "name": "Longsword", "category": "weapon", "value": 150,
             "weight": 1.5, "perish": 0.0},
        ],
    }  # fmt: skip


def test_shipped_goods_cover_every_category_on_a_sensible_ladder() -> None:
    goods = catalog.goods_table()
    assert len(goods.goods) >= 64
    assert {g.category for g in goods.goods} == set(CATEGORIES)
    assert [t.key for t in goods.tiers] == ["crude", "common", "fine", "masterwork"]
    value = {g.key: g.value for g in goods.goods}
    assert 2 <= value["grain"] <= 4 < value["bread"] < value["iron_ingot"] < value["longsword"]
    assert value["jewellery"] >= 300
    perish = {g.key: g.perish for g in goods.goods}
    assert perish["fish"] > 10 * perish["grain"]
    assert perish["longsword"] == 0


def test_table_helpers_agree_with_positions() -> None:
    goods = GoodsTable.from_mapping(_small())
    assert goods.keys() == ("grain", "bread", "longsword")
    assert goods.index() == {"grain": 0, "bread": 1, "longsword": 2}
    assert goods.of_category("food", "weapon") == (1, 2)
    assert goods.good("bread").nutrition == 1.2


def _set(path: tuple[str, int, str], value: Any) -> Callable[[Table], None]:
    def edit(table: Table) -> None:
        table[path[0]][path[1]][path[2]] = value

    return edit


def _drop(path: tuple[str, int, str]) -> Callable[[Table], None]:
    def edit(table: Table) -> None:
        del table[path[0]][path[1]][path[2]]

    return edit


def _append_copy(name: str, index: int) -> Callable[[Table], None]:
    def edit(table: Table) -> None:
        table[name].append(dict(table[name][index]))

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_append_copy("good", 0), "good 'grain' is defined twice"),
        (_set(("good", 0, "key"), "Grain"), "good 'Grain' key must be snake_case"),
        (_set(("good", 0, "category"), "gadget"), "good 'grain' has unknown category 'gadget'"),
        (_set(("good", 0, "value"), 0.5), "good 'grain' value must be >= 1"),
        (_drop(("good", 2, "value")), "good 'longsword' needs a finite number 'value'"),
        (_set(("good", 1, "perish"), 1.0), r"good 'bread' perish must be in \[0, 1\)"),
        (_set(("good", 1, "perish"), -0.1), r"good 'bread' perish must be in \[0, 1\)"),
        (_set(("good", 0, "nutrition"), 1.0), "good 'grain' nutrition must be > 0 for food"),
        (_drop(("good", 1, "nutrition")), "good 'bread' nutrition must be > 0 for food"),
        (_set(("good", 2, "weight"), -1), "good 'longsword' weight must be >= 0"),
        (_set(("tier", 2, "share"), 0.2), "tier shares must sum to 1"),
        (_set(("tier", 1, "key"), "plain"), "needs a tier 'common' with value 1"),
        (_append_copy("tier", 0), "tier 'crude' is defined twice"),
        (_set(("tier", 0, "value"), 0), r"tier 'crude' needs value > 0"),
    ],
)
def test_each_bad_goods_table_is_rejected_by_name(
    edit: Callable[[Table], None], message: str
) -> None:
    table = copy.deepcopy(_small())
    GoodsTable.from_mapping(table)  # the unedited table is fine
    edit(table)
    with pytest.raises(ValueError, match=message):
        GoodsTable.from_mapping(table)


def test_item_catalog_grades_only_crafted_goods() -> None:
    items = build_item_catalog(GoodsTable.from_mapping(_small()))
    assert items.columns == ["item_id", "good", "name", "category", "quality", "value", "weight"]
    assert items.filter(pl.col("good") != "longsword")["quality"].to_list() == ["common"] * 2
    swords = items.filter(pl.col("good") == "longsword")
    assert swords["name"].to_list() == ["Crude Longsword", "Longsword", "Fine Longsword"]
    assert swords["item_id"].to_list() == [2 * TIER_STRIDE + t for t in range(3)]
    assert swords["value"].to_list() == [90, 150, 270]


def test_shipped_item_catalog_ids_are_unique_and_values_positive() -> None:
    goods = catalog.goods_table()
    items = build_item_catalog(goods)
    assert items["item_id"].is_unique().all()
    assert (items["value"] >= 1).all()
    graded = len(goods.of_category(*GRADED))
    assert items.height == len(goods.goods) + graded * (len(goods.tiers) - 1)


def test_item_ids_stay_put_when_goods_are_appended() -> None:
    table = _small()
    before = build_item_catalog(GoodsTable.from_mapping(table))
    table["good"].append(
        {"key": "mail", "name": "Mail", "category": "armour", "value": 250, "weight": 12.0,
         "perish": 0.0}
    )  # fmt: skip
    after = build_item_catalog(GoodsTable.from_mapping(table))
    assert after.head(before.height).equals(before)
    assert after.height == before.height + 3
