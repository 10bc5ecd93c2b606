"""What stays fixed through an economy run: rules, markets, links and arrays derived from them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array

from worldloom.systems.economy.rules import EconomyRules
from worldloom.systems.economy.slots import SlotLayout, build_slots
from worldloom.systems.economy.state import Markets, TradeLinks
from worldloom.systems.economy.trade import unit_costs

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
SparseRows = tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], Float]
"""A table as sparse rows (scipy's CSR): row starts, columns, values; the recipe book is one
(`TickContext.recipes`)."""


@dataclass(frozen=True, slots=True)
class TickContext:
    """What stays fixed through a run: rules, markets, links and arrays derived from them."""

    rules: EconomyRules
    markets: Markets
    links: TradeLinks
    slots: SlotLayout
    yields: Float
    """[market, good] gathering multipliers, with a trailing 1 for "no good" (index -1)."""
    available: Bool
    food_rank: Int
    """Per good (+ "no good"): rank of its copper per unit of nutrition at base value among
    the foods (equal costs share a rank, the plainest is 0); `slots.value.size` if inedible."""
    haul: Float
    """[link, good] copper per unit to carry the good along the link (haul and risk)."""
    makers_by_good: SparseRows
    """[good, role] as sparse rows: the roles whose recipe makes each good."""
    inputs_by_role: SparseRows
    """[role, good] as sparse rows: the goods each role's recipe uses up."""
    staples: Bool
    """[good] what people live on: the foods that are not comforts (drinks and dainties)."""
    comforts: Int
    """The goods people buy for comfort (the foods, if the rules name no comfort)."""
    refuge: Int
    """[market] itself if a trade that feeds its maker can be taken up there, else the linked
    market that offers one (the first such link), else itself."""
    least_batch: Int
    """[good] the fewest units of it a batch of one of its makers makes (0 if none makes it)."""
    feeds: Bool
    """[role] whether the role gathers enough food to live on, even at half speed for want
    of its tool (its maker can eat what it makes while it learns to sell it)."""
    batch_units: Int
    """[role] units a batch of the role's recipe makes."""
    price_cap: Float
    """Per good (+ "no good"): the highest price a belief may reach."""
    makes: Int
    """[role, slot] units of the slot's good a batch of the role's recipe makes (0 in the
    fixed slots): what an agent sells as its own output."""
    output_share: Float
    """[role, slot] the slot's share of its batch's value (0 where `makes` is)."""
    recipes: SparseRows
    """The recipe book, [outputs of each role, then inputs of each role; good] as sparse rows
    (row starts, goods, units): read a row at a time (`recipe_worth`), what each role's batch
    sells for and what its inputs cost."""

    @classmethod
    def build(cls, rules: EconomyRules, markets: Markets, links: TradeLinks) -> TickContext:
        rows = {biome: rules.yield_row(biome) for biome in set(markets.biome)}
        yields = np.array([rows[biome] for biome in markets.biome]).reshape(-1, len(rules.goods))
        slots = build_slots(rules)
        edible = slots.nutrition > 0
        food_rank = np.full(slots.value.size, slots.value.size, dtype=np.int64)
        food_rank[edible] = np.unique(
            slots.value[edible] / slots.nutrition[edible], return_inverse=True
        )[1]
        staples = np.isin(np.arange(len(rules.goods)), np.setdiff1d(rules.foods, rules.comforts))
        feeds = rules.gathers & (
            0.5 * rules.rate * (rules.outputs @ rules.nutrition) >= rules.food_per_tick
        )
        available = available_roles(rules, markets, links)
        return cls(
            rules=rules,
            markets=markets,
            links=links,
            slots=slots,
            yields=np.c_[yields, np.ones(markets.ids.size)],
            available=available,
            food_rank=food_rank,
            haul=unit_costs(rules, links),
            makers_by_good=_sparse_rows(rules.outputs.T.astype(np.float64)),
            inputs_by_role=_sparse_rows(rules.inputs.astype(np.float64)),
            staples=staples,
            comforts=rules.comforts if rules.comforts.size else rules.foods,
            least_batch=np.where(rules.outputs > 0, rules.outputs, np.iinfo(np.int64).max)
            .min(axis=0, initial=np.iinfo(np.int64).max)
            .clip(max=np.iinfo(np.int32).max)
            * (rules.outputs.max(axis=0, initial=0) > 0),
            feeds=feeds,
            refuge=_refuges(np.asarray((available & feeds).any(axis=1), np.bool_), links),
            batch_units=slots.made.sum(axis=1),
            price_cap=slots.value * rules.tuning.price_cap_multiple,
            makes=np.pad(slots.made, ((0, 0), (0, slots.count - slots.width))),
            output_share=np.pad(slots.share, ((0, 0), (0, slots.count - slots.width))),
            recipes=_sparse_rows(np.vstack([rules.outputs, rules.inputs]).astype(np.float64)),
        )


def _refuges(fed: Bool, links: TradeLinks) -> Int:
    """Per market: itself if `fed`, else the first linked market that is, else itself."""
    refuge = np.arange(fed.size, dtype=np.int64)
    escape = np.flatnonzero(~fed[links.src] & fed[links.dst])
    _, first = np.unique(links.src[escape], return_index=True)
    refuge[links.src[escape[first]]] = links.dst[escape[first]]
    return refuge


def _sparse_rows(table: Float) -> SparseRows:
    """A table's nonzero entries row by row: (row starts, columns, values), as scipy's CSR."""
    sparse = csr_array(table)
    return sparse.indptr, sparse.indices, sparse.data


def available_roles(rules: EconomyRules, markets: Markets, links: TradeLinks) -> Bool:
    """[market, role]: gathering needs its resource in the market's land, a merchant a trade
    link out of the market; the rest go anywhere."""
    kinds = sorted({r for r in rules.resource if r is not None})
    has = np.array([[kind in land for kind in kinds] for land in markets.resources], dtype=np.bool_)
    # A role needing no resource reads the trailing column, which every market has.
    has = np.c_[has.reshape(markets.ids.size, len(kinds)), np.ones(markets.ids.size, np.bool_)]
    needs = [kinds.index(r) if r is not None else len(kinds) for r in rules.resource]
    allowed = np.asarray(has[:, needs], dtype=np.bool_)
    allowed[:, rules.merchant] = np.isin(np.arange(markets.ids.size), links.src)
    return allowed
