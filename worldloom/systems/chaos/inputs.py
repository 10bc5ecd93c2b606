"""What the storyteller needs to know of the world: regions, settlements, POIs and routes as
plain arrays (one element per entity), checked on construction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class ChaosInputs:
    """The world as chaos sees it for one period; build it from the store's tables.

    Attributes:
        region_ids: regions.region_id.
        region_danger: regions.danger_level (1-10).
        region_faction: the faction holding each region (provinces), -1 for none.
        region_tension: 0-100, the worst tension its holder feels (see
            `tension_war.WarState.region_tension`); zeros when there is no war room.
        region_bandits: a bandit faction roaming each region (factions of kind bandits by
            seat_region_id), -1 for none.
        settlement_ids, settlement_region, settlement_population: settlements.
        poi_ids, poi_region, poi_kind: pois (kind as in `pois.kind`).
        route_ids, route_region: routes and the region they leave from (their start place's).
    """

    region_ids: IntArray
    region_danger: IntArray
    region_faction: IntArray
    region_tension: FloatArray
    region_bandits: IntArray
    settlement_ids: IntArray
    settlement_region: IntArray
    settlement_population: IntArray
    poi_ids: IntArray
    poi_region: IntArray
    poi_kind: NDArray[np.str_]
    route_ids: IntArray
    route_region: IntArray
    settlement_rows: IntArray = field(init=False, repr=False)
    """Row of each settlement's region in the region arrays; likewise for POIs and routes:"""
    poi_rows: IntArray = field(init=False, repr=False)
    route_rows: IntArray = field(init=False, repr=False)
    _sorted: IntArray = field(init=False, repr=False)
    _sorted_rows: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _same("region", self.region_ids, self.region_danger, self.region_faction)
        _same("region", self.region_ids, self.region_tension, self.region_bandits)
        _same("settlement", self.settlement_ids, self.settlement_region)
        _same("settlement", self.settlement_ids, self.settlement_population)
        _same("poi", self.poi_ids, self.poi_region, self.poi_kind)
        _same("route", self.route_ids, self.route_region)
        for name in ("region_ids", "settlement_ids", "poi_ids", "route_ids"):
            ids = getattr(self, name)
            if np.unique(ids).size != ids.size:
                raise ValueError(f"ChaosInputs.{name} holds duplicate ids")
        if np.any((self.region_danger < 1) | (self.region_danger > 10)):
            raise ValueError("ChaosInputs.region_danger must lie in 1-10")
        tension = self.region_tension
        if np.any(~np.isfinite(tension)) or np.any((tension < 0) | (tension > 100)):
            raise ValueError("ChaosInputs.region_tension must lie in 0-100")
        if np.any(self.settlement_population < 0):
            raise ValueError("ChaosInputs.settlement_population cannot be negative")
        known = set(self.region_ids.tolist())
        for name in ("settlement_region", "poi_region", "route_region"):
            unknown = sorted(set(getattr(self, name).tolist()) - known)
            if unknown:
                raise ValueError(f"ChaosInputs.{name} names unknown regions {unknown[:5]}")
        order = np.argsort(self.region_ids, kind="stable")
        object.__setattr__(self, "_sorted", self.region_ids[order])
        object.__setattr__(self, "_sorted_rows", order.astype(np.int64))
        object.__setattr__(self, "settlement_rows", self.region_row(self.settlement_region))
        object.__setattr__(self, "poi_rows", self.region_row(self.poi_region))
        object.__setattr__(self, "route_rows", self.region_row(self.route_region))

    @classmethod
    def of(
        cls,
        *,
        region_ids: Any,
        region_danger: Any,
        settlement_ids: Any,
        settlement_region: Any,
        settlement_population: Any,
        region_faction: Any = None,
        region_tension: Any = None,
        region_bandits: Any = None,
        poi_ids: Any = (),
        poi_region: Any = (),
        poi_kind: Any = (),
        route_ids: Any = (),
        route_region: Any = (),
    ) -> ChaosInputs:
        """Inputs from any array-likes (lists, numpy, Polars Series), with defaults: no holder,
        no tension, no bandits, no POIs, no routes."""
        regions = _ints(region_ids)
        none = np.full(regions.size, -1, dtype=np.int64)
        return cls(
            region_ids=regions,
            region_danger=_ints(region_danger),
            region_faction=none if region_faction is None else _ints(region_faction),
            region_tension=(
                np.zeros(regions.size)
                if region_tension is None
                else np.asarray(region_tension, dtype=np.float64).reshape(-1)
            ),
            region_bandits=none.copy() if region_bandits is None else _ints(region_bandits),
            settlement_ids=_ints(settlement_ids),
            settlement_region=_ints(settlement_region),
            settlement_population=_ints(settlement_population),
            poi_ids=_ints(poi_ids),
            poi_region=_ints(poi_region),
            poi_kind=np.asarray(poi_kind, dtype=np.str_).reshape(-1),
            route_ids=_ints(route_ids),
            route_region=_ints(route_region),
        )

    def region_row(self, region_ids: IntArray) -> IntArray:
        """Rows of `region_ids` (all known) in the region arrays."""
        if not region_ids.size:
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(self._sorted, region_ids)
        return self._sorted_rows[np.minimum(at, self._sorted.size - 1)]

    def knows(self, region_ids: IntArray) -> NDArray[np.bool_]:
        """Which of `region_ids` are regions of these inputs."""
        if not self._sorted.size:
            return np.zeros(region_ids.shape, dtype=np.bool_)
        at = np.minimum(np.searchsorted(self._sorted, region_ids), self._sorted.size - 1)
        known: NDArray[np.bool_] = self._sorted[at] == region_ids
        return known


def _ints(values: Any) -> IntArray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _same(what: str, *arrays: NDArray[Any]) -> None:
    sizes = {np.asarray(a).shape for a in arrays}
    if len(sizes) != 1 or len(next(iter(sizes))) != 1:
        raise ValueError(f"ChaosInputs: every {what} array needs one element per {what}")
