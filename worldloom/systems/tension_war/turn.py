"""One war step in the making: private copies of the state's arrays that the step's phases
change, and the records they emit, numbered in tick order when the step is done."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from worldloom.systems.rng import Seeds
from worldloom.systems.tension_war.inputs import BoolArray, FloatArray, IntArray, WarInputs
from worldloom.systems.tension_war.record import NONE, People, WarPayload, WarRecord
from worldloom.systems.tension_war.state import Tribute, War, WarState
from worldloom.systems.tension_war.table import WarTable

DAYS_PER_YEAR = 365.0


def chance(per_year: float, days: int) -> float:
    """The chance that something happening `per_year` times a year happens within `days`."""
    return 1.0 - math.exp(-per_year * days / DAYS_PER_YEAR)


@dataclass(frozen=True, slots=True)
class _Pending:
    tick: int
    kind: str
    faction_id: int
    other_faction_id: int
    settlement_id: int
    region_id: int
    importance: int
    causes: tuple[int, ...]
    incident_causes: tuple[int, ...]
    payload: WarPayload


class Turn:
    """The step's working copy. Only `advance_war` makes one, from a state it does not change;
    the phases mutate the copy and `finish` returns a new state and the records."""

    def __init__(
        self,
        state: WarState,
        *,
        tick: int,
        days: int,
        inputs: WarInputs,
        table: WarTable,
        seeds: Seeds,
    ) -> None:
        self.tick, self.days, self.end = tick, days, tick + days
        self.inputs, self.table, self.seeds = inputs, table, seeds
        self.ids = state.faction_ids
        self.tension: FloatArray = state.tension.copy()
        self.memory: FloatArray = state.memory.copy()
        self.allied: BoolArray = state.allied.copy()
        self.truce_until: IntArray = state.truce_until.copy()
        self.incident_record: IntArray = state.incident_record.copy()
        self.incident_tick: IntArray = state.incident_tick.copy()
        self.bands_risen: IntArray = state.bands_risen.copy()
        self.suzerain: IntArray = state.suzerain.copy()
        self.exhaustion: FloatArray = state.exhaustion.copy()
        self.war_of: IntArray = state.war_of.copy()
        self.side: IntArray = state.side.copy()
        self.settlement_owner: IntArray = state.settlement_owner.copy()
        self.occupied_from: IntArray = state.occupied_from.copy()
        self.region_owner: IntArray = state.region_owner.copy()
        self.levies: IntArray = state.levies.copy()
        self.professionals: IntArray = state.professionals.copy()
        self.wars: dict[int, War] = {war.war_id: war for war in state.wars}
        self.tributes: list[Tribute] = list(state.tributes)
        self.base = state.next_record_id
        self.next_war_id = state.next_war_id
        self.next_siege_id = state.next_siege_id
        self.pending: list[_Pending] = []
        self.dead = np.zeros(self.ids.size, dtype=np.int64)
        """Soldiers each faction lost this step."""

    def row(self, faction_id: int) -> int:
        return int(np.searchsorted(self.ids, faction_id))

    def seat(self, row: int) -> int:
        """The faction's seat if it still holds it, else its most populous settlement (-1:
        none)."""
        inputs = self.inputs
        seat = int(inputs.faction_seat_settlement[row])
        faction = self.ids[row]
        if seat != NONE and self.settlement_owner[inputs.settlement_row(seat)] == faction:
            return seat
        held = np.flatnonzero(self.settlement_owner == faction)
        if not held.size:
            return NONE
        return int(inputs.settlement_ids[held[np.argmax(inputs.settlement_population[held])]])

    def might(self) -> IntArray:
        """People in the settlements each faction holds."""
        owners = self.settlement_owner
        held = owners != NONE
        might = np.zeros(self.ids.size, dtype=np.int64)
        np.add.at(
            might,
            np.searchsorted(self.ids, owners[held]),
            self.inputs.settlement_population[held],
        )
        return might

    def people(self, counts: IntArray) -> People:
        """(settlement_id, count) for the non-zero counts of a per-settlement array."""
        rows = np.flatnonzero(counts)
        ids = self.inputs.settlement_ids
        return tuple((int(ids[r]), int(counts[r])) for r in rows)

    def tick_of(self, record_id: int) -> int:
        """A record's tick (any tick before the step's for records of earlier steps)."""
        if record_id >= self.base:
            return self.pending[record_id - self.base].tick
        return self.tick - 1

    def emit(
        self,
        kind: str,
        *,
        tick: int,
        importance: int,
        payload: WarPayload,
        faction: int = NONE,
        other: int = NONE,
        settlement: int = NONE,
        region: int = NONE,
        causes: tuple[int, ...] = (),
        incidents: tuple[int, ...] = (),
    ) -> int:
        """Add a record; it happens no earlier than its causes. Returns its (provisional) id."""
        causes = tuple(sorted({c for c in causes if c != NONE}))
        when = max([tick, *(self.tick_of(c) for c in causes)])
        if region == NONE and settlement != NONE:
            region = int(self.inputs.settlement_region[self.inputs.settlement_row(settlement)])
        self.pending.append(
            _Pending(
                when,
                kind,
                faction,
                other,
                settlement,
                region,
                int(min(10, max(1, importance))),
                causes,
                incidents,
                payload,
            )
        )
        return self.base + len(self.pending) - 1

    def members(self, war_id: int, side: int) -> IntArray:
        """Rows of the factions fighting war `war_id` on `side`."""
        rows: IntArray = np.flatnonzero((self.war_of == war_id) & (self.side == side))
        return rows

    def finish(self) -> tuple[WarState, tuple[WarRecord, ...]]:
        """Number the records in tick order (stable, so a cause made before its effect in the
        same tick keeps a smaller id) and return the new state."""
        order = sorted(range(len(self.pending)), key=lambda i: self.pending[i].tick)
        final = np.empty(len(self.pending), dtype=np.int64)
        final[order] = self.base + np.arange(len(order))

        def remap(record_id: int) -> int:
            return int(final[record_id - self.base]) if record_id >= self.base else record_id

        records = []
        leaders = self.inputs.faction_leader
        for i in order:
            p = self.pending[i]
            npc = NONE if p.faction_id == NONE else int(leaders[self.row(p.faction_id)])
            records.append(
                WarRecord(
                    record_id=remap(self.base + i),
                    tick=p.tick,
                    kind=p.kind,
                    faction_id=p.faction_id,
                    other_faction_id=p.other_faction_id,
                    settlement_id=p.settlement_id,
                    region_id=p.region_id,
                    npc_id=npc,
                    importance=p.importance,
                    causes=tuple(sorted(remap(c) for c in p.causes)),
                    incident_causes=p.incident_causes,
                    payload=p.payload,
                )
            )
        incident_record = self.incident_record.copy()
        fresh = incident_record >= self.base
        incident_record[fresh] = final[incident_record[fresh] - self.base]
        state = WarState(
            faction_ids=self.ids,
            region_ids=self.inputs.region_ids,
            settlement_ids=self.inputs.settlement_ids,
            tension=self.tension,
            memory=self.memory,
            allied=self.allied,
            truce_until=self.truce_until,
            incident_record=incident_record,
            incident_tick=self.incident_tick,
            bands_risen=self.bands_risen,
            suzerain=self.suzerain,
            exhaustion=self.exhaustion,
            war_of=self.war_of,
            side=self.side,
            settlement_owner=self.settlement_owner,
            occupied_from=self.occupied_from,
            region_owner=self.region_owner,
            levies=self.levies,
            professionals=self.professionals,
            wars=tuple(
                replace(
                    war,
                    last_record=remap(war.last_record),
                    siege_record=remap(war.siege_record),
                )
                for _, war in sorted(self.wars.items())
            ),
            tributes=tuple(replace(t, peace_record=remap(t.peace_record)) for t in self.tributes),
            next_record_id=self.base + len(self.pending),
            next_war_id=self.next_war_id,
            next_siege_id=self.next_siege_id,
        )
        return state, tuple(records)
