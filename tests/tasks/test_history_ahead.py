"""The next year's economy run ahead, in a thread or in a run's side process: the same run
either way, taken only by a segment that starts from the very economy it was run from, and
never kept when its run failed."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from tests.economies import markets, ring_links, village_rules
from tests.tasks.test_economy_tables import WEIGHTS
from worldloom.infrastructure.side_process import SideProcess
from worldloom.systems.economy import EconomyRun, seed_economy
from worldloom.systems.rng import Seeds
from worldloom.tasks.economy_start import EconomyStart, run_economy, timed_run
from worldloom.tasks.history_ahead import EconomyAhead


@pytest.fixture(scope="module")
def start() -> EconomyStart:
    rules, places, links = village_rules(), markets(3), ring_links(3)
    state = seed_economy(rules, places, links=links, seeds=Seeds(5), profession_weights=WEIGHTS)
    return EconomyStart(5, state, places, links, ticks=20)


@pytest.fixture(scope="module")
def side(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SideProcess]:
    """A side process as a run's economies get (`flows.simulate.economy_beside`)."""
    scratch = tmp_path_factory.mktemp("economy") / "scratch"
    with SideProcess(scratch, warm=(timed_run.__module__,), tuned_heap=True) as process:
        yield process


@pytest.fixture(params=["thread", "side process"])
def ahead(request: pytest.FixtureRequest) -> EconomyAhead:
    """An empty keep whose runs go to a thread, or to the side process."""
    return EconomyAhead(request.getfixturevalue("side") if request.param != "thread" else None)


def _same_run(a: EconomyRun, b: EconomyRun) -> bool:
    """Every array of both runs' states and histories equal (in dtype too), and the rest."""
    for one, other in ((a.state, b.state), (a.history, b.history)):
        for field in fields(one):
            x, y = getattr(one, field.name), getattr(other, field.name)
            if isinstance(x, dict):
                if x.keys() != y.keys() or not all(_equal(x[k], y[k]) for k in x):
                    return False
            elif not _equal(x, y):
                return False
    return True


def _equal(x: object, y: object) -> bool:
    if isinstance(x, np.ndarray):
        return isinstance(y, np.ndarray) and x.dtype == y.dtype and np.array_equal(x, y, True)
    return x == y


def test_a_segment_takes_the_run_made_from_its_start_once(
    start: EconomyStart, ahead: EconomyAhead
) -> None:
    assert ahead.take(start) is None  # nothing run yet
    with ahead.running(start, village_rules()):
        pass
    # An equal start, not the same objects: the next segment reads its own from the store.
    copied = replace(start, state=start.state.copy())
    taken = ahead.take(copied)
    assert taken is not None
    assert _same_run(taken, run_economy(start, village_rules()))
    assert taken.state.tick == start.state.tick + start.ticks
    assert ahead.take(copied) is None  # given once
    assert (ahead.taken, ahead.refused) == (1, 0)
    assert len(ahead.seconds) == 1
    assert ahead.seconds[0] > 0


def _changed(start: EconomyStart) -> list[EconomyStart]:
    """Starts that each differ from `start` in one thing a run depends on."""
    money = start.state.money.copy()
    money[0] += 1
    danger = start.links.danger.copy()
    danger[0] += 0.5
    agents = start.markets.agents.astype(np.int32)  # the same values, another dtype
    resources = (frozenset(), *start.markets.resources[1:])
    return [
        replace(start, seed=6),
        replace(start, ticks=21),
        replace(start, state=replace(start.state, money=money)),
        replace(start, state=replace(start.state, tick=start.state.tick + 1)),
        replace(start, links=replace(start.links, danger=danger)),
        replace(start, markets=replace(start.markets, agents=agents)),  # type: ignore[arg-type]
        replace(start, markets=replace(start.markets, resources=resources)),
    ]


@pytest.mark.parametrize("which", range(7))
def test_a_run_made_from_another_start_is_refused(start: EconomyStart, which: int) -> None:
    ahead = EconomyAhead()
    with ahead.running(start, village_rules()):
        pass
    assert ahead.take(_changed(start)[which]) is None
    assert (ahead.taken, ahead.refused) == (0, 1)


def test_a_price_never_set_is_the_same_on_both_sides(start: EconomyStart) -> None:
    """NaN equals NaN here: an economy's unset float is not a different economy."""
    price = start.state.price.copy()
    price[0, 0] = np.nan
    unset = replace(start, state=replace(start.state, price=price))
    again = replace(unset, state=replace(unset.state, price=price.copy()))
    assert unset.same(again)


def test_a_failed_run_or_a_failed_write_keeps_nothing(
    start: EconomyStart, ahead: EconomyAhead
) -> None:
    broken = replace(start, ticks=-1)  # the economy refuses it where it runs
    with ahead.running(broken, village_rules()):
        pass
    assert ahead.take(broken) is None
    with pytest.raises(OSError, match="disk full"), ahead.running(start, village_rules()):
        raise OSError("disk full")  # the segment's write failed: its next year is not next
    assert ahead.take(start) is None
    assert (ahead.taken, ahead.refused) == (0, 0)
    assert ahead.seconds == []  # nor timed


def test_a_side_process_that_died_keeps_nothing_and_the_run_goes_on(
    start: EconomyStart, tmp_path: Path
) -> None:
    """An economy's side process killed (or out of memory) fails its runs, which are then not
    kept: each next segment runs its own economy, as without one."""
    with SideProcess(tmp_path / "scratch") as side:
        os.kill(side.submit(os.getpid).result(), signal.SIGKILL)
        ahead = EconomyAhead(side)
        with ahead.running(start, village_rules()):
            pass
        assert ahead.take(start) is None
        assert ahead.seconds == []
