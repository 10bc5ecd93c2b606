"""The simulate stage's task: one segment of a world's life (the rest of a calendar year at
most), stored whole or not at all.

A segment runs the economy from the world's tick (under the hooks last year's events left:
routes cut by war, markets closed, harvests lost); when it reaches the year's end it also rolls
the chaos storyteller's months and chronicles the year (population, people, successions) into
events. Everything a segment changes is written in one transaction, so a killed run loses at
most the segment in progress, and a run resumed from any stored tick continues exactly as an
uninterrupted one (every stream is keyed by the world seed and the tick or year).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.store import (
    Revision,
    StoreError,
    WorldStore,
    open_store,
    stored_rows,
    table_revision,
)
from worldloom.systems.economy import EconomyRules, EconomyRun, MarketLayout
from worldloom.systems.history import Hooks
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.economy import stored_layout
from worldloom.tasks.economy_start import EconomyStart, run_economy
from worldloom.tasks.economy_tables import (
    archived_changes,
    market_goods_rows,
    market_rows,
    read_rolling,
    state_from_rows,
    state_rows,
)
from worldloom.tasks.history_ahead import EconomyAhead, start_of_next
from worldloom.tasks.history_economy import count_agents, hooked_layout, hooks_at, pay_war
from worldloom.tasks.history_kept import DAILY, KeptRows, KeptYears, daily_rows, living_rows
from worldloom.tasks.history_rows import year_frames
from worldloom.tasks.history_year import DEAD, YearWorld, live_year, load_year
from worldloom.tasks.story_year import YearStories
from worldloom.tasks.world_record import load_world, world_db

DATED_TABLES = ("settlements", "population_groups", "npcs", "factions", "provinces", "diplomacy")
"""The year's tables whose every row carries the day it describes (the next year's first)."""
WRITTEN_WHOLE = ("population_groups",)
"""The year's tables written whole, in key order, rather than as what changed: a third of the
population groups' rows change a year (births, deaths and ageing move their counts), and
updating them by their six-column key cost a medium world's write more (0.11 s a year, the
commit's checkpoint included) than putting them all back (0.07 s); stored in key order, they
are also read without a sort."""


@dataclass(frozen=True, slots=True)
class SegmentTimes:
    """Where a segment's time went (wall seconds on its thread): its reads of the world, the
    economy's days (none when run ahead, beside the write before), the year's end (`_live`)
    and its write (with the wait for the last year's stories and the next year's economy)."""

    reads: float
    economy: float
    end: float
    write: float

    def __str__(self) -> str:
        return (
            f"reads {self.reads:.2f} s, economy {self.economy:.2f} s, end {self.end:.2f} s, "
            f"write {self.write:.2f} s"
        )


@dataclass(frozen=True, slots=True)
class Segment:
    """What one segment did (small: a Prefect result)."""

    first_tick: int
    end_tick: int
    year_ended: bool
    events: int
    population: int
    times: SegmentTimes


def segment_end(tick: int, until_tick: int) -> int:
    """Where the segment starting at `tick` ends: the next year's first day, or `until_tick`."""
    year = catalog.calendar().days_per_year
    return min((tick // year + 1) * year, until_tick)


@task(name="simulate-segment", cache_policy=NO_CACHE)
def simulate_segment(
    *,
    home: str,
    world_id: str,
    until_tick: int,
    personality: str | None = None,
    stories: Callable[[], YearStories] | None = None,
    ahead: EconomyAhead | None = None,
    kept: KeptYears | None = None,
) -> Segment:
    """Advance the world to the end of its year or `until_tick`, whichever comes first.

    `stories` are the last year's, told meanwhile from the world as that year ended (whose
    tables the segment neither reads nor writes): waited for once the segment's own rows are
    written, and stored with them in its one transaction, so the file only ever holds what a
    run one step at a time would have left (and neither the stories' own commit nor the wait
    for their last part is on the run's path: the year's statements run meanwhile).

    With `ahead` (a run's, kept from segment to segment), a segment that ends a year before
    `until_tick` runs the next year's economy beside its write, from the world it is writing,
    and the next segment takes that economy if it starts from the same one (`EconomyAhead`).
    With `kept` (a run's too), a segment keeps the rows of its biggest reads as its write left
    them, and its reads of the tables it did not write, and the next one takes them instead of
    reading them back (`KeptYears`)."""
    rules = catalog.economy_rules()
    began = time.perf_counter()
    # One open of the world a segment: its reads, then its one transaction.
    with open_store(world_db(home, world_id)) as opened, opened.remembering() as store:
        world = load_world(store, world_id)
        tick = world.tick
        end = segment_end(tick, until_tick)
        if end <= tick:
            raise ValueError(f"nothing to simulate: the world is at tick {tick}")
        held = None if kept is None else kept.take(store, world_id, tick=tick)
        if held is not None:
            store.recall(held.reads)
        economy = _load_economy(
            store, world_id, rules, end_tick=end, daily=None if held is None else held.daily
        )
        start = EconomyStart(
            world.config.seed,
            economy.state,
            economy.hooked.markets,
            economy.hooked.links,
            end - tick,
        )
        year_ended = end % catalog.calendar().days_per_year == 0
        loaded = (
            load_year(
                store,
                world_id,
                year_start=_year_start(end - 1),
                living=None if held is None else held.living,
            )
            if year_ended
            else None
        )
        read = time.perf_counter()
        run = (None if ahead is None else ahead.take(start)) or run_economy(start, rules)
        ran = time.perf_counter()
        lived = _live(
            economy,
            loaded,
            run,
            rules,
            Seeds(world.config.seed),
            end=end,
            next_days=0 if ahead is None else segment_end(end, until_tick) - end,
            personality=personality,
        )
        # The year's run (~120 MB in a medium world) goes once its rows are made, before the
        # next one is run beside their write.
        del run
        lived_at = time.perf_counter()
        with (
            nullcontext()
            if ahead is None or lived.next_start is None
            else ahead.running(lived.next_start, rules)
        ):
            daily = _daily_before(store, world_id, economy, held) if kept is not None else None
            store.replace_rows(
                world_id,
                lived.frames,
                append=lived.append,
                revise=lived.revise,
                last=None if stories is None else lambda: stories().writes(),
            )
            if kept is not None:
                kept.keep(
                    store,
                    world_id,
                    tick=end,
                    living=lived.living if year_ended else None if held is None else held.living,
                    daily=None if daily is None else daily_rows(daily, lived.revise),
                )
    times = SegmentTimes(read - began, ran - read, lived_at - ran, time.perf_counter() - lived_at)
    get_run_logger().info(
        "simulate: ticks %d-%d%s: %d events, %d people (%s)",
        tick,
        end,
        " (year's end)" if year_ended else "",
        lived.events,
        lived.population,
        times,
    )
    return Segment(tick, end, year_ended, lived.events, lived.population, times)


@dataclass(frozen=True, slots=True)
class _Lived:
    """A segment's writes: tables replaced, log rows appended, tables revised."""

    frames: dict[str, pl.DataFrame]
    append: dict[str, pl.DataFrame]
    revise: dict[str, Revision]
    events: int
    population: int
    next_start: EconomyStart | None = None
    """Where the next segment's economy starts, when a year ended and it was asked for."""
    living: dict[str, pl.DataFrame] | None = None
    """The living's npcs and npc_vitals rows once stored, when a year ended."""


def _live(
    economy: _Economy,
    loaded: YearWorld | None,
    run: EconomyRun,
    rules: EconomyRules,
    seeds: Seeds,
    *,
    end: int,
    next_days: int,
    personality: str | None,
) -> _Lived:
    """The economy's days to `end` (`run`), then (with `loaded`, at a year's end) the year,
    and where the next `next_days` days' economy starts (if any)."""
    revise = archived_changes(run, rules, rolling=economy.rolling, calendar=catalog.calendar())
    # The world's clock is its economy's (a day a tick): its one row re-dated, not rewritten.
    revise["worlds"] = Revision(pl.DataFrame(), economy.worlds.clear(), {"tick": run.state.tick})
    if loaded is None:
        return _Lived(_economy_frames(economy, run, rules), {}, revise, 0, 0)
    year = end // catalog.calendar().days_per_year - 1
    record, rolled = live_year(
        loaded, run, rules, economy.layout, seeds=seeds, year=year, personality=personality
    )
    history_frames, append = year_frames(loaded, record, rolled, year_end=end - 1, seeds=seeds)
    # The year's armies and tributes are paid from the economy's purses.
    paid = pay_war(
        run.state,
        economy.layout,
        rolled,
        provinces=history_frames["provinces"],
        settlements=history_frames["settlements"],
    )
    # Born and dead people change how many agents the markets hold.
    state, layout = count_agents(
        paid,
        economy.layout,
        settlements=history_frames["settlements"],
        start_money=rules.tuning.start_money,
    )
    # The year's bankruptcies are told (merchant_ruined): the next year counts its own.
    state = replace(state, bankrupt=np.zeros_like(state.bankrupt))
    return _Lived(
        frames=_economy_frames(replace(economy, layout=layout), replace(run, state=state), rules)
        | written_whole(history_frames),
        append=append,
        revise=revise | _year_changes(loaded, history_frames),
        events=len(record.events["event_id"]),
        population=int(record.tally.end.sum()),
        living=living_rows(history_frames, dead=DEAD[1]),
        next_start=start_of_next(
            state,
            layout,
            seed=seeds.world_seed,
            days=next_days,
            regions=loaded["regions"],
            provinces=history_frames["provinces"],
            last_day=append["events"].filter(pl.col("tick") == end - 1),
        )
        if next_days > 0
        else None,
    )


def _year_changes(loaded: YearWorld, frames: dict[str, pl.DataFrame]) -> dict[str, Revision]:
    """The year's tables (but those `WRITTEN_WHOLE`) as what changed since they were read: the
    dead keep their rows, a quiet war room its tables; rows that changed only the day they
    describe are re-dated."""
    return {
        name: table_revision(
            name, loaded[name], frame, stamp=("tick",) if name in DATED_TABLES else ()
        )
        for name, frame in frames.items()
        if name not in WRITTEN_WHOLE
    }


def written_whole(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The year's tables `WRITTEN_WHOLE` as the store will hold them, in key order
    (`stored_rows`: the population groups are made in it as long as the age bands' names sort
    as the bands do, which it checks in one pass, and sorts them if not)."""
    return {name: stored_rows(name, frames[name]) for name in WRITTEN_WHOLE}


# -- the economy under history ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Economy:
    layout: MarketLayout
    hooked: MarketLayout
    state: Any
    rolling: dict[str, pl.DataFrame]
    """The stored history rows the segment rolls up or drops (`read_rolling`)."""
    worlds: pl.DataFrame


def _load_economy(
    store: WorldStore,
    world_id: str,
    rules: EconomyRules,
    *,
    end_tick: int,
    daily: dict[str, pl.DataFrame] | None = None,
) -> _Economy:
    saved = store.read("economy_agents", world_id)
    if saved.height == 0 or store.read("population_groups", world_id).height == 0:
        raise StoreError(
            f"world {world_id!r} has no people or no economy yet: generate it (or run its "
            "people and economy stages) before simulating"
        )
    stored_markets = store.read("markets", world_id)
    layout = stored_layout(store, world_id)
    state = state_from_rows(saved, store.read("economy_books", world_id), stored_markets)
    hooks = _standing_hooks(store, world_id, tick=_year_start(end_tick - 1) - 1)
    return _Economy(
        layout=layout,
        hooked=hooked_layout(layout, hooks, store.read("provinces", world_id)),
        state=state,
        rolling=read_rolling(
            store, world_id, next_tick=end_tick, calendar=catalog.calendar(), known=daily
        ),
        worlds=store.read("worlds", world_id),
    )


def _daily_before(
    store: WorldStore, world_id: str, economy: _Economy, held: KeptRows | None
) -> dict[str, pl.DataFrame] | None:
    """All the daily history tables' rows before the segment's write, if known: kept by the
    run, or all read as the rows to roll up (the first segment of a run, most years)."""
    if held is not None and held.daily is not None:
        return held.daily
    counts = store.row_counts(world_id, DAILY)
    rolled = {name: economy.rolling[name] for name in DAILY}
    return rolled if all(rolled[name].height == counts[name] for name in DAILY) else None


def _year_start(tick: int) -> int:
    year = catalog.calendar().days_per_year
    return (tick // year) * year


def _standing_hooks(store: WorldStore, world_id: str, *, tick: int) -> Hooks:
    """The hooks the events of last year's end left for this year's economy."""
    if tick < 0:
        return Hooks((), (), ())
    return hooks_at(store.read("events", world_id, where={"tick": tick}))


def _economy_frames(economy: _Economy, run: EconomyRun, rules: EconomyRules) -> dict[str, Any]:
    # The goods, recipes and market links do not change as the world lives: not rewritten.
    markets = market_rows(economy.layout, run.state)["markets"]
    return {
        "markets": markets,
        "market_goods": market_goods_rows(run.state, rules),
        **state_rows(run.state),
    }
