"""The `worldloom` commands: generate, enrich, export, worlds, report, snapshot, llm, serve."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tomllib
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import polars as pl
import typer
from prefect import serve as prefect_serve
from rich.console import Console
from rich.table import Column, Table

from worldloom.flows.deployments import build_deployments
from worldloom.flows.generate import (
    economy_flow,
    enrich_world,
    export_snapshot_flow,
    generate_world,
)
from worldloom.flows.params import GenerateWorldParams
from worldloom.flows.progress import stage_progress
from worldloom.infrastructure.analytics import format_number, summarize_llm_calls
from worldloom.infrastructure.llm import EmbeddedModelError, ProviderConfigError, parse_provider
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.snapshot import SnapshotError, inspect_snapshot, verify_snapshot
from worldloom.infrastructure.store import StoreError, UnknownWorldError, open_store
from worldloom.systems.world import ConfigError
from worldloom.tasks import catalog
from worldloom.tasks.prose import gateway_for
from worldloom.tasks.report import economy_summary, people_summary, world_summary
from worldloom.tasks.world import load_world

app = typer.Typer(
    help="Generate RPG worlds as Prefect flows, store them in DuckDB, export verified snapshots.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
snapshot_app = typer.Typer(help="Check and describe exported snapshots.", no_args_is_help=True)
app.add_typer(snapshot_app, name="snapshot")
llm_app = typer.Typer(help="The LLM provider and the calls worlds made.", no_args_is_help=True)
app.add_typer(llm_app, name="llm")

out = Console()
err = Console(stderr=True)

USER_ERRORS = (ConfigError, StoreError, SnapshotError, ProviderConfigError, EmbeddedModelError)
"""Mistakes a user can fix (bad value, unknown world, locked file, bad snapshot): exit 2."""

P = ParamSpec("P")
R = TypeVar("R")

LLM_HELP = "none | embedded | ollama/MODEL | openai/MODEL (default: $WORLDLOOM_LLM or none)."

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Worldloom home (default: $WORLDLOOM_HOME or ~/.worldloom)."),
]


def command(function: Callable[P, R]) -> Callable[P, R]:
    """Map user errors to one line and exit 2, internal failures to exit 1."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except USER_ERRORS as error:
            err.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            err.print(f"[red]internal error:[/red] {type(error).__name__}: {error}")
            raise typer.Exit(1) from None

    return run


def settings_for(home: Path | None) -> Settings:
    return Settings(home=home.expanduser().resolve()) if home else Settings()


@app.command()
@command
def generate(
    *,
    seed: Annotated[int, typer.Option(help="World seed (same seed + config = same world).")],
    preset: Annotated[str, typer.Option(help="tiny | small | medium | large.")] = "small",
    name: Annotated[
        str | None, typer.Option(help="World name (default: drawn from the seed).")
    ] = None,
    llm: Annotated[
        str | None, typer.Option(help="LLM provider: none (default: $WORLDLOOM_LLM).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a config value, e.g. --set terrain.cells=5000."),
    ] = None,
    economy_ticks: Annotated[
        int, typer.Option(help="Days of economy burn-in before export.", min=0, max=3650)
    ] = 60,
    home: HomeOption = None,
) -> None:
    """Generate a world and export its snapshot; prints the world id and snapshot path."""
    settings = settings_for(home)
    provider = llm or settings.llm
    parse_provider(provider)
    overrides = parse_overrides(set_ or [])
    # Checked here, before Prefect starts, so a bad value costs no wait; the flow plans the world.
    catalog.world_config(preset=preset, seed=seed, overrides=overrides)
    params = GenerateWorldParams(
        seed=seed,
        preset=preset,
        name=name,
        overrides=overrides,
        home=str(settings.home),
        llm=provider,
        economy_ticks=economy_ticks,
    )
    with stage_progress(err, f"Generating a {preset} world, seed {seed}"):
        result = generate_world(params)
    # Plain lines, never wrapped: scripts read these.
    typer.echo(f"world     {result.world_id}")
    typer.echo(f"name      {result.name}")
    typer.echo(f"database  {result.database}")
    typer.echo(f"snapshot  {result.snapshot}")


@app.command()
@command
def economy(
    world: Annotated[str, typer.Argument(help="World id (or a unique prefix of one).")],
    ticks: Annotated[int, typer.Option(help="Days to simulate.", min=1, max=3650)] = 30,
    home: HomeOption = None,
) -> None:
    """Advance a world's economy (markets, caravans) by some days; prints the rows written."""
    settings = settings_for(home)
    world_id = resolve_world(settings, world)
    with stage_progress(err, f"Running the economy of {world_id} for {ticks} days"):
        written = economy_flow(str(settings.home), world_id, ticks)
    for table in ("markets", "market_prices", "trades", "caravans"):
        typer.echo(f"{table:<14}{written.get(table, 0)}")


@app.command()
@command
def export(
    world: Annotated[str, typer.Argument(help="World id (or a unique prefix of one).")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Snapshots folder (default: $HOME/snapshots).")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Export a world's current state as a snapshot; prints its path."""
    settings = settings_for(home)
    world_id = resolve_world(settings, world)
    target = str(out_dir.expanduser().resolve()) if out_dir else None
    with stage_progress(err, f"Exporting {world_id}"):
        path = export_snapshot_flow(str(settings.home), world_id, target)
    typer.echo(path)


@app.command()
@command
def enrich(
    world: Annotated[str, typer.Argument(help="World id (or a unique prefix of one).")],
    llm: Annotated[str | None, typer.Option(help=LLM_HELP)] = None,
    home: HomeOption = None,
) -> None:
    """Rewrite a world's region names, descriptions and lore through an LLM; export again."""
    settings = settings_for(home)
    provider = llm or settings.llm
    parse_provider(provider)
    world_id = resolve_world(settings, world)
    with stage_progress(err, f"Writing prose for {world_id} with {provider}"):
        path = enrich_world(str(settings.home), world_id, provider)
    typer.echo(path)


@llm_app.command("status")
@command
def llm_status(
    llm: Annotated[str | None, typer.Option(help=LLM_HELP)] = None,
    home: HomeOption = None,
) -> None:
    """Is the provider reachable; what is cached; how did recorded calls end?"""
    settings = settings_for(home)
    with (
        stage_progress(err, "Probing the LLM provider"),
        gateway_for(settings, llm or settings.llm) as gateway,
    ):
        status = gateway.status(probe_timeout_s=5.0)
    table = Table("", "", title="LLM provider", show_header=False)
    for label, value in status.describe()[:5]:
        table.add_row(label, value)
    out.print(table)
    calls = [
        read_world_table(settings, world_id, "llm_calls") for world_id in known_worlds(settings)
    ]
    history = Table("", "", title="Recorded calls (all worlds)", show_header=False)
    frames = [frame for frame in calls if frame is not None]
    for label, value in summarize_llm_calls(
        pl.concat(frames) if frames else pl.DataFrame()
    ).items():
        history.add_row(label, value)
    out.print(history)


@app.command()
@command
def worlds(home: HomeOption = None) -> None:
    """List the worlds in the home folder."""
    settings = settings_for(home)
    table = Table("name", "preset", "seed", "cells", "regions", "last run")
    table.columns.insert(0, Column("world", no_wrap=True))  # ids are copied into commands
    for world_id in known_worlds(settings):
        try:
            with open_store(settings.world_db(world_id), read_only=True, wait_s=0) as store:
                record = load_world(store, world_id)
                counts = store.row_counts(world_id)
                runs = store.read("runs", world_id).sort("started_at")
            last = runs.row(-1, named=True) if runs.height else None
            table.add_row(
                world_id,
                record.name,
                record.config.preset,
                str(record.config.seed),
                f"{counts['cells']:,}",
                f"{counts['regions']:,}",
                f"{last['flow']} {last['status']}" if last else "-",
            )
        except StoreError as error:
            table.add_row(world_id, "-", "-", "-", "-", "-", f"unavailable: {error}")
    out.print(table if table.row_count else f"no worlds in {settings.worlds_dir}")


@app.command()
@command
def report(
    world: Annotated[str, typer.Argument(help="World id (or a unique prefix of one).")],
    home: HomeOption = None,
) -> None:
    """Summarise a world: headline figures, area by biome, regions."""
    settings = settings_for(home)
    world_id = resolve_world(settings, world)
    name, summary = world_summary(str(settings.home), world_id)
    overview = Table("figure", "value", title=f"{name} ({world_id})")
    for key, value in summary.overview.items():
        overview.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    out.print(overview)
    if summary.lore:
        out.print(summary.lore, style="italic")
    out.print(frame_table(summary.biome_area, title="Area by biome"))
    out.print(frame_table(summary.regions, title="Regions"))
    people = people_summary(str(settings.home), world_id)
    if people is not None:
        out.print(frame_table(people.pyramid, title="Population pyramid"))
        out.print(frame_table(people.cultures, title="Cultures"))
        out.print(frame_table(people.religions, title="Religions"))
        out.print(frame_table(people.factions, title="Strongest factions"))
    economy = economy_summary(str(settings.home), world_id)
    if economy is not None:
        out.print(frame_table(economy.trade, title="Trade"))
        out.print(frame_table(economy.professions.head(12), title="Professions (last day)"))
        out.print(frame_table(economy.shortages.head(10), title="Shortages (last day)"))
        out.print(frame_table(economy.volatility.head(10), title="Most volatile prices"))


@snapshot_app.command("verify")
@command
def snapshot_verify(path: Annotated[Path, typer.Argument(help="Snapshot folder.")]) -> None:
    """Verify a snapshot's format version and every checksum; exit 2 if anything is off."""
    manifest = verify_snapshot(path)
    rows = sum(entry.rows for entry in manifest.tables.values())
    out.print(
        f"[green]ok[/green] {path}: {len(manifest.tables)} tables, {rows:,} rows, "
        f"format {manifest.format} v{manifest.format_version}",
        highlight=False,
    )


@snapshot_app.command("inspect")
@command
def snapshot_inspect(path: Annotated[Path, typer.Argument(help="Snapshot folder.")]) -> None:
    """Describe a snapshot from its manifest (use `verify` to check its contents)."""
    manifest = inspect_snapshot(path)
    head = Table("field", "value", title=f"snapshot {manifest.snapshot_id}")
    for field in (
        "world_id",
        "world_name",
        "seed",
        "preset",
        "tick",
        "config_hash",
        "code_version",
        "format_version",
        "created_at",
    ):
        head.add_row(field, str(getattr(manifest, field)))
    out.print(head)
    tables = Table("table", "rows", "columns", "sha256", title="tables")
    for table_name, entry in sorted(manifest.tables.items()):
        tables.add_row(table_name, f"{entry.rows:,}", str(len(entry.columns)), entry.sha256[:16])
    out.print(tables)


@app.command()
@command
def server(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 4200,
    home: HomeOption = None,
) -> None:
    """Run a local Prefect server and its UI on 127.0.0.1 (Ctrl-C stops it)."""
    settings_for(home)  # validates the home option; PREFECT_HOME was set from it at start-up
    prefect = Path(sys.executable).with_name("prefect")
    url = f"http://127.0.0.1:{port}"
    err.print(f"Prefect UI at {url}  ·  point runs at it: export PREFECT_API_URL={url}/api")
    completed = subprocess.run(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)], check=False
    )
    raise typer.Exit(completed.returncode)


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
    home: HomeOption = None,
) -> None:
    """Register the flows as scheduled deployments and run them (needs PREFECT_API_URL)."""
    settings = settings_for(home)
    if not os.environ.get("PREFECT_API_URL"):
        raise ConfigError(
            "serve needs a Prefect server: start `worldloom server`, then "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    params = None
    if seed is not None:
        catalog.world_config(preset=preset, seed=seed)
        params = GenerateWorldParams(seed=seed, preset=preset, home=str(settings.home))
    world_id = resolve_world(settings, export) if export else None
    try:
        deployments = build_deployments(
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
    prefect_serve(*deployments)


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """`key=value` pairs; values are read as TOML (numbers, booleans, strings)."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set needs key=value, got {item!r}")
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        overrides[key.strip()] = value
    return overrides


def known_worlds(settings: Settings) -> list[str]:
    return sorted(path.stem for path in settings.worlds_dir.glob("*.duckdb"))


def resolve_world(settings: Settings, world: str) -> str:
    """A world id from an id or a unique prefix (raises `UnknownWorldError`)."""
    known = known_worlds(settings)
    if world in known:
        return world
    matches = [world_id for world_id in known if world_id.startswith(world)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownWorldError(f"{world!r} matches several worlds: {', '.join(matches)}")
    listed = ", ".join(known) if known else "none yet"
    raise UnknownWorldError(f"unknown world {world!r} in {settings.worlds_dir} (known: {listed})")


def read_world_table(settings: Settings, world_id: str, table: str) -> pl.DataFrame | None:
    """A world's table, or None when its file is busy or unreadable (a listing skips it)."""
    try:
        with open_store(settings.world_db(world_id), read_only=True, wait_s=0) as store:
            return store.read(table, world_id)
    except StoreError:
        return None


def frame_table(frame: Any, *, title: str) -> Table:
    table = Table(*frame.columns, title=title)
    for row in frame.iter_rows():
        table.add_row(*(format_number(v) for v in row))
    return table
