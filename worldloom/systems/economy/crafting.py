"""Recipes and needs: how goods are gathered, made and used up, with their chains validated."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from worldloom.systems.economy.item import CATEGORIES, NOURISHING, GoodsTable

_EPSILON = 1e-9


class CraftingError(ValueError):
    """A recipe table that cannot run a sound economy; the message names the culprit."""


@dataclass(frozen=True, slots=True)
class Recipe:
    """One batch of work: inputs in, outputs out, by one profession."""

    key: str
    profession: str
    inputs: tuple[tuple[str, int], ...]
    """(good, units per batch); empty for gathering."""
    outputs: tuple[tuple[str, int], ...]
    resource: str | None
    """The region resource a gathering recipe draws on; None for workshop recipes."""
    tool: str | None
    """A good of category tool the work wears out."""
    wear: float
    """Chance per batch that the tool breaks."""
    labor: float
    """Copper of labour per batch: the least the producer will work for."""
    time: int
    """Ticks per batch."""

    @property
    def gathering(self) -> bool:
        """Whether this draws on the land rather than on other goods."""
        return not self.inputs


@dataclass(frozen=True, slots=True)
class Need:
    """A non-food good a profession uses up at work."""

    profession: str
    good: str
    per_tick: float


@dataclass(frozen=True, slots=True)
class Consumption:
    """What everyone eats, and what they buy for comfort when they can."""

    food_per_tick: float
    comfort_categories: tuple[str, ...]
    comfort_every: int
    """Ticks between comfort purchases."""


@dataclass(frozen=True, slots=True)
class RecipeBook:
    """Everything `data/recipes.toml` defines, validated against the goods and the world."""

    recipes: tuple[Recipe, ...]
    needs: tuple[Need, ...]
    yields: Mapping[str, Mapping[str, float]]
    """Biome -> gathered good -> output multiplier (read-only; missing means 1)."""
    consumption: Consumption

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        *,
        goods: GoodsTable,
        professions: Collection[str],
        resources: Collection[str],
        biomes: Collection[str],
    ) -> RecipeBook:
        """Validate a parsed `recipes.toml`.

        Raises:
            CraftingError: an unknown good, profession, resource or biome; a gathering recipe
                without a resource; a tool that is not a tool; an input, tool or need nothing
                can make from the land; a cycle of recipes that multiplies goods; a good
                nothing makes or nothing uses up; or a workshop recipe whose outputs are worth
                less than its inputs. The message names the recipe, need or good.
        """
        recipes = tuple(
            _recipe(raw, goods=goods, professions=professions, resources=resources)
            for raw in _records(data, "recipe")
        )
        _require_unique([r.key for r in recipes])
        needs = tuple(
            _need(raw, goods=goods, professions=professions) for raw in data.get("need", ())
        )
        consumption = _consumption(data.get("consumption"))
        yields = _yields(data.get("yield", {}), recipes=recipes, biomes=biomes)
        book = cls(recipes, needs, yields, consumption)
        check_production_chains(book, goods=goods)
        return book

    def of_profession(self, profession: str) -> tuple[Recipe, ...]:
        """The recipes `profession` works, in table order."""
        return tuple(r for r in self.recipes if r.profession == profession)

    def makers_of(self, good: str) -> tuple[Recipe, ...]:
        """The recipes with `good` among their outputs, in table order."""
        return tuple(r for r in self.recipes if any(g == good for g, _ in r.outputs))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its yields as plain tables (a read-only mapping does not pickle), read-only
        again once loaded: the economy's rules go to the process a simulate run's economy runs
        in."""
        plain = {biome: dict(goods) for biome, goods in self.yields.items()}
        return _loaded_book, (self.recipes, self.needs, plain, self.consumption)


def _loaded_book(
    recipes: tuple[Recipe, ...],
    needs: tuple[Need, ...],
    yields: dict[str, dict[str, float]],
    consumption: Consumption,
) -> RecipeBook:
    """A pickled `RecipeBook` again (`RecipeBook.__reduce__`)."""
    read_only = {biome: MappingProxyType(goods) for biome, goods in yields.items()}
    return RecipeBook(recipes, needs, MappingProxyType(read_only), consumption)


def yield_multiplier(book: RecipeBook, biome: str, good: str) -> float:
    """How much more (or less) of gathered `good` a batch brings in `biome`; 1 by default."""
    return book.yields.get(biome, {}).get(good, 1.0)


def check_production_chains(book: RecipeBook, *, goods: GoodsTable) -> None:
    """Check that the recipes form a working economy over `goods`.

    Raises:
        CraftingError: see `RecipeBook.from_mapping`.
    """
    value = {good.key: good.value for good in goods.goods}
    for recipe in book.recipes:
        if recipe.gathering:
            continue
        spent = sum(value[g] * n for g, n in recipe.inputs)
        made = sum(value[g] * n for g, n in recipe.outputs)
        if made < spent - _EPSILON:
            raise CraftingError(
                f"recipe {recipe.key!r} makes {made:g} copper of goods from {spent:g}: "
                "crafting must add value"
            )
    _check_reachable(book, goods=goods)
    _check_no_multiplying_cycle(book.recipes)
    _check_sinks(book, goods=goods)


def _check_reachable(book: RecipeBook, *, goods: GoodsTable) -> None:
    """Everything must trace back to the land: fire recipes from the gathering ones until
    nothing new can be made. Tools do not gate a recipe, or no first hammer could be forged."""
    made: set[str] = set()
    pending = list(book.recipes)
    progress = True
    while progress:
        progress = False
        for recipe in list(pending):
            if all(g in made for g, _ in recipe.inputs):
                made.update(g for g, _ in recipe.outputs)
                pending.remove(recipe)
                progress = True
    for recipe in book.recipes:
        for good in [g for g, _ in recipe.inputs] + ([recipe.tool] if recipe.tool else []):
            if good not in made:
                raise CraftingError(
                    f"recipe {recipe.key!r} uses {good!r}, which no chain of recipes makes "
                    "from gathered goods"
                )
    for need in book.needs:
        if need.good not in made:
            raise CraftingError(
                f"need of {need.profession!r} for {need.good!r}: no chain of recipes makes it "
                "from gathered goods"
            )
    for unmade in (g.key for g in goods.goods if g.key not in made):
        raise CraftingError(f"good {unmade!r} is not made by any workable recipe")


def _check_no_multiplying_cycle(recipes: Sequence[Recipe]) -> None:
    """Bellman-Ford on -log(gain): a negative cycle is a loop of recipes that turns some
    units of a good into more of the same, i.e. value from nothing."""
    edges = [
        (source, target, -math.log(made / spent), recipe.key)
        for recipe in recipes
        for source, spent in recipe.inputs
        for target, made in recipe.outputs
    ]
    nodes = sorted({e[0] for e in edges} | {e[1] for e in edges})
    distance = dict.fromkeys(nodes, 0.0)
    via: dict[str, tuple[str, str]] = {}
    changed = None
    for _ in range(len(nodes)):
        changed = None
        for source, target, weight, key in edges:
            if distance[source] + weight < distance[target] - _EPSILON:
                distance[target] = distance[source] + weight
                via[target] = (source, key)
                changed = target
        if changed is None:
            return
    if changed is None:
        return
    # Still relaxing after |nodes| rounds: walking back that far lands inside the cycle.
    node = changed
    for _ in range(len(nodes)):
        node = via[node][0]
    cycle, step = [], node
    while True:
        step, key = via[step]
        cycle.append(key)
        if step == node:
            break
    raise CraftingError(
        f"recipes {', '.join(repr(k) for k in reversed(cycle))} form a cycle that makes "
        "more goods than it uses"
    )


def _check_sinks(book: RecipeBook, *, goods: GoodsTable) -> None:
    used = {g for r in book.recipes for g, _ in r.inputs}
    used |= {r.tool for r in book.recipes if r.tool}
    used |= {n.good for n in book.needs}
    comfort = NOURISHING | set(book.consumption.comfort_categories)
    for good in goods.goods:
        if good.key not in used and good.category not in comfort:
            raise CraftingError(
                f"good {good.key!r} has no sink: no recipe, tool wear, need, food or "
                "comfort purchase uses it up"
            )


def _records(data: Mapping[str, Any], name: str) -> Sequence[Mapping[str, Any]]:
    records = data.get(name)
    if not isinstance(records, list) or not records:
        raise CraftingError(f"recipes.toml: needs at least one [[{name}]]")
    return records


def _require_unique(keys: Sequence[str]) -> None:
    if duplicates := sorted({k for k in keys if keys.count(k) > 1}):
        raise CraftingError(f"recipes.toml: recipe keys defined twice: {duplicates}")


def _amounts(raw: Any, *, owner: str, field: str, goods: GoodsTable) -> tuple[tuple[str, int], ...]:
    if not isinstance(raw, Mapping):
        raise CraftingError(f"{owner} {field} must be a table of good = units")
    known = goods.index()
    amounts = []
    for good, units in raw.items():
        if good not in known:
            raise CraftingError(f"{owner} {field} names unknown good {good!r}")
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise CraftingError(f"{owner} {field} needs a whole number >= 1 of {good!r}")
        amounts.append((str(good), units))
    return tuple(amounts)


def _recipe(
    raw: Mapping[str, Any],
    *,
    goods: GoodsTable,
    professions: Collection[str],
    resources: Collection[str],
) -> Recipe:
    owner = f"recipe {raw.get('key')!r}"
    profession = str(raw.get("profession"))
    if profession not in professions:
        raise CraftingError(f"{owner} has unknown profession {profession!r}")
    inputs = _amounts(raw.get("inputs", {}), owner=owner, field="inputs", goods=goods)
    outputs = _amounts(raw.get("outputs"), owner=owner, field="outputs", goods=goods)
    if not outputs:
        raise CraftingError(f"{owner} makes nothing")
    resource = raw.get("resource")
    if resource is not None and resource not in resources:
        raise CraftingError(f"{owner} draws on unknown resource {resource!r}")
    if not inputs and resource is None:
        raise CraftingError(
            f"{owner} gathers from nothing: a recipe without inputs needs a resource"
        )
    if inputs and resource is not None:
        raise CraftingError(f"{owner} has inputs, so it is a workshop recipe and takes no resource")
    tool = raw.get("tool")
    if tool is not None and (tool not in goods.index() or goods.good(tool).category != "tool"):
        raise CraftingError(f"{owner} tool {tool!r} is not a good of category tool")
    wear, labor, time = raw.get("wear", 0.0), raw.get("labor"), raw.get("time")
    if not isinstance(wear, int | float) or not 0 <= wear <= 1 or (tool is None and wear):
        raise CraftingError(f"{owner} wear must be in [0, 1], and 0 without a tool")
    if isinstance(labor, bool) or not isinstance(labor, int | float) or labor < 0:
        raise CraftingError(f"{owner} needs labor >= 0 copper")
    if isinstance(time, bool) or not isinstance(time, int) or time < 1:
        raise CraftingError(f"{owner} needs a whole time >= 1 tick")
    return Recipe(
        key=str(raw["key"]),
        profession=profession,
        inputs=inputs,
        outputs=outputs,
        resource=None if resource is None else str(resource),
        tool=None if tool is None else str(tool),
        wear=float(wear),
        labor=float(labor),
        time=time,
    )


def _need(raw: Mapping[str, Any], *, goods: GoodsTable, professions: Collection[str]) -> Need:
    profession, good, rate = str(raw.get("profession")), str(raw.get("good")), raw.get("per_tick")
    owner = f"need of {profession!r} for {good!r}"
    if profession not in professions:
        raise CraftingError(f"{owner}: unknown profession")
    if good not in goods.index():
        raise CraftingError(f"{owner}: unknown good")
    if isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0:
        raise CraftingError(f"{owner}: per_tick must be > 0")
    return Need(profession, good, float(rate))


def _consumption(raw: Any) -> Consumption:
    if not isinstance(raw, Mapping):
        raise CraftingError("recipes.toml: needs a [consumption] table")
    categories = tuple(str(c) for c in raw.get("comfort_categories", ()))
    if unknown := sorted(set(categories) - set(CATEGORIES)):
        raise CraftingError(f"[consumption] comfort_categories has unknown categories {unknown}")
    food, every = raw.get("food_per_tick"), raw.get("comfort_every")
    if isinstance(food, bool) or not isinstance(food, int | float) or food <= 0:
        raise CraftingError("[consumption] food_per_tick must be > 0")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise CraftingError("[consumption] comfort_every must be a whole number >= 1")
    return Consumption(float(food), categories, every)


def _yields(
    raw: Any, *, recipes: Sequence[Recipe], biomes: Collection[str]
) -> Mapping[str, Mapping[str, float]]:
    if not isinstance(raw, Mapping):
        raise CraftingError("recipes.toml: [yield] must be a table of biome tables")
    gathered = {g for r in recipes if r.gathering for g, _ in r.outputs}
    yields: dict[str, Mapping[str, float]] = {}
    for biome, table in raw.items():
        if biome not in biomes:
            raise CraftingError(f"[yield.{biome}]: unknown biome {biome!r}")
        multipliers: dict[str, float] = {}
        for good, factor in dict(table).items():
            if good not in gathered:
                raise CraftingError(f"[yield.{biome}] {good!r} is not gathered by any recipe")
            if isinstance(factor, bool) or not isinstance(factor, int | float) or factor < 0:
                raise CraftingError(f"[yield.{biome}] {good!r} needs a multiplier >= 0")
            multipliers[str(good)] = float(factor)
        yields[str(biome)] = MappingProxyType(multipliers)
    return MappingProxyType(yields)
