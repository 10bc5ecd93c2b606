"""Deployments: the flows as scheduled, served runs for a Prefect server and its UI."""

from __future__ import annotations

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment

from worldloom.flows.generate import advance_economy, export_snapshot_flow, generate_world
from worldloom.flows.params import GenerateWorldParams

EXPORT_DEPLOYMENT = "worldloom-export"

ONE_RUN_AT_A_TIME = ConcurrencyLimitConfig(
    limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
)
"""Each deployment is about one world: a run that comes due while the last still runs waits
its turn (and a CLI run of the same world waits on the world's lock)."""


def build_deployments(
    *,
    home: str,
    generate_cron: str | None = None,
    generate_params: GenerateWorldParams | None = None,
    export_world: str | None = None,
    export_cron: str | None = None,
    economy_world: str | None = None,
    economy_cron: str | None = None,
    economy_ticks: int = 1,
) -> list[RunnerDeployment]:
    """Deployments for `worldloom serve`, each with its cron schedule.

    Every deployment exists even without a schedule, so it can be started from the UI or with
    `prefect deployment run`; a cron makes it run on its own.

    Raises:
        ValueError: a schedule was asked for without what it needs.
    """
    deployments: list[RunnerDeployment] = []
    if generate_params is not None:
        deployments.append(
            _built(
                generate_world.to_deployment(
                    name="worldloom-generate",
                    cron=generate_cron,
                    parameters={"params": generate_params.model_dump()},
                    tags=["worldloom"],
                    concurrency_limit=ONE_RUN_AT_A_TIME,
                    description=f"Generate world seed {generate_params.seed} "
                    f"({generate_params.preset}) and export its snapshot.",
                )
            )
        )
    elif generate_cron:
        raise ValueError("a generation schedule needs a seed and preset")
    if export_world is not None:
        deployments.append(
            _built(
                export_snapshot_flow.to_deployment(
                    name=EXPORT_DEPLOYMENT,
                    cron=export_cron,
                    parameters={"home": home, "world_id": export_world},
                    tags=["worldloom"],
                    concurrency_limit=ONE_RUN_AT_A_TIME,
                    description=f"Export a snapshot of {export_world}.",
                )
            )
        )
    elif export_cron:
        raise ValueError("an export schedule needs a world (--export WORLD)")
    if economy_world is not None:
        deployments.append(
            _built(
                advance_economy.to_deployment(
                    name="worldloom-economy",
                    cron=economy_cron,
                    parameters={"home": home, "world_id": economy_world, "ticks": economy_ticks},
                    tags=["worldloom"],
                    concurrency_limit=ONE_RUN_AT_A_TIME,
                    description=f"Advance the economy of {economy_world} by {economy_ticks} "
                    "day(s) a run, and make its gear again at the new prices.",
                )
            )
        )
    elif economy_cron:
        raise ValueError("an economy schedule needs a world (--economy WORLD)")
    if not deployments:
        raise ValueError(
            "nothing to serve: give --seed (generation), --export WORLD and/or --economy WORLD"
        )
    return deployments


def _built(deployment: object) -> RunnerDeployment:
    """`to_deployment` is sync-or-async; called outside an event loop it returns the value."""
    if not isinstance(deployment, RunnerDeployment):
        raise TypeError(f"expected a RunnerDeployment, got {type(deployment).__name__}")
    return deployment
