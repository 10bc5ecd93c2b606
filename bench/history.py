"""Benchmark: a world's history (issue #13): years simulated with the economy (and each year's
stories, as simulate tells them), events written per second, and what a century holds (events
per type).

A world is generated (`worldloom generate`, no LLM) in a subprocess, then simulated year by
year with the simulate stage's task bodies, as the flow runs them (the file kept open, a year's
stories told in a side process while the next year runs, the next year's economy in another
beside the year's write) but with no Prefect run around them (the figure is the simulation's),
in a subprocess of its own so its peak RSS is its own, with the worldloom command's process
settings (`tune_memory`). Its peak is sampled with its side processes' at once. Event writes
are timed on synthetic rows through the store's append path.

    .venv/bin/python bench/history.py [--preset small] [--years 100] [--events 1000000]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from worldloom.infrastructure.runtime import tune_memory

if TYPE_CHECKING:
    from worldloom.infrastructure.store import WorldStore
    from worldloom.tasks.history import SegmentTimes

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
TARGETS = {"small_100y_s": 60.0, "medium_100y_s": 300.0, "peak_gb": 4.0, "event_rows_per_s": 1e6}
"""Issue 13's targets on 2 cores."""
_PAGE = os.sysconf("SC_PAGE_SIZE")


class _Peak:
    """The most memory this process and its children held at once, sampled every 0.1 s.
    (`getrusage` has each one's own peak, but a spawned child's starts as its parent's at the
    fork before its exec: Linux keeps the larger.)"""

    def __init__(self) -> None:
        self.bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.bytes

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            children = (
                int(pid)
                for listed in glob.glob(f"/proc/{os.getpid()}/task/*/children")
                for pid in _children(listed)
            )
            self.bytes = max(self.bytes, sum(_resident(p) for p in (os.getpid(), *children)))


def _resident(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (FileNotFoundError, ProcessLookupError):  # ended meanwhile
        return 0


def _children(listed: str) -> list[str]:
    try:
        return Path(listed).read_text().split()
    except FileNotFoundError:  # the thread ended meanwhile
        return []


def _generate(home: Path, preset: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"WORLDLOOM_HOME": str(home), "WORLDLOOM_SERVER": "ephemeral"}
    out = subprocess.run(
        [
            str(ROOT / ".venv/bin/worldloom"),
            "generate",
            "--seed",
            str(SEED),
            "--preset",
            preset,
            "--llm",
            "none",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(line.split()[1] for line in out.splitlines() if line.startswith("world "))


def _simulate(home: str, world_id: str, years: int) -> dict[str, Any]:
    """In a subprocess: simulate `years` years; timings, peak RSS (with the side processes'
    of the stories and the economies) and event counts."""
    from prefect.logging import disable_run_logger

    from worldloom.flows.simulate import STORE_THREADS, economy_beside, stories_beside
    from worldloom.infrastructure.store import keep_open, open_store
    from worldloom.tasks.history import simulate_segment
    from worldloom.tasks.history_ahead import EconomyAhead
    from worldloom.tasks.history_kept import KeptYears
    from worldloom.tasks.history_year import DEAD
    from worldloom.tasks.stories import tell_year_stories_beside
    from worldloom.tasks.story_year import YearStories, write_year_stories
    from worldloom.tasks.world_record import load_world, world_db

    with open_store(world_db(home, world_id), read_only=True) as store:
        start = load_world(store, world_id).tick
        named_before = store.read("npcs", world_id, columns=("npc_id",), unless_in=DEAD).height
    until = (start // 365 + years) * 365
    seconds: list[float] = []
    times: list[SegmentTimes] = []
    stories: list[float] = []
    books_taken: list[bool] = []

    def tell() -> YearStories:
        began = time.perf_counter()
        told = tell_year_stories_beside.fn(home=home, world_id=world_id, beside=beside)
        stories.append(time.perf_counter() - began)
        books_taken.append(told.kept_taken)
        return told

    kept = KeptYears()
    peak = _Peak()
    cpu_began = _cpu_seconds()
    began = time.perf_counter()
    # As simulate does: the world's file kept open for the run, and each year's stories told
    # as it ends (in a side process, for a run of a few years or more), while the next year
    # runs (which is stored with them once they are); each next year's economy run beside the
    # year's write (in another side process).
    with (
        disable_run_logger(),
        keep_open(world_db(home, world_id), threads=STORE_THREADS),
        stories_beside(home, world_id, years=years) as beside,
        economy_beside(home, world_id, years=years) as economies,
        ThreadPoolExecutor(max_workers=1) as stories_thread,
    ):
        ahead, tick = EconomyAhead(economies), start
        telling: Future[YearStories] | None = None
        while tick < until:
            t = time.perf_counter()
            segment = simulate_segment.fn(
                home=home,
                world_id=world_id,
                until_tick=until,
                stories=None if telling is None else telling.result,
                ahead=ahead,
                kept=kept,
            )
            tick = segment.end_tick
            times.append(segment.times)
            telling = stories_thread.submit(tell)
            seconds.append(time.perf_counter() - t)
        if telling is not None:
            with open_store(world_db(home, world_id)) as store:
                write_year_stories(store, world_id, telling.result())
    total = time.perf_counter() - began
    cpu = _cpu_seconds() - cpu_began  # the side processes' too: they have ended
    with open_store(world_db(home, world_id), read_only=True) as store:
        held = _history_held(store, world_id)
        named_after = store.read("npcs", world_id, columns=("npc_id",), unless_in=DEAD).height
    return {
        "years": len(seconds),
        "total_s": round(total, 1),
        "stories_s": round(sum(stories), 1),
        "slowest_year_s": round(max(seconds), 2),
        "economies_ahead": [ahead.taken, ahead.refused],
        "rows_kept": kept.taken,
        "stories_rows_kept": sum(books_taken),
        "cpu_s": round(cpu, 1),
        "year_s": _typical_year(times[1:], ahead.seconds, stories[1:]),
        "peak_gb": round(peak.stop() / 1e9, 2),
        "own_peak_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
        "events": held["events"],
        "population": held["population"],
        "named": [named_before, named_after],
        "per_century": held["per_century"],
    }


def _history_held(store: WorldStore, world_id: str) -> dict[str, Any]:
    """What the world's history holds: its events (and their count per century and type) and
    its population at the first and last year's ends."""
    events = store.read("events", world_id)
    people = store.read("population_history", world_id)
    century = (events["tick"] // (365 * 100)).alias("century")
    counts = events.group_by(century, "type").len().sort("century", "len", descending=[False, True])
    first = people.filter(people["tick"] == people["tick"].min())["population_start"].sum()
    last = people.filter(people["tick"] == people["tick"].max())["population_end"].sum()
    return {
        "events": events.height,
        "population": [int(first), int(last)],
        "per_century": [
            {"century": int(c), "type": str(k), "count": int(n)} for c, k, n in counts.iter_rows()
        ],
    }


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended."""
    own, ended = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


def _typical_year(
    times: list[SegmentTimes], economies: list[float], stories: list[float]
) -> dict[str, float]:
    """Median seconds a year of each part of it (a run's first year left out: its reads are the
    whole world's and its stories start the side process)."""

    def median(values: list[float]) -> float:
        return round(statistics.median(values), 3) if values else 0.0

    return {
        "reads": median([t.reads for t in times]),
        "end": median([t.end for t in times]),
        "write": median([t.write for t in times]),
        "economy_ahead": median(economies),
        "stories": median(stories),
    }


def _event_writes(rows: int) -> dict[str, Any]:
    """Synthetic events appended through the store, as a segment writes them."""
    import numpy as np
    import polars as pl

    from worldloom.infrastructure.store import open_store, table_frame

    none = np.full(rows, -1, dtype=np.int64)
    frame = table_frame(
        "events",
        {
            "event_id": np.arange(rows, dtype=np.int64),
            "tick": np.arange(rows, dtype=np.int64) // 1000,
            "type": pl.Series(["population_year", "death", "birth"] * (rows // 3 + 1))[:rows],
            "importance": np.full(rows, 2, dtype=np.int8),
            "npc_id": none,
            "faction_id": none,
            "other_faction_id": none,
            "settlement_id": np.arange(rows, dtype=np.int64) % 500,
            "region_id": np.arange(rows, dtype=np.int64) % 40,
            "poi_id": none,
            "cause_ids": pl.Series([[]] * rows, dtype=pl.List(pl.Int64)),
            "payload": pl.Series(['{"age":70,"cause":"old_age"}'] * rows),
        },
    )
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "w.duckdb") as store:
        began = time.perf_counter()
        store.replace_rows("w", {}, append={"events": frame})
        seconds = time.perf_counter() - began
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--years", type=int, default=100)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--years-only", action="store_true", help="skip the event writes")
    parser.add_argument("--events-only", action="store_true", help="only the event writes")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tune_memory()  # as the worldloom command does, before numpy is imported
        print(json.dumps(_simulate(args.child[0], args.child[1], int(args.child[2]))))
        return
    if not args.years_only:
        writes = _event_writes(args.events)
        target_rows = TARGETS["event_rows_per_s"]
        print(
            f"events written: {writes['rows']:,} rows in {writes['seconds']} s = "
            f"{writes['rows_per_s']:,} rows/s (target >= {target_rows:,.0f})"
        )
    if args.events_only:
        return
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        t = time.perf_counter()
        world_id = _generate(home, args.preset)
        print(f"{args.preset} world {world_id} generated in {time.perf_counter() - t:.0f} s")
        run = subprocess.run(
            [sys.executable, __file__, "--child", str(home), world_id, str(args.years)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(run.stdout.strip().splitlines()[-1])
    targets = {"small": TARGETS["small_100y_s"], "medium": TARGETS["medium_100y_s"]}
    target = f"{targets[args.preset]:.0f} s" if args.preset in targets else "none set"
    print(f"{args.preset}, {figures['years']} years with the economy: {figures['total_s']} s "
          f"(their stories {figures['stories_s']} s, beside the next years; slowest year "
          f"{figures['slowest_year_s']} s; target for 100 years <= {target}), "
          f"peak {figures['peak_gb']} GB with the side process (target < {TARGETS['peak_gb']}; "
          f"the simulation's own {figures['own_peak_gb']} GB)")  # fmt: skip
    year = figures["year_s"]
    print(f"where a year goes (median, the first left out): reads {year['reads']} s, end "
          f"{year['end']} s, write {year['write']} s (the next year's economy, "
          f"{year['economy_ahead']} s, beside it); its stories {year['stories']} s beside the "
          f"next year; the run's CPU "
          f"{figures['cpu_s']} s, {figures['cpu_s'] / figures['total_s']:.2f} cores busy on "
          f"average")  # fmt: skip
    taken, refused = figures["economies_ahead"]
    print(f"years whose economy ran beside the last one's write: {taken} taken, {refused} refused")
    print(f"years that took the rows the year before kept in memory: {figures['rows_kept']}")
    print(f"years whose stories took their own rows the side process kept: "
          f"{figures['stories_rows_kept']}")  # fmt: skip
    print(f"people {figures['population'][0]:,} -> {figures['population'][1]:,} (named NPCs "
          f"alive {figures['named'][0]:,} -> {figures['named'][1]:,}); "
          f"{figures['events']:,} events")  # fmt: skip
    print("events per type per century:")
    for row in figures["per_century"]:
        print(f"  century {row['century']}  {row['type']:<22}{row['count']:>9,}")


if __name__ == "__main__":
    main()
