"""A simulate run's next year's economy, run while the year before is stored.

A segment's write (DuckDB's work, ~a third of a small world's year) and the next year's
economy (compiled kernels and numpy) need not wait for each other: the economy's days depend
only on the world as the year began, which the segment that ends the year before holds in
memory. So that segment runs them beside its write, in the run's economy side process (or a
thread, without one), and the next segment takes them if it starts from the very same economy:
its state, markets and links as read from the store are compared with those the run was made
from, field by field. The shortcut can only ever be taken or refused, never give another
economy.

In a thread, the economy and the write share the interpreter lock, and each took about as long
as both alone (a small world's year: the economy 0.54-0.62 s against 0.31 s alone, the write
0.56-0.67 s against 0.27 s); in a process of its own, 0.31-0.37 s and 0.35-0.44 s. A hundred
small years took 71.6 s against 87.3 s back to back (the economy's arrays come back through a
mapped file: `SideProcess.submit`); a medium economy gains nothing from it and stays in the
thread (`flows.simulate.ECONOMY_BESIDE_AGENTS`).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace

import polars as pl

from worldloom.infrastructure.side_process import SideProcess
from worldloom.systems.economy import EconomyRules, EconomyRun, EconomyState, MarketLayout
from worldloom.systems.kernel import load_compiler
from worldloom.tasks.economy import links_now
from worldloom.tasks.economy_start import EconomyStart, timed_run
from worldloom.tasks.history_economy import hooked_layout, hooks_at


class EconomyAhead:
    """The economy run ahead for a simulate run's next segment, if any (one at a time), in the
    side process `beside` if given (the run's, for its economies), else in a thread."""

    def __init__(self, beside: SideProcess | None = None) -> None:
        self._beside = beside
        if beside is not None:
            # Numba's compiler loaded there while the run's first year runs, not on the path
            # of its write, which waits for the next year's economy (a small run's first
            # year waited 0.14-0.22 s for it, against 0.25-0.48 s).
            beside.submit(load_compiler)
        self._ahead: tuple[EconomyStart, EconomyRun] | None = None
        self.taken = 0
        """Segments that took the run made for them."""
        self.refused = 0
        """Runs made ahead that their segment did not start from (and ran its own)."""
        self.seconds: list[float] = []
        """The wall seconds of each run kept, where it ran (beside a segment's write)."""

    def take(self, start: EconomyStart) -> EconomyRun | None:
        """The run made ahead from `start`, if there is one (it is given once)."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        made_from, run = ahead
        if not made_from.same(start):
            self.refused += 1
            return None
        self.taken += 1
        return run

    @contextmanager
    def running(self, start: EconomyStart, rules: EconomyRules) -> Iterator[None]:
        """Run the economy from `start` beside the block (in the side process, or a thread),
        and keep it for the next segment if the block ends well (a failed run is not kept: the
        segment that needs it runs it again, and fails there)."""
        self._ahead = None
        made: Future[tuple[EconomyRun, float]]
        if self._beside is not None:
            # A block that fails leaves the run to end in the side process, which the run's
            # end stops.
            made = self._beside.submit(timed_run, start, rules)
            yield
        else:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="economy-ahead") as thread:
                made = thread.submit(timed_run, start, rules)
                yield  # leaving the with block waits for the run, whatever the block did
        if made.exception() is None:
            run, seconds = made.result()
            self._ahead = (start, run)
            self.seconds.append(seconds)


def start_of_next(
    state: EconomyState,
    layout: MarketLayout,
    *,
    seed: int,
    days: int,
    regions: pl.DataFrame,
    provinces: pl.DataFrame,
    last_day: pl.DataFrame,
) -> EconomyStart:
    """Where the next `days` days' economy starts, as the next segment will read it back: the
    economy's `state`, the markets of `layout` with the links' danger and tolls of the year's
    end (`regions`, `provinces`), under the hooks the year's `last_day`'s events leave."""
    links = layout.links
    now = replace(
        layout,
        links=links_now(
            links.src,
            links.dst,
            links.days,
            region=layout.region_id,
            regions=regions,
            provinces=provinces,
        ),
    )
    hooked = hooked_layout(now, hooks_at(last_day), provinces)
    return EconomyStart(seed, state, hooked.markets, hooked.links, days)
