"""A motive made a quest: a strategy with real targets, its difficulty, reward, text and steps."""

from __future__ import annotations

import math
from dataclasses import dataclass

from worldloom.systems.narrative.names import Names
from worldloom.systems.narrative.quest.motive import Motive
from worldloom.systems.narrative.quest.pick import Picker, Slots, choose, trade_items
from worldloom.systems.narrative.quest.rules import QuestRules, Strategy
from worldloom.systems.narrative.quest.world import Atlas
from worldloom.systems.rng import Seeds


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step with its targets (None where it has none)."""

    action: str
    npc_id: int | None
    settlement_id: int | None
    poi_id: int | None
    item_id: int | None
    monster: str | None
    qty: int
    text: str


@dataclass(frozen=True, slots=True)
class Offer:
    """A quest ready to post: who, how, how hard, what it pays, and its steps."""

    giver: int
    settlement_id: int
    strategy: Strategy
    difficulty: int
    reward: float
    reward_item_id: int | None
    title: str
    text: str
    steps: tuple[StepRow, ...]


def expand(
    motive: Motive,
    giver: int,
    *,
    rules: QuestRules,
    atlas: Atlas,
    names: Names,
    tick: int,
    seeds: Seeds,
) -> Offer | None:
    """Try the motive's strategies in a seeded order; the first whose slots all fill is the quest.

    Returns:
        The offer, or None when no strategy finds real targets for this giver on `tick`.
    """
    home = atlas.people[giver].settlement_id
    if home is None:
        return None
    rng = seeds.stream("quest", giver, tick, *motive.source)
    picker = Picker(giver, home, motive.context, atlas, rules, tick, rng)
    for index in rng.permutation(len(motive.strategies)):
        strategy = rules.strategies[motive.strategies[int(index)]]
        slots = picker.fill(strategy)
        if slots is not None:
            return _offer(strategy, slots, picker=picker, names=names)
    return None


def _difficulty(strategy: Strategy, slots: Slots, atlas: Atlas, rules: QuestRules) -> int:
    """The strategy's least difficulty, raised by its POI's danger, its monsters and the danger
    of the regions it travels to."""
    levels = [strategy.difficulty]
    regions: list[int | None] = []
    if slots.poi is not None:
        levels.append(atlas.pois[slots.poi].danger)
        regions.append(atlas.pois[slots.poi].region_id)
    if slots.monster is not None:
        levels.append(slots.monster[2])
    if slots.settlement is not None:
        regions.append(atlas.settlement_region.get(slots.settlement))
    if slots.npc is not None:
        regions.append(atlas.settlement_region.get(atlas.people[slots.npc].settlement_id or -1))
    for region in regions:
        danger = atlas.region_danger.get(region if region is not None else -1, 0)
        levels.append(math.ceil(rules.region_weight * danger))
    return min(10, max(1, *levels))


def _offer(strategy: Strategy, slots: Slots, *, picker: Picker, names: Names) -> Offer:
    atlas, rules, home, rng = picker.atlas, picker.rules, picker.home, picker.rng
    reward = rules.reward
    load = 1
    if slots.item is not None:
        worth = max(atlas.items[slots.item][2], 1.0)
        load = min(reward.max_qty, max(1, round(reward.gather_value / worth)))
    difficulty = _difficulty(strategy, slots, atlas, rules)
    goods = reward.wage_units * atlas.price(home, reward.wage_good)
    if slots.item is not None and any(s.action in ("gather", "deliver") for s in strategy.steps):
        goods += load * atlas.price(home, atlas.items[slots.item][0])
    pay = float(round(goods * reward.per_level ** (difficulty - 1)))
    bonus = None
    if rng.random() < reward.item_chance:
        bonus = choose(trade_items(picker.giver, atlas, rules), rng)
    text = _Text(names, picker, slots, load)
    steps = tuple(text.step(step.action, step.targets) for step in strategy.steps)
    return Offer(
        giver=picker.giver,
        settlement_id=home,
        strategy=strategy,
        difficulty=difficulty,
        reward=pay,
        reward_item_id=bonus,
        title=strategy.title.format_map(text.fields),
        text=strategy.text.format_map(text.fields),
        steps=steps,
    )


class _Text:
    """Names for the templates: every one is an entity's name from `Names`."""

    def __init__(self, names: Names, picker: Picker, slots: Slots, load: int) -> None:
        self.names, self.picker, self.slots, self.load = names, picker, slots, load
        kind = slots.monster[0] if slots.monster else "beasts"
        self.fields = {
            "giver": self.npc(picker.giver),
            "home": self.place(picker.home, None),
            "npc": self.npc(slots.npc),
            "settlement": self.place(slots.settlement, None),
            "poi": self.place(None, slots.poi),
            "item": names.of("item", slots.item) or "goods",
            "monster": picker.atlas.monster_names.get(kind, kind.replace("_", " ")),
            "qty": str(load),
        }

    def npc(self, npc: int | None) -> str:
        return self.names.of("npc", npc) or "a stranger"

    def place(self, settlement: int | None, poi: int | None) -> str:
        if poi is not None:
            return self.names.of("poi", poi) or "a nameless place"
        return self.names.of("settlement", settlement) or "a distant place"

    def step(self, action: str, targets: tuple[str, ...]) -> StepRow:
        """The step's row: `giver` targets the giver at home; a person their settlement."""
        slots, picker = self.slots, self.picker
        npc = slots.npc if "npc" in targets else picker.giver if "giver" in targets else None
        settlement = slots.settlement if "settlement" in targets else None
        if settlement is None and "giver" in targets:
            settlement = picker.home
        elif settlement is None and npc is not None:
            settlement = picker.atlas.people[npc].settlement_id
        poi = slots.poi if "poi" in targets else None
        item = slots.item if "item" in targets else None
        monster = slots.monster if "monster" in targets else None
        qty = 1
        if monster is not None and action == "kill":
            qty = monster[1]
        elif item is not None and action in ("gather", "deliver"):
            qty = self.load
        place = self.place(settlement, poi)
        fields = {
            **self.fields,
            "who": self.npc(npc) if npc is not None else self.fields["giver"],
            "place": place if poi is not None or settlement is not None else self.fields["home"],
            "qty": str(qty),
            "at": f" at {place}" if poi is not None or "settlement" in targets else "",
        }
        line = picker.rules.actions[action].format_map(fields)
        return StepRow(
            action, npc, settlement, poi, item, monster[0] if monster else None, qty, line
        )
