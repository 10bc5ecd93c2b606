"""Why someone wants something: motives from a board's events, arcs in progress, and standing."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from worldloom.systems.narrative.quest.rules import QuestRules, Trigger
from worldloom.systems.narrative.quest.world import Atlas, Life, living
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
        fired = [
            trigger
            for trigger in triggers[event["type"]]
            if all(str(payload.get(k)) == v for k, v in trigger.payload.items())
        ]
        if not fired:
            # Most of a board's events fire nothing (a death moves the kin in war only).
            continue
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
        for trigger in fired:
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
        actor = event["npc_id"]
        kin = sorted(set(atlas.people.kin(actor))) if actor in atlas.people else []
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
    return tuple(living(ranked_residents(atlas, places, keys), tick)[:_CANDIDATES])


def ranked_residents(atlas: Atlas, places: Sequence[int], keys: Sequence[str]) -> tuple[Life, ...]:
    """Whom `residents` chooses from on any tick, in its order (the first of each place and
    key, living or not)."""
    found = {
        npc
        for place in places
        for key in keys
        for npc in atlas.residents.get((place, key), ())[:_CANDIDATES]
    }
    people = atlas.people
    lives = list(people.lives(found))
    lives.sort(
        key=lambda life: (not people[life.npc_id].notable, -people[life.npc_id].wealth, life.npc_id)
    )
    return tuple(lives)


@dataclass(frozen=True, slots=True)
class ArcOnBoard:
    """An arc that may run on a call's boards, with what its quests need that no board changes."""

    arc_id: int
    start: int
    until: int | None
    """The tick it no longer runs on (its last tick once over); None while in progress."""
    notables: tuple[Life, ...]
    """Its people, then its factions' leaders, who are notables (the first givers)."""
    residents: tuple[Life, ...]
    """Its settlements' residents of the arc givers' roles (`ranked_residents`)."""
    context: Context
    strategies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArcsOnBoard:
    """The arcs that may run on a call's boards, in id order, gathered once per call: a board
    each month read every arc the world has had and every role bound in it."""

    arcs: tuple[ArcOnBoard, ...]

    @classmethod
    def of(
        cls,
        arcs: pl.DataFrame,
        arc_roles: pl.DataFrame,
        *,
        boards: range,
        atlas: Atlas,
        rules: QuestRules,
    ) -> ArcsOnBoard:
        """From the arc room's arcs and arc_roles tables, for the board ticks `boards`."""
        if not boards:
            return cls(())
        in_progress = pl.col("status") == "in_progress"
        heads = (
            arcs.filter(
                pl.col("start_tick") <= boards[-1], in_progress | (pl.col("last_tick") > boards[0])
            )
            .sort("arc_id")
            .select(
                "arc_id",
                "pattern",
                "start_tick",
                until=pl.when(in_progress).then(None).otherwise(pl.col("last_tick")),
            )
        )
        bound: dict[int, list[tuple[int | None, ...]]] = defaultdict(list)
        for arc_id, *ids in (
            arc_roles.filter(pl.col("arc_id").is_in(heads["arc_id"].implode()))
            .sort("arc_id", "role")
            .select("arc_id", "npc_id", "faction_id", "settlement_id", "region_id", "poi_id")
            .iter_rows()
        ):
            bound[arc_id].append(tuple(ids))
        return cls(
            tuple(_arc_on_board(head, bound[head[0]], atlas, rules) for head in heads.iter_rows())
        )

    def running(self, tick: int) -> list[ArcOnBoard]:
        """Arcs in progress on `tick` (one of the boards): started, and not over before it."""
        return [
            arc
            for arc in self.arcs
            if arc.start <= tick and (arc.until is None or tick < arc.until)
        ]


def _arc_on_board(
    head: tuple[int, str, int, int | None],
    bound: Sequence[tuple[int | None, ...]],
    atlas: Atlas,
    rules: QuestRules,
) -> ArcOnBoard:
    """The arc (id, pattern, start, until) with its roles' ids (npc, faction, settlement,
    region, poi) read."""
    arc_id, pattern, start, until = head
    npcs, factions, places, regions, pois = (
        [bound_id for ids in bound if (bound_id := ids[column]) is not None] for column in range(5)
    )
    leaders = [atlas.leaders[f] for f in factions if f in atlas.leaders]
    people = atlas.people
    notables = tuple(
        life
        for npc in dict.fromkeys([*npcs, *leaders])
        if people.is_notable(npc) and (life := people.life(npc)) is not None
    )
    region = regions[0] if regions else atlas.settlement_region.get(places[0]) if places else None
    context = Context(
        settlement_id=places[0] if places else None,
        region_id=region,
        poi_id=pois[0] if pois else None,
        npc_id=npcs[0] if npcs else None,
        factions=tuple(factions),
    )
    return ArcOnBoard(
        arc_id,
        start,
        until,
        notables,
        ranked_residents(atlas, places, rules.arc_givers),
        context,
        rules.arc_strategies.get(pattern, rules.arc_strategies["default"]),
    )


def arc_motives(*, board: ArcsOnBoard, tick: int) -> list[Motive]:
    """The next step of every arc in progress on `tick`, for a notable its roles touch."""
    motives = []
    for arc in board.running(tick):
        if not arc.notables and not arc.residents:
            continue  # no one to give it on any board (most arcs, a commoner widowed in war)
        people = living(arc.notables, tick)
        givers = tuple(dict.fromkeys([*people, *living(arc.residents, tick)[:_CANDIDATES]]))
        if givers:
            motives.append(
                Motive(
                    arc.strategies, givers, 1, ("arc", arc.arc_id), arc.context, arc_id=arc.arc_id
                )
            )
    return motives


@dataclass(frozen=True, slots=True)
class Standing:
    """The notables whose role wants something when nothing happens, by settlement then id,
    gathered once per call (each board read every notable's row)."""

    wants: tuple[tuple[int, Life, str], ...]
    """Settlement, the notable's days, role."""

    @classmethod
    def of(cls, rules: QuestRules, atlas: Atlas) -> Standing:
        """The atlas's notables whose role is one of `rules.standing`."""
        people = atlas.people
        return cls(
            tuple(
                (settlement, life, role)
                for settlement in sorted(atlas.notables)
                for npc in atlas.notables[settlement]
                if (role := people[npc].role or "") in rules.standing
                and (life := people.life(npc)) is not None
            )
        )


def standing_motives(
    *, rules: QuestRules, atlas: Atlas, standing: Standing, tick: int, seeds: Seeds
) -> list[Motive]:
    """Notables who, with nothing happening, want what their role wants (a roll per board)."""
    wanting = [
        (settlement, npc, role)
        for settlement, (npc, born, died), role in standing.wants
        if born <= tick < died
    ]
    # Each roll is its stream's first draw, drawn for the board at once (`first_randoms`).
    series = seeds.streams("quest.standing", [(npc, tick) for _, npc, _ in wanting])
    motives = []
    for (settlement, npc, role), roll in zip(wanting, series.first_randoms().tolist(), strict=True):
        if roll >= rules.board.standing_chance:
            continue
        region = atlas.settlement_region.get(settlement)
        motives.append(
            Motive(rules.standing[role], (npc,), 1, ("standing",), Context(region_id=region))
        )
    return motives
