"""The simulate flow: a world lives on, a calendar year per segment, each stored whole."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path

from prefect import flow
from prefect.deployments.runner import RunnerDeployment
from prefect.futures import PrefectFuture
from pydantic import BaseModel, ConfigDict

from worldloom.flows.deployments import ONE_RUN_AT_A_TIME, _built
from worldloom.flows.generate import gear_flow
from worldloom.flows.heartbeats import subflows_without_heartbeats
from worldloom.flows.stories import stories_flow
from worldloom.infrastructure.side_process import SideProcess
from worldloom.infrastructure.store import keep_open_letting_go, open_store
from worldloom.tasks import catalog
from worldloom.tasks.economy_start import timed_run
from worldloom.tasks.events import announce_history, history_mark
from worldloom.tasks.history import simulate_segment
from worldloom.tasks.history_ahead import EconomyAhead
from worldloom.tasks.history_kept import KeptYears
from worldloom.tasks.history_report import publish_history_report, simulation_target
from worldloom.tasks.provenance import held_world, recorded_run, unfinished_run
from worldloom.tasks.stories import tell_year_stories, tell_year_stories_beside
from worldloom.tasks.story_year import YearStories, write_year_stories, year_stories_of
from worldloom.tasks.world_record import world_db

STORE_THREADS = 1
"""DuckDB's worker threads for the world's file through a run. A run keeps both cores busy (the
year in this process, the next year's economy beside it, the stories in a side process), and
a second DuckDB thread only contends with them, woken for statements of a few milliseconds:
twenty small years from the start took 21.5 s on one thread against 22.4 s on two (six runs
each, alternating; five of six pairs faster), four medium years from year 100 the same (20.4
s, five runs each)."""
ECONOMY_BESIDE_AGENTS = 2_000
"""An economy of up to this many agents runs a long run's next years' days in a side process
of its own (`economy_beside`): a small one's days are mostly the Python between short compiled
kernels, which in a thread shares the interpreter's lock with the year's write (a small world's
568 agents: a hundred years 71.6 s in a process against 87.3 s in a thread). A bigger one's
days are mostly kernels that leave the lock, and a process gains it nothing measurable (a medium
world's 3,650: fifteen years from year 100 61.1 against 61.6 s, six 24.2 against 23.3 s) for
~0.5 GB more at the run's peak (3.58 against 2.96 GB; a century's 3.83 GB, the target 4)."""
BESIDE_YEARS = 3
"""A run through this many years' ends or more tells their stories in a side process, beside
the next year on another core, and runs each next year's economy in another, beside the year's
write; starting one costs ~2 s of CPU (an interpreter and the pipeline's imports), which a
shorter run would not win back."""


class SimulatedWorld(BaseModel):
    """What a simulate run did: the ticks it ran and what it wrote."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_id: str
    first_tick: int
    tick: int
    segments: int
    years_ended: int
    events: int
    population: int


@flow(name="simulate", flow_run_name="{world_id} · simulate")
def simulate(
    home: str,
    world_id: str,
    days: int | None = None,
    until_tick: int | None = None,
    storyteller: str | None = None,
    *,
    fresh: bool = False,
) -> SimulatedWorld:
    """Advance a world `days` days (or to `until_tick`): a segment per calendar year (the
    economy's days, then at the year's end chaos, population, people and the year's events),
    each committed whole and its wars and disasters announced as Prefect events; then its
    gear again at the new prices, the stories of the new history, and the history report.

    A run of the same arguments after one cut short (killed, or failed) ends where that one
    would have: its days count from where it started, not from where it stopped (`fresh`
    counts them from now).

    The world's file is kept open for the run (a year's tasks open it ~10 times), and let go
    between years while another process waits to read it. A run of `BESIDE_YEARS` years or
    more tells each year's stories in a side process, from a copy of the file taken as the year
    ended, and stores them with the next year: the same stories, told on another core. Each
    year's economy runs while the year before is stored (`EconomyAhead`; a small economy in a
    side process of its own in such a run), and each year's biggest reads are the rows the
    year before kept in memory (`KeptYears`)."""
    params = {"days": days, "until_tick": until_tick, "storyteller": storyteller}
    with held_world(home=home, world_id=world_id, what="simulate"), subflows_without_heartbeats():
        first, until = simulation_target(
            home=home, world_id=world_id, days=days, until_tick=until_tick
        )
        earlier = None if fresh else _cut_short(home=home, world_id=world_id, params=params)
        until = until if earlier is None else earlier
        with (
            # Kept once the world is known to be there (opening a missing one would create it).
            keep_open_letting_go(world_db(home, world_id), threads=STORE_THREADS) as kept,
            recorded_run(
                home=home, world_id=world_id, flow="simulate", parameters=params | {"target": until}
            ),
            stories_beside(home, world_id, years=_years_ended(first, until)) as beside,
            economy_beside(home, world_id, years=_years_ended(first, until)) as economies,
        ):
            tick, segments, years, events, population = first, 0, 0, 0, 0
            ahead, carried = EconomyAhead(economies), KeptYears()
            # A run killed between a year's end and its stories left them untold: tell them
            # against the world as that year ended, before the next year changes it.
            tell_year_stories(home=home, world_id=world_id)
            announced = history_mark(home=home, world_id=world_id)
            telling: PrefectFuture[YearStories] | None = None
            try:
                while tick < until:
                    # The next year runs while the last one's stories are told, and is stored
                    # with them once they are: they are told from the world as that year ended.
                    segment = simulate_segment(
                        home=home,
                        world_id=world_id,
                        until_tick=until,
                        personality=storyteller,
                        stories=None if telling is None else telling.result,
                        ahead=ahead,
                        kept=carried,
                    )
                    telling = None
                    tick, segments = segment.end_tick, segments + 1
                    # The segment is stored: its wars and disasters go out as Prefect events.
                    announce_history(home=home, world_id=world_id, after_event_id=announced)
                    announced = history_mark(home=home, world_id=world_id)
                    years += segment.year_ended
                    # Each year's stories are told against the world as that year ended,
                    # however the years are split into runs.
                    telling = (
                        tell_year_stories_beside.submit(home=home, world_id=world_id, beside=beside)
                        if segment.year_ended
                        else None
                    )
                    # Another process waiting for the file gets it once the stories are stored.
                    told = None if telling is None else partial(_store, home, world_id, telling)
                    if kept.give_way(finish=told):
                        telling = None
                        carried.drop()  # the stories were stored, the file held by another
                    events += segment.events
                    population = segment.population or population
            finally:
                if telling is not None:
                    telling.wait()  # not left reading the world as the run ends
            if telling is not None:
                _store(home, world_id, telling)
            if segments:
                gear_flow(home, world_id)
                stories_flow(home, world_id)
            publish_history_report(home=home, world_id=world_id)
    return SimulatedWorld(
        world_id=world_id,
        first_tick=first,
        tick=tick,
        segments=segments,
        years_ended=years,
        events=events,
        population=population,
    )


def _store(home: str, world_id: str, telling: PrefectFuture[YearStories]) -> None:
    """Store a year's stories told beside, once they are, in a transaction of their own."""
    with open_store(world_db(home, world_id)) as store:
        write_year_stories(store, world_id, telling.result())


def _years_ended(first: int, until: int) -> int:
    """How many years end between ticks `first` and `until`."""
    days = catalog.calendar().days_per_year
    return until // days - first // days


def stories_beside(
    home: str, world_id: str, *, years: int
) -> AbstractContextManager[SideProcess | None]:
    """The side process a run of `years` years' ends tells their stories in, if it is worth
    starting: the run is long enough and the machine has another core."""
    if not _worth_beside(years):
        return nullcontext()
    return SideProcess(
        Path(home) / "staging" / f"{world_id}.stories", warm=(year_stories_of.__module__,)
    )


def economy_beside(
    home: str, world_id: str, *, years: int
) -> AbstractContextManager[SideProcess | None]:
    """The side process a run of `years` years' ends runs each next year's economy in (beside
    the year's write), if it is worth starting: as `stories_beside`, for an economy of up to
    `ECONOMY_BESIDE_AGENTS` agents. Its heap keeps freed memory for the next day's arrays, as
    the command's does (`tune_memory`)."""
    if not _worth_beside(years) or _economy_agents(home, world_id) > ECONOMY_BESIDE_AGENTS:
        return nullcontext()
    return SideProcess(
        Path(home) / "staging" / f"{world_id}.economy",
        warm=(timed_run.__module__,),
        tuned_heap=True,
    )


def _economy_agents(home: str, world_id: str) -> int:
    with open_store(world_db(home, world_id), read_only=True) as store:
        return store.row_counts(world_id, ("economy_agents",))["economy_agents"]


def _worth_beside(years: int) -> bool:
    """Whether a run of `years` years' ends wins back a side process's start."""
    return years >= BESIDE_YEARS and (os.cpu_count() or 1) >= 2


def _cut_short(*, home: str, world_id: str, params: Mapping[str, object]) -> int | None:
    """The tick a cut-short run of the same arguments was to end at, if it may go on."""
    earlier = unfinished_run(
        home=home, world_id=world_id, flow="simulate", parameters=params, ignored={"target"}
    )
    target = None if earlier is None else earlier.get("target")
    return target if isinstance(target, int) else None


def simulate_deployment(
    *,
    home: str,
    world_id: str,
    cron: str | None = None,
    days: int = 365,
    storyteller: str | None = None,
) -> RunnerDeployment:
    """The deployment `worldloom serve --simulate WORLD` runs: the world lives `days` more
    days each run (a year by default), on `cron` or when started by hand; one run at a time."""
    return _built(
        simulate.to_deployment(
            name="worldloom-simulate",
            cron=cron,
            parameters={
                "home": home,
                "world_id": world_id,
                "days": days,
                "storyteller": storyteller,
            },
            tags=["worldloom"],
            concurrency_limit=ONE_RUN_AT_A_TIME,
            description=f"Let {world_id} live {days} more day(s) a run: its markets, people, "
            "chaos and their events.",
        )
    )
