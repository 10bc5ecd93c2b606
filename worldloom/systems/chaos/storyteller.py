"""The storyteller: one roll per period over every region and event kind, paced by a
personality, with each event's target, severity and effects drawn from streams keyed by the
period's first tick, the region and the kind (never by the order of calls)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from worldloom.systems.chaos.inputs import ChaosInputs, FloatArray, IntArray
from worldloom.systems.chaos.record import NONE, ChaosRecord, Discovery
from worldloom.systems.chaos.state import ChaosState
from worldloom.systems.chaos.strike import find_targets, make_record, possible
from worldloom.systems.chaos.table import KINDS, ChaosTable, EventKind, Personality
from worldloom.systems.draw import keyed_uniform
from worldloom.systems.rng import Seeds
from worldloom.systems.world.time import Calendar

MAX_DAYS = 3660
"""The longest period one roll may cover (ten years); longer steps would blur the pacing."""


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
    targets = find_targets(inputs, table, state.discovered_pois)
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
            * possible(kind, targets)
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
        record = make_record(
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
