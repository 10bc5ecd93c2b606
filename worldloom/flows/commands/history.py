"""The command that makes a world live on: simulate."""

from __future__ import annotations

from typing import Annotated

import typer

from worldloom.flows.commands.app import (
    Consoles,
    HomeOption,
    app,
    command,
    finished,
    writing_settings,
)
from worldloom.flows.commands.world import resolve_world
from worldloom.flows.progress import stage_progress
from worldloom.flows.simulate import simulate as simulate_flow
from worldloom.infrastructure.store import StoreError, open_store
from worldloom.systems.world import ConfigError
from worldloom.tasks import catalog
from worldloom.tasks.history_report import check_duration, check_years
from worldloom.tasks.world_record import load_world

STORYTELLERS = ("calm", "classic", "chaotic")


@app.command()
@command
def simulate(
    world: Annotated[str, typer.Argument(help="World id (or a unique prefix of one).")],
    *,
    years: Annotated[int | None, typer.Option(help="Years to simulate.")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate.")] = None,
    until_tick: Annotated[
        int | None,
        typer.Option(help="Simulate until the world's clock reads this tick (resumes a run)."),
    ] = None,
    storyteller: Annotated[
        str | None, typer.Option(help="Chaos personality: calm | classic | chaotic.")
    ] = None,
    fresh: Annotated[
        bool,
        typer.Option(
            help="Count the days from now, even after a run of the same ones was cut short "
            "(by default that run's end is kept)."
        ),
    ] = False,
    home: HomeOption = None,
) -> None:
    """Let a world live on: its markets trade, people are born, marry and die, chaos strikes;
    every change is an event. Prints the ticks run and what was written."""
    if storyteller is not None and storyteller not in STORYTELLERS:
        raise ConfigError(f"--storyteller must be one of {', '.join(STORYTELLERS)}")
    given = [v for v in (years, days, until_tick) if v is not None]
    if len(given) != 1:
        raise ConfigError("give exactly one of --years, --days or --until-tick")
    days_per_year = catalog.calendar().days_per_year
    span = years * days_per_year if years is not None else days
    try:
        if years is not None:
            check_years(years, days_per_year=days_per_year)
        check_duration(days=span, until_tick=until_tick)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    settings = writing_settings(home)
    world_id = resolve_world(settings, world)
    # Checked before Prefect starts, so a world not ready costs no wait and changes nothing.
    with open_store(settings.world_db(world_id), read_only=True) as store:
        tick = load_world(store, world_id).tick
        # Counted, not read: a world of an older schema opens read-only unmigrated.
        if not store.next_id("population_groups", world_id, "settlement_id") or not store.next_id(
            "economy_agents", world_id, "agent_id"
        ):
            raise StoreError(
                f"world {world_id!r} has no people or no economy yet: generate it (or run its "
                "people and economy stages) before simulating"
            )
    if until_tick is not None and until_tick < tick:
        raise StoreError(f"world {world_id!r} is already at tick {tick}, past {until_tick}")
    what = f"to tick {until_tick}" if until_tick is not None else f"for {span} days"
    with stage_progress(Consoles.err, f"Simulating {world_id} {what}"):
        result = finished(
            simulate_flow(
                str(settings.home),
                world_id,
                span,
                until_tick,
                storyteller,
                fresh=fresh,
                return_state=True,
            )
        )
    typer.echo(f"world       {result.world_id}")
    typer.echo(f"ticks       {result.first_tick}-{result.tick}")
    typer.echo(f"years       {result.years_ended}")
    typer.echo(f"events      {result.events}")
    typer.echo(f"population  {result.population}")
