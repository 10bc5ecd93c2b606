"""The orchestration commands: a local Prefect server and UI, and the served deployments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from prefect import serve as prefect_serve
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment

from worldloom.flows.automations import EXPORT_AFTER_RUNS, export_after_runs, install_automation
from worldloom.flows.commands.app import (
    Consoles,
    HomeOption,
    app,
    command,
    settings_for,
    writing_settings,
)
from worldloom.flows.commands.world import resolve_world
from worldloom.flows.deployments import EXPORT_DEPLOYMENT, build_deployments
from worldloom.flows.params import GenerateWorldParams
from worldloom.flows.simulate import simulate_deployment
from worldloom.infrastructure.local_server import (
    DEFAULT_PORT,
    running_server,
    seed_database,
    server_command,
    server_environment,
    stop_server,
)
from worldloom.infrastructure.processes import end_process_group
from worldloom.infrastructure.settings import Settings
from worldloom.systems.world import ConfigError
from worldloom.tasks import catalog

server_app = typer.Typer(
    help="A local Prefect server and its UI on 127.0.0.1.", invoke_without_command=True
)
app.add_typer(server_app, name="server")


@server_app.callback()
@command
def server(
    context: typer.Context,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = DEFAULT_PORT,
    home: HomeOption = None,
) -> None:
    """Run a local Prefect server and its UI in this terminal (Ctrl-C or SIGTERM stops it and
    everything it started); commands that run flows use it while it runs."""
    if context.invoked_subcommand is not None:
        return
    settings_for(home)  # validates the home option; PREFECT_HOME was set from it at start-up
    prefect = Path(sys.executable).with_name("prefect")
    url = f"http://127.0.0.1:{port}"
    Consoles.err.print(
        f"Prefect UI at {url}  ·  point runs at it: export PREFECT_API_URL={url}/api",
        soft_wrap=True,  # one line, so the export command can be copied whole
    )
    # A server of its own, in the foreground: its warnings are for this terminal.
    env = {**os.environ, **server_environment(port), "PREFECT_SERVER_LOGGING_LEVEL": "WARNING"}
    seed_database(Path(os.environ["PREFECT_HOME"]).expanduser())  # no migrations on a new home
    child = subprocess.Popen(server_command(prefect, port), env=env, start_new_session=True)

    def stop(signum: int, _frame: object) -> None:
        end_process_group(child.pid)
        raise typer.Exit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    raise typer.Exit(child.wait())


@server_app.command("stop")
@command
def server_stop(home: HomeOption = None) -> None:
    """Stop the Prefect server a command started in the background."""
    stopped = stop_server(_prefect_home(settings_for(home)))
    if stopped is None:
        Consoles.err.print("no background Prefect server is running")
    else:
        Consoles.err.print(f"stopped the Prefect server at {stopped.ui_url} (PID {stopped.pid})")


@server_app.command("status")
@command
def server_status(home: HomeOption = None) -> None:
    """Say whether a background Prefect server runs, and where."""
    running = running_server(_prefect_home(settings_for(home)))
    if running is None:
        typer.echo("none")
    else:
        typer.echo(f"{running.ui_url} PID {running.pid} since {running.started}")


def _prefect_home(settings: Settings) -> Path:
    """Where Prefect keeps its state: `PREFECT_HOME`, which the `worldloom` command points
    under the Worldloom home unless the user set it."""
    return Path(os.environ.get("PREFECT_HOME", settings.home / "prefect")).expanduser()


@app.command()
@command
def serve(
    *,
    seed: Annotated[int | None, typer.Option(help="Seed of the world to generate.")] = None,
    preset: Annotated[str, typer.Option(help="Preset of the world to generate.")] = "small",
    cron: Annotated[
        str | None, typer.Option(help='Generation schedule, e.g. "0 3 * * *" (nightly).')
    ] = None,
    export: Annotated[
        str | None, typer.Option("--export", help="World to export on a schedule.")
    ] = None,
    export_cron: Annotated[str | None, typer.Option(help="Export schedule (cron).")] = None,
    economy: Annotated[
        str | None, typer.Option("--economy", help="World whose economy runs on a schedule.")
    ] = None,
    economy_cron: Annotated[
        str | None, typer.Option(help='Economy schedule, e.g. "0 * * * *" (a day an hour).')
    ] = None,
    economy_ticks: Annotated[
        int, typer.Option(help="Days each economy run advances.", min=1, max=3650)
    ] = 1,
    simulate: Annotated[
        str | None, typer.Option("--simulate", help="World that lives on on a schedule.")
    ] = None,
    simulate_cron: Annotated[
        str | None, typer.Option(help='Simulation schedule, e.g. "0 4 * * *" (a year a night).')
    ] = None,
    simulate_days: Annotated[
        int, typer.Option(help="Days each simulate run advances.", min=1, max=36500)
    ] = 365,
    export_on_completion: Annotated[
        bool,
        typer.Option(
            help="Also export a world's snapshot whenever an advance-economy or simulate run "
            "of it completes (a Prefect automation; needs --export)."
        ),
    ] = False,
    home: HomeOption = None,
) -> None:
    """Register the flows as scheduled deployments and run them (needs PREFECT_API_URL)."""
    settings = writing_settings(home)
    if not os.environ.get("PREFECT_API_URL"):
        raise ConfigError(
            "serve needs a Prefect server: start `worldloom server`, then "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    for option, value in (
        ("--cron", cron),
        ("--export-cron", export_cron),
        ("--economy-cron", economy_cron),
        ("--simulate-cron", simulate_cron),
    ):
        _check_cron(option, value)
    params = None
    if seed is not None:
        catalog.world_config(preset=preset, seed=seed)
        params = GenerateWorldParams(seed=seed, preset=preset, home=str(settings.home))
    world_id = resolve_world(settings, export) if export else None
    if simulate_cron and not simulate:
        raise ConfigError("a simulate schedule needs a world (--simulate WORLD)")
    lives = (
        [
            simulate_deployment(
                home=str(settings.home),
                world_id=resolve_world(settings, simulate),
                cron=simulate_cron,
                days=simulate_days,
            )
        ]
        if simulate
        else []
    )
    if lives and params is None and world_id is None and economy is None:
        prefect_serve(*lives)
        return
    try:
        deployments = lives + build_deployments(
            home=str(settings.home),
            generate_cron=cron,
            generate_params=params,
            export_world=world_id,
            export_cron=export_cron,
            economy_world=resolve_world(settings, economy) if economy else None,
            economy_cron=economy_cron,
            economy_ticks=economy_ticks,
        )
    except ValueError as error:
        raise ConfigError(str(error)) from None
    if export_on_completion:
        _install_export_after_runs(deployments)
    prefect_serve(*deployments)


def _install_export_after_runs(deployments: list[RunnerDeployment]) -> None:
    """Register the export deployment now (serving it again keeps its id) and point the
    automation at it."""
    export = next((d for d in deployments if d.name == EXPORT_DEPLOYMENT), None)
    if export is None:
        raise ConfigError("--export-on-completion needs a world to export: --export WORLD")
    deployment_id = export.apply()  # sync-or-async; called outside an event loop: the id
    if not isinstance(deployment_id, UUID):
        raise TypeError(f"expected a deployment id, got {type(deployment_id).__name__}")
    automation = install_automation(export_after_runs(deployment_id))
    Consoles.err.print(f"automation {EXPORT_AFTER_RUNS} ({automation})")


def _check_cron(option: str, value: str | None) -> None:
    """Refuse a schedule Prefect cannot read, in one line."""
    if value is None:
        return
    try:
        CronSchedule(cron=value)
    except ValueError:
        raise ConfigError(
            f'{option} {value!r} is not a cron schedule (five fields, e.g. "0 3 * * *")'
        ) from None
