"""The stories stage's tasks.

At every year's end (`tell_year_stories`, or `tell_year_stories_beside` in a run's side
process) the systems that read the event log as it grows tell the year's stories
(`tasks.story_year`) and write what changed with their read positions in one transaction.
Then, from the whole history and the world as it is, the motifs and what each notable says
(`tasks.motifs_dialogue`).
"""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.side_process import SideProcess
from worldloom.infrastructure.store import open_store
from worldloom.tasks.story_year import (
    YearStories,
    write_year_stories,
    year_stories,
    year_stories_of,
)
from worldloom.tasks.world_record import world_db


@task(
    name="tell-year-stories",
    cache_policy=NO_CACHE,
    task_run_name="tell-year-stories · {world_id}",
)
def tell_year_stories(*, home: str, world_id: str) -> dict[str, int]:
    """Sift arcs, spread rumors, remember and post quest boards up to the world's last year's
    end (`year_stories`), and write them; returns the rows the arcs, rumors, rumor_beliefs,
    memories and quests tables hold."""
    # One connection reads and writes: a second open costs more than the year's appends.
    with open_store(world_db(home, world_id)) as store:
        told = year_stories(store, world_id)
        write_year_stories(store, world_id, told)
    return _told(told)


@task(
    name="tell-year-stories-beside",
    cache_policy=NO_CACHE,
    task_run_name="tell-year-stories · {world_id} · beside",
)
def tell_year_stories_beside(
    *, home: str, world_id: str, beside: SideProcess | None
) -> YearStories:
    """The stories up to the world's last year's end (`year_stories`), told beside a run's
    next year: in the side process `beside`, from a copy of the world's file taken now (on
    another core), or without one from the file here. Not written: the caller stores them
    (the next year's segment, in its own transaction)."""
    path = world_db(home, world_id)
    if beside is None:
        with open_store(path) as store:
            told = year_stories(store, world_id)
    else:
        told = beside.read_copy(year_stories_of, path, world_id)
    _told(told)
    return told


def _told(told: YearStories) -> dict[str, int]:
    """Log what a year's stories leave the tables holding; returns those counts."""
    holds = told.holds
    get_run_logger().info(
        "stories to tick %d: %d arcs, %d rumors (%d beliefs), %d memories, %d quests",
        told.clock,
        holds["arcs"],
        holds["rumors"],
        holds["rumor_beliefs"],
        holds["memories"],
        holds["quests"],
    )
    return holds
