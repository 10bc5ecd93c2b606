"""What the war room needs to know of the world: factions, regions, settlements, roads and faiths
as plain arrays (one element per entity), checked on construction, with the road graph built
once for marches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from worldloom.systems.tension_war.table import TIERS

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class WarInputs:
    """The world as the war room sees it; build it from the store's tables (it may stay the
    same for a whole segment: who holds what lives in `WarState`).

    Attributes:
        faction_ids: factions.faction_id, ascending.
        faction_is_state: kind == "state" (only states raise armies and go to war).
        faction_culture, faction_religion: culture_id, religion_id (-1 when none).
        faction_seat_settlement, faction_seat_region: where each sits (-1 when none).
        faction_leader: leader_npc_id (-1 when none); `faction_leadership` the attack bonus
            its leader gives its armies (e.g. the leader's charisma modifier; 0 when none).
        trade_competition: [faction, faction] 0-1, how much they compete for the same markets
            (zeros when not known).
        religion_hostility: [religion, religion] 0-100 by religion id (religion_relations).
        region_ids: regions.region_id; `region_elevation` mean_elevation_m.
        region_a, region_b: pairs of neighbouring regions (regions.neighbors), each once.
        settlement_ids, settlement_region, settlement_tier (capital ... hamlet),
        settlement_population: settlements.
        settlement_men, settlement_women: people of fighting age (16-44) by sex;
            settlement_guards: guards (all from population_groups).
        road_start, road_end, road_days: settlement-to-settlement routes and travel_days.
    """

    faction_ids: IntArray
    faction_is_state: BoolArray
    faction_culture: IntArray
    faction_religion: IntArray
    faction_seat_settlement: IntArray
    faction_seat_region: IntArray
    faction_leader: IntArray
    faction_leadership: IntArray
    trade_competition: FloatArray
    religion_hostility: FloatArray
    region_ids: IntArray
    region_elevation: FloatArray
    region_a: IntArray
    region_b: IntArray
    settlement_ids: IntArray
    settlement_region: IntArray
    settlement_tier: NDArray[np.str_]
    settlement_population: IntArray
    settlement_men: IntArray
    settlement_women: IntArray
    settlement_guards: IntArray
    road_start: IntArray
    road_end: IntArray
    road_days: FloatArray
    region_row: IntArray = field(init=False, repr=False)
    """Row of each settlement's region in the region arrays."""
    region_graph: Any = field(init=False, repr=False)
    """[region, region] sparse: 1 where neighbours or the same region."""
    _roads: Any = field(init=False, repr=False)
    border_cache: dict[bytes, BoolArray] = field(init=False, repr=False, compare=False)
    """The last borders computed for a map of region holders (a cache: same map, same
    borders)."""

    def __post_init__(self) -> None:
        self._check_shapes()
        self._check_values()
        regions, settlements = self.region_ids.size, self.settlement_ids.size
        row = np.searchsorted(self.region_ids, self.settlement_region)
        object.__setattr__(self, "region_row", row.astype(np.int64))
        a = np.searchsorted(self.region_ids, self.region_a)
        b = np.searchsorted(self.region_ids, self.region_b)
        diagonal = np.arange(regions)
        near = csr_matrix(
            (
                np.ones(2 * a.size + regions),
                (np.concatenate([a, b, diagonal]), np.concatenate([b, a, diagonal])),
            ),
            shape=(regions, regions),
        )
        object.__setattr__(self, "region_graph", near)
        start = np.searchsorted(self.settlement_ids, self.road_start)
        end = np.searchsorted(self.settlement_ids, self.road_end)
        graph = csr_matrix(
            (
                np.concatenate([self.road_days, self.road_days]),
                (np.concatenate([start, end]), np.concatenate([end, start])),
            ),
            shape=(settlements, settlements),
        )
        object.__setattr__(self, "_roads", graph)
        object.__setattr__(self, "border_cache", {})

    def _check_shapes(self) -> None:
        factions, regions = self.faction_ids.size, self.region_ids.size
        settlements = self.settlement_ids.size
        _same("faction", factions, self.faction_is_state, self.faction_culture)
        _same("faction", factions, self.faction_religion, self.faction_seat_settlement)
        _same("faction", factions, self.faction_seat_region, self.faction_leader)
        _same("faction", factions, self.faction_leadership)
        _same("region", regions, self.region_elevation)
        _same("settlement", settlements, self.settlement_region, self.settlement_tier)
        _same("settlement", settlements, self.settlement_population, self.settlement_men)
        _same("settlement", settlements, self.settlement_women, self.settlement_guards)
        if self.region_a.shape != self.region_b.shape:
            raise ValueError("WarInputs: region_a and region_b need one element per pair")
        if not (self.road_start.shape == self.road_end.shape == self.road_days.shape):
            raise ValueError("WarInputs: road_start, road_end and road_days need one per road")
        if self.trade_competition.shape != (factions, factions):
            raise ValueError("WarInputs.trade_competition must be [faction, faction]")
        hostility = self.religion_hostility
        if hostility.ndim != 2 or hostility.shape[0] != hostility.shape[1]:
            raise ValueError("WarInputs.religion_hostility must be square")

    def _check_values(self) -> None:
        hostility = self.religion_hostility
        for name in ("faction_ids", "region_ids", "settlement_ids"):
            ids = getattr(self, name)
            if np.any(np.diff(ids) <= 0):
                raise ValueError(f"WarInputs.{name} must be unique and ascending")
        for name, ids, known in (
            ("settlement_region", self.settlement_region, self.region_ids),
            ("region_a", self.region_a, self.region_ids),
            ("region_b", self.region_b, self.region_ids),
            ("road_start", self.road_start, self.settlement_ids),
            ("road_end", self.road_end, self.settlement_ids),
        ):
            _known(name, ids, known, allow_none=False)
        _known("faction_seat_settlement", self.faction_seat_settlement, self.settlement_ids)
        _known("faction_seat_region", self.faction_seat_region, self.region_ids)
        faiths = self.faction_religion
        if np.any(faiths >= hostility.shape[0]):
            raise ValueError(
                "WarInputs.faction_religion names a religion beyond religion_hostility"
            )
        unknown = sorted(set(self.settlement_tier.tolist()) - set(TIERS))
        if unknown:
            raise ValueError(f"WarInputs.settlement_tier: unknown tiers {unknown}")
        for name in (
            "settlement_population",
            "settlement_men",
            "settlement_women",
            "settlement_guards",
        ):
            if np.any(getattr(self, name) < 0):
                raise ValueError(f"WarInputs.{name} cannot be negative")
        if np.any(~np.isfinite(self.road_days)) or np.any(self.road_days <= 0):
            raise ValueError("WarInputs.road_days must be positive")
        if np.any((self.trade_competition < 0) | (self.trade_competition > 1)):
            raise ValueError("WarInputs.trade_competition must lie in 0-1")
        if np.any((hostility < 0) | (hostility > 100)):
            raise ValueError("WarInputs.religion_hostility must lie in 0-100")

    @classmethod
    def of(
        cls,
        *,
        faction_ids: Any,
        faction_is_state: Any,
        faction_seat_settlement: Any,
        faction_seat_region: Any,
        region_ids: Any,
        region_a: Any,
        region_b: Any,
        settlement_ids: Any,
        settlement_region: Any,
        settlement_tier: Any,
        settlement_population: Any,
        settlement_men: Any,
        settlement_women: Any,
        settlement_guards: Any,
        road_start: Any = (),
        road_end: Any = (),
        road_days: Any = (),
        faction_culture: Any = None,
        faction_religion: Any = None,
        faction_leader: Any = None,
        faction_leadership: Any = None,
        trade_competition: Any = None,
        religion_hostility: Any = None,
        region_elevation: Any = None,
    ) -> WarInputs:
        """Inputs from any array-likes (lists, numpy, Polars Series), with defaults: one
        culture, no faith, no leaders, no trade competition, sea-level land, no roads."""
        factions = _ints(faction_ids)
        none = np.full(factions.size, -1, dtype=np.int64)
        regions = _ints(region_ids)
        return cls(
            faction_ids=factions,
            faction_is_state=np.asarray(faction_is_state, dtype=np.bool_).reshape(-1),
            faction_culture=none.copy() if faction_culture is None else _ints(faction_culture),
            faction_religion=none.copy() if faction_religion is None else _ints(faction_religion),
            faction_seat_settlement=_ints(faction_seat_settlement),
            faction_seat_region=_ints(faction_seat_region),
            faction_leader=none.copy() if faction_leader is None else _ints(faction_leader),
            faction_leadership=(
                np.zeros(factions.size, dtype=np.int64)
                if faction_leadership is None
                else _ints(faction_leadership)
            ),
            trade_competition=(
                np.zeros((factions.size, factions.size))
                if trade_competition is None
                else np.asarray(trade_competition, dtype=np.float64)
            ),
            religion_hostility=(
                np.zeros((1, 1))
                if religion_hostility is None
                else np.asarray(religion_hostility, dtype=np.float64)
            ),
            region_ids=regions,
            region_elevation=(
                np.zeros(regions.size)
                if region_elevation is None
                else np.asarray(region_elevation, dtype=np.float64).reshape(-1)
            ),
            region_a=_ints(region_a),
            region_b=_ints(region_b),
            settlement_ids=_ints(settlement_ids),
            settlement_region=_ints(settlement_region),
            settlement_tier=np.asarray(settlement_tier, dtype=np.str_).reshape(-1),
            settlement_population=_ints(settlement_population),
            settlement_men=_ints(settlement_men),
            settlement_women=_ints(settlement_women),
            settlement_guards=_ints(settlement_guards),
            road_start=_ints(road_start),
            road_end=_ints(road_end),
            road_days=np.asarray(road_days, dtype=np.float64).reshape(-1),
        )

    def travel_days(self, settlement_row: int) -> FloatArray:
        """Days by road from the settlement at `settlement_row` to every settlement (inf where
        no road leads)."""
        days: FloatArray = dijkstra(self._roads, directed=False, indices=settlement_row)
        return days

    def settlement_row(self, settlement_id: int) -> int:
        return int(np.searchsorted(self.settlement_ids, settlement_id))

    def faction_row(self, faction_id: int) -> int:
        return int(np.searchsorted(self.faction_ids, faction_id))


def _ints(values: Any) -> IntArray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _same(what: str, size: int, *arrays: NDArray[Any]) -> None:
    if any(np.asarray(a).shape != (size,) for a in arrays):
        raise ValueError(f"WarInputs: every {what} array needs one element per {what}")


def _known(name: str, ids: IntArray, known: IntArray, *, allow_none: bool = True) -> None:
    check = ids[ids != -1] if allow_none else ids
    missing = np.setdiff1d(check, known)
    if missing.size:
        raise ValueError(f"WarInputs.{name} names unknown ids {missing[:5].tolist()}")
