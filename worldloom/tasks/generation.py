"""Generations and resuming them: a generation is one `create_world` and every stage after it;
its tasks are cached under its id (results kept in the home), so a killed `generate` run again
with the same arguments picks the same generation up and skips the tasks that finished."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prefect import Task, get_run_logger, task
from prefect.cache_policies import NO_CACHE, CachePolicy
from prefect.context import TaskRunContext
from prefect.utilities.hashing import hash_objects

from worldloom.infrastructure.provenance import code_version
from worldloom.infrastructure.store import open_store
from worldloom.tasks.economy import run_economy_stage
from worldloom.tasks.people_npcs import clear_staging
from worldloom.tasks.provenance import code_identity, unfinished_run
from worldloom.tasks.stages import STAGE_TABLES
from worldloom.tasks.world_record import world_db

P = ParamSpec("P")
R = TypeVar("R")

GENERATE_FLOW = "generate-world"
"""The flow whose `runs` rows record generations (its parameters carry `generation`)."""
GENERATION = "generation"
HOW_NOT_WHAT = frozenset({"fresh", "runner"})
"""Parameters that change how a generation runs, not what it writes: a run with other values
of these still resumes (all but `--fresh` itself, which never does)."""
RUN_ONLY = frozenset({"run_id"})
"""Task inputs that name the run, not the work (the prose stage's, for its calls' records):
left out of the keys, or a resumed run would never hit."""


@dataclass
class GenerationCache(CachePolicy):
    """A task's key: its generation, the task, its inputs and the code. A hit means the task
    already wrote its tables into the world as it stands now: every new generation (fresh,
    other parameters or code, a stage run alone since) has new keys."""

    generation: str = ""

    def compute_key(
        self,
        task_ctx: TaskRunContext,
        inputs: dict[str, Any],
        flow_parameters: dict[str, Any],
        **kwargs: Any,
    ) -> str | None:
        """The key, or None (no caching) outside a generation."""
        if not self.generation:
            return None
        work = {name: value for name, value in inputs.items() if name not in RUN_ONLY}
        return hash_objects(
            self.generation,
            task_ctx.task.task_key,
            work,
            code_identity(code_version()),
            raise_on_failure=True,
        )


def results_dir(home: str, world_id: str) -> Path:
    """Where a world's cached task results live (small dicts: the tables are in DuckDB)."""
    return Path(home) / "prefect-results" / world_id


def resumable(stage: Task[P, R], *, home: str, world_id: str, generation: str | None) -> Task[P, R]:
    """`stage` cached under `generation`, its results under the home; unchanged without a
    generation (a stage run alone is never cached)."""
    if not generation:
        return stage
    return stage.with_options(
        cache_policy=GenerationCache(generation=generation),
        result_storage=results_dir(home, world_id),
        persist_result=True,
    )


@task(name="open-generation", cache_policy=NO_CACHE)
def open_generation(
    *, home: str, world_id: str, parameters: Mapping[str, Any], fresh: bool = False
) -> str:
    """The generation a generate run continues, or a new one.

    It continues the world's last generate run if that run did not finish (killed, or failed),
    ran the same parameters (but `HOW_NOT_WHAT`) with the same code, and nothing ran on the
    world since; a fresh generation forgets the old one's cached results. Call it holding the
    world's lock, once runs that died are marked aborted (`provenance.held_world`).

    Returns:
        The generation id (record it as the generate run's `generation` parameter).
    """
    ignored = HOW_NOT_WHAT | {GENERATION}
    if not fresh:
        last = unfinished_run(
            home=home, world_id=world_id, flow=GENERATE_FLOW, parameters=parameters, ignored=ignored
        )
        if last and last.get(GENERATION):
            get_run_logger().info("resuming generation %s of %s", last[GENERATION], world_id)
            return str(last[GENERATION])
    end_generation(home=home, world_id=world_id)
    return uuid.uuid4().hex


def end_generation(*, home: str, world_id: str) -> None:
    """Remove a generation's cached results and staged batches (it finished, or a fresh one
    starts)."""
    shutil.rmtree(results_dir(home, world_id), ignore_errors=True)
    clear_staging(home, world_id)


@task(name="run-economy", cache_policy=NO_CACHE)
def start_economy(*, home: str, world_id: str, ticks: int) -> dict[str, int]:
    """A generation's economy: started anew and run `ticks` days. The economy stage alone
    advances the economy a world has, so a generation cut short after its economy was saved
    (before Prefect kept the task's result) would otherwise run it on from there."""
    with open_store(world_db(home, world_id)) as store:
        store.replace_rows(world_id, {}, clear=STAGE_TABLES["economy"])
    return run_economy_stage.fn(home=home, world_id=world_id, ticks=ticks)
