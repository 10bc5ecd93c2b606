"""The storyteller: one roll per period over every region and event kind, paced by a
personality, with each event's target, severity and effects drawn from streams keyed by the
period's first tick, the region and the kind (never by the order of calls)."""

from __future__ import annotations

import math
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
from worldloom.systems.chaos.state import ChaosState
from worldloom.systems.chaos.table import KINDS, ChaosTable, EventKind, Personality
from worldloom.systems.draw import keyed_uniform
from worldloom.systems.rng import Seeds
from worldloom.systems.world.time import Calendar

MAX_DAYS = 3660
"""The longest period one roll may cover (ten years); longer steps would blur the pacing."""


@dataclass(frozen=True, slots=True)
class _Targets:
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


def storyteller_multiplier(
    personality: Personality, *, load: FloatArray, tick: int, seeds: Seeds
) -> FloatArray:
    """How much the personality multiplies the rates of regions with `load` behind them at
    `tick`: its pace, times its slow cycle (phase drawn once per world), times
    exp(excitation x load / load_scale) kept within its bounds."""
    phase = float(seeds.stream("chaos.cycle", personality.key).uniform(0.0, 1.0))
    angle = 2.0 * math.pi * (tick / personality.cycle_days + phase)
    cycle = 1.0 + personality.cycle_amplitude * math.sin(angle)
    answer = np.exp(personality.excitation * np.asarray(load) / personality.load_scale)
    answer = np.clip(answer, personality.min_multiplier, personality.max_multiplier)
    result: FloatArray = personality.rate * cycle * answer
    return result


def roll_chaos(
    state: ChaosState,
    *,
    tick: int,
    days: int,
    inputs: ChaosInputs,
    table: ChaosTable,
    personality: str | None,
    calendar: Calendar,
    seeds: Seeds,
) -> tuple[ChaosState, tuple[ChaosRecord, ...]]:
    """Roll the events of days `tick` .. `tick + days - 1` (a month is the intended period).

    Each region and kind strikes at most once a period, with chance 1 - exp(-rate x days); the
    rate is the kind's per region and year, moved by danger, the season of the period's middle
    day, the region's tension and recent events it follows, times the storyteller's multiplier.
    An event falls on a drawn day of the period; records come in tick order.

    Args:
        state: what the storyteller remembers (`ChaosState.start()` at first).
        tick: the period's first day.
        days: its length in days (1 .. MAX_DAYS).
        inputs: the world this period.
        table: the chaos seed table.
        personality: calm, classic, chaotic (a key of `table.personalities`); None the default.
        calendar: the world calendar (seasons).
        seeds: the world's seed tree.

    Returns:
        The new state and the period's records.

    Raises:
        ValueError: a negative tick, a period out of range, an unknown personality, or a state
            that remembers a tick at or after `tick` (periods must move forward).
    """
    if tick < 0:
        raise ValueError(f"roll_chaos: tick must be non-negative, got {tick}")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"roll_chaos: days must be 1-{MAX_DAYS}, got {days}")
    if state.last_ticks.size and int(state.last_ticks.max()) >= tick:
        raise ValueError(
            f"roll_chaos: the state already holds events of tick {int(state.last_ticks.max())}; "
            f"a period starting at {tick} would go back in time"
        )
    storyteller = table.personality(personality)
    multiplier = storyteller_multiplier(
        storyteller, load=_region_load(state, inputs), tick=tick, seeds=seeds
    )
    season = calendar.season_of(tick + days // 2)
    targets = _targets(inputs, table, state.discovered_pois)
    regions = inputs.region_ids.size
    rate = np.zeros((regions, len(KINDS)))
    cause = np.full((regions, len(KINDS)), NONE, dtype=np.int64)
    danger = (inputs.region_danger - 1) / 9.0
    for k, kind in enumerate(table.kinds):
        per_day = kind.per_region_year / 365.0 * kind.season[season]
        rate[:, k] = (
            per_day
            * (1.0 + kind.danger * danger)
            * (1.0 + kind.tension * inputs.region_tension / 100.0)
            * _possible(kind, targets)
        )
        boost, cause[:, k] = _followed(kind, state, inputs, tick=tick)
        rate[:, k] *= boost
    chance = 1.0 - np.exp(-rate * multiplier[:, None] * days)
    region_rows, kind_rows = np.nonzero(chance > 0)
    ticks = np.full(region_rows.size, tick, dtype=np.int64)
    hit_ids = inputs.region_ids[region_rows]
    # One draw per candidate and purpose (strike, day, severity, target), each keyed by the
    # region, the kind, the period and the purpose alone.
    purposes = 4
    draws = keyed_uniform(
        np.tile(hit_ids, purposes),
        np.tile(kind_rows, purposes),
        np.tile(ticks, purposes),
        np.repeat(np.arange(purposes, dtype=np.int64), region_rows.size),
        seeds=seeds,
        system="chaos.roll",
    ).reshape(purposes, region_rows.size)
    struck = draws[0] < chance[region_rows, kind_rows]
    region_rows, kind_rows = region_rows[struck], kind_rows[struck]
    hit_ids = inputs.region_ids[region_rows]
    day = np.floor(draws[1, struck] * days).astype(np.int64)
    severity, pick = draws[2, struck], draws[3, struck]
    order = np.lexsort((kind_rows, hit_ids, day))
    records: list[ChaosRecord] = []
    next_id = state.next_record_id
    for i in order.tolist():
        r, k = int(region_rows[i]), int(kind_rows[i])
        kind = table.kinds[k]
        record = _record(
            kind,
            record_id=next_id,
            tick=tick + int(day[i]),
            row=r,
            severity=float(severity[i]),
            pick=float(pick[i]),
            cause=int(cause[r, k]),
            inputs=inputs,
            targets=targets,
        )
        records.append(record)
        next_id += 1
    new_state = _remember(state, records, days=days, personality=storyteller)
    return new_state, tuple(records)


def _targets(inputs: ChaosInputs, table: ChaosTable, discovered: IntArray) -> _Targets:
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
    return _Targets(
        settlements=np.bincount(
            inputs.settlement_rows[inputs.settlement_population > 0], minlength=regions
        ),
        sources=sources,
        source_counts=counts,
        routes=np.bincount(inputs.route_rows, minlength=regions),
    )


def _possible(kind: EventKind, targets: _Targets) -> FloatArray:
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


def _followed(
    kind: EventKind, state: ChaosState, inputs: ChaosInputs, *, tick: int
) -> tuple[FloatArray, IntArray]:
    """Per region: the rate boost from a kind it follows struck lately, and that record's id
    (the latest such record)."""
    boost = np.ones(inputs.region_ids.size)
    cause = np.full(inputs.region_ids.size, NONE, dtype=np.int64)
    if not kind.follows or not state.last_regions.size:
        return boost, cause
    follows = [KINDS.index(k) for k in kind.follows]
    recent = np.isin(state.last_kinds, follows) & (state.last_ticks >= tick - kind.follow_days)
    recent &= inputs.knows(state.last_regions)
    rows = inputs.region_row(state.last_regions[recent])
    boost[rows] = kind.follow_boost
    np.maximum.at(cause, rows, state.last_records[recent])
    return boost, cause


def _region_load(state: ChaosState, inputs: ChaosInputs) -> FloatArray:
    """The remembered load of each region of `inputs` (0 for those with none)."""
    load = np.zeros(inputs.region_ids.size)
    known = inputs.knows(state.load_regions)
    load[inputs.region_row(state.load_regions[known])] = state.load[known]
    return load


def _record(
    kind: EventKind,
    *,
    record_id: int,
    tick: int,
    row: int,
    severity: float,
    pick: float,
    cause: int,
    inputs: ChaosInputs,
    targets: _Targets,
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


def _remember(
    state: ChaosState, records: list[ChaosRecord], *, days: int, personality: Personality
) -> ChaosState:
    """The state after the period: loads faded and topped up by the period's events, the
    latest event per region and kind, ruins found, the next id."""
    struck = _array([record.region_id for record in records])
    regions = np.union1d(state.load_regions, struck)
    load = np.zeros(regions.size)
    load[np.searchsorted(regions, state.load_regions)] = state.load
    load *= math.exp(-days / personality.memory_days)
    weights = np.array([float(record.importance) for record in records])
    np.add.at(load, np.searchsorted(regions, struck), weights)
    regions_seen = np.concatenate([state.last_regions, struck])
    kinds_seen = np.concatenate(
        [state.last_kinds, _array([KINDS.index(record.kind) for record in records])]
    )
    ticks_seen = np.concatenate([state.last_ticks, _array([record.tick for record in records])])
    ids_seen = np.concatenate(
        [state.last_records, _array([record.record_id for record in records])]
    )
    # The latest record per region and kind: sort by key then id, keep each key's last row.
    order = np.lexsort((ids_seen, kinds_seen, regions_seen))
    keys = np.stack([regions_seen[order], kinds_seen[order]])
    last = np.ones(order.size, dtype=np.bool_)
    last[:-1] = np.any(keys[:, 1:] != keys[:, :-1], axis=0)
    keep = order[last]
    found = [
        record.payload.poi_id
        for record in records
        if isinstance(record.payload, Discovery) and record.payload.poi_id != NONE
    ]
    return ChaosState(
        load_regions=regions,
        load=load,
        next_record_id=state.next_record_id + len(records),
        last_regions=regions_seen[keep],
        last_kinds=kinds_seen[keep],
        last_ticks=ticks_seen[keep],
        last_records=ids_seen[keep],
        discovered_pois=np.unique(np.concatenate([state.discovered_pois, _array(found)])),
    )


def _array(values: list[int]) -> NDArray[np.int64]:
    return np.asarray(values, dtype=np.int64).reshape(-1)
