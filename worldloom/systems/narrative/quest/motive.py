"""Why someone wants something: motives from a board's events, arcs in progress, and standing."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.systems.narrative.quest.rules import QuestRules, Trigger
from worldloom.systems.narrative.quest.world import Atlas
from worldloom.systems.rng import Key, Seeds

_CANDIDATES = 8
"""Givers considered per motive, best first: enough to get past the busy ones."""


@dataclass(frozen=True, slots=True)
class Context:
    """What the motive is about, for the strategy's pickers; None where it says nothing."""

    settlement_id: int | None = None
    region_id: int | None = None
    poi_id: int | None = None
    npc_id: int | None = None
    factions: tuple[int, ...] = ()
    """Factions it sets against each other, the likelier enemy first."""
    resource: str | None = None


@dataclass(frozen=True, slots=True)
class Motive:
    """What some of `givers` (best first) want: strategies that may serve it (the one chosen
    names the quest's motivation)."""

    strategies: tuple[str, ...]
    givers: tuple[int, ...]
    take: int
    """How many of the givers post a quest for it."""
    source: tuple[Key, ...]
    """Names its random stream: ("event", id), ("arc", id) or ("standing",)."""
    context: Context
    cause_event_id: int | None = None
    arc_id: int | None = None


def event_motives(
    *, rules: QuestRules, atlas: Atlas, events: pl.DataFrame, tick: int
) -> list[Motive]:
    """Motives the board's events give, in event order then trigger order."""
    triggers: dict[str, list[Trigger]] = defaultdict(list)
    for trigger in rules.triggers:
        triggers[trigger.event].append(trigger)
    rows = events.filter(pl.col("type").is_in(list(triggers))).sort("event_id")
    motives = []
    for event in rows.iter_rows(named=True):
        payload: dict[str, Any] = json.loads(event["payload"] or "{}")
        region = event["region_id"]
        if region is None and event["settlement_id"] is not None:
            region = atlas.settlement_region.get(event["settlement_id"])
        context = Context(
            settlement_id=event["settlement_id"],
            region_id=region,
            poi_id=event["poi_id"],
            npc_id=event["npc_id"],
            factions=tuple(
                f for f in (event["other_faction_id"], event["faction_id"]) if f is not None
            ),
            resource=str(payload["resource"]) if payload.get("resource") else None,
        )
        for trigger in triggers[event["type"]]:
            if any(str(payload.get(k)) != v for k, v in trigger.payload.items()):
                continue
            givers = _givers(trigger, event, region, atlas, tick)
            if givers:
                motives.append(
                    Motive(
                        trigger.strategies,
                        givers,
                        trigger.per_event,
                        ("event", event["event_id"], trigger.motivation),
                        context,
                        cause_event_id=event["event_id"],
                    )
                )
    return motives


def _givers(
    trigger: Trigger, event: dict[str, Any], region: int | None, atlas: Atlas, tick: int
) -> tuple[int, ...]:
    if trigger.where == "actor":
        actor = (
            event["npc_id"]
            if atlas.alive(event["npc_id"], tick)
            else atlas.leaders.get(event["faction_id"])
        )
        found: Iterable[int] = [actor] if actor is not None and atlas.alive(actor, tick) else []
        if trigger.givers:
            found = [
                n
                for n in found
                if {atlas.people[n].profession, atlas.people[n].role} & set(trigger.givers)
            ]
        return tuple(found)
    if trigger.where == "kin":
        person = atlas.people.get(event["npc_id"])
        kin = sorted(set(person.kin)) if person is not None else []
        return tuple(
            k for k in kin if atlas.alive(k, tick) and atlas.people[k].profession != "child"
            and atlas.people[k].settlement_id is not None
        )[:_CANDIDATES]  # fmt: skip
    if trigger.where == "settlement":
        places = [event["settlement_id"]] if event["settlement_id"] is not None else []
    else:
        places = list(atlas.region_settlements.get(region, ())) if region is not None else []
    return residents(atlas, places, trigger.givers, tick)


def residents(
    atlas: Atlas, places: Sequence[int], keys: Sequence[str], tick: int
) -> tuple[int, ...]:
    """Living people of `places` whose notable_role or profession is one of `keys`: notables
    first, then the richest, then by id."""
    found = {
        npc
        for place in places
        for key in keys
        for npc in atlas.residents.get((place, key), ())[:_CANDIDATES]
    }
    alive = [n for n in found if atlas.alive(n, tick)]
    people = atlas.people
    alive.sort(key=lambda n: (not people[n].notable, -people[n].wealth, n))
    return tuple(alive[:_CANDIDATES])


@dataclass(frozen=True, slots=True)
class ArcsOnBoard:
    """The arcs as the boards read them, gathered once per call (a board each month filtered
    and sorted the frames anew): each arc's id, pattern, start, status and last tick in id
    order, and each arc's roles' rows in role order."""

    arcs: tuple[tuple[int, str, int | None, str | None, int | None], ...]
    roles: Mapping[int, tuple[dict[str, Any], ...]]

    @classmethod
    def of(cls, arcs: pl.DataFrame, arc_roles: pl.DataFrame) -> ArcsOnBoard:
        """From the arc room's arcs and arc_roles tables."""
        heads = arcs.sort("arc_id").select("arc_id", "pattern", "start_tick", "status", "last_tick")
        roles: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in arc_roles.sort("arc_id", "role").iter_rows(named=True):
            roles[row["arc_id"]].append(row)
        return cls(tuple(heads.iter_rows()), {k: tuple(v) for k, v in roles.items()})

    def running(self, tick: int) -> list[tuple[int, str]]:
        """Arcs (id, pattern) in progress on `tick`: started, and not over before it."""
        return [
            (arc_id, pattern)
            for arc_id, pattern, start, status, last in self.arcs
            if start is not None
            and start <= tick
            and (status == "in_progress" or (last is not None and last > tick))
        ]


def arc_motives(*, rules: QuestRules, atlas: Atlas, board: ArcsOnBoard, tick: int) -> list[Motive]:
    """The next step of every arc in progress on `tick`, for a notable its roles touch."""
    roles = board.roles
    motives = []
    for arc_id, pattern in board.running(tick):
        bound = roles.get(arc_id, ())
        npcs = [r["npc_id"] for r in bound if r["npc_id"] is not None]
        factions = tuple(r["faction_id"] for r in bound if r["faction_id"] is not None)
        places = [r["settlement_id"] for r in bound if r["settlement_id"] is not None]
        pois = [r["poi_id"] for r in bound if r["poi_id"] is not None]
        regions = [r["region_id"] for r in bound if r["region_id"] is not None]
        leaders = [atlas.leaders[f] for f in factions if f in atlas.leaders]
        people = [
            n
            for n in dict.fromkeys([*npcs, *leaders])
            if atlas.alive(n, tick) and atlas.people[n].notable
        ]
        givers = tuple(dict.fromkeys([*people, *residents(atlas, places, rules.arc_givers, tick)]))
        if not givers:
            continue
        region = (
            regions[0] if regions else atlas.settlement_region.get(places[0]) if places else None
        )
        context = Context(
            settlement_id=places[0] if places else None,
            region_id=region,
            poi_id=pois[0] if pois else None,
            npc_id=npcs[0] if npcs else None,
            factions=factions,
        )
        strategies = rules.arc_strategies.get(pattern, rules.arc_strategies["default"])
        motives.append(Motive(strategies, givers, 1, ("arc", arc_id), context, arc_id=arc_id))
    return motives


def standing_motives(*, rules: QuestRules, atlas: Atlas, tick: int, seeds: Seeds) -> list[Motive]:
    """Notables who, with nothing happening, want what their role wants (a roll per board)."""
    standing = [
        (settlement, npc, role)
        for settlement in sorted(atlas.notables)
        for npc in atlas.notables[settlement]
        if (role := atlas.people[npc].role or "") in rules.standing and atlas.alive(npc, tick)
    ]
    rolls = seeds.streams("quest.standing", [(npc, tick) for _, npc, _ in standing])
    motives = []
    for index, (settlement, npc, role) in enumerate(standing):
        if rolls[index].random() >= rules.board.standing_chance:
            continue
        region = atlas.settlement_region.get(settlement)
        motives.append(
            Motive(rules.standing[role], (npc,), 1, ("standing",), Context(region_id=region))
        )
    return motives
