"""Choosing a strategy's targets: the quest's person, settlement, POI, item and monster."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from worldloom.systems.narrative.quest.motive import Context
from worldloom.systems.narrative.quest.rules import QuestRules, Strategy
from worldloom.systems.narrative.quest.world import Atlas

_NEAR = 3
"""A `near` settlement is one of the region's this many most populous (besides home)."""


@dataclass(frozen=True, slots=True)
class Slots:
    """A strategy's targets, chosen once per quest; None where it picks none."""

    npc: int | None = None
    settlement: int | None = None
    poi: int | None = None
    item: int | None = None
    monster: tuple[str, int, int] | None = None
    """Kind, count and encounter level of the monsters met at the POI."""


def trade_items(giver: int, atlas: Atlas, rules: QuestRules) -> list[int]:
    """Items of the giver's trade: their profession's categories, else role's, else default."""
    person = atlas.people[giver]
    trade = rules.reward.trade
    categories = trade.get(person.profession) or trade.get(person.role or "") or trade["default"]
    return [i for c in categories for i in atlas.by_category.get(c, ())]


def choose(options: Sequence[int], rng: np.random.Generator) -> int | None:
    """One of `options` drawn from `rng`, or None when there are none."""
    return options[int(rng.integers(len(options)))] if options else None


@dataclass(frozen=True, slots=True)
class Picker:
    """Picks targets for one giver on one board tick, drawing from the quest's stream."""

    giver: int
    home: int
    context: Context
    atlas: Atlas
    rules: QuestRules
    tick: int
    rng: np.random.Generator

    @property
    def regions(self) -> list[int]:
        """Where to look first: the motive's region, then the giver's."""
        home_region = self.atlas.settlement_region.get(self.home)
        return [r for r in dict.fromkeys([self.context.region_id, home_region]) if r is not None]

    def fill(self, strategy: Strategy) -> Slots | None:
        """The strategy's slots filled with real targets, or None when one has no candidate."""
        picked: dict[str, int] = {}
        for slot, picker in strategy.pickers.items():
            if slot == "monster":
                continue
            if slot == "poi":
                value = self.poi(picker, fight="monster" in strategy.pickers)
            elif slot == "settlement":
                value = self.settlement(picker)
            elif slot == "npc":
                value = self.npc(picker)
            else:
                value = self.item(picker)
            if value is None:
                return None
            picked[slot] = value
        monster = None
        if "monster" in strategy.pickers:
            met = self.atlas.pois[picked["poi"]].monsters
            monster = met[int(self.rng.integers(len(met)))]
        return Slots(
            npc=picked.get("npc"),
            settlement=picked.get("settlement"),
            poi=picked.get("poi"),
            item=picked.get("item"),
            monster=monster,
        )

    def poi(self, picker: str, *, fight: bool) -> int | None:
        """The cause's POI, a lair, or a POI of some kinds; with monsters when there is a fight."""
        pois = self.atlas.pois
        cause = self.context.poi_id
        if picker == "cause" and cause is not None and cause in pois:
            return cause if not fight or pois[cause].monsters else self.poi("lair", fight=True)
        kinds = picker.removeprefix("kind:").split(",") if picker.startswith("kind:") else None
        armed = fight or kinds is None
        fit = [
            p
            for p in sorted(pois)
            if (pois[p].monsters or not armed) and (kinds is None or pois[p].kind in kinds)
        ]
        for region in self.regions:
            local = [p for p in fit if pois[p].region_id == region]
            if local:
                return choose(local, self.rng)
        return choose(fit, self.rng)

    def settlement(self, picker: str) -> int | None:
        """The cause's settlement (else home), a near one, or the enemy's seat."""
        atlas, home = self.atlas, self.home
        if picker == "cause":
            cause = self.context.settlement_id
            return cause if cause is not None and cause in atlas.settlement_region else home
        if picker == "near":
            for region in self.regions:
                near = [s for s in atlas.region_settlements.get(region, ()) if s != home][:_NEAR]
                if near:
                    return choose(near, self.rng)
            return None
        for faction in self.context.factions:
            seat = atlas.seats.get(faction)
            if atlas.leaders.get(faction) != self.giver and seat is not None and seat != home:
                return seat
        return None

    def npc(self, picker: str) -> int | None:
        """Another notable at home, or a notable elsewhere in the region."""
        atlas = self.atlas

        def living(people: Sequence[int]) -> list[int]:
            return [n for n in people if n != self.giver and atlas.alive(n, self.tick)]

        if picker == "notable_here":
            return choose(living(atlas.notables.get(self.home, ())), self.rng)
        for region in self.regions:
            places = [s for s in atlas.region_settlements.get(region, ()) if s != self.home]
            near = living([n for s in places for n in atlas.notables.get(s, ())])
            if near:
                return choose(near, self.rng)
        return None

    def item(self, picker: str) -> int | None:
        """The good the cause names, an item of some categories, or one of the giver's trade."""
        atlas = self.atlas
        word = self.context.resource
        if picker == "cause" and word:
            goods = [
                i
                for i, (good, _, _) in sorted(atlas.items.items())
                if good == word or good.startswith(f"{word}_") or good.endswith(f"_{word}")
            ]
            if goods:
                return choose(goods, self.rng)
        if picker.startswith("category:"):
            categories = picker.removeprefix("category:").split(",")
            return choose([i for c in categories for i in atlas.by_category.get(c, ())], self.rng)
        return choose(trade_items(self.giver, atlas, self.rules), self.rng)
