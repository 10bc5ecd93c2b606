"""The simulate deployment `worldloom serve` runs: a world lives on, on a schedule."""

from __future__ import annotations

from worldloom.flows.simulate import simulate_deployment


def test_the_simulate_deployment_advances_a_world_a_year_a_run_on_its_schedule() -> None:
    deployment = simulate_deployment(
        home="/tmp/h", world_id="vellmar-1234abcd", cron="0 4 * * *", storyteller="calm"
    )
    assert deployment.name == "worldloom-simulate"
    assert deployment.parameters == {
        "home": "/tmp/h",
        "world_id": "vellmar-1234abcd",
        "days": 365,
        "storyteller": "calm",
    }
    assert [s.schedule.cron for s in deployment.schedules] == ["0 4 * * *"]
    assert deployment.concurrency_limit == 1  # one run of a world at a time; the next waits


def test_without_a_cron_it_is_started_by_hand() -> None:
    assert not simulate_deployment(home="/tmp/h", world_id="w", days=30).schedules
