"""The event log a year of history writes: typed events with actors, place, causes, payload."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from worldloom.systems.history.catalog import EventCatalog

ACTORS = ("npc_id", "faction_id", "other_faction_id", "settlement_id", "region_id", "poi_id")
"""The actor and place columns of an event; -1 where it names none."""
Int = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class EventBatch:
    """Events of one type, checked and encoded (`EventLog.batch`), not in a log yet."""

    kind: str
    ticks: Int
    importance: int
    actors: dict[str, Int]
    """Every actor column (`ACTORS`), -1 where an event names none."""
    causes: list[list[int]]
    payloads: list[str]


@dataclass(slots=True)
class EventLog:
    """Events in the order they were raised, ids from `first_id` up.

    A builder owned by one composer call (never shared): `add` checks the payload against the
    catalog and that every cause is an earlier event (a smaller id, no later tick).
    """

    catalog: EventCatalog
    first_id: int
    earlier_tick: int
    """Events before `first_id` are from ticks before this one (earlier segments)."""
    rows: dict[str, list[Any]] = field(default_factory=dict)
    _ticks: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("event_id", "tick", "type", "importance", *ACTORS, "cause_ids", "payload"):
            self.rows.setdefault(name, [])

    def add(
        self,
        kind: str,
        *,
        tick: int,
        payload: Mapping[str, Any],
        causes: Sequence[int] = (),
        importance: int | None = None,
        actors: Mapping[str, int] | None = None,
        **named: int,
    ) -> int:
        """Record an event; returns its id.

        Raises:
            ValueError: a bad payload, an unknown actor column, a cause that is not earlier.
            KeyError: an unknown event type.
        """
        actors = {**(actors or {}), **named}
        unknown = set(actors) - set(ACTORS)
        if unknown:
            raise ValueError(f"event {kind}: unknown actor columns {sorted(unknown)}")
        encoded = self.catalog.encode(kind, payload)
        event_id = self.first_id + len(self._ticks)
        self._check_causes(kind, tick=tick, causes=causes, event_id=event_id)
        level = self.catalog[kind].importance if importance is None else importance
        if not 1 <= level <= 10:
            raise ValueError(f"event {kind}: importance {level} outside 1..10")
        self._ticks.append(tick)
        self.rows["event_id"].append(event_id)
        self.rows["tick"].append(tick)
        self.rows["type"].append(kind)
        self.rows["importance"].append(level)
        for name in ACTORS:
            self.rows[name].append(actors.get(name, -1))
        self.rows["cause_ids"].append(sorted(set(causes)))
        self.rows["payload"].append(encoded)
        return event_id

    def batch(
        self,
        kind: str,
        *,
        ticks: Int,
        payload: Mapping[str, Sequence[Any]],
        actors: Mapping[str, Int],
        causes: Sequence[Sequence[int]] | None = None,
    ) -> EventBatch:
        """Events of one type, checked and encoded as `add` would each (payload fields and
        actors as columns), for `add_batches`.

        Raises:
            ValueError: a bad payload, an unknown actor column, columns of other lengths.
            KeyError: an unknown event type.
        """
        unknown = set(actors) - set(ACTORS)
        if unknown:
            raise ValueError(f"event {kind}: unknown actor columns {sorted(unknown)}")
        n = ticks.size
        every = {name: actors.get(name, np.full(n, -1, dtype=np.int64)) for name in ACTORS}
        lengths = {len(causes) if causes is not None else n, *(a.size for a in every.values())}
        if lengths != {n}:
            raise ValueError(f"event {kind}: {n} ticks, but actors or causes of other lengths")
        payloads = self.catalog.encode_many(kind, payload)
        if len(payloads) != n:
            raise ValueError(f"event {kind}: {n} ticks, but {len(payloads)} payloads")
        return EventBatch(
            kind,
            ticks.astype(np.int64),
            self.catalog[kind].importance,
            every,
            [sorted(set(c)) for c in causes] if causes else [[] for _ in range(n)],
            payloads,
        )

    def add_batches(self, batches: Sequence[EventBatch], order: Int) -> list[Int]:
        """Record the events of `batches` as `add` would one by one in `order` (positions in
        the batches' rows taken in turn); returns each batch's event ids.

        Raises:
            ValueError: `order` does not take every row once, or a cause is not earlier.
        """
        sizes = [batch.ticks.size for batch in batches]
        total = sum(sizes)
        if order.size != total or not np.array_equal(np.sort(order), np.arange(total)):
            raise ValueError(f"an order of {order.size} positions for {total} events")
        if not batches:
            return []
        first = self.first_id + len(self._ticks)
        ids = np.empty(total, dtype=np.int64)
        ids[order] = first + np.arange(total)
        ticks = np.concatenate([batch.ticks for batch in batches])[order]
        causes = [cause for batch in batches for cause in batch.causes]
        ordered_causes = [causes[i] for i in order.tolist()]
        kinds = [
            batch.kind for batch, size in zip(batches, sizes, strict=True) for _ in range(size)
        ]
        placed = ticks.tolist()
        for at, i in enumerate(order.tolist()):
            if ordered_causes[at]:
                self._check_causes(
                    kinds[i],
                    tick=placed[at],
                    causes=ordered_causes[at],
                    event_id=first + at,
                    placed=placed,
                )
        levels = np.repeat([batch.importance for batch in batches], sizes)
        self._ticks.extend(placed)
        self.rows["event_id"].extend(range(first, first + total))
        self.rows["tick"].extend(placed)
        self.rows["type"].extend(kinds[i] for i in order.tolist())
        self.rows["importance"].extend(levels[order].tolist())
        for name in ACTORS:
            column = np.concatenate([batch.actors[name] for batch in batches])
            self.rows[name].extend(column[order].tolist())
        self.rows["cause_ids"].extend(ordered_causes)
        payloads = [text for batch in batches for text in batch.payloads]
        self.rows["payload"].extend(payloads[i] for i in order.tolist())
        return np.split(ids, np.cumsum(sizes)[:-1])

    def _check_causes(
        self,
        kind: str,
        *,
        tick: int,
        causes: Sequence[int],
        event_id: int,
        placed: Sequence[int] = (),
    ) -> None:
        """Raise `ValueError` unless every cause of event `event_id` is an earlier event of no
        later tick: an earlier segment's, this log's, or one of `placed` (the ticks of events
        being added, in id order after this log's)."""
        for cause in causes:
            if cause >= event_id or cause < 0:
                raise ValueError(f"event {kind}: cause {cause} is not an earlier event")
            local = cause - self.first_id
            if local < 0:
                cause_tick = self.earlier_tick - 1
            elif local < len(self._ticks):
                cause_tick = self._ticks[local]
            else:
                cause_tick = placed[local - len(self._ticks)]
            if cause_tick > tick:
                raise ValueError(f"event {kind} at tick {tick}: cause {cause} is later")

    def __len__(self) -> int:
        return len(self._ticks)

    def tick_of(self, event_id: int) -> int:
        """The tick of an event of this log."""
        return self._ticks[event_id - self.first_id]
