"""The batch flow: many worlds, one per seed, generated as concurrent subflow runs."""

from __future__ import annotations

import time
from typing import Annotated, Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run
from pydantic import BaseModel, ConfigDict, Field

from worldloom.flows.generate import generate_world
from worldloom.flows.heartbeats import subflows_without_heartbeats
from worldloom.flows.params import GenerateWorldParams

OUTCOME_LOG_PREFIX = "world done:"
"""How the flow's log line for a finished seed starts (the CLI's progress listens for it)."""


class BatchParams(BaseModel):
    """Which worlds to generate: one per seed, all with the same preset and overrides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seeds: Annotated[tuple[Annotated[int, Field(ge=0, lt=2**63)], ...], Field(min_length=1)]
    preset: str = "tiny"
    overrides: dict[str, Any] = Field(default_factory=dict)
    """Dotted config keys to replace in every world, e.g. {"terrain.cells": 1500}."""
    home: str
    llm: str = "none"
    economy_ticks: Annotated[int, Field(ge=0, le=3650)] = 60
    runner: str = "local"
    """The runner's spec, for the run's name (the runner itself is set with `with_options`)."""

    def world_params(self, seed: int) -> GenerateWorldParams:
        """The generate-world parameters of one seed's world."""
        return GenerateWorldParams(
            seed=seed,
            preset=self.preset,
            overrides=self.overrides,
            home=self.home,
            llm=self.llm,
            economy_ticks=self.economy_ticks,
        )


class SeedOutcome(BaseModel):
    """What became of one seed: its world and snapshot, or why it failed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int
    world_id: str | None = None
    snapshot: str | None = None
    seconds: float
    """Wall time of the seed's generate-world run, where it ran."""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the world was generated and exported."""
        return self.error is None


def generate_seed_world(params: GenerateWorldParams) -> SeedOutcome:
    """Run the generate-world flow for one seed; its failure is returned, not raised, so the
    other seeds of the batch go on."""
    started = time.perf_counter()
    state = generate_world(params, return_state=True)
    seconds = time.perf_counter() - started
    if state.is_completed():
        made = state.result()
        return SeedOutcome(
            seed=params.seed, world_id=made.world_id, snapshot=made.snapshot, seconds=seconds
        )
    return SeedOutcome(
        seed=params.seed,
        seconds=seconds,
        error=describe(state.result(raise_on_failure=False)) or state.message or "failed",
    )


generate_seed = task(
    name="generate-seed", task_run_name="generate-seed · seed {params.seed}", cache_policy=NO_CACHE
)(generate_seed_world)
"""The task, over a module-level function of another name: Dask's workers get the function by
reference (imported there) rather than a copy by value, which loses the module's names that
generate-world's parameter annotations resolve against."""


def describe(raised: object) -> str | None:
    """`<Error>: <message>` for an exception, None for anything else."""
    if isinstance(raised, BaseException):
        return f"{type(raised).__name__}: {raised}"
    return None


def batch_run_name() -> str:
    """`batch · <n> <preset> worlds · <runner>`."""
    raw = flow_run.parameters["params"]
    params = raw if isinstance(raw, BatchParams) else BatchParams(**raw)
    return f"batch · {len(params.seeds)} {params.preset} worlds · {params.runner}"


@flow(name="batch", flow_run_name=batch_run_name)
def batch_worlds(params: BatchParams) -> list[SeedOutcome]:
    """Generate a world per seed, all submitted at once on the flow's task runner (threads, or
    a Dask cluster: see `worldloom.flows.runners`); outcomes in seed order."""
    logger = get_run_logger()
    with subflows_without_heartbeats():  # each world's flow is a subflow of this one
        futures = {generate_seed.submit(params.world_params(seed)): seed for seed in params.seeds}
    outcomes = []
    for future in as_completed(list(futures)):
        result = future.result(raise_on_failure=False)
        # The task returns its world's failure; this is the runner's (e.g. a Dask worker lost).
        outcome = (
            result
            if isinstance(result, SeedOutcome)
            else SeedOutcome(seed=futures[future], seconds=0.0, error=describe(result))
        )
        where = outcome.snapshot if outcome.ok else f"failed: {outcome.error}"
        logger.info(
            "%s seed %d %s %s (%.1f s)",
            OUTCOME_LOG_PREFIX,
            outcome.seed,
            outcome.world_id or "-",
            where,
            outcome.seconds,
        )
        outcomes.append(outcome)
    return sorted(outcomes, key=lambda outcome: outcome.seed)
