"""Where an event strikes and what it does: the places each kind can reach in each region, the
settlement, lair, route or ruin it picks, and its typed payload with the effects written out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.chaos.inputs import ChaosInputs, FloatArray, IntArray
from worldloom.systems.chaos.record import (
    NONE,
    Attack,
    CaravanLost,
    ChaosPayload,
    ChaosRecord,
    Disaster,
    Discovery,
    Omen,
    Outbreak,
    PriceShock,
)
from worldloom.systems.chaos.table import ChaosTable, EventKind


@dataclass(frozen=True, slots=True)
class Targets:
    """What each scope can strike: masks over the entity arrays and counts per region row."""

    settlements: IntArray
    """Per region row: inhabited settlements in it."""
    sources: dict[str, NDArray[np.bool_]]
    """Kind key -> which POIs it comes from (or uncovers, not yet found)."""
    source_counts: dict[str, IntArray]
    routes: IntArray
    """Per region row: routes leaving it."""

    def rows(
        self,
        region_rows: IntArray,
        region: int,
        ids: IntArray,
        usable: NDArray[np.bool_] | None = None,
    ) -> IntArray:
        """Rows of the entities of region row `region` (those `usable`), by id."""
        mask = region_rows == region
        if usable is not None:
            mask &= usable
        rows = np.flatnonzero(mask)
        result: IntArray = rows[np.argsort(ids[rows], kind="stable")]
        return result


def find_targets(inputs: ChaosInputs, table: ChaosTable, discovered: IntArray) -> Targets:
    regions = inputs.region_ids.size
    sources: dict[str, NDArray[np.bool_]] = {}
    counts: dict[str, IntArray] = {}
    for kind in table.kinds:
        if not kind.sources:
            continue
        usable = np.isin(inputs.poi_kind, kind.sources)
        if kind.scope == "ruin":
            usable &= ~np.isin(inputs.poi_ids, discovered)
        sources[kind.key] = usable
        counts[kind.key] = np.bincount(inputs.poi_rows[usable], minlength=regions)
    return Targets(
        settlements=np.bincount(
            inputs.settlement_rows[inputs.settlement_population > 0], minlength=regions
        ),
        sources=sources,
        source_counts=counts,
        routes=np.bincount(inputs.route_rows, minlength=regions),
    )


def possible(kind: EventKind, targets: Targets) -> FloatArray:
    """1 for regions where the kind has something to strike, else 0."""
    match kind.scope:
        case "region":
            counts = np.ones_like(targets.settlements)
        case "settlement":
            counts = targets.settlements
        case "poi":
            counts = np.minimum(targets.source_counts[kind.key], targets.settlements)
        case "route":
            counts = targets.routes
        case "ruin":
            counts = targets.source_counts[kind.key]
    return (counts > 0).astype(np.float64)


def make_record(
    kind: EventKind,
    *,
    record_id: int,
    tick: int,
    row: int,
    severity: float,
    pick: float,
    cause: int,
    inputs: ChaosInputs,
    targets: Targets,
) -> ChaosRecord:
    # Only inhabited places are struck (an abandoned one has nobody to lose).
    settlements = targets.rows(
        inputs.settlement_rows, row, inputs.settlement_ids, inputs.settlement_population > 0
    )
    largest = (
        int(settlements[np.argmax(inputs.settlement_population[settlements])])
        if settlements.size
        else NONE
    )
    settlement_row, place = NONE, NONE
    poi = NONE
    route = NONE
    match kind.scope:
        case "region":
            settlement_row = largest
        case "settlement":
            settlement_row = _weighted(settlements, inputs.settlement_population, pick)
            place = int(inputs.settlement_ids[settlement_row])
        case "poi":
            settlement_row = largest
            lairs = targets.rows(inputs.poi_rows, row, inputs.poi_ids, targets.sources[kind.key])
            poi = int(inputs.poi_ids[_uniform(lairs, pick)])
            place = int(inputs.settlement_ids[settlement_row])
        case "route":
            routes = targets.rows(inputs.route_rows, row, inputs.route_ids)
            route = int(inputs.route_ids[_uniform(routes, pick)])
        case "ruin":
            ruins = targets.rows(inputs.poi_rows, row, inputs.poi_ids, targets.sources[kind.key])
            poi = int(inputs.poi_ids[_uniform(ruins, pick)])
            place = poi
    settlement = NONE if settlement_row == NONE else int(inputs.settlement_ids[settlement_row])
    people = 0 if settlement_row == NONE else int(inputs.settlement_population[settlement_row])
    low, high = kind.importance
    importance = min(high, low + int(severity * (high - low + 1)))
    return ChaosRecord(
        record_id=record_id,
        tick=tick,
        kind=kind.key,
        region_id=int(inputs.region_ids[row]),
        settlement_id=settlement,
        faction_id=int(inputs.region_faction[row]),
        place_id=place,
        importance=importance,
        causes=() if cause == NONE else (cause,),
        payload=_payload(
            kind,
            tick=tick,
            severity=severity,
            people=people,
            poi=poi,
            route=route,
            bandits=int(inputs.region_bandits[row]),
        ),
    )


def _payload(  # noqa: PLR0911  # one return per payload type of a closed union
    kind: EventKind, *, tick: int, severity: float, people: int, poi: int, route: int, bandits: int
) -> ChaosPayload:
    def effect(name: str, none: float = 0.0) -> float:
        return kind.effect(name, severity, none=none)

    deaths = round(people * effect("deaths_share"))
    until = tick + round(effect("duration_days"))
    closed = tick + round(effect("market_closed_days"))
    match kind.key:
        case "drought" | "flood" | "fire":
            return Disaster(
                severity=severity,
                deaths=deaths,
                yield_multiplier=effect("yield_multiplier", 1.0),
                until_tick=until,
                goods_lost_share=effect("goods_lost_share"),
                market_closed_until=closed,
                price_factor=effect("price_factor", 1.0),
            )
        case "bandit_raid" | "monster_attack":
            return Attack(
                severity=severity,
                deaths=deaths,
                goods_lost_share=effect("goods_lost_share"),
                market_closed_until=closed,
                attacker_faction_id=bandits if kind.key == "bandit_raid" else NONE,
                source_poi_id=poi,
            )
        case "plague_outbreak":
            return Outbreak(severity, deaths, until, closed)
        case "ruin_discovered" | "ore_discovered":
            ore = kind.key == "ore_discovered"
            return Discovery(
                severity=severity,
                poi_id=poi,
                resource="ore" if ore else "",
                yield_multiplier=effect("yield_multiplier", 1.0),
                until_tick=until if ore else NONE,
            )
        case "omen":
            portents = kind.portents or ("omen",)
            return Omen(severity, portents[min(int(severity * len(portents)), len(portents) - 1)])
        case "price_shock":
            return PriceShock(severity, effect("price_factor", 1.0), until)
        case _:
            return CaravanLost(
                severity=severity,
                route_id=route,
                goods_lost_share=effect("goods_lost_share"),
                route_cut_until=tick + round(effect("route_cut_days")),
            )


def _weighted(rows: IntArray, population: IntArray, pick: float) -> int:
    """A row of `rows` (inhabited places) drawn in proportion to its population."""
    weights = population[rows].astype(np.float64)
    edges = np.cumsum(weights) / weights.sum()
    return int(rows[min(int(np.searchsorted(edges, pick, side="right")), rows.size - 1)])


def _uniform(rows: IntArray, pick: float) -> int:
    return int(rows[min(int(pick * rows.size), rows.size - 1)])
