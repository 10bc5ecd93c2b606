"""The economy's rules as arrays: goods, roles (one per recipe, guards, merchants), tuning."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.crafting import RecipeBook, yield_multiplier
from worldloom.systems.economy.item import GoodsTable

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

GUARD = "guard"
"""A service role: paid wages from the market's treasury, uses up weapons and armour."""
MERCHANT = "merchant"
"""A trading role: buys where a good is cheap, carries it along a route, sells where it is dear."""


@dataclass(frozen=True, slots=True)
class Tuning:
    """The knobs of the agent economy; the defaults are what the shipped worlds use."""

    buffer_days: float = 3.0
    """Food an agent keeps in stock, in days of eating."""
    input_batches: int = 2
    """Batches of recipe inputs a producer keeps in stock before it buys no more."""
    stock_cap_batches: int = 2
    """A producer stops working once it holds this many batches of each output unsold..."""
    stock_days: float = 1.0
    """...or this many days of its recent sales of each (it works whenever one has nothing
    left to sell)."""
    idle_days: int = 30
    """Days without income (no sale, no wage) after which an agent looks for another trade."""
    starve_days: float = 5.0
    """Days without food, with no money to buy any, before an agent goes bankrupt."""
    spend_share: float = 0.25
    """Share of the money an agent holds beyond its reserve that it spends on comforts each
    time it shops for them (every `comfort_every` days)."""
    reserve_days: float = 20.0
    """Days of food, at its market's cheapest price, an agent keeps back from comforts."""
    start_money: int = 400
    """Copper a new agent starts with (drawn from the market's treasury when replacing one)."""
    tax_percent: int = 2
    """Share of every sale paid to the market's treasury, which pays guards and new agents."""
    wage: int = 12
    """Copper a guard earns per tick while the treasury can pay it."""
    learn_rate: float = 0.3
    """How far a trader's price belief moves toward the price it traded at."""
    shift_rate: float = 0.08
    """How far an unfilled order's belief moves (down for sellers, up for buyers), per tick."""
    haul_copper_per_kg_day: float = 0.15
    """A caravan's running cost per kilogram and day on the road."""
    cargo_kg: float = 400.0
    """What one merchant's caravan carries."""
    trade_margin: float = 0.12
    """A merchant sets out only when the price gap beats the costs by this share of the price."""
    price_cap_multiple: float = 25.0
    """No bid exceeds this multiple of a good's base value, whatever the hunger."""


@dataclass(frozen=True, slots=True)
class EconomyRules:
    """Goods and roles as dense arrays (roles x goods), compiled once from the seed tables."""

    goods: tuple[str, ...]
    value: Float
    weight: Float
    perish: Float
    nutrition: Float
    foods: Int
    comforts: Int
    roles: tuple[str, ...]
    professions: tuple[str, ...]
    inputs: Int
    outputs: Int
    resource: tuple[str | None, ...]
    tool: Int
    wear: Float
    labor: Float
    rate: Float
    needs: Float
    food_per_tick: float
    comfort_every: int
    book: RecipeBook
    tuning: Tuning
    # Derived from the fields above once, not at each use: a tick asks for them ~10 times,
    # and working them out each time was a twentieth of a small world's economy day.
    guard: int = field(init=False)
    merchant: int = field(init=False)
    crafts: Bool = field(init=False)
    """Roles that run a recipe (every role but guards and merchants)."""
    gathers: Bool = field(init=False)
    """Recipes that take nothing and draw on a resource of the land."""

    def __post_init__(self) -> None:
        crafts = self.rate > 0
        derived = {
            "guard": self.roles.index(GUARD),
            "merchant": self.roles.index(MERCHANT),
            "crafts": crafts,
            "gathers": np.asarray(crafts & (self.inputs.sum(axis=1) == 0), dtype=np.bool_),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def producers_of(self, good: int) -> Int:
        return np.flatnonzero(self.outputs[:, good] > 0)

    def yield_row(self, biome: str) -> Float:
        """Output multipliers of gathering recipes in a biome, per good."""
        return np.array([yield_multiplier(self.book, biome, good) for good in self.goods])


def compile_rules(
    goods: GoodsTable, book: RecipeBook, *, tuning: Tuning | None = None
) -> EconomyRules:
    """Lay the goods table and recipe book out as arrays the tick can index by role and good."""
    index = goods.index()
    keys = goods.keys()
    roles = (*(recipe.key for recipe in book.recipes), GUARD, MERCHANT)
    professions = (*(recipe.profession for recipe in book.recipes), GUARD, MERCHANT)
    n_roles, n_goods = len(roles), len(keys)
    inputs = np.zeros((n_roles, n_goods), dtype=np.int64)
    outputs = np.zeros((n_roles, n_goods), dtype=np.int64)
    tool = np.full(n_roles, -1, dtype=np.int64)
    wear, labor, rate = np.zeros(n_roles), np.zeros(n_roles), np.zeros(n_roles)
    for row, recipe in enumerate(book.recipes):
        for good, units in recipe.inputs:
            inputs[row, index[good]] = units
        for good, units in recipe.outputs:
            outputs[row, index[good]] = units
        if recipe.tool is not None:
            tool[row] = index[recipe.tool]
        wear[row], labor[row], rate[row] = recipe.wear, recipe.labor, 1.0 / recipe.time
    needs = np.zeros((n_roles, n_goods))
    for need in book.needs:
        for row, profession in enumerate(professions):
            if profession == need.profession:
                needs[row, index[need.good]] += need.per_tick
    table = goods.goods
    nutrition = np.array([good.nutrition for good in table], dtype=np.float64)
    return EconomyRules(
        goods=keys,
        value=np.array([good.value for good in table], dtype=np.float64),
        weight=np.array([good.weight for good in table], dtype=np.float64),
        perish=np.array([good.perish for good in table], dtype=np.float64),
        nutrition=nutrition,
        foods=np.flatnonzero(nutrition > 0).astype(np.int64),
        comforts=np.array(goods.of_category(*book.consumption.comfort_categories), dtype=np.int64),
        roles=roles,
        professions=professions,
        inputs=inputs,
        outputs=outputs,
        resource=(*(recipe.resource for recipe in book.recipes), None, None),
        tool=tool,
        wear=wear,
        labor=labor,
        rate=rate,
        needs=needs,
        food_per_tick=book.consumption.food_per_tick,
        comfort_every=book.consumption.comfort_every,
        book=book,
        tuning=tuning or Tuning(),
    )
