"""A world lives on: simulate's segments, resume invariance, a killed run, its event log's
integrity, the population's accounts, and bad input refused before anything changes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pytest
from prefect import task
from prefect.logging import disable_run_logger
from typer.testing import CliRunner

from worldloom.flows import simulate as simulate_flow
from worldloom.flows.commands import app
from worldloom.flows.generate import economy_flow, export_snapshot_flow, gear_flow, generate_world
from worldloom.flows.params import GeneratedWorld, GenerateWorldParams
from worldloom.flows.simulate import simulate
from worldloom.flows.stories import stories_flow
from worldloom.infrastructure.provenance import code_version
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.side_process import SideProcess, resident
from worldloom.infrastructure.snapshot import verify_snapshot
from worldloom.infrastructure.store import (
    TABLES,
    Revision,
    WorldStore,
    copy_database,
    open_store,
    strictly_ascending,
)
from worldloom.infrastructure.store.opening import KeptFile
from worldloom.systems.history.schism import Strife
from worldloom.systems.history.year import RolledYear
from worldloom.tasks import catalog, history_year
from worldloom.tasks.economy import market_layout, stored_layout, with_stored_agents
from worldloom.tasks.economy_start import EconomyStart
from worldloom.tasks.history import WRITTEN_WHOLE, simulate_segment, written_whole
from worldloom.tasks.history_ahead import EconomyAhead
from worldloom.tasks.history_kept import KeptYears, daily_rows
from worldloom.tasks.stories import tell_year_stories, tell_year_stories_beside
from worldloom.tasks.story_kept import KEPT, KeptBooks
from worldloom.tasks.story_year import (
    REFLECTED,
    REMEMBERED,
    YearStories,
    write_year_stories,
    year_stories_of,
)

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

YEAR = 365
END = 3 * YEAR
"""Three years from tick 3: the first short, then two whole."""
HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from worldloom.infrastructure.world_lock import hold_world
    with hold_world(Path(sys.argv[1]), world_id="w", what="simulate", wait_s=0):
        print("ready", flush=True)
        time.sleep(60)
    """
)
NOT_COMPARED = frozenset({"runs", "llm_calls"})
"""Provenance differs between runs; everything else must not."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GeneratedWorld]:
    home = tmp_path_factory.mktemp("home")
    made = generate_world(
        GenerateWorldParams(seed=5, preset="tiny", home=str(home), economy_ticks=3)
    )
    return home, made


def copy_of(world: tuple[Path, GeneratedWorld], tmp_path: Path, name: str = "home") -> Path:
    """The world in a home of its own, so each test may change it."""
    _, made = world
    copy = tmp_path / name
    (copy / "worlds").mkdir(parents=True)
    shutil.copy(made.database, copy / "worlds")
    return copy


def tables_of(home: Path, world_id: str) -> dict[str, pl.DataFrame]:
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        return {name: store.read(name, world_id) for name in TABLES if name not in NOT_COMPARED}


def assert_same_tables(home: Path, world_id: str, expected: dict[str, pl.DataFrame]) -> None:
    """The world's tables in `home` are `expected`, each to the row."""
    tables = tables_of(home, world_id)
    for name, frame in expected.items():
        assert tables[name].equals(frame), name


@pytest.fixture(scope="module")
def lived(
    world: tuple[Path, GeneratedWorld], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, pl.DataFrame]]:
    """The world simulated to END in one run."""
    home = copy_of(world, tmp_path_factory.mktemp("lived"))
    result = simulate(str(home), world[1].world_id, until_tick=END)
    assert (result.first_tick, result.tick, result.years_ended) == (3, END, 3)
    return home, tables_of(home, world[1].world_id)


def test_the_tables_a_year_writes_whole_are_stored_in_key_order(
    world: tuple[Path, GeneratedWorld], lived: tuple[Path, dict[str, pl.DataFrame]]
) -> None:
    """Rows read as stored (no ORDER BY) are in key order, so reads need no sort; their
    content is the run's (the tests below compare every table)."""
    home, world_id = lived[0], world[1].world_id
    for name in WRITTEN_WHOLE:
        key = TABLES[name].world_key
        path = Settings(home=home).world_db(world_id)
        with duckdb.connect(str(path), read_only=True) as connection:
            query = f"SELECT {', '.join(key)} FROM {name} WHERE world_id = ?"
            stored = connection.sql(query, params=[world_id]).pl()
        assert stored.height > 1
        assert strictly_ascending(stored, key), name


def test_tables_written_whole_are_put_in_key_order(
    lived: tuple[Path, dict[str, pl.DataFrame]],
) -> None:
    """Made in another order (age bands whose names sort otherwise), they are sorted."""
    frames = {name: lived[1][name].reverse() for name in WRITTEN_WHOLE}
    for name, frame in written_whole(frames).items():
        assert frame.equals(lived[1][name]), name


def test_runs_split_anywhere_end_with_the_tables_of_one_run(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
) -> None:
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    # Mid-year, then across a year's end, then the rest: 50 + 50 years, in small.
    assert simulate(str(home), world_id, days=200).tick == 203
    assert simulate(str(home), world_id, days=400).tick == 603
    assert simulate(str(home), world_id, until_tick=END).tick == END
    assert_same_tables(home, world_id, lived[1])


def test_a_run_through_three_year_ends_tells_their_stories_in_a_side_process(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A short run tells its years' stories here; a run through `BESIDE_YEARS` years' ends or
    more in a side process, from copies of the file taken as each year ended (and removed), the
    years after the first from the stories' own rows it kept; and runs each next year's economy
    in another. Stories told and economies run either way are the same: the next tests run
    them here, one year at a time."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    told_from: list[Path] = []
    kept_taken: list[bool] = []
    economies: list[tuple[Any, ...]] = []
    read_copy, submit = SideProcess.read_copy, SideProcess.submit

    def spied(side: SideProcess, function: Any, path: Path, *args: Any) -> Any:
        told_from.append(path)
        told = read_copy(side, function, path, *args)
        kept_taken.append(told.kept_taken)
        return told

    def submitted(side: SideProcess, function: Any, *args: Any) -> Any:
        days = [start.ticks for start in args if isinstance(start, EconomyStart)]
        economies.append((f"{function.__module__}.{function.__name__}", *days))
        return submit(side, function, *args)

    monkeypatch.setattr(SideProcess, "read_copy", spied)
    monkeypatch.setattr(SideProcess, "submit", submitted)
    assert simulate_flow.BESIDE_YEARS == 3
    simulate(str(home), world_id, days=200)  # no year's end
    assert told_from == []
    simulate(str(home), world_id, until_tick=END)  # three
    assert told_from == [Settings(home=home).world_db(world_id)] * 3
    # After the first, each year's stories took the rows the side process kept from the last.
    assert kept_taken == [False, True, True]
    # Numba's compiler loaded as the run starts, then the second and third years' economies,
    # run beside the years before's writes.
    assert economies == [
        ("worldloom.systems.kernel.load_compiler",),
        *[("worldloom.tasks.economy_start.timed_run", 365)] * 2,
    ]
    assert not (home / "staging" / f"{world_id}.stories").exists()
    assert not (home / "staging" / f"{world_id}.economy").exists()
    assert_same_tables(home, world_id, lived[1])


def test_a_run_letting_a_waiting_process_in_stores_the_stories_and_reads_its_rows_again(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process waiting for the file between years gets it once the year's stories are stored
    (in a transaction of their own); the next segment then takes nothing the last one kept
    (the file was another's meanwhile), and the run ends with the same tables."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    stored: list[bool] = []
    taken: list[bool] = []
    take = KeptYears.take

    def give_way(_: KeptFile, finish: Callable[[], object] | None = None) -> bool:
        if finish is not None:
            finish()
        stored.append(finish is not None)
        return True

    def spied(kept: KeptYears, store: WorldStore, world_id: str, *, tick: int) -> Any:
        rows = take(kept, store, world_id, tick=tick)
        taken.append(rows is not None)
        return rows

    monkeypatch.setattr(KeptFile, "give_way", give_way)
    monkeypatch.setattr(KeptYears, "take", spied)
    simulate(str(home), world_id, until_tick=END)
    assert stored == [True, True, True]  # each year's end
    assert taken == [False] * 3  # the three years, none from the year before
    assert_same_tables(home, world_id, lived[1])


def test_only_a_small_economy_runs_its_years_in_a_side_process(
    world: tuple[Path, GeneratedWorld], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long run's economy of up to `ECONOMY_BESIDE_AGENTS` agents runs in a side process (the
    test above), a bigger one in a thread beside the write; a short run's always in a thread."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        agents = store.read("economy_agents", world_id).height
    assert 0 < agents <= simulate_flow.ECONOMY_BESIDE_AGENTS
    assert isinstance(simulate_flow.economy_beside(str(home), world_id, years=3), SideProcess)
    assert isinstance(
        simulate_flow.economy_beside(str(home), world_id, years=2), contextlib.nullcontext
    )
    monkeypatch.setattr(simulate_flow, "ECONOMY_BESIDE_AGENTS", agents - 1)
    assert isinstance(
        simulate_flow.economy_beside(str(home), world_id, years=3), contextlib.nullcontext
    )


def test_each_year_s_economy_run_ahead_and_the_rows_kept_are_taken(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A segment that ends a year runs the next one's economy while it is stored, and the next
    segment, reading its world back from the store, starts from exactly that economy: every
    run made ahead is taken (a mid-year end included), none refused. Within a run, every
    segment after the first takes the rows the one before kept (`KeptYears`); a run starts
    with none. The tables are those of segments run one at a time (the test after next)."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    made: dict[type, list[Any]] = {EconomyAhead: [], KeptYears: []}

    def counted(kind: type) -> Callable[..., Any]:
        def make(*args: Any) -> Any:
            made[kind].append(kind(*args))
            return made[kind][-1]

        return make

    for kind in made:
        monkeypatch.setattr(simulate_flow, kind.__name__, counted(kind))
    # The world's file is kept on DuckDB's one thread through each run (`STORE_THREADS`).
    threads: list[int] = []
    use_threads = WorldStore.use_threads

    def used(store: WorldStore, count: int) -> None:
        threads.append(count)
        use_threads(store, count)

    monkeypatch.setattr(WorldStore, "use_threads", used)
    simulate(str(home), world_id, days=200)  # no year's end: nothing to run ahead
    simulate(str(home), world_id, days=400)  # a year's end, then 238 days of the next year
    simulate(str(home), world_id, until_tick=END)  # two years' ends
    assert [(one.taken, one.refused) for one in made[EconomyAhead]] == [(0, 0), (1, 0), (1, 0)]
    ran = [one.seconds for one in made[EconomyAhead]]
    assert [len(seconds) for seconds in ran] == [0, 1, 1]
    assert min(ran[1] + ran[2]) > 0
    assert [one.taken for one in made[KeptYears]] == [0, 1, 1]
    assert threads == [simulate_flow.STORE_THREADS] * 3 == [1, 1, 1]
    assert_same_tables(home, world_id, lived[1])


@pytest.mark.parametrize(
    ("days", "one_run", "expected"),
    [
        ([200, 165, 100], True, [(False, True), (True, True), (True, True)]),
        ([200, 20], False, [(False, True), None]),
    ],
)
def test_the_rows_a_segment_keeps_are_those_the_store_then_returns(
    world: tuple[Path, GeneratedWorld],
    tmp_path: Path,
    days: list[int],
    one_run: bool,
    expected: list[tuple[bool, bool] | None],
) -> None:
    """What a segment keeps for the next is what reading them back would give: the living's
    npcs and npc_vitals rows once a year has ended in the run (a run's first segments read
    them), all the daily history's rows once known (read whole by a segment from a world's
    start or a year's, then kept from segment to segment), and its reads of tables it did not
    write. A run of its own begun mid-year
    knows the daily rows only in part, and keeps nothing. Taken or not, the next segment's
    tables are the same (the tests above)."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    path = Settings(home=home).world_db(world_id)
    kept, tick, known = KeptYears(), 3, []
    with disable_run_logger():
        for segment_days in days:
            kept = kept if one_run else KeptYears()
            segment = simulate_segment.fn(
                home=str(home), world_id=world_id, until_tick=tick + segment_days, kept=kept
            )
            tick = segment.end_tick
            # With no run ahead, each segment runs its own economy's days.
            times = segment.times
            assert min(times.reads, times.write) >= 0
            assert min(times.economy, times.end) > 0
            with open_store(path) as store:
                rows = kept.take(store, world_id, tick=tick)
                known.append(
                    None if rows is None else (rows.living is not None, rows.daily is not None)
                )
                if rows is None:
                    continue
                for name, frame in (rows.living or {}).items():
                    assert frame.equals(store.read(name, world_id, unless_in=history_year.DEAD))
                for name, frame in (rows.daily or {}).items():
                    assert frame.equals(store.read(name, world_id)), name
                # With them, the segment's reads its write left true: of what a year reads and
                # never writes (the market links, every segment), none of what it wrote.
                carried = {table for read in rows.reads.values() for table in read.tables}
                assert "market_links" in carried
                assert not carried & {"worlds", "npcs", "npc_vitals", "market_prices", "trades"}
                # Given once, and only to a segment starting where they end.
                kept.keep(store, world_id, tick=tick, living=rows.living, daily=rows.daily)
                assert kept.take(store, world_id, tick=tick - 1) is None
                assert kept.take(store, world_id, tick=tick) is None
                kept.keep(store, world_id, tick=tick, living=rows.living, daily=rows.daily)
    assert known == expected


def test_rows_kept_are_refused_once_the_tables_changed_and_daily_rows_are_only_added(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    """A world whose kept tables another writer changed reads them again; a daily table's
    revision that takes rows out by key is not one the rows kept can follow."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    kept = KeptYears()
    with open_store(Settings(home=home).world_db(world_id)) as store:
        daily = {name: store.read(name, world_id) for name in ("market_prices", "trades")}
        kept.keep(store, world_id, tick=3, living=None, daily=daily)
        trades = daily["trades"]
        store.replace_rows(
            world_id, {}, revise={"trades": Revision(trades.head(1), trades.head(0))}
        )
        assert kept.take(store, world_id, tick=3) is None
    taken_out = Revision(trades.head(1).select("trade_id"), trades.head(0))
    added = Revision(pl.DataFrame(), daily["market_prices"].head(0))
    with pytest.raises(ValueError, match="trades: a daily table's revision"):
        daily_rows(daily, {"market_prices": added, "trades": taken_out})
    none_added = Revision(pl.DataFrame(), trades.head(0))
    after = daily_rows(daily, {"market_prices": added, "trades": none_added})
    assert after["trades"].equals(trades)


def test_the_stories_rows_a_side_process_keeps_are_those_the_store_then_returns(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
) -> None:
    """A year's stories told in a side process (`year_stories_of`, from a copy of the file)
    keep their own rows for the next year's, which takes them, in place of reading them, only
    while the store holds exactly those: the kept tables and every notable's memories are
    what reads return, and a year after another writer changed a table, or whose position is
    not the one kept, reads them. The tables are those of one run (which told them so too)."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    path, copy = Settings(home=home).world_db(world_id), tmp_path / "copy.duckdb"
    books = resident(KeptBooks)
    tick, taken = 3, books.taken
    with disable_run_logger():
        while tick < END:
            tick = simulate_segment.fn(home=str(home), world_id=world_id, until_tick=END).end_tick
            with open_store(path) as store:
                state = store.read("narrative_state", world_id)
                kept = books.take(store, world_id, state=state)
                if kept is not None:
                    for name in KEPT:
                        columns = REFLECTED if name == "reflections" else None
                        assert kept.tables[name].equals(store.read(name, world_id, columns=columns))
                    notables = store.read("npcs", world_id, where={"notable": True})["npc_id"]
                    among = {"npc_id": notables.to_list()}
                    memories = store.read("memories", world_id, columns=REMEMBERED, among=among)
                    assert kept.memories_of(store, world_id, notables).equals(memories)
                    books.keep(world_id, kept)
            copy_database(path, copy)
            told = year_stories_of(str(copy), world_id)
            with open_store(path) as store:
                write_year_stories(store, world_id, told)
    # The years after the first: taken here to be checked, then by their stories.
    assert books.taken - taken == 4
    gear_flow(str(home), world_id)
    stories_flow(str(home), world_id)
    assert_same_tables(home, world_id, lived[1])
    with open_store(path) as store:
        arcs, state = store.read("arcs", world_id), store.read("narrative_state", world_id)
        assert arcs.height
        assert kept is not None
        books.keep(world_id, kept := replace(kept, state=state))
        assert books.take(store, world_id, state=state.head(1)) is None  # another position
        books.keep(world_id, kept)
        store.replace_rows(world_id, {}, revise={"arcs": Revision(arcs.head(1), arcs.head(0))})
        assert books.take(store, world_id, state=state) is None  # a table changed


def test_stories_that_would_write_a_segment_s_table_are_refused_and_nothing_is_stored(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    """Stories stored with a segment write their own tables only: a frame of the segment's
    own table would be written twice, so the segment stores nothing."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    before = tables_of(home, world_id)
    clashing = YearStories(
        clock=0, rewritten={"markets": before["markets"]}, appended={}, revised={}, holds={}
    )
    with disable_run_logger(), pytest.raises(ValueError, match=r"both write \['markets'\]"):
        simulate_segment.fn(
            home=str(home), world_id=world_id, until_tick=4, stories=lambda: clashing
        )
    after = tables_of(home, world_id)
    assert all(after[name].equals(frame) for name, frame in before.items())


@task(name="tell-year-stories-beside")
def _slow_stories(*, home: str, world_id: str, beside: SideProcess | None) -> YearStories:
    time.sleep(1.5)  # longer than a tiny world's next year: its segment must wait to be stored
    return tell_year_stories_beside.fn(home=home, world_id=world_id, beside=beside)


def test_a_year_s_stories_told_beside_the_next_year_are_those_told_before_it(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The flow tells a year's stories while the next year runs, however long they take, and
    stores them with it: its tables are those of the tasks run one at a time (each year, then
    its stories), then the run's last stages."""
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    with disable_run_logger():
        tick = 3
        while tick < END:
            tick = simulate_segment.fn(home=str(home), world_id=world_id, until_tick=END).end_tick
            tell_year_stories.fn(home=str(home), world_id=world_id)
    gear_flow(str(home), world_id)
    stories_flow(str(home), world_id)
    assert_same_tables(home, world_id, lived[1])
    slow_home = copy_of(world, tmp_path, "slow")
    monkeypatch.setattr("worldloom.flows.simulate.tell_year_stories_beside", _slow_stories)
    simulate(str(slow_home), world_id, until_tick=END)
    assert_same_tables(slow_home, world_id, lived[1])


def test_the_event_log_explains_every_year_and_refers_only_to_what_exists(
    world: tuple[Path, GeneratedWorld], lived: tuple[Path, dict[str, pl.DataFrame]]
) -> None:
    home, tables = lived
    world_id = world[1].world_id
    events = tables["events"]
    assert events.height > 0
    assert events["event_id"].to_list() == list(range(events.height))
    kinds = catalog.event_catalog()
    for kind, payload in events.select("type", "payload").iter_rows():
        kinds[kind].check(json.loads(payload))
    assert events["importance"].is_between(1, 10).all()
    # Every cause exists and is earlier: a smaller id, no later tick.
    tick_of = dict(events.select("event_id", "tick").iter_rows())
    for event_id, tick, causes in events.select("event_id", "tick", "cause_ids").iter_rows():
        for cause in causes:
            assert cause < event_id, (event_id, cause)
            assert tick_of[cause] <= tick, (event_id, cause)
    assert events.filter(pl.col("cause_ids").list.len() > 0).height > 0
    # Every actor exists; a person only between their birth and their death.
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        assert store.dangling_references(world_id) == {}
    vitals = tables["npc_vitals"]
    lives = events.join(vitals, on="npc_id", how="inner")
    assert lives.filter(pl.col("born_tick") > pl.col("tick")).height == 0
    assert lives.filter(pl.col("died_tick") < pl.col("tick")).height == 0
    types = set(events["type"])
    assert {"population_year", "birth", "death", "marriage"} <= types


def test_the_population_s_accounts_hold_every_year(
    lived: tuple[Path, dict[str, pl.DataFrame]],
) -> None:
    tables = lived[1]
    years = tables["population_history"]
    assert sorted(set(years["tick"])) == [YEAR - 1, 2 * YEAR - 1, 3 * YEAR - 1]
    identity = (
        pl.col("population_start")
        + pl.col("births")
        - pl.col("deaths")
        + pl.col("immigrants")
        - pl.col("emigrants")
    )
    assert years.filter(identity != pl.col("population_end")).height == 0
    # Each year starts where the last ended; the last matches the cohorts and settlements.
    by_year = years.pivot(on="tick", index="settlement_id", values=["population_start",
                                                                    "population_end"])  # fmt: skip
    for before, after in ((YEAR - 1, 2 * YEAR - 1), (2 * YEAR - 1, 3 * YEAR - 1)):
        ended = by_year[f"population_end_{before}"].fill_null(0)
        began = by_year[f"population_start_{after}"].fill_null(0)
        assert ended.equals(began, check_names=False)
    people = tables["population_groups"].group_by("settlement_id").agg(pl.col("count").sum())
    last = years.filter(pl.col("tick") == 3 * YEAR - 1).select("settlement_id", "population_end")
    joined = last.join(people, on="settlement_id", how="full", coalesce=True).fill_null(0)
    assert (joined["population_end"] == joined["count"]).all()
    settlements = tables["settlements"].join(last, on="settlement_id", how="left").fill_null(0)
    assert (settlements["population"] == settlements["population_end"]).all()
    assert int(tables["worlds"]["tick"][0]) == END
    # Money only moves (war tolls and all): the economy's total never changes.
    assert tables["economy_health"]["money"].n_unique() == 1


def test_the_factions_hold_the_land_and_people_the_provinces_say(
    lived: tuple[Path, dict[str, pl.DataFrame]],
) -> None:
    tables = lived[1]
    provinces, borders = tables["provinces"], tables["border_history"]
    # Each province's holder is the last border change's, where it changed.
    last = borders.sort("tick", "event_id").group_by("region_id").last()
    moved = last.join(provinces, on="region_id", how="left", suffix="_now")
    assert (moved["faction_id"] == moved["faction_id_now"].fill_null(-1)).all()
    held = provinces.join(tables["regions"].select("region_id", "area_km2"), on="region_id")
    held = held.group_by("faction_id").agg(pl.len().alias("regions"), pl.col("area_km2").sum())
    realm = dict(provinces.select("region_id", "faction_id").rows())
    people: dict[int, int] = {}
    for region, count in tables["settlements"].select("region_id", "population").rows():
        if region in realm:
            people[realm[region]] = people.get(realm[region], 0) + count
    states = tables["factions"].filter(pl.col("kind") == "state")
    joined = states.join(held, on="faction_id", how="left").fill_null(0)
    assert (joined["territory_regions"] == joined["regions"]).all()
    assert ((joined["territory_km2"] - joined["area_km2"]).abs() < 1e-6).all()
    assert joined["people"].to_list() == [people.get(f, 0) for f in joined["faction_id"]]


def test_faiths_are_counted_from_the_people_and_desecrations_name_their_events(
    lived: tuple[Path, dict[str, pl.DataFrame]],
) -> None:
    tables = lived[1]
    counted = (
        tables["population_groups"]
        .group_by("settlement_id", "religion_id")
        .agg(pl.col("count").sum())
        .with_columns(counted=pl.col("count") / pl.col("count").sum().over("settlement_id"))
    )
    shares = tables["religion_shares"]
    joined = counted.join(shares, on=["settlement_id", "religion_id"], how="left")
    assert ((joined["share"] - joined["counted"]).abs() < 1e-9).all()
    totals = shares.group_by("settlement_id").agg(pl.col("share").sum())["share"]
    assert ((totals - 1).abs() < 1e-9).all()
    events = tables["events"]
    assert events.filter(pl.col("type") == "conversion").height > 0
    desecrated = tables["holy_sites"].filter(pl.col("desecrated_tick").is_not_null())
    named = desecrated.join(events, left_on="desecrated_event_id", right_on="event_id")
    assert named.height == desecrated.height
    assert (named["type"] == "holy_site_desecrated").all()
    assert (named["poi_id"] == named["poi_id_right"]).all()
    assert (named["desecrated_tick"] == named["tick_right"]).all()


def test_a_schism_founds_a_faith_the_world_lives_on_with(
    world: tuple[Path, GeneratedWorld], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    with open_store(Settings(home=home).world_db(world_id)) as store:
        # Two states of one faith, at war with each other as the first year ends (the tiny
        # world's own states keep two faiths and fight too rarely for a test to wait on).
        factions = store.read("factions", world_id)
        states = factions.filter(pl.col("kind") == "state").sort("faction_id")
        a, b = states["faction_id"].to_list()[:2]
        faith = int(states["religion_id"][0])
        one_faith = pl.when(pl.col("faction_id") == b).then(faith).otherwise(pl.col("religion_id"))
        store.replace_rows(
            world_id,
            {"factions": factions.with_columns(one_faith.cast(pl.Int32).alias("religion_id"))},
        )
        faiths_before = store.read("religions", world_id).height
    rules = catalog.history_rules()
    always = replace(rules, faith={**rules.faith, "schism_chance": 1.0, "schism_people": 0.0})
    monkeypatch.setattr(catalog, "history_rules", lambda: always)
    real_strife = history_year._strife

    def at_war(
        year_world: history_year.YearWorld, rolled: RolledYear, *, earlier_war: dict[int, int]
    ) -> tuple[Strife, ...]:
        seat = dict(year_world["factions"].select("faction_id", "seat_settlement_id").iter_rows())
        region = dict(year_world["settlements"].select("settlement_id", "region_id").iter_rows())
        seats = tuple((seat[f], region[seat[f]]) for f in (a, b))
        war = Strife(war=99, sides=(a, b), seats=seats, cause=0)  # the year's first event
        return (*real_strife(year_world, rolled, earlier_war=earlier_war), war)

    monkeypatch.setattr(history_year, "_strife", at_war)
    # This history is not the seed's: not announced to the session's server as its world's,
    # where another test counts the events the world's own history announces.
    monkeypatch.setattr(simulate_flow, "announce_history", lambda **_: 0)
    assert simulate(str(home), world_id, until_tick=END).tick == END
    tables = tables_of(home, world_id)
    schisms = tables["events"].filter(pl.col("type") == "schism")
    first = json.loads(schisms["payload"][0])
    new, state = first["religion_id"], schisms["faction_id"][0]
    assert (new, first["parent_religion_id"]) == (faiths_before, faith)
    assert state in (a, b)
    # The new faith is a heresy of the old, with gods, regarded by every faith there is.
    religions = tables["religions"]
    row = religions.filter(pl.col("religion_id") == new).row(0, named=True)
    assert (row["kind"], row["parent_id"]) == ("heresy", faith)
    assert row["description"].startswith(f"The {row['name']}")
    assert tables["deities"].filter(pl.col("religion_id") == new).height > 0
    k = religions.height
    assert tables["religion_relations"].height == k * (k - 1) // 2
    # A state and a flock keep it; later years lived with it (its followers counted).
    assert row["religion_id"] in tables["factions"]["religion_id"].to_list()
    shares = tables["religion_shares"].filter(pl.col("religion_id") >= faiths_before)
    assert shares["share"].sum() > 0
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        assert store.dangling_references(world_id) == {}
    snapshot = export_snapshot_flow(str(home), world_id)
    assert verify_snapshot(Path(snapshot)).to_json()["tables"]["religions"]["rows"] == k


def test_the_tables_lived_in_carry_the_day_they_describe(
    world: tuple[Path, GeneratedWorld], lived: tuple[Path, dict[str, pl.DataFrame]]
) -> None:
    timed = ("settlements", "population_groups", "npcs", "factions", "provinces", "diplomacy",
             "holy_sites", "religion_shares")  # fmt: skip
    generated = tables_of(world[0], world[1].world_id)
    for name in timed:
        assert generated[name]["tick"].unique().to_list() == [0], name
        # Rewritten at the last year's end: they describe the world as its next year begins.
        assert lived[1][name]["tick"].unique().to_list() == [END], name


def test_an_export_after_simulate_holds_the_world_at_its_tick_with_its_history(
    world: tuple[Path, GeneratedWorld], lived: tuple[Path, dict[str, pl.DataFrame]]
) -> None:
    home, tables = lived
    snapshot = export_snapshot_flow(str(home), world[1].world_id)
    manifest = verify_snapshot(Path(snapshot)).to_json()
    assert manifest["tick"] == END
    for name in ("events", "population_history", "npc_vitals", "ruler_history", "border_history"):
        assert manifest["tables"][name]["rows"] == tables[name].height, name
    assert manifest["tables"]["events"]["rows"] > 0


def test_the_report_tells_the_world_s_history(
    world: tuple[Path, GeneratedWorld], lived: tuple[Path, dict[str, pl.DataFrame]]
) -> None:
    home = lived[0]
    result = CliRunner().invoke(app, ["report", world[1].world_id, "--home", str(home)])
    assert result.exit_code == 0, result.output
    for title in ("Timeline by year", "Most important events", "Events by type"):
        assert title in result.output
    assert (home / "reports" / world[1].world_id / "timeline-year00002.png").is_file()


def test_the_economy_run_after_simulate_continues_the_clock(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    shutil.copytree(lived[0], home)
    economy_flow(str(home), world[1].world_id, 2)
    assert int(tables_of(home, world[1].world_id)["worlds"]["tick"][0]) == END + 2


def test_a_year_s_markets_are_those_the_economy_was_seeded_with_at_today_s_danger_and_tolls(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
) -> None:
    """A year takes the stored markets and links (towns and roads stay), not the route
    searches again: the layout is the one they give, with the regions' danger and holders of
    now (here a market's region changed hands and grew dangerous)."""
    home, world_id = tmp_path / "home", world[1].world_id
    shutil.copytree(lived[0], home)
    with open_store(Settings(home=home).world_db(world_id)) as store:
        markets = store.read("markets", world_id)
        region = int(markets["region_id"][0])
        provinces, regions = store.read("provinces", world_id), store.read("regions", world_id)
        holder = provinces.filter(pl.col("region_id") == region)["faction_id"][0]
        taker = provinces.filter(pl.col("faction_id") != holder)["faction_id"][0]
        on_region = pl.col("region_id") == region
        store.replace_rows(
            world_id,
            {
                "provinces": provinces.with_columns(
                    faction_id=pl.when(on_region).then(taker).otherwise("faction_id")
                ),
                "regions": regions.with_columns(
                    danger_level=pl.when(on_region).then(0.9).otherwise("danger_level")
                ),
            },
        )
        searched = with_stored_agents(market_layout(store, world_id), markets)
        stored = stored_layout(store, world_id)
    assert stored.links.toll.tolist() != lived_tolls(lived[0], world_id)
    _assert_same(stored, searched)


def lived_tolls(home: Path, world_id: str) -> list[float]:
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        return stored_layout(store, world_id).links.toll.tolist()


def _assert_same(a: object, b: object, at: str = "layout") -> None:
    if is_dataclass(a):
        for field in fields(a):
            _assert_same(getattr(a, field.name), getattr(b, field.name), f"{at}.{field.name}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), at
        assert a.dtype == b.dtype, at
        assert np.array_equal(a, b), at
    elif isinstance(a, tuple):
        assert isinstance(b, tuple), at
        assert len(a) == len(b), at
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{at}[{i}]")
    else:
        assert a == b, at


def test_a_killed_run_loses_at_most_its_segment_and_a_rerun_ends_the_same(
    world: tuple[Path, GeneratedWorld],
    lived: tuple[Path, dict[str, pl.DataFrame]],
    tmp_path: Path,
) -> None:
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environment |= {"WORLDLOOM_HOME": str(home), "WORLDLOOM_SERVER": "ephemeral"}
    log = tmp_path / "victim.log"
    victim = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from worldloom.flows.cli import main; main()",
            "simulate",
            world_id,
            "--days",
            str(END - 3),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    try:
        # Killed as soon as its first segment is stored: its progress names each finished one
        # at once (a year now takes about a second; polling the file alone, which the run holds
        # most of that time, could see nothing before the last segment ended).
        while (
            "simulate-segment" not in log.read_text()
            and time.monotonic() < deadline
            and victim.poll() is None
        ):
            time.sleep(0.02)
    finally:
        # The whole process group, as a machine's kill would: the run's ephemeral Prefect
        # server goes with it (killing the run alone left that server running).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
    assert victim.returncode == -signal.SIGKILL, log.read_text()
    # The file opens; it stands at a segment's end, with that segment's history whole.
    kept = tables_of(home, world_id)
    stopped = int(kept["worlds"]["tick"][0])
    assert YEAR <= stopped < END, (
        "the run should be killed after its first segment, before its last"
    )
    assert stopped % YEAR == 0
    assert int(kept["population_history"]["tick"].max()) == stopped - 1
    # The same command again: its days count from where the killed run started.
    result = CliRunner().invoke(
        app, ["simulate", world_id, "--days", str(END - 3), "--home", str(home)]
    )
    assert result.exit_code == 0, result.output
    assert_same_tables(home, world_id, lived[1])
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        runs = store.read("runs", world_id).filter(pl.col("flow") == "simulate")
    assert sorted(runs["status"]) == ["aborted", "completed"]


def _cut_short_run(home: Path, world_id: str, *, days: int, target: int) -> None:
    """A `simulate --days DAYS` run of this code recorded as failed, on its way to `target`."""
    parameters = json.dumps(
        {"days": days, "storyteller": None, "target": target, "until_tick": None}, sort_keys=True
    )
    with open_store(Settings(home=home).world_db(world_id)) as store:
        store.start_run(
            run_id="cut-short",
            world_id=world_id,
            flow="simulate",
            parameters_json=parameters,
            parameters_hash="-",
            code_version=code_version(),
        )
        store.finish_run("cut-short", status="failed", error="cut short")


@pytest.mark.parametrize(("fresh", "end"), [(False, 5), (True, 3 + 10)])
def test_a_rerun_keeps_the_end_of_the_run_it_follows_unless_fresh(
    world: tuple[Path, GeneratedWorld], tmp_path: Path, fresh: bool, end: int
) -> None:
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    _cut_short_run(home, world_id, days=10, target=5)
    result = simulate(str(home), world_id, days=10, fresh=fresh)
    assert (result.first_tick, result.tick) == (3, end)
    again = simulate(str(home), world_id, days=2)  # the cut-short run is followed: days count
    assert again.tick == end + 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--years", "-3"], "--years must be 1 to 10,000, got -3"),
        (["--days", "0"], "--days must be 1 to"),
        (["--years", "20000"], "got 20000"),
        (["--years", "1", "--days", "3"], "exactly one"),
        ([], "exactly one"),
        (["--until-tick", "1"], "already at tick 3"),
        (["--years", "1", "--storyteller", "grumpy"], "calm, classic, chaotic"),
    ],
)
def test_bad_durations_are_one_line_and_change_nothing(
    world: tuple[Path, GeneratedWorld], tmp_path: Path, args: list[str], needle: str
) -> None:
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    before = tables_of(home, world_id)
    result = CliRunner().invoke(app, ["simulate", world_id, *args, "--home", str(home)])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert needle in result.output
    after = tables_of(home, world_id)
    assert all(after[name].equals(frame) for name, frame in before.items())


def test_a_world_without_its_people_or_economy_is_refused(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    with open_store(Settings(home=home).world_db(world_id)) as store:
        store.replace_rows(world_id, {}, clear=["economy_agents"])
    result = CliRunner().invoke(app, ["simulate", world_id, "--days", "5", "--home", str(home)])
    assert result.exit_code == 2, result.output
    assert "no people or no economy yet" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert int(tables_of(home, world_id)["worlds"]["tick"][0]) == 3


def test_a_locked_world_is_one_line_and_nothing_changes(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    home, world_id = copy_of(world, tmp_path), world[1].world_id
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(Settings(home=home).world_lock(world_id))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "ready"
    try:
        result = CliRunner().invoke(
            app,
            ["simulate", world_id, "--days", "5", "--home", str(home)],
            env={"WORLDLOOM_LOCK_WAIT_S": "1"},
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2, result.output
    assert f"is busy: simulate by PID {holder.pid}" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert int(tables_of(home, world_id)["worlds"]["tick"][0]) == 3
    assert tables_of(home, world_id)["events"].height == 0
