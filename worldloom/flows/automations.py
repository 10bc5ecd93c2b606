"""Automations: what the Prefect server does by itself when a world's events arrive.

`worldloom serve --export WORLD --export-on-completion` installs `EXPORT_AFTER_RUNS`: whenever a
run of a flow that moves a world on (`advance-economy`, `simulate`) completes, the served
`worldloom-export` deployment runs for that run's world, so a scheduled simulation always
leaves a fresh snapshot behind.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.events.actions import RunDeployment
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

EXPORT_AFTER_RUNS: Final = "worldloom-export-after-runs"
WORLD_MOVING_FLOWS: Final = ("advance-economy", "simulate")
"""Flows after which a world has a state worth a snapshot (flow names, as Prefect knows them)."""


def export_after_runs(
    export_deployment: UUID, *, flows: tuple[str, ...] = WORLD_MOVING_FLOWS
) -> AutomationCore:
    """On each completed run of `flows`, run the export deployment for that run's world (its
    `home` and `world_id` parameters, passed on by the action's templates)."""
    return AutomationCore(
        name=EXPORT_AFTER_RUNS,
        description="Export a snapshot of a world whenever a run that moves it on "
        f"({', '.join(flows)}) completes.",
        trigger=EventTrigger(
            expect={"prefect.flow-run.Completed"},
            match_related=ResourceSpecification(
                {"prefect.resource.role": "flow", "prefect.resource.name": list(flows)}
            ),
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=[
            RunDeployment(
                source="selected",
                deployment_id=export_deployment,
                parameters={
                    "home": "{{ flow_run.parameters['home'] }}",
                    "world_id": "{{ flow_run.parameters['world_id'] }}",
                },
            )
        ],
    )


def install_automation(automation: AutomationCore) -> UUID:
    """Create the automation on the server, replacing any of the same name (so installing
    twice leaves one); returns its id."""
    with get_client(sync_client=True) as client:
        for existing in client.read_automations_by_name(automation.name):
            client.delete_automation(existing.id)
        return client.create_automation(automation)
