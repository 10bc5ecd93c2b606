"""Peer baseline for bench/economy.py: Doran & Parberry's agent loop written per agent in Python.

This is how bazaarBot and its ports run the economy: an object per agent, a loop over agents to
produce and consume, orders built good by good, each book's bids and asks sorted and matched in
Python while bid >= ask, beliefs updated order by order, the bankrupt replaced one at a time. It
follows the engine's rules as they stood before issue 12 (a tick: produce, eat and rot, replace
the bankrupt, send caravans, clear; issue 12 added spending from savings, making for sales,
changes of trade and more, which this loop does not do) step for step, with the same goods,
recipes, needs, tuning and starting state, so the two do comparable work; it
is written to be reasonably quick (sparse dicts of holdings, per-role tables built once, per-tick
caches of market figures), not to lose. Holdings are kept per good, not per slot as in the
engine, so a good held in two slots there is one pile here. Numpy is used only to set up and to
draw random numbers in blocks, from the engine's named streams: each step of a tick draws from
its own (`TickStreams`), as in the engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import worldloom  # noqa: F401 (first: it pins numpy's float math as numpy loads)

# isort: split
import numpy as np

from worldloom.systems.economy import SPARE_SLOTS, build_slots
from worldloom.systems.economy.tick import TickStreams
from worldloom.systems.rng import Seeds

FOOD, INPUT, TOOL, NEED, CARGO, COMFORT = range(6)
"""Purchase priorities, as in the engine: money goes to food first and to comforts last."""
PROFIT_MEMORY, HOT_RATIO, COMFORT_SAVINGS, COMFORT_MAX = 0.1, 1.5, 20, 5
LOADING_DAYS, RISK_PER_DANGER, GIVE_UP_CHANCE, PLENTY = 3, 0.01, 0.1, 0.25
Trips = dict[int, tuple[float, int, int] | None]
"""Per market, this tick: (gain, link, good) of its best-paying trip out, or None."""


class Agent:
    """One trader: what bazaarBot calls a BasicAgent (inventory, price beliefs, role)."""

    __slots__ = ("arrive", "cargo", "cargo_ceiling", "cargo_target", "cost_scale", "food",
                 "high", "hunger", "link", "loading", "low", "market", "money", "need",
                 "offset", "profit", "progress", "role", "stock", "taste", "wants")  # fmt: skip

    def __init__(self, state: Any, i: int, *, food_slot: int, cargo_slot: int) -> None:
        self.market = int(state.market[i])
        self.role = int(state.role[i])
        self.money = int(state.money[i])
        self.stock = _holdings(state, i)
        going = state.price[max(self.market, 0)].tolist()
        self.low: list[float] = [max(p * 0.9, 1.0) for p in going]
        self.high: list[float] = [max(p * 1.2, 1.0) + 1.0 for p in going]
        for slot, good in enumerate(state.good[i].tolist()):
            if good >= 0:  # the engine keeps beliefs per holding slot; bazaarBot per good
                self.low[good] = float(state.low[i, slot])
                self.high[good] = float(state.high[i, slot])
        self.food = int(state.good[i, food_slot])  # the food it buys
        self.cargo = int(state.good[i, cargo_slot])  # a merchant's load, until it is sold
        self.progress = float(state.progress[i])
        self.hunger = float(state.hunger[i])
        self.need: dict[int, float] = {}
        self.cost_scale = float(state.cost_scale[i])
        self.taste = int(state.taste[i])
        self.offset = int(state.offset[i])
        self.wants = int(state.wants[i])
        self.cargo_target, self.cargo_ceiling = int(state.cargo_target[i]), 0.0
        self.loading, self.link, self.arrive = int(state.loading[i]), int(state.link[i]), 0
        self.profit = float(state.profit[i])


@dataclass(frozen=True, slots=True)
class Role:
    """One role's recipe as small Python tables."""

    inputs: tuple[tuple[int, int], ...]
    outputs: tuple[tuple[int, int], ...]
    tool: int
    wear: float
    labor: float
    rate: float
    needs: tuple[tuple[int, float], ...]
    gathers: bool
    goods: frozenset[int]
    """Every good the role works with (the engine's template slots)."""
    keep: dict[int, int]
    """What the role holds back from sale: input batches, its tool, its needs, a food buffer
    of what it makes when that is food."""
    buy_list: tuple[tuple[int, int, int, int], ...]
    """(good, purchase priority, reorder point, keep) of what it buys for its work: it
    restocks up to keep only once below the reorder point (one batch, the last tool or need)."""
    made: dict[int, int]
    output_value: float


def _uniforms(rng: np.random.Generator) -> Callable[[], float]:
    def numbers() -> Iterator[float]:
        while True:
            yield from rng.random(4_096).tolist()

    return numbers().__next__


@dataclass(frozen=True, slots=True)
class Draws:
    """One tick's uniform draws in [0, 1), a source per step from the engine's stream for it."""

    production: Callable[[], float]
    consumption: Callable[[], float]
    replacement: Callable[[], float]
    pricing: Callable[[], float]
    clearing: Callable[[], float]

    @classmethod
    def of(cls, streams: TickStreams) -> Draws:
        return cls(
            production=_uniforms(streams.production),
            consumption=_uniforms(streams.spoilage),
            replacement=_uniforms(streams.careers),
            pricing=_uniforms(streams.pricing),
            clearing=_uniforms(streams.clearing),
        )


class Baseline:
    """A whole economy of `Agent`s, advanced one tick at a time."""

    def __init__(self, rules: Any, markets: Any, links: Any, state: Any, *, seed: int) -> None:
        t = rules.tuning
        self.t = t
        self.seeds, self.tick = Seeds(seed), int(state.tick)
        self.draws = Draws.of(TickStreams.of(self.seeds, tick=self.tick))
        self.n_goods = len(rules.goods)
        self.value: list[float] = rules.value.tolist()
        self.weight: list[float] = rules.weight.tolist()
        self.perish: list[float] = rules.perish.tolist()
        self.nutrition: list[float] = rules.nutrition.tolist()
        self.foods: list[int] = rules.foods.tolist()
        comforts = set(rules.comforts.tolist())
        self.staple = [g in self.foods and g not in comforts for g in range(self.n_goods)]
        self.plain_first: list[int] = sorted(
            self.foods, key=lambda f: self.value[f] / self.nutrition[f]
        )
        self.food_per_tick, self.comfort_every = rules.food_per_tick, max(rules.comfort_every, 1)
        self.guard, self.merchant = rules.guard, rules.merchant
        self.food_keep = {f: math.ceil(t.buffer_days * rules.food_per_tick / self.nutrition[f])
                          for f in self.foods}  # fmt: skip
        self.roles = [self._role(rules, r) for r in range(len(rules.roles))]
        self.makers: dict[int, list[int]] = {
            g: np.flatnonzero(rules.outputs[:, g] > 0).tolist() for g in range(self.n_goods)
        }
        self.yields = [{g: y for g, y in enumerate(rules.yield_row(b).tolist()) if y != 1.0}
                       for b in markets.biome]  # fmt: skip
        self.allowed = [
            [res is None or res in land for res in rules.resource] for land in markets.resources
        ]
        trading = set(links.src.tolist())
        for m, row in enumerate(self.allowed):
            row[self.merchant] = m in trading
        self.link_src, self.link_dst = links.src.tolist(), links.dst.tolist()
        self.link_days, self.link_toll = links.days.tolist(), links.toll.tolist()
        self.out_links: list[list[int]] = [[] for _ in markets.biome]
        for k, s in enumerate(self.link_src):
            self.out_links[s].append(k)
        # Per unit: haul, the risk of the road and the toll at the far gate.
        self.haul_cost = [
            [w * d * t.haul_copper_per_kg_day + v * (danger * RISK_PER_DANGER + toll)
             for w, v in zip(self.weight, self.value, strict=True)]
            for d, danger, toll in zip(self.link_days, links.danger.tolist(), self.link_toll,
                                       strict=True)
        ]  # fmt: skip
        slots = build_slots(rules)
        self.agents = [
            Agent(state, i, food_slot=slots.food, cargo_slot=slots.cargo)
            for i in range(state.market.size)
        ]
        self.treasury: list[int] = state.treasury.tolist()
        self.price: list[list[float]] = state.price.tolist()
        self.supply: list[list[int]] = state.supply.tolist()
        self.demand: list[list[int]] = state.demand.tolist()
        self.history: list[list[list[float]]] = []
        self.fills = self.caravans = self.bankruptcies = 0

    def _role(self, rules: Any, r: int) -> Role:
        inputs = tuple((g, n) for g, n in enumerate(rules.inputs[r].tolist()) if n)
        outputs = tuple((g, n) for g, n in enumerate(rules.outputs[r].tolist()) if n)
        needs = tuple((g, per) for g, per in enumerate(rules.needs[r].tolist()) if per)
        tool = int(rules.tool[r])
        keep: dict[int, int] = {}
        kind: dict[int, int] = {}
        for g, per in needs:
            keep[g] = keep.get(g, 0) + math.ceil(per)
            kind[g] = NEED
        if tool >= 0:
            keep[tool] = keep.get(tool, 0) + 1
            kind[tool] = TOOL
        for g, units in inputs:
            keep[g] = keep.get(g, 0) + units * rules.tuning.input_batches
            kind[g] = INPUT
        for g, _ in outputs:
            keep[g] = max(keep.get(g, 0), self.food_keep.get(g, 0))
        batch = dict(inputs)
        buy_list = tuple(
            (g, kind[g], batch.get(g) or min(keep[g], 1), keep[g]) for g in sorted(kind)
        )
        return Role(
            inputs=inputs, outputs=outputs, tool=tool, wear=float(rules.wear[r]),
            labor=float(rules.labor[r]), rate=float(rules.rate[r]), needs=needs,
            gathers=bool(rules.gathers[r]), goods=frozenset(keep), keep=keep,
            buy_list=buy_list, made=dict(outputs),
            output_value=sum(self.value[g] * n for g, n in outputs),
        )  # fmt: skip

    def total_money(self) -> int:
        return sum(a.money for a in self.agents) + sum(self.treasury)

    def run(self, ticks: int) -> None:
        for tick in range(ticks):
            self.draws = Draws.of(TickStreams.of(self.seeds, tick=self.tick))
            self.tick += 1
            before = [a.money for a in self.agents]
            self._arrive(tick)
            self._produce()
            self._consume(tick)
            self._replace_bankrupt()
            self._plan_caravans(tick)
            self._trade()
            self._pay_wages()
            for a, money in zip(self.agents, before, strict=True):
                a.profit = (1 - PROFIT_MEMORY) * a.profit + PROFIT_MEMORY * (a.money - money)
            self.history.append([row[:] for row in self.price])

    def _arrive(self, tick: int) -> None:
        """Caravans due join their destination, pay its gate's toll and price their cargo."""
        for a in self.agents:
            if a.market < 0 and a.arrive <= tick:
                k, good = a.link, a.cargo
                dst = self.link_dst[k]
                if good >= 0:
                    price = self.price[dst][good]
                    owed = math.ceil(self.link_toll[k] * price * a.stock.get(good, 0))
                    toll = min(owed, a.money)
                    a.money -= toll
                    self.treasury[dst] += toll
                    _set_belief(a, good, price, spread=(0.95, 1.2))
                a.market, a.link = dst, -1

    def _produce(self) -> None:
        cap_batches, rand = self.t.stock_cap_batches, self.draws.production
        for a in self.agents:
            r = self.roles[a.role]
            if a.market < 0 or r.rate == 0:
                continue
            stock = a.stock
            has_tool = r.tool < 0 or stock.get(r.tool, 0) >= 1
            a.progress += r.rate if has_tool else 0.5 * r.rate
            if a.progress < 1.0:
                continue
            if any(stock.get(g, 0) < n for g, n in r.inputs) or sum(
                stock.get(g, 0) for g, _ in r.outputs
            ) >= cap_batches * sum(n for _, n in r.outputs):
                a.progress = 1.0
                continue
            u = rand()
            here = self.yields[a.market] if r.gathers else {}
            for g, n in r.outputs:
                stock[g] = stock.get(g, 0) + math.floor(n * here.get(g, 1.0) + u)
            for g, n in r.inputs:
                stock[g] -= n
            a.progress = min(a.progress - 1.0, 1.0)
            if r.tool >= 0 and rand() < r.wear and stock.get(r.tool, 0) >= 1:
                stock[r.tool] -= 1

    def _consume(self, tick: int) -> None:
        nutrition, perish, rand = self.nutrition, self.perish, self.draws.consumption
        day = self.food_per_tick
        most_hunger = 2 * self.t.starve_days * day
        for a in self.agents:
            stock = a.stock
            if a.market >= 0:
                # Hunger stops at twice the starving point; a meal is at most two days' food.
                a.hunger = min(a.hunger + day, most_hunger)
                for food in self.plain_first:
                    have = stock.get(food, 0)
                    if have > 0:
                        wanted = math.ceil(min(max(a.hunger, 0.0), 2 * day) / nutrition[food])
                        eaten = min(wanted, have)
                        stock[food] = have - eaten
                        a.hunger -= eaten * nutrition[food]
                        break
                for g, per in self.roles[a.role].needs:
                    need = a.need.get(g, 0.0) + per
                    used = min(math.floor(need), stock.get(g, 0))
                    if used:
                        stock[g] -= used
                    a.need[g] = min(need - used, 2.0)
                if (tick + a.offset) % self.comfort_every == 0:
                    price = max(int(self.value[a.taste] * COMFORT_SAVINGS), 1)
                    a.wants = max(0, min(a.money // price, COMFORT_MAX))
            if a.wants:
                enjoyed = min(a.wants, stock.get(a.taste, 0))
                if enjoyed:
                    stock[a.taste] -= enjoyed
                    a.wants -= enjoyed
            u = rand()
            for g, q in stock.items():
                if q and perish[g]:
                    stock[g] = q - min(math.floor(q * perish[g] + u), q)

    def _replace_bankrupt(self) -> None:
        """The starving without money for food leave, and now and then a starving agent with
        money gives up for a trade its market lacks; per market the first seat goes to the
        maker of the good it lacks most, the rest to its most profitable role."""
        hot: dict[int, list[int]] = {}
        broke = self._leaving(hot)
        if not broke:
            return
        local: dict[tuple[int, int], list[float]] = {}
        world: dict[int, list[float]] = {}
        for a in self.agents:
            w = world.setdefault(a.role, [0.0, 0])
            w[0] += a.profit
            w[1] += 1
            if a.market >= 0:
                cell = local.setdefault((a.market, a.role), [0.0, 0])
                cell[0] += a.profit
                cell[1] += 1
        seated: dict[int, int] = {}
        start, treasury = self.t.start_money, self.treasury[:]
        for a in broke:
            home = a.market
            score = []
            for role in range(len(self.roles)):
                total, count = local.get((home, role)) or world.get(role) or (0.0, 0)
                score.append(total / max(count, 1))
            # A trade the newcomer can start: a batch of inputs within its money and grant.
            before = seated.get(home, 0)
            budget = a.money + max(0, min(treasury[home] - before * start, start))
            price = self.price[home]
            allowed = [
                r
                for r, ok in enumerate(self.allowed[home])
                if ok and sum(price[g] * n for g, n in self.roles[r].inputs) <= budget
            ]
            seated[home] = before + 1
            if before == 0:  # one seat per market and tick for the scarcest good
                if home not in hot:
                    hot[home] = self._hot_makers(home)
                allowed = [r for r in hot[home] if r in allowed] or allowed
            if not self._retool(a, max(allowed, key=score.__getitem__)):
                continue
            self.bankruptcies += 1
            grant = min(self.treasury[home], start)
            self.treasury[home] -= grant
            a.money += grant
            a.hunger = a.progress = a.profit = 0.0
            a.wants, a.link, a.loading = 0, -1, 0

    def _leaving(self, hot: dict[int, list[int]]) -> list[Agent]:
        """Starving agents who are broke or give up; fills `hot` with markets' hot makers."""
        nutrition = self.nutrition
        staple = [min(row[f] / nutrition[f] for f in self.foods) for row in self.price]
        starve, rand = self.t.starve_days, self.draws.replacement
        broke = []
        for a in self.agents:
            if a.market < 0 or a.hunger < starve:
                continue
            if a.money >= staple[a.market]:
                if a.market not in hot:
                    hot[a.market] = self._hot_makers(a.market)
                makers = hot[a.market]
                if not makers or a.role in makers or rand() >= GIVE_UP_CHANCE:
                    continue
            broke.append(a)
        return broke

    def _hot_makers(self, market: int) -> list[int]:
        """Roles the market can host and start (every input on offer) that make the good it
        lacks most (bids over asks): a staple food first, else by the copper of the shortfall;
        empty when it lacks nothing such a role makes."""
        supply, demand, price = self.supply[market], self.demand[market], self.price[market]
        allowed = self.allowed[market]
        startable = [
            allowed[r] and all(supply[g] > 0 for g, _ in role.inputs)
            for r, role in enumerate(self.roles)
        ]
        top, hottest, staple = 0.0, -1, False
        for g in range(self.n_goods):
            d, s = demand[g], supply[g]
            if d <= HOT_RATIO * (s + 1.0) or not any(startable[r] for r in self.makers[g]):
                continue
            short = (d - s) * price[g]
            if (self.staple[g] and not staple) or (self.staple[g] == staple and short > top):
                top, hottest, staple = short, g, self.staple[g]
        if hottest < 0:
            return []
        return [r for r in self.makers[hottest] if startable[r]]

    def _retool(self, a: Agent, role: int) -> bool:
        """Take up `role`: shared goods carry over, the rest stays to be sold off, if there is
        room for it (the engine's spare slots and, unless a merchant, its cargo slot)."""
        new, old = self.roles[role], self.roles[a.role]
        left = sum(1 for g, q in a.stock.items()
                   if q and g not in new.goods and g not in (a.food, a.taste))  # fmt: skip
        if left > SPARE_SLOTS + (role != self.merchant):
            return False
        for g in new.goods - old.goods:
            _set_belief(a, g, self.price[a.market][g])
        a.role, a.need = role, {}
        return True

    def _plan_caravans(self, tick: int) -> None:
        if not self.link_src:
            return
        best: Trips = {}
        price = self.price
        for a in self.agents:
            if a.role != self.merchant or a.market < 0:
                continue
            if a.link >= 0:
                self._depart(a, tick)
            if a.link >= 0 or a.stock.get(a.cargo, 0):
                continue
            src = a.market
            trip = self._best_trip(src, best)
            if trip is None:
                self._reposition(a, best, tick)
                continue
            _, k, g = trip
            a.link, a.cargo, a.loading = k, g, 0
            buy_at = max(price[src][g], 1.0)
            _set_belief(a, g, buy_at, spread=(0.9, 1.1))
            a.cargo_ceiling = price[self.link_dst[k]][g] - self.haul_cost[k][g]
            by_weight = self.t.cargo_kg / max(self.weight[g], 0.01)
            a.cargo_target = int(max(min(by_weight, a.money / buy_at), 1))

    def _best_trip(self, src: int, best: Trips) -> tuple[float, int, int] | None:
        """(gain, link, good) of the best-paying trip out of `src`, if any pays."""
        if src not in best:
            top, trip = 0.0, None
            here, supply, margin = self.price[src], self.supply[src], self.t.trade_margin
            for k in self.out_links[src]:
                there, cost = self.price[self.link_dst[k]], self.haul_cost[k]
                for g in range(self.n_goods):
                    gap = there[g] - here[g] - cost[g] - margin * here[g]
                    if gap > top and supply[g]:
                        top, trip = gap, (gap, k, g)
            best[src] = trip
        return best[src]

    def _reposition(self, a: Agent, best: Trips, tick: int) -> None:
        """Ride empty to the neighbour with the best trip onward, when none pays from here."""
        top, move = -math.inf, -1
        for k in self.out_links[a.market]:
            onward = self._best_trip(self.link_dst[k], best)
            if onward is not None and onward[0] > top:
                top, move = onward[0], k
        if move >= 0:
            a.link, a.cargo, a.market = move, -1, -1
            a.arrive = tick + self.link_days[move]

    def _depart(self, a: Agent, tick: int) -> None:
        a.loading += 1
        held = a.stock.get(a.cargo, 0)
        waited = a.loading >= LOADING_DAYS
        if held >= a.cargo_target or (waited and held > 0):
            days = self.link_days[a.link]
            fee = math.ceil(held * self.weight[a.cargo] * days * self.t.haul_copper_per_kg_day)
            fee = min(fee, a.money)
            a.money -= fee
            self.treasury[a.market] += fee
            a.market, a.arrive, a.loading = -1, tick + days, 0
            self.caravans += 1
        elif waited:
            a.link = -1

    def _staple(self, m: int) -> int:
        """The cheapest food per nutrition among those offered in quantity last tick, else
        the plainest food (so that bids call it in by caravan)."""
        supply, price, nutrition = self.supply[m], self.price[m], self.nutrition
        offered = [(f, supply[f] * nutrition[f]) for f in self.foods if supply[f]]
        total = sum(n for _, n in offered)
        best, staple = math.inf, self.plain_first[0]
        for f, n in offered:
            if n >= PLENTY * total and price[f] / nutrition[f] < best:
                best, staple = price[f] / nutrition[f], f
        return staple

    def _trade(self) -> None:
        """Every agent posts its orders; then each market's book of each good is cleared."""
        n = self.n_goods
        staple = [self._staple(m) for m in range(len(self.price))]
        books: dict[int, tuple[list[list[Any]], list[list[Any]]]] = {}
        for a in self.agents:
            if a.market >= 0:
                food = staple[a.market]
                if a.food != food and not a.stock.get(a.food, 0):
                    a.food = food
                    _set_belief(a, food, self.price[a.market][food])
                self._post(a, books)
        self.supply = [[0] * n for _ in self.price]
        self.demand = [[0] * n for _ in self.price]
        for key, (bids, asks) in books.items():
            self._clear(key // n, key % n, bids, asks)

    def _post(self, a: Agent, books: dict[int, tuple[list[Any], list[Any]]]) -> None:
        """Orders as [price, tie-break, units, agent, good, units filled, copper paid]."""
        m, value = a.market, self.value
        rand, queue = self.draws.pricing, self.draws.clearing
        r, stock, here, n = self.roles[a.role], a.stock, self.price[a.market], self.n_goods
        cost = sum(here[g] * k for g, k in r.inputs)
        # Asks: whatever is held above what the agent keeps back, never below its making cost.
        for g, q in stock.items():
            keep = r.keep.get(g, 0)
            if g == a.food:
                keep = max(keep, self.food_keep[g])
            if g == a.taste:
                keep += a.wants
            if g == a.cargo and a.link >= 0:
                keep += a.cargo_target
            if q <= keep:
                continue
            made = r.made.get(g, 0)
            if made:
                gathered = self.yields[m].get(g, 1.0) if r.gathers else 1.0
                share = made * value[g] / max(r.output_value, 1.0)
                floor = (cost + r.labor) * share / (made * gathered) * a.cost_scale
            else:
                floor = 0.5 * here[g]
            belief = a.low[g] + rand() * (a.high[g] - a.low[g])
            ask = max(math.ceil(belief), round(floor), 1)
            books.setdefault(m * n + g, ([], []))[1].append([ask, queue(), q - keep, a, g, 0, 0])
        self._post_bids(a, books, here=here, cost=cost)

    def _post_bids(
        self, a: Agent, books: dict[int, Any], *, here: list[float], cost: float
    ) -> None:
        """Restock in lots: food once under a day's worth is held, the goods of the trade once
        below their reorder point, then cargo and a comfort; all it can afford."""
        rand, queue = self.draws.pricing, self.draws.clearing
        value, nutrition = self.value, self.nutrition
        stock, m, n, day = a.stock, a.market, self.n_goods, self.food_per_tick
        held = 0.0
        for f in self.foods:
            if f in stock:
                held += stock[f] * nutrition[f]
        wanted: list[tuple[int, int, int]] = []
        if held < day:
            units = math.ceil((self.t.buffer_days * day - held) / nutrition[a.food])
            wanted.append((FOOD, a.food, units))
        for g, kind, reorder, keep in self.roles[a.role].buy_list:
            have = stock.get(g, 0)
            if have < reorder and have < keep:
                wanted.append((kind, g, keep - have))
        if a.wants and stock.get(a.taste, 0) < a.wants:
            wanted.append((COMFORT, a.taste, a.wants - stock.get(a.taste, 0)))
        if a.link >= 0 and stock.get(a.cargo, 0) < a.cargo_target:
            wanted.append((CARGO, a.cargo, a.cargo_target - stock.get(a.cargo, 0)))
        wanted.sort(key=lambda w: w[0])
        spent = 0
        for kind, g, units in wanted:
            belief = a.low[g] + rand() * (a.high[g] - a.low[g])
            ceiling = min(self._ceiling(a, g, kind=kind, here=here, cost=cost),
                          value[g] * self.t.price_cap_multiple)  # fmt: skip
            bid = math.floor(min(belief, ceiling))
            affordable = min(max((a.money - spent) // max(bid, 1), 0), units)
            spent += bid * units
            if affordable > 0 and bid >= 1:
                books.setdefault(m * n + g, ([], []))[0].append(
                    [bid, queue(), affordable, a, g, 0, 0]
                )

    def _ceiling(self, a: Agent, g: int, *, kind: int, here: list[float], cost: float) -> float:
        """What the good is worth to the buyer: hunger for food, the value its recipe adds."""
        v, r = self.value[g], self.roles[a.role]
        if kind == FOOD:
            return v * (1.5 + min(max(a.hunger, 0.0), 4.0))
        if kind == INPUT:
            revenue = sum(here[o] * k for o, k in r.outputs)
            return here[g] * min(max(revenue / max(cost + 0.5 * r.labor, 1.0), 0.5), 3.0)
        if kind == CARGO:
            return a.cargo_ceiling
        return v * 2.0 if kind == COMFORT else v * 3.0

    def _clear(self, m: int, g: int, bids: list[list[Any]], asks: list[list[Any]]) -> None:
        """Match the best bid with the cheapest ask while bid >= ask, at the mean price."""
        tax_percent = self.t.tax_percent
        bids.sort(key=lambda o: (-o[0], o[1]))
        asks.sort(key=lambda o: (o[0], o[1]))
        i = j = 0
        bid_left = bids[0][2] if bids else 0
        ask_left = asks[0][2] if asks else 0
        volume = paid_total = 0
        while i < len(bids) and j < len(asks) and bids[i][0] >= asks[j][0]:
            bid, ask = bids[i], asks[j]
            qty, unit = min(bid_left, ask_left), (bid[0] + ask[0]) // 2
            paid = qty * unit
            tax = paid * tax_percent // 100
            buyer, seller = bid[3], ask[3]
            buyer.money -= paid
            seller.money += paid - tax
            self.treasury[m] += tax
            seller.stock[g] -= qty
            buyer.stock[g] = buyer.stock.get(g, 0) + qty
            bid[5] += qty
            bid[6] += paid
            ask[5] += qty
            ask[6] += paid
            volume += qty
            paid_total += paid
            self.fills += 1
            bid_left -= qty
            ask_left -= qty
            if bid_left == 0:
                i += 1
                bid_left = bids[i][2] if i < len(bids) else 0
            if ask_left == 0:
                j += 1
                ask_left = asks[j][2] if j < len(asks) else 0
        offered, wanted = sum(o[2] for o in asks), sum(o[2] for o in bids)
        glut = (offered - wanted) / max(offered + wanted, 1)
        for order in bids:
            self._learn(order, 1.0, glut)
        for order in asks:
            self._learn(order, -1.0, glut)
        price = self.price[m][g]
        moved = price
        if bids and bids[0][0] > price:
            moved += 0.5 * (bids[0][0] - price)
        if asks and asks[0][0] < price:
            moved += 0.5 * (asks[0][0] - price)
        self.price[m][g] = paid_total / volume if volume else moved
        self.supply[m][g], self.demand[m][g] = offered, wanted

    def _learn(self, order: list[Any], direction: float, glut: float) -> None:
        """Doran & Parberry: a trade pulls the belief toward its price and narrows it; what was
        left unfilled shifts it (buyers up, sellers down); the book's glut shifts those who
        traded (an unfilled buyer pushed down by a glut it cannot reach never meets a floor)."""
        _, _, qty, a, g, got, paid = order
        t = self.t
        low, high = a.low[g], a.high[g]
        if got:
            mean = paid / got
            low += t.learn_rate * (mean - low)
            high -= t.learn_rate * (high - mean)
        factor = 1.0 + direction * t.shift_rate * (1.0 - got / max(qty, 1))
        if got:
            factor *= 1.0 - t.shift_rate * glut
        cap = self.value[g] * t.price_cap_multiple
        low = min(max(low * factor, 1.0), cap)
        a.low[g] = low
        a.high[g] = min(max(high * factor, low + 1.0, 2.0), cap + 1.0)

    def _pay_wages(self) -> None:
        guards: dict[int, list[Agent]] = {}
        for a in self.agents:
            if a.role == self.guard and a.market >= 0:
                guards.setdefault(a.market, []).append(a)
        for m, here in guards.items():
            pay = min(self.t.wage, self.treasury[m] // len(here))
            self.treasury[m] -= pay * len(here)
            for a in here:
                a.money += pay


def _set_belief(
    a: Agent, good: int, price: float, *, spread: tuple[float, float] = (0.9, 1.2)
) -> None:
    """Start the agent's belief about a good it takes up around the going price."""
    a.low[good] = max(price * spread[0], 1.0)
    a.high[good] = max(price * spread[1], 1.0) + 1.0


def _holdings(state: Any, agent: int) -> dict[int, int]:
    """The agent's goods as {good: units}, from the engine's slot arrays."""
    stock: dict[int, int] = {}
    for good, qty in zip(state.good[agent].tolist(), state.qty[agent].tolist(), strict=True):
        if good >= 0 and qty:
            stock[good] = stock.get(good, 0) + qty
    return stock
