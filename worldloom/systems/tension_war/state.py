"""The war room's state between steps — tensions and memories of every pair, alliances, truces,
who holds each settlement and region, armies under arms, wars under way and tributes owed —
as one plain value, and as tables to store and back."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.tension_war.inputs import BoolArray, FloatArray, IntArray, WarInputs
from worldloom.systems.tension_war.record import NONE


@dataclass(frozen=True, slots=True)
class War:
    """A war under way. Sides: 0 the attacker's, 1 the defender's (see `WarState.side`).

    The side on the offensive marches its army from `position` towards `target` (settlement
    ids, -1 for none), arriving at `arrival_tick`; `siege_id` >= 0 while it besieges the
    target (`siege_progress` 0-1 until the assault)."""

    war_id: int
    attacker: int
    defender: int
    declared_tick: int
    last_record: int
    """The war's latest record: the cause of its next one."""
    offence: int
    position: int
    target: int
    arrival_tick: int
    siege_id: int
    siege_record: int
    siege_progress: float
    dead: tuple[int, int]
    """Soldiers each side lost."""


@dataclass(frozen=True, slots=True)
class Tribute:
    """`payer` owes `payee` `per_month` copper until `until_tick`, by the peace `peace_record`."""

    war_id: int
    payer: int
    payee: int
    per_month: float
    until_tick: int
    peace_record: int


@dataclass(frozen=True, slots=True, eq=False)
class WarState:
    """Everything a war step carries over to the next; rows follow the ids it was made for.

    Pair matrices are [faction, faction] and symmetric; `levies` and `professionals` are
    [faction, settlement]: the soldiers under arms by the settlement they came from."""

    faction_ids: IntArray
    region_ids: IntArray
    settlement_ids: IntArray
    tension: FloatArray
    memory: FloatArray
    allied: BoolArray
    truce_until: IntArray
    incident_record: IntArray
    """The pair's latest border incident record (-1 none), and its tick:"""
    incident_tick: IntArray
    bands_risen: IntArray
    """How many of the tension_rose bands the pair has reached (and not fallen well below)."""
    suzerain: IntArray
    """Per faction: the faction it is a vassal of (-1 none)."""
    exhaustion: FloatArray
    war_of: IntArray
    """Per faction: the war it fights in (-1 none), on side `side`."""
    side: IntArray
    settlement_owner: IntArray
    occupied_from: IntArray
    """Per settlement: whom it was taken from in the war under way (-1 when not occupied)."""
    region_owner: IntArray
    levies: IntArray
    professionals: IntArray
    wars: tuple[War, ...]
    tributes: tuple[Tribute, ...]
    next_record_id: int
    next_war_id: int
    next_siege_id: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WarState):
            return NotImplemented
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name))
            if isinstance(getattr(self, f.name), np.ndarray)
            else getattr(self, f.name) == getattr(other, f.name)
            for f in fields(self)
        )

    __hash__ = None  # type: ignore[assignment]  # a value with arrays: equal, not hashable

    def region_tension(self) -> FloatArray:
        """Per region (`region_ids` order): the worst tension its holder feels towards any
        other faction (0 where nobody holds it); chaos's `region_tension`."""
        worst = np.where(np.eye(self.faction_ids.size, dtype=bool), 0.0, self.tension).max(
            axis=1, initial=0.0
        )
        rows = np.searchsorted(self.faction_ids, self.region_owner)
        held = self.region_owner != NONE
        result = np.zeros(self.region_ids.size)
        result[held] = worst[rows[held]]
        return result

    def at_war(self) -> BoolArray:
        """[faction, faction]: on opposite sides of one war."""
        war, side = self.war_of, self.side
        fighting = war >= 0
        result: BoolArray = (
            fighting[:, None]
            & fighting[None, :]
            & (war[:, None] == war[None, :])
            & (side[:, None] != side[None, :])
        )
        return result

    def upkeep_per_day(self, *, levy: float, professional: float) -> FloatArray:
        """Per faction: copper a day its soldiers under arms cost."""
        cost: FloatArray = levy * self.levies.sum(axis=1) + professional * self.professionals.sum(
            axis=1
        )
        return cost

    def to_frames(self) -> dict[str, pl.DataFrame]:
        """The state as tables: war_factions, war_pairs (a_id < b_id), war_settlements,
        war_regions, war_soldiers (non-zero only), war_wars, war_tributes, war_counters."""
        a, b = np.triu_indices(self.faction_ids.size, 1)
        soldier_f, soldier_s = np.nonzero((self.levies > 0) | (self.professionals > 0))
        return {
            "war_factions": pl.DataFrame(
                {
                    "faction_id": self.faction_ids,
                    "suzerain_id": self.suzerain,
                    "exhaustion": self.exhaustion,
                    "war_id": self.war_of,
                    "side": self.side,
                }
            ),
            "war_pairs": pl.DataFrame(
                {
                    "a_id": self.faction_ids[a],
                    "b_id": self.faction_ids[b],
                    "tension": self.tension[a, b],
                    "memory": self.memory[a, b],
                    "allied": self.allied[a, b],
                    "truce_until": self.truce_until[a, b],
                    "incident_record": self.incident_record[a, b],
                    "incident_tick": self.incident_tick[a, b],
                    "bands_risen": self.bands_risen[a, b],
                }
            ),
            "war_settlements": pl.DataFrame(
                {
                    "settlement_id": self.settlement_ids,
                    "owner_id": self.settlement_owner,
                    "occupied_from": self.occupied_from,
                }
            ),
            "war_regions": pl.DataFrame(
                {"region_id": self.region_ids, "owner_id": self.region_owner}
            ),
            "war_soldiers": pl.DataFrame(
                {
                    "faction_id": self.faction_ids[soldier_f],
                    "settlement_id": self.settlement_ids[soldier_s],
                    "levies": self.levies[soldier_f, soldier_s],
                    "professionals": self.professionals[soldier_f, soldier_s],
                }
            ),
            "war_wars": pl.DataFrame(
                [_war_row(war) for war in self.wars], schema=_WAR_SCHEMA, orient="row"
            ),
            "war_tributes": pl.DataFrame(
                [
                    (t.war_id, t.payer, t.payee, t.per_month, t.until_tick, t.peace_record)
                    for t in self.tributes
                ],
                schema=_TRIBUTE_SCHEMA,
                orient="row",
            ),
            "war_counters": pl.DataFrame(
                {
                    "next_record_id": [self.next_record_id],
                    "next_war_id": [self.next_war_id],
                    "next_siege_id": [self.next_siege_id],
                }
            ),
        }

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame]) -> WarState:
        """The state `to_frames` wrote (rows in any order).

        Raises:
            ValueError: a table is missing, or war_counters is not one row.
        """
        missing = sorted(set(_TABLES) - set(frames))
        if missing:
            raise ValueError(f"WarState.from_frames: missing tables {missing}")
        if frames["war_counters"].height != 1:
            raise ValueError("WarState.from_frames: war_counters must hold exactly one row")
        factions = frames["war_factions"].sort("faction_id")
        ids = _column(factions, "faction_id")
        settlements = frames["war_settlements"].sort("settlement_id")
        settlement_ids = _column(settlements, "settlement_id")
        regions = frames["war_regions"].sort("region_id")
        n = ids.size
        pairs = frames["war_pairs"]
        a = np.searchsorted(ids, _column(pairs, "a_id"))
        b = np.searchsorted(ids, _column(pairs, "b_id"))

        def matrix(name: str, dtype: type, diagonal: float) -> NDArray[np.generic]:
            values: NDArray[np.generic] = np.full((n, n), diagonal, dtype=dtype)
            values[a, b] = values[b, a] = pairs[name].to_numpy()
            return values

        soldiers = frames["war_soldiers"]
        sf = np.searchsorted(ids, _column(soldiers, "faction_id"))
        ss = np.searchsorted(settlement_ids, _column(soldiers, "settlement_id"))
        levies = np.zeros((n, settlement_ids.size), dtype=np.int64)
        professionals = np.zeros_like(levies)
        levies[sf, ss] = _column(soldiers, "levies")
        professionals[sf, ss] = _column(soldiers, "professionals")
        counters = frames["war_counters"].row(0, named=True)
        wars = frames["war_wars"].sort("war_id")
        # In the order they were made (one a peace; a later war may end first), as a run keeps
        # them and pays them: the store reads them by war.
        tributes = frames["war_tributes"].sort("peace_record")
        return cls(
            faction_ids=ids,
            region_ids=_column(regions, "region_id"),
            settlement_ids=settlement_ids,
            tension=matrix("tension", np.float64, 0.0).astype(np.float64),
            memory=matrix("memory", np.float64, 0.0).astype(np.float64),
            allied=matrix("allied", np.bool_, False).astype(np.bool_),
            truce_until=matrix("truce_until", np.int64, NONE).astype(np.int64),
            incident_record=matrix("incident_record", np.int64, NONE).astype(np.int64),
            incident_tick=matrix("incident_tick", np.int64, NONE).astype(np.int64),
            bands_risen=matrix("bands_risen", np.int64, 0).astype(np.int64),
            suzerain=_column(factions, "suzerain_id"),
            exhaustion=factions["exhaustion"].to_numpy().astype(np.float64),
            war_of=_column(factions, "war_id"),
            side=_column(factions, "side"),
            settlement_owner=_column(settlements, "owner_id"),
            occupied_from=_column(settlements, "occupied_from"),
            region_owner=_column(regions, "owner_id"),
            levies=levies,
            professionals=professionals,
            wars=tuple(_war(row) for row in wars.iter_rows()),
            tributes=tuple(
                Tribute(int(w), int(p), int(q), float(m), int(u), int(r))
                for w, p, q, m, u, r in tributes.iter_rows()
            ),
            next_record_id=int(counters["next_record_id"]),
            next_war_id=int(counters["next_war_id"]),
            next_siege_id=int(counters["next_siege_id"]),
        )


_TABLES = (
    "war_factions", "war_pairs", "war_settlements", "war_regions", "war_soldiers", "war_wars",
    "war_tributes", "war_counters",
)  # fmt: skip
_WAR_SCHEMA = {
    "war_id": pl.Int64, "attacker": pl.Int64, "defender": pl.Int64, "declared_tick": pl.Int64,
    "last_record": pl.Int64, "offence": pl.Int64, "position": pl.Int64, "target": pl.Int64,
    "arrival_tick": pl.Int64, "siege_id": pl.Int64, "siege_record": pl.Int64,
    "siege_progress": pl.Float64, "attacker_dead": pl.Int64, "defender_dead": pl.Int64,
}  # fmt: skip
_TRIBUTE_SCHEMA = {
    "war_id": pl.Int64, "payer": pl.Int64, "payee": pl.Int64, "per_month": pl.Float64,
    "until_tick": pl.Int64, "peace_record": pl.Int64,
}  # fmt: skip


def _war_row(war: War) -> tuple[int | float, ...]:
    return (
        war.war_id,
        war.attacker,
        war.defender,
        war.declared_tick,
        war.last_record,
        war.offence,
        war.position,
        war.target,
        war.arrival_tick,
        war.siege_id,
        war.siege_record,
        war.siege_progress,
        war.dead[0],
        war.dead[1],
    )


def _war(row: tuple[object, ...]) -> War:
    ints = [int(v) for v in row[:11] if isinstance(v, int)]
    progress, attacker_dead, defender_dead = row[11:]
    if len(ints) != 11 or not isinstance(progress, float):
        raise ValueError("WarState.from_frames: war_wars holds a malformed row")
    return War(
        war_id=ints[0],
        attacker=ints[1],
        defender=ints[2],
        declared_tick=ints[3],
        last_record=ints[4],
        offence=ints[5],
        position=ints[6],
        target=ints[7],
        arrival_tick=ints[8],
        siege_id=ints[9],
        siege_record=ints[10],
        siege_progress=progress,
        dead=(int(str(attacker_dead)), int(str(defender_dead))),
    )


def _column(frame: pl.DataFrame, name: str) -> IntArray:
    return frame[name].to_numpy().astype(np.int64)


def start_war_state(
    inputs: WarInputs, *, diplomacy: pl.DataFrame, provinces: pl.DataFrame
) -> WarState:
    """The state of a freshly generated world: tensions, alliances (ally status) and vassals
    from the diplomacy table, provinces and settlements held as generated, nobody at war (pairs
    generated at_war keep their tension and go to war in the first step).

    Args:
        inputs: the world.
        diplomacy: a_id, b_id, status, tension (as in `faction.Diplomacy.pairs`).
        provinces: region_id, faction_id (the states' territory).

    Raises:
        ValueError: diplomacy or provinces name factions or regions the inputs do not have.
    """
    ids = inputs.faction_ids
    n = ids.size
    for name, column in (("a_id", "a_id"), ("b_id", "b_id")):
        unknown = np.setdiff1d(_column(diplomacy, column), ids)
        if unknown.size:
            raise ValueError(
                f"start_war_state: diplomacy.{name} names unknown factions {unknown[:5].tolist()}"
            )
    unknown = np.setdiff1d(_column(provinces, "faction_id"), ids)
    unknown_regions = np.setdiff1d(_column(provinces, "region_id"), inputs.region_ids)
    if unknown.size or unknown_regions.size:
        raise ValueError("start_war_state: provinces name unknown factions or regions")
    a = np.searchsorted(ids, _column(diplomacy, "a_id"))
    b = np.searchsorted(ids, _column(diplomacy, "b_id"))
    tension = np.zeros((n, n))
    tension[a, b] = tension[b, a] = diplomacy["tension"].to_numpy().astype(np.float64)
    status = diplomacy["status"].to_numpy().astype(np.str_)
    allied = np.zeros((n, n), dtype=np.bool_)
    ally = status == "ally"
    allied[a[ally], b[ally]] = allied[b[ally], a[ally]] = True
    suzerain = np.full(n, NONE, dtype=np.int64)
    vassal, lord = status == "vassal", status == "suzerain"
    suzerain[a[vassal]] = ids[b[vassal]]
    suzerain[b[lord]] = ids[a[lord]]
    region_owner = np.full(inputs.region_ids.size, NONE, dtype=np.int64)
    region_owner[np.searchsorted(inputs.region_ids, _column(provinces, "region_id"))] = _column(
        provinces, "faction_id"
    )
    settlement_owner = region_owner[inputs.region_row]
    none_pairs = np.full((n, n), NONE, dtype=np.int64)
    return WarState(
        faction_ids=ids.copy(),
        region_ids=inputs.region_ids.copy(),
        settlement_ids=inputs.settlement_ids.copy(),
        tension=tension,
        memory=np.zeros((n, n)),
        allied=allied,
        truce_until=none_pairs.copy(),
        incident_record=none_pairs.copy(),
        incident_tick=none_pairs.copy(),
        bands_risen=np.zeros((n, n), dtype=np.int64),
        suzerain=suzerain,
        exhaustion=np.zeros(n),
        war_of=np.full(n, NONE, dtype=np.int64),
        side=np.zeros(n, dtype=np.int64),
        settlement_owner=settlement_owner,
        occupied_from=np.full(inputs.settlement_ids.size, NONE, dtype=np.int64),
        region_owner=region_owner,
        levies=np.zeros((n, inputs.settlement_ids.size), dtype=np.int64),
        professionals=np.zeros((n, inputs.settlement_ids.size), dtype=np.int64),
        wars=(),
        tributes=(),
        next_record_id=0,
        next_war_id=0,
        next_siege_id=0,
    )
