"""Re-running any stage alone: its own tables are rebuilt, every later stage's are cleared, and
no row is left naming a row that no longer exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from worldloom.flows.generate import (
    economy_flow,
    gear_flow,
    generate_world,
    people_flow,
    pois_flow,
    regions_flow,
    terrain_flow,
)
from worldloom.flows.params import GenerateWorldParams
from worldloom.flows.simulate import simulate
from worldloom.infrastructure.store import open_store
from worldloom.tasks.stages import HISTORY_TABLES, STAGE_TABLES, STORY_TABLES, downstream_tables

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

STAGE_FLOWS: dict[str, Callable[[str, str], object]] = {
    "terrain": terrain_flow,
    "regions": regions_flow,
    "places": pois_flow,
    "people": people_flow,
    "economy": economy_flow,
    "gear": gear_flow,
}

MAY_BE_EMPTY = frozenset({"lakes", "market_price_periods"})
"""A world may have no lake; an economy younger than its daily window (60 days back to the
start of their month) has no rolled-up price periods yet."""


def test_every_stage_has_a_flow_and_clears_the_stages_after_it() -> None:
    assert list(STAGE_FLOWS) == list(STAGE_TABLES)
    assert downstream_tables("gear") == ()
    assert downstream_tables("economy") == STAGE_TABLES["gear"]
    assert set(downstream_tables("terrain")) == {
        table for stage in list(STAGE_TABLES)[1:] for table in STAGE_TABLES[stage]
    } | set(HISTORY_TABLES + STORY_TABLES)
    # The history (and the stories told from it) stands on the people; markets and gear made
    # again leave it.
    assert set(HISTORY_TABLES + STORY_TABLES) <= set(downstream_tables("people"))
    assert not set(HISTORY_TABLES + STORY_TABLES) & set(downstream_tables("economy"))


@pytest.fixture(scope="module")
def world(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    home = tmp_path_factory.mktemp("reruns") / "home"
    made = generate_world(
        GenerateWorldParams(seed=3, preset="tiny", home=str(home), economy_ticks=5)
    )
    # A world that has lived a year: its history must go when the people it stands on do.
    simulate(str(home), made.world_id, until_tick=365)
    return str(home), made.world_id, Path(made.database)


# Last stage first: each re-run then finds the later stages' tables full, and must empty them.
@pytest.mark.parametrize("stage", list(reversed(STAGE_FLOWS)))
def test_a_stage_run_again_alone_leaves_nothing_stale(
    world: tuple[str, str, Path], stage: str
) -> None:
    home, world_id, database = world
    STAGE_FLOWS[stage](home, world_id)
    with open_store(database, read_only=True) as store:
        counts = store.row_counts(world_id)
        dangling = store.dangling_references(world_id)
    assert dangling == {}, stage
    empty = [
        table for table in STAGE_TABLES[stage] if not counts[table] and table not in MAY_BE_EMPTY
    ]
    assert empty == [], stage
    stale = {table: counts[table] for table in downstream_tables(stage) if counts[table]}
    assert stale == {}, stage
