"""The commands about worlds: generate, economy, export, enrich, worlds, report; and how a
world is named on the command line (an id or a unique prefix)."""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.table import Column, Table

from worldloom.flows.commands.api import USAGE_REPORT, print_usage
from worldloom.flows.commands.app import (
    LLM_HELP,
    Consoles,
    EconomyTicksOption,
    HomeOption,
    OverridesOption,
    PresetOption,
    app,
    command,
    finished,
    frame_table,
    plain,
    settings_for,
    writing_settings,
)
from worldloom.flows.commands.failure import check_writable
from worldloom.flows.commands.timeline import print_history, print_stories
from worldloom.flows.generate import (
    advance_economy,
    enrich_world,
    export_snapshot_flow,
    generate_world,
)
from worldloom.flows.params import GenerateWorldParams
from worldloom.flows.progress import stage_progress
from worldloom.flows.runners import LOCAL, RUNNER_HELP, parse_runner
from worldloom.flows.warm_server import flow_api
from worldloom.infrastructure.llm import parse_provider
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import StoreError, UnknownWorldError, open_store
from worldloom.runtime.export import export_json, export_sqlite
from worldloom.runtime.export.rows import export_copy
from worldloom.systems.world import ConfigError, check_world_name
from worldloom.tasks import catalog
from worldloom.tasks.report import economy_summary, gear_summary, people_summary, world_summary
from worldloom.tasks.world_record import load_world
from worldloom.tasks.yarn_scripts import verify_yarn, write_yarn


class ExportFormat(StrEnum):
    """What `export` writes: the Parquet snapshot, or an engine-friendly copy of it."""

    parquet = "parquet"
    sqlite = "sqlite"
    json = "json"
    yarn = "yarn"


@app.command()
@command
def generate(
    *,
    seed: Annotated[int, typer.Option(help="World seed (same seed + config = same world).")],
    preset: PresetOption = "small",
    name: Annotated[
        str | None, typer.Option(help="World name (default: drawn from the seed).")
    ] = None,
    llm: Annotated[str | None, typer.Option(help=LLM_HELP)] = None,
    set_: OverridesOption = None,
    economy_ticks: EconomyTicksOption = 60,
    runner: Annotated[
        str, typer.Option(help=f"Where the stages' batches run: {RUNNER_HELP}.")
    ] = LOCAL,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Start over. By default a run of the same arguments that was cut short "
            "(killed, or failed) is resumed from its last finished task.",
        ),
    ] = False,
    home: HomeOption = None,
) -> None:
    """Generate a world and export its snapshot; prints the world id and snapshot path."""
    settings = settings_for(home)
    provider = llm or settings.llm
    parse_provider(provider)
    try:
        chosen = parse_runner(runner)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    overrides = parse_overrides(set_ or [])
    # Checked here, before Prefect starts, so a bad value costs no wait; the flow plans the world.
    catalog.world_config(preset=preset, seed=seed, overrides=overrides)
    if name is not None:
        check_world_name(name)
    check_writable(settings.home, what="home")
    params = GenerateWorldParams(
        seed=seed,
        preset=preset,
        name=name,
        overrides=overrides,
        home=str(settings.home),
        llm=provider,
        economy_ticks=economy_ticks,
        runner=chosen,
        fresh=fresh,
    )
    title = f"Generating a {preset} world, seed {seed}"
    with flow_api(chosen), stage_progress(Consoles.err, title):
        result = finished(generate_world(params, return_state=True))
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
    """Advance a world's economy (markets, caravans) by some days, then make its gear again at
    the new prices and holdings; prints the rows written."""
    settings = writing_settings(home)
    world_id = resolve_world(settings, world)
    title = f"Running the economy of {world_id} for {ticks} days, then its gear"
    with stage_progress(Consoles.err, title):
        written = finished(advance_economy(str(settings.home), world_id, ticks, return_state=True))
    for table in ("markets", "market_prices", "trades", "caravans", "merchant_stock"):
        typer.echo(f"{table:<15}{written.get(table, 0)}")


@app.command()
@command
def export(
    world: Annotated[str, typer.Argument(help="World id (or a unique prefix of one).")],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Snapshots folder (default: $HOME/snapshots); for sqlite, json and yarn, the "
            "export's folder (default: $HOME/exports).",
        ),
    ] = None,
    format_: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="parquet: the snapshot; sqlite: one SQLite file of it; json: a JSON file "
            "per table; yarn: the notables' dialogue as Yarn Spinner scripts. Each is verified "
            "after it is written.",
        ),
    ] = ExportFormat.parquet,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Publish the snapshot on shared storage too: s3://bucket/prefix (needs "
            "worldloom[s3]; credentials and endpoint from the AWS environment) or file:///path; "
            "prints its URL.",
        ),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Export a world's current state as a snapshot (or an SQLite, JSON or Yarn copy); prints
    its path (or URL)."""
    settings = writing_settings(home)
    world_id = resolve_world(settings, world)
    target = out_dir.expanduser().resolve() if out_dir else None
    if target is not None:
        check_writable(target, what="--out")
    engine_copy = format_ is not ExportFormat.parquet
    if to is not None and (engine_copy or target is not None):
        raise ConfigError("--to publishes the parquet snapshot: give it without --out or --format")
    with stage_progress(Consoles.err, f"Exporting {world_id}"):
        out = str(target) if target and not engine_copy else None
        path = finished(
            export_snapshot_flow(str(settings.home), world_id, out, to, return_state=True)
        )
    if engine_copy:
        folder = target or settings.home / "exports"
        write = {
            ExportFormat.sqlite: export_sqlite,
            ExportFormat.json: export_json,
            ExportFormat.yarn: export_yarn,
        }[format_]
        Consoles.err.print(plain(f"snapshot {path}"))
        typer.echo(write(Path(path), folder))
        return
    typer.echo(path)


def export_yarn(snapshot: Path, out_dir: Path) -> Path:
    """`<out_dir>/<world_id>/<snapshot_id>-yarn/`: the snapshot's dialogue as Yarn scripts."""
    return export_copy(snapshot, out_dir, suffix="-yarn", write=write_yarn, verify=verify_yarn)


@app.command()
@command
def enrich(
    world: Annotated[str, typer.Argument(help="World id (or a unique prefix of one).")],
    llm: Annotated[str | None, typer.Option(help=LLM_HELP)] = None,
    home: HomeOption = None,
) -> None:
    """Rewrite a world's region names, descriptions and lore through an LLM; export again."""
    settings = writing_settings(home)
    provider = llm or settings.llm
    parse_provider(provider)
    world_id = resolve_world(settings, world)
    with stage_progress(Consoles.err, f"Writing prose for {world_id} with {provider}"):
        path = finished(enrich_world(str(settings.home), world_id, provider, return_state=True))
    typer.echo(path)


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
                plain(record.name),
                record.config.preset,
                str(record.config.seed),
                plain(counts["cells"]),
                plain(counts["regions"]),
                f"{last['flow']} {last['status']}" if last else "-",
            )
        except StoreError as error:
            table.add_row(world_id, "-", "-", "-", "-", "-", plain(f"unavailable: {error}"))
    Consoles.out.print(table if table.row_count else plain(f"no worlds in {settings.worlds_dir}"))


@app.command()
@command
def report(
    world: Annotated[
        str,
        typer.Argument(
            help="World id (or a unique prefix of one); `usage` for the API's usage (24 h)."
        ),
    ],
    home: HomeOption = None,
) -> None:
    """Summarise a world: headline figures, area by biome, regions, people, the economy's
    health by year, and its history once it has lived (timeline, top events, wars) and the
    stories told of it (arcs, themes, quests, rumors)."""
    if world == USAGE_REPORT:
        print_usage(home, hours=24.0)
        return
    settings = settings_for(home)
    world_id = resolve_world(settings, world)
    name, summary = world_summary(str(settings.home), world_id)
    overview = Table("figure", "value", title=f"{name} ({world_id})")
    for key, value in summary.overview.items():
        overview.add_row(key, plain(value))
    Consoles.out.print(overview)
    if summary.lore:
        Consoles.out.print(plain(summary.lore), style="italic")
    Consoles.out.print(frame_table(summary.biome_area, title="Area by biome"))
    Consoles.out.print(frame_table(summary.regions, title="Regions"))
    people = people_summary(str(settings.home), world_id)
    if people is not None:
        Consoles.out.print(frame_table(people.pyramid, title="Population pyramid"))
        Consoles.out.print(frame_table(people.cultures, title="Cultures"))
        Consoles.out.print(frame_table(people.religions, title="Religions"))
        Consoles.out.print(frame_table(people.factions, title="Strongest factions"))
    economy = economy_summary(str(settings.home), world_id)
    if economy is not None:
        Consoles.out.print(frame_table(economy.health, title="Economy health by year"))
        Consoles.out.print(frame_table(economy.trade, title="Trade"))
        Consoles.out.print(
            frame_table(economy.professions.head(12), title="Professions (last day)")
        )
        Consoles.out.print(frame_table(economy.shortages.head(10), title="Shortages (last day)"))
        Consoles.out.print(frame_table(economy.volatility.head(10), title="Most volatile prices"))
    gear = gear_summary(str(settings.home), world_id)
    if gear is not None:
        Consoles.out.print(frame_table(gear.loot_by_danger, title="Loot by danger (copper a room)"))
        Consoles.out.print(
            frame_table(gear.encounters_by_danger, title="Encounter difficulty by danger")
        )
        Consoles.out.print(frame_table(gear.sites.head(10), title="Most dangerous sites"))
        Consoles.out.print(frame_table(gear.professions.head(12), title="Professions at arms"))
    print_history(str(settings.home), world_id)
    print_stories(str(settings.home), world_id)


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


def id_matches(given: str, known: list[str]) -> list[str]:
    """The ids `given` names: itself if known, else every known id it is a prefix of."""
    return [given] if given in known else [id_ for id_ in known if id_.startswith(given)]


def resolve_world(settings: Settings, world: str) -> str:
    """A world id from an id or a unique prefix (raises `UnknownWorldError`)."""
    known = known_worlds(settings)
    matches = id_matches(world, known)
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
