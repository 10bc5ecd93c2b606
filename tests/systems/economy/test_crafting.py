"""Recipes and production chains: the shipped book, and each way a recipe table can be unsound."""

from __future__ import annotations

import copy
import pickle
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worldloom.systems.economy import CraftingError, GoodsTable, RecipeBook, yield_multiplier
from worldloom.tasks import catalog

Table = dict[str, Any]
PRODUCERS = (
    "farmer", "herder", "hunter", "fisher", "woodcutter", "miner", "laborer", "smith", "artisan",
    "sailor", "innkeeper", "priest", "healer",
)  # fmt: skip
SERVICES = ("merchant", "guard")


def _goods() -> GoodsTable:
    rows = [
        ("grain", "raw", 2, 0), ("bread", "food", 5, 1.0), ("ore", "raw", 5, 0),
        ("ingot", "material", 10, 0), ("pick", "tool", 30, 0), ("sword", "weapon", 50, 0),
        ("ring", "luxury", 80, 0),
    ]  # fmt: skip
    return GoodsTable.from_mapping(
        {
            "tier": [{"key": "common", "value": 1.0, "share": 1.0}],
            "good": [
                {"key": k, "name": k.title(), "category": c, "value": v, "weight": 1.0,
                 "perish": 0.0, "nutrition": n}
                for k, c, v, n in rows
            ],
        }
    )  # fmt: skip


def _recipe(key: str, profession: str, inputs: Table, outputs: Table, **extra: Any) -> Table:
    return {"key": key, "profession": profession, "inputs": inputs, "outputs": outputs,
            "labor": 1, "time": 1, **extra}  # fmt: skip


def _book() -> Table:
    return {
        "recipe": [
            _recipe("farm", "farmer", {}, {"grain": 4}, resource="grain"),
            _recipe("bake", "innkeeper", {"grain": 2}, {"bread": 1}),
            _recipe("mine", "miner", {}, {"ore": 2}, resource="ore", tool="pick", wear=0.1),
            _recipe("smelt", "smith", {"ore": 2}, {"ingot": 1}),
            _recipe("forge_pick", "smith", {"ingot": 1}, {"pick": 1}),
            _recipe("forge_sword", "smith", {"ingot": 2}, {"sword": 1}),
            _recipe("set_ring", "artisan", {"ingot": 1}, {"ring": 1}),
        ],
        "need": [{"profession": "guard", "good": "sword", "per_tick": 0.01}],
        "yield": {"grassland": {"grain": 1.5}},
        "consumption": {"food_per_tick": 1.0, "comfort_categories": ["luxury"],
                        "comfort_every": 7},
    }  # fmt: skip


def _load(table: Table) -> RecipeBook:
    return RecipeBook.from_mapping(
        table,
        goods=_goods(),
        professions=(*PRODUCERS, *SERVICES),
        resources=("grain", "ore"),
        biomes=("grassland", "tundra"),
    )


def _recipe_field(index: int, field: str, value: Any) -> Callable[[Table], None]:
    def edit(table: Table) -> None:
        table["recipe"][index][field] = value

    return edit


def _add_recipe(*recipe: Any, **extra: Any) -> Callable[[Table], None]:
    def edit(table: Table) -> None:
        table["recipe"].append(_recipe(*recipe, **extra))

    return edit


def _remove_recipe(key: str) -> Callable[[Table], None]:
    def edit(table: Table) -> None:
        table["recipe"] = [r for r in table["recipe"] if r["key"] != key]

    return edit


def _edit(section: str, change: Table) -> Callable[[Table], None]:
    def edit(table: Table) -> None:
        table[section] = {**table[section], **change}

    return edit


def _add_need(profession: str, good: str) -> Callable[[Table], None]:
    def edit(table: Table) -> None:
        table["need"].append({"profession": profession, "good": good, "per_tick": 0.1})

    return edit


def _replace_farming(table: Table) -> None:
    """Grain only from bread now: a loop with no way in from the land."""
    table["recipe"][0] = _recipe("thresh", "farmer", {"bread": 1}, {"grain": 3})
    table["yield"] = {}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_recipe_field(1, "inputs", {"rye": 2}), "recipe 'bake' inputs names unknown good 'rye'"),
        (_recipe_field(1, "outputs", {}), "recipe 'bake' makes nothing"),
        (_recipe_field(1, "inputs", {"grain": 0}), "recipe 'bake' inputs needs a whole number"),
        (_recipe_field(1, "profession", "baker"), "recipe 'bake' has unknown profession 'baker'"),
        (_recipe_field(0, "resource", "wheat"), "recipe 'farm' draws on unknown resource 'wheat'"),
        (_recipe_field(1, "resource", "grain"), "recipe 'bake' has inputs, so it is a workshop"),
        (_add_recipe("forage", "farmer", {}, {"grain": 1}), "recipe 'forage' gathers from nothing"),
        (_recipe_field(0, "tool", "sword"), "recipe 'farm' tool 'sword' is not a good of category"),
        (_recipe_field(1, "wear", 0.1), "recipe 'bake' wear must be in .0, 1., and 0 without"),
        (_recipe_field(2, "wear", 1.5), "recipe 'mine' wear must be in"),
        (_recipe_field(1, "time", 0), "recipe 'bake' needs a whole time >= 1"),
        (_recipe_field(1, "labor", -1), "recipe 'bake' needs labor >= 0"),
        (_add_recipe("bake", "innkeeper", {"grain": 2}, {"bread": 1}), "defined twice: .'bake'."),
        (_add_need("guard", "shield"), "need of 'guard' for 'shield': unknown good"),
        (_add_need("knight", "sword"), "need of 'knight' for 'sword': unknown profession"),
        (_edit("yield", {"jungle": {"grain": 2.0}}), r"\[yield.jungle\]: unknown biome"),
        (_edit("yield", {"tundra": {"bread": 2.0}}), "'bread' is not gathered by any recipe"),
        (_edit("consumption", {"comfort_categories": ["gadget"]}), "unknown categories"),
        (_edit("consumption", {"comfort_every": 0}), "comfort_every must be a whole number"),
        (_edit("consumption", {"food_per_tick": 0}), "food_per_tick must be > 0"),
        # Production chains.
        (_recipe_field(3, "outputs", {"ingot": 1, "grain": 0}), "'smelt' outputs needs a whole"),
        (_remove_recipe("smelt"), "recipe 'mine' uses 'pick', which no chain"),
        (_remove_recipe("forge_pick"), "recipe 'mine' uses 'pick', which no chain"),
        (_replace_farming, "recipe 'thresh' uses 'bread', which no chain"),
        (_remove_recipe("forge_sword"), "need of 'guard' for 'sword': no chain of recipes"),
        (_remove_recipe("set_ring"), "good 'ring' is not made by any workable recipe"),
        (
            _add_recipe("recast", "smith", {"ingot": 1}, {"ore": 3}),
            "recipes ('recast', 'smelt'|'smelt', 'recast') form a cycle that makes more goods",
        ),
        (
            _add_recipe("sell_grain", "farmer", {"ring": 1}, {"grain": 1}),
            "makes 2 copper .* from 80",
        ),
        (
            lambda table: table.update(need=[]),
            "good 'sword' has no sink: no recipe, tool wear, need, food or comfort purchase",
        ),
        (_edit("consumption", {"comfort_categories": []}), "good 'ring' has no sink"),
    ],
)
def test_each_unsound_recipe_table_is_rejected_by_name(
    edit: Callable[[Table], None], message: str
) -> None:
    table = copy.deepcopy(_book())
    _load(table)  # the unedited table is sound
    edit(table)
    with pytest.raises(CraftingError, match=message):
        _load(table)


def test_a_cycle_that_only_breaks_even_is_allowed() -> None:
    table = _book()
    table["recipe"].append(_recipe("recast", "smith", {"ingot": 1}, {"ore": 2}))
    assert len(_load(table).recipes) == 8


def test_a_cycle_behind_a_long_chain_is_found_and_named() -> None:
    table = _book()
    # forge_sword halves the units, but melting a ring down into eight ingots more than pays.
    table["recipe"] = [r for r in table["recipe"] if r["key"] != "set_ring"] + [
        _recipe("sword_to_ring", "artisan", {"sword": 1}, {"ring": 1}),
        _recipe("ring_to_ingot", "artisan", {"ring": 1}, {"ingot": 8}),
    ]
    with pytest.raises(CraftingError, match="form a cycle") as error:
        _load(table)
    named = set(re.findall(r"'(\w+)'", str(error.value).split(" form ")[0]))
    assert named == {"forge_sword", "sword_to_ring", "ring_to_ingot"}


@given(order=st.permutations(range(8)))
@settings(max_examples=40, deadline=None)
def test_the_cycle_named_does_not_depend_on_recipe_order(order: list[int]) -> None:
    table = _book()
    recipes = [*table["recipe"], _recipe("recast", "smith", {"ingot": 1}, {"ore": 3})]
    table["recipe"] = [recipes[i] for i in order]
    with pytest.raises(CraftingError, match="form a cycle") as error:
        _load(table)
    assert set(re.findall(r"'(\w+)'", str(error.value))) == {"recast", "smelt"}


def test_yields_default_to_one() -> None:
    book = _load(_book())
    assert yield_multiplier(book, "grassland", "grain") == 1.5
    assert yield_multiplier(book, "grassland", "ore") == 1.0
    assert yield_multiplier(book, "tundra", "grain") == 1.0
    with pytest.raises(TypeError):
        book.yields["tundra"] = {}  # type: ignore[index]


def test_shipped_book_puts_every_producer_to_work() -> None:
    book, goods = catalog.recipe_book(), catalog.goods_table()
    for profession in PRODUCERS:
        assert len(book.of_profession(profession)) >= 2, profession
    assert not any(r.profession in SERVICES for r in book.recipes)
    assert 70 <= len(book.recipes) <= 100
    assert all(book.makers_of(good.key) for good in goods.goods)
    assert {r.resource for r in book.recipes if r.gathering} == {
        "grain", "herbs", "peat", "game", "timber", "fish", "furs", "salt", "stone", "ore", "gems",
    }  # fmt: skip
    assert yield_multiplier(book, "grassland", "grain") > 1
    assert book.consumption.comfort_categories == ("drink", "clothing", "luxury", "potion")
    needs = {(n.profession, n.good) for n in book.needs}
    assert {("guard", "spear"), ("guard", "mail"), ("hunter", "arrows")} <= needs


def test_shipped_recipes_pay_labour_for_the_value_they_add() -> None:
    book, goods = catalog.recipe_book(), catalog.goods_table()
    value = {g.key: g.value for g in goods.goods}
    for recipe in book.recipes:
        added = sum(value[g] * n for g, n in recipe.outputs)
        added -= sum(value[g] * n for g, n in recipe.inputs)
        assert recipe.labor == pytest.approx(added, abs=0.5), recipe.key
        assert 5 <= recipe.labor / recipe.time <= 40, recipe.key


def test_a_book_pickles_whole_and_its_yields_stay_read_only() -> None:
    """The rules go to the process a simulate run's economy runs in: the book comes back equal,
    its yields as read-only as the one read from the tables."""
    book = catalog.recipe_book()
    again = pickle.loads(pickle.dumps(book))
    assert again == book
    assert again.yields == book.yields
    assert again.yields  # the shipped book has yields to carry
    biome = next(iter(again.yields))
    with pytest.raises(TypeError):
        again.yields[biome] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        again.yields[biome]["grain"] = 2.0  # type: ignore[index]
    assert pickle.loads(pickle.dumps(catalog.economy_rules())).book == book
