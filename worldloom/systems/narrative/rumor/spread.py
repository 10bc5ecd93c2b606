"""Rumors travelling the settlement graph from important events, changing as they are retold."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from worldloom.systems.narrative.names import Names
from worldloom.systems.narrative.rumor.frames import (
    BELIEF_SCHEMA,
    FRONTIER_SCHEMA,
    RUMOR_SCHEMA,
    VERSION_SCHEMA,
    split_at,
)
from worldloom.systems.narrative.rumor.places import RumorPlaces
from worldloom.systems.narrative.rumor.rules import RumorRules
from worldloom.systems.narrative.rumor.telling import (
    Change,
    Telling,
    apply_change,
    draw_change,
    tell_event,
)
from worldloom.systems.rng import Seeds


@dataclass(frozen=True, slots=True)
class RumorBook:
    """The rumor tables as of a tick, and the frontier: what rumors will reach after it.

    `frontier` has one row per belief still to come (rumor_frontier's schema): a rumor's whole
    journey is known when it starts, since every retelling is drawn from a stream keyed by the
    rumor and the two settlements, so later windows only move rows from the frontier.
    """

    rumors: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RUMOR_SCHEMA))
    versions: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=VERSION_SCHEMA))
    beliefs: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=BELIEF_SCHEMA))
    frontier: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FRONTIER_SCHEMA))


@dataclass(frozen=True, slots=True)
class RumorNews:
    """What one `spread_rumors` call adds to a book: the rumors it started and the versions and
    beliefs told by its tick (rows their tables gain; none it had), and the frontier left (it
    replaces the book's)."""

    rumors: pl.DataFrame
    versions: pl.DataFrame
    beliefs: pl.DataFrame
    frontier: pl.DataFrame

    def added_to(self, book: RumorBook) -> RumorBook:
        """`book` with this news: the rumor tables as they stand after the call."""
        return RumorBook(
            rumors=pl.concat([book.rumors, self.rumors]).sort("rumor_id"),
            versions=pl.concat([book.versions, self.versions]).sort("rumor_id", "version"),
            beliefs=pl.concat([book.beliefs, self.beliefs]).sort("rumor_id", "settlement_id"),
            frontier=self.frontier,
        )


@dataclass(frozen=True, slots=True)
class _Reach:
    version: int
    tick: int
    confidence: float
    hops: int


def spread_rumors(
    *,
    rules: RumorRules,
    book: RumorBook,
    events: pl.DataFrame,
    places: RumorPlaces,
    names: Names,
    until_tick: int,
    seeds: Seeds,
) -> RumorNews:
    """Start a rumor from each important new event and let every rumor travel to `until_tick`.

    A rumor (its id is the event's) starts on the event's day at its settlement, else its
    region's centre, else its faction's (or other faction's) seat; events with none of these
    start none. It is passed on along the graph after each settlement's relay days, and every
    hop may change one detail. A settlement believes the first version to reach it (ties go to
    the lower sending settlement, then the lower id): later arrivals do not displace it, and
    it passes on only the version it believes. A settlement believing it below `fade_below`,
    a rumor past its hops or `max_days` after the event, is passed on no further.

    Args:
        book: the rumors so far and the frontier (its versions and beliefs are not read, and
            of its rumors only those of `events` matter: an event already told starts none).
        events: the events recorded since the last run (the events table's columns).
        until_tick: the world's tick now; beliefs and versions after it stay in the frontier.

    Returns:
        What the call adds (`RumorNews.added_to(book)` is the book after it).
    """
    known = set(book.rumors["rumor_id"].to_list())
    pools = {"npc": sorted(names.npc), "faction": sorted(names.faction), "poi": sorted(names.poi)}
    new_rumors: list[dict[str, Any]] = []
    journeys: list[_Journey] = []
    # A year's few thousand events, most too small to tell: the rule asked once per kind.
    kinds = events.select("type", "importance").unique()
    telling = [rules.starts_rumor(t, i) for t, i in kinds.iter_rows()]
    tellable = kinds.filter(pl.Series(telling, dtype=pl.Boolean))
    starting = events.join(tellable, on=["type", "importance"], how="semi").sort("event_id")
    for event in starting.iter_rows(named=True):
        if event["event_id"] in known:
            continue
        origin = _origin(event, places)
        if origin is None:
            continue
        rumor_id = int(event["event_id"])
        new_rumors.append(
            {
                "rumor_id": rumor_id,
                "event_id": rumor_id,
                "origin_settlement_id": origin,
                "start_tick": int(event["tick"]),
            }
        )
        journeys.append(
            _Journey(
                rumor_id,
                origin=origin,
                start=int(event["tick"]),
                hops=rules.hops(int(event["importance"])),
                truth=tell_event(
                    event, texts=rules.texts, names=names, numbers=rules.number_fields
                ),
                names=names,
            )
        )
    _travel(journeys, rules=rules, places=places, pools=pools, seeds=seeds)
    new_versions = [row for journey in journeys for row in journey.versions]
    new_beliefs = [row for journey in journeys for row in journey.beliefs()]
    frontier = pl.concat([book.frontier, _frontier(new_versions, new_beliefs)], how="vertical")
    due_versions, due_beliefs, frontier = split_at(frontier, until_tick)
    return RumorNews(
        rumors=pl.DataFrame(new_rumors, schema=RUMOR_SCHEMA).sort("rumor_id"),
        versions=due_versions.sort("rumor_id", "version"),
        beliefs=due_beliefs.sort("rumor_id", "settlement_id"),
        frontier=frontier,
    )


def _origin(event: Mapping[str, Any], places: RumorPlaces) -> int | None:
    """Where a rumor is first told: the event's settlement, region centre or faction seat."""
    settlement = event.get("settlement_id")
    if settlement is not None and int(settlement) in places.region_of:
        return int(settlement)
    region = event.get("region_id")
    if region is not None and int(region) in places.region_centre:
        return places.region_centre[int(region)]
    for column in ("faction_id", "other_faction_id"):
        faction = event.get(column)
        if faction is not None and int(faction) in places.seat:
            return places.seat[int(faction)]
    return None


class _Journey:
    """A rumor's journey, earliest arrival first (Dijkstra on whole days), taken an arrival at a
    time: each draws from its own stream (a settlement is reached once), first the days it
    holds the rumor, then the retelling's change."""

    __slots__ = ("heap", "hop_limit", "names", "reached", "rumor_id", "start", "tellings", "truth",
                 "versions")  # fmt: skip

    def __init__(
        self, rumor_id: int, *, origin: int, start: int, hops: int, truth: Telling, names: Names
    ) -> None:
        self.rumor_id, self.start, self.hop_limit, self.names = rumor_id, start, hops, names
        self.truth = truth
        self.tellings = [truth]
        self.versions = [
            _version_row(
                rumor_id,
                0,
                parent=None,
                settlement=origin,
                tick=start,
                change=None,
                telling=truth,
                names=names,
            )
        ]
        self.reached: dict[int, _Reach] = {}
        self.heap: list[tuple[int, int, int]] = [(start, -1, origin)]

    def next_arrival(self) -> tuple[int, int, int] | None:
        """The key of the next arrival's stream (rumor, sender, settlement); None at the end."""
        while self.heap and self.heap[0][2] in self.reached:
            heapq.heappop(self.heap)
        return (self.rumor_id, self.heap[0][1], self.heap[0][2]) if self.heap else None

    def arrive(
        self,
        rng: np.random.Generator,
        *,
        rules: RumorRules,
        places: RumorPlaces,
        pools: Mapping[str, Sequence[int]],
    ) -> None:
        """The next arrival (`next_arrival`'s), drawn from its stream `rng`."""
        tick, sender, settlement = heapq.heappop(self.heap)
        leaves = tick + rules.relay_days + int(rng.integers(rules.relay_jitter_days + 1))
        if sender < 0:
            reach = _Reach(version=0, tick=tick, confidence=1.0, hops=0)
        else:
            heard = self.reached[sender]
            told = self.tellings[heard.version]
            change = draw_change(
                rng,
                told=told,
                truth=self.truth,
                rules=rules,
                places=places,
                names=self.names,
                pools=pools,
            )
            confidence = heard.confidence * rules.per_hop
            version = heard.version
            if change is not None:
                version = len(self.tellings)
                self.tellings.append(apply_change(told, change))
                self.versions.append(
                    _version_row(
                        self.rumor_id,
                        version,
                        parent=heard.version,
                        settlement=settlement,
                        tick=tick,
                        change=change,
                        telling=self.tellings[-1],
                        names=self.names,
                    )
                )
                confidence *= rules.per_distortion
            reach = _Reach(version=version, tick=tick, confidence=confidence, hops=heard.hops + 1)
        self.reached[settlement] = reach
        if reach.hops >= self.hop_limit or reach.confidence < rules.fade_below:
            return
        for neighbour, days in places.neighbours.get(settlement, ()):
            if neighbour not in self.reached and leaves + days - self.start <= rules.max_days:
                heapq.heappush(self.heap, (leaves + days, settlement, neighbour))

    def beliefs(self) -> list[dict[str, Any]]:
        """rumor_beliefs rows of the settlements reached, in the order they were."""
        return [
            {
                "rumor_id": self.rumor_id,
                "settlement_id": s,
                "version": r.version,
                "heard_tick": r.tick,
                "confidence": r.confidence,
            }
            for s, r in self.reached.items()
        ]


def _travel(
    journeys: list[_Journey],
    *,
    rules: RumorRules,
    places: RumorPlaces,
    pools: Mapping[str, Sequence[int]],
    seeds: Seeds,
) -> None:
    """Every journey to its end, in rounds of one arrival per rumor still moving, whose
    streams are seeded together (`Seeds.streams`): made one by one, ~22 us each, they were
    most of a year's spreading."""
    moving = journeys
    while arrivals := [(j, key) for j in moving if (key := j.next_arrival()) is not None]:
        streams = seeds.streams("rumor-hop", [key for _, key in arrivals])
        for index, (journey, _) in enumerate(arrivals):
            journey.arrive(streams[index], rules=rules, places=places, pools=pools)
        moving = [journey for journey, _ in arrivals]


def _version_row(
    rumor_id: int,
    version: int,
    *,
    parent: int | None,
    settlement: int,
    tick: int,
    change: Change | None,
    telling: Telling,
    names: Names,
) -> dict[str, Any]:
    return {
        "rumor_id": rumor_id,
        "version": version,
        "parent_version": parent,
        "settlement_id": settlement,
        "tick": tick,
        "distortion": "none" if change is None else change.kind,
        "field": None if change is None else change.field,
        "true_value": None if change is None else str(change.true_value),
        "told_value": None if change is None else str(change.told_value),
        "is_true": change is None,
        "text": telling.render(names),
    }


def _frontier(versions: list[dict[str, Any]], beliefs: list[dict[str, Any]]) -> pl.DataFrame:
    """Beliefs with the version first told at each, in rumor_frontier's schema."""
    told = pl.DataFrame(versions, schema=VERSION_SCHEMA).with_columns(new_version=True)
    return (
        pl.DataFrame(beliefs, schema=BELIEF_SCHEMA)
        .join(told, on=["rumor_id", "settlement_id", "version"], how="left", maintain_order="left")
        .with_columns(pl.col("new_version").fill_null(False))
        .select(FRONTIER_SCHEMA.names())
    )
