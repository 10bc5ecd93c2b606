"""`worldloom serve --simulate WORLD`: a world that lives on, on a schedule."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import PREFECT_API_URL
from typer.testing import CliRunner

from worldloom.flows import commands
from worldloom.flows.commands import app
from worldloom.infrastructure.settings import Settings

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[RunnerDeployment]:
    """What `serve` hands to Prefect, captured instead of served forever."""
    deployments: list[RunnerDeployment] = []
    monkeypatch.setattr(commands.server, "prefect_serve", lambda *d: deployments.extend(d))
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    return deployments


@pytest.fixture
def worlds(home: Path) -> Path:
    folder = Settings(home=home).worlds_dir
    folder.mkdir()
    for world_id in ("ember-0001", "frost-0002"):
        (folder / f"{world_id}.duckdb").touch()
    return home


def test_a_world_lives_a_year_a_night(worlds: Path, served: list[RunnerDeployment]) -> None:
    result = CliRunner().invoke(
        app, ["serve", "--simulate", "emb", "--simulate-cron", "0 4 * * *", "--home", str(worlds)]
    )
    assert result.exit_code == 0, result.output
    [simulate] = served
    assert simulate.name == "worldloom-simulate"
    assert simulate.flow_name == "simulate"
    assert [str(getattr(s.schedule, "cron", "")) for s in simulate.schedules] == ["0 4 * * *"]
    assert simulate.parameters["world_id"] == "ember-0001"
    assert simulate.parameters["days"] == 365


def test_beside_the_other_deployments(worlds: Path, served: list[RunnerDeployment]) -> None:
    result = CliRunner().invoke(
        app,
        [
            "serve",
            "--simulate",
            "frost",
            "--simulate-days",
            "30",
            "--export",
            "emb",
            "--home",
            str(worlds),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(d.name for d in served) == ["worldloom-export", "worldloom-simulate"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--simulate-cron", "0 4 * * *"], "a simulate schedule needs a world"),
        (["--simulate", "emb", "--simulate-cron", "nightly"], "nightly"),
        (["--simulate", "atlantis"], "unknown world 'atlantis'"),
    ],
)
def test_what_it_cannot_schedule_is_one_line(
    args: list[str], message: str, worlds: Path, served: list[RunnerDeployment]
) -> None:
    result = CliRunner().invoke(app, ["serve", *args, "--home", str(worlds)])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert served == []
