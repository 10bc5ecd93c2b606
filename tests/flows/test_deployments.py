"""Deployments for `worldloom serve`: schedules and parameters, built without a server."""

from __future__ import annotations

import pytest

from worldloom.flows.deployments import build_deployments
from worldloom.flows.params import GenerateWorldParams


def test_generation_and_export_deployments_carry_their_schedules() -> None:
    params = GenerateWorldParams(seed=7, preset="small", name="Vellmar", home="/tmp/h")
    generate, export = build_deployments(
        home="/tmp/h",
        generate_cron="0 3 * * *",
        generate_params=params,
        export_world="vellmar-1234abcd",
        export_cron="30 3 * * *",
    )
    assert generate.name == "worldloom-generate"
    assert generate.parameters == {"params": params.model_dump()}
    assert [s.schedule.cron for s in generate.schedules] == ["0 3 * * *"]
    assert export.parameters == {"home": "/tmp/h", "world_id": "vellmar-1234abcd"}
    for deployment in (generate, export):  # one run of a world at a time; the next one waits
        assert deployment.concurrency_limit == 1
        assert deployment.concurrency_options is not None
        assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
    assert [s.schedule.cron for s in export.schedules] == ["30 3 * * *"]


def test_the_economy_deployment_advances_a_world_on_its_schedule() -> None:
    (economy,) = build_deployments(
        home="/tmp/h", economy_world="vellmar-1234abcd", economy_cron="0 * * * *", economy_ticks=7
    )
    assert economy.name == "worldloom-economy"
    assert economy.parameters == {"home": "/tmp/h", "world_id": "vellmar-1234abcd", "ticks": 7}
    assert [s.schedule.cron for s in economy.schedules] == ["0 * * * *"]


def test_a_deployment_without_a_cron_is_started_by_hand() -> None:
    (generate,) = build_deployments(
        home="/tmp/h", generate_params=GenerateWorldParams(seed=1, home="/tmp/h")
    )
    assert not generate.schedules


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"generate_cron": "0 3 * * *"}, "needs a seed"),
        ({"export_cron": "0 3 * * *"}, "needs a world"),
        ({"economy_cron": "0 3 * * *"}, "needs a world"),
        ({}, "nothing to serve"),
    ],
)
def test_incomplete_requests_are_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_deployments(home="/tmp/h", **kwargs)
