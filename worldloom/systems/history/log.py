"""The event log a year of history writes: typed events with actors, place, causes, payload."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from worldloom.systems.history.catalog import EventCatalog

ACTORS = ("npc_id", "faction_id", "other_faction_id", "settlement_id", "region_id", "poi_id")
"""The actor and place columns of an event; -1 where it names none."""


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
        for cause in causes:
            if cause >= event_id or cause < 0:
                raise ValueError(f"event {kind}: cause {cause} is not an earlier event")
            local = cause - self.first_id
            cause_tick = self._ticks[local] if local >= 0 else self.earlier_tick - 1
            if cause_tick > tick:
                raise ValueError(f"event {kind} at tick {tick}: cause {cause} is later")
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

    def __len__(self) -> int:
        return len(self._ticks)

    def tick_of(self, event_id: int) -> int:
        """The tick of an event of this log."""
        return self._ticks[event_id - self.first_id]
