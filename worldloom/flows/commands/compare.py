"""`worldloom compare`: questions across many worlds, DuckDB over their latest snapshots."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import polars as pl
import typer

from worldloom.flows.commands.app import (
    Consoles,
    HomeOption,
    app,
    command,
    frame_table,
    settings_for,
)
from worldloom.flows.commands.world import id_matches
from worldloom.reader import Manifest, inspect_snapshot, verify_snapshot
from worldloom.reader.manifest import SNAPSHOT_ID_PATTERN, WORLD_ID_PATTERN
from worldloom.systems.world import ConfigError

_WORLD_ID = re.compile(WORLD_ID_PATTERN)
_SNAPSHOT_ID = re.compile(SNAPSHOT_ID_PATTERN)


class Question(StrEnum):
    """The built-in questions; `--sql` asks anything else of the same views."""

    population = "population"
    wars = "wars"
    prices = "prices"
    events = "events"
    tables = "tables"


class OutputFormat(StrEnum):
    """How answers are printed."""

    table = "table"
    csv = "csv"
    json = "json"


@dataclass(frozen=True, slots=True)
class WorldSnapshot:
    """A world's latest snapshot: where it is and its manifest (format and files checked)."""

    path: Path
    manifest: Manifest


def latest_snapshots(
    snapshots_dir: Path, worlds: list[str], *, verify: bool
) -> list[WorldSnapshot]:
    """The newest snapshot (highest tick, then latest created) of each named world, or of
    every world when `worlds` is empty; a world is named by its id or a unique prefix.

    Raises:
        ConfigError: a named world has no snapshot, or a prefix names several worlds.
        SnapshotError: a chosen snapshot is partial or tampered (checked when `verify`).
    """
    known = sorted(
        entry.name
        for entry in (snapshots_dir.iterdir() if snapshots_dir.is_dir() else [])
        if _WORLD_ID.fullmatch(entry.name) and entry.is_dir() and _snapshot_dirs(entry)
    )
    chosen = [_resolve(world, known, snapshots_dir) for world in worlds] if worlds else known
    if not chosen:
        raise ConfigError(f"no snapshots in {snapshots_dir} (generate or batch some worlds first)")
    found = []
    for world_id in dict.fromkeys(chosen):
        candidates = [
            (inspect_snapshot(path), path) for path in _snapshot_dirs(snapshots_dir / world_id)
        ]
        manifest, path = max(candidates, key=lambda pair: (pair[0].tick, pair[0].created_at))
        found.append(WorldSnapshot(path, verify_snapshot(path) if verify else manifest))
    return found


def _snapshot_dirs(world_dir: Path) -> list[Path]:
    return [
        entry
        for entry in world_dir.iterdir()
        if _SNAPSHOT_ID.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()
    ]


def _resolve(world: str, known: list[str], snapshots_dir: Path) -> str:
    matches = id_matches(world, known)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ConfigError(f"{world!r} matches several worlds: {', '.join(matches)}")
    raise ConfigError(f"no snapshot of a world {world!r} in {snapshots_dir}")


def open_views(snapshots: list[WorldSnapshot]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per table over every snapshot's Parquet file (the
    world's `world_id` and `seed` in each row), and `snapshots`: a row per world's snapshot."""
    con = duckdb.connect()
    rows = [
        (s.manifest.world_id, s.manifest.world_name, s.manifest.seed, s.manifest.preset,
         s.manifest.tick, s.manifest.snapshot_id, str(s.path))
        for s in snapshots
    ]  # fmt: skip
    con.execute(
        "CREATE TABLE snapshots (world_id VARCHAR, world_name VARCHAR, seed UBIGINT, "
        "preset VARCHAR, tick INTEGER, snapshot_id VARCHAR, path VARCHAR)"
    )
    con.executemany("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    files: dict[str, list[tuple[str, str]]] = {}
    for snapshot in snapshots:
        for name, entry in snapshot.manifest.tables.items():
            path = str(snapshot.path / entry.file)
            files.setdefault(name, []).append((path, snapshot.manifest.world_id))
    con.execute("CREATE TABLE snapshot_files (table_name VARCHAR, path VARCHAR, world_id VARCHAR)")
    con.executemany(
        "INSERT INTO snapshot_files VALUES (?, ?, ?)",
        [(name, path, world) for name, listed in files.items() for path, world in listed],
    )
    for name, listed in sorted(files.items()):
        paths = ", ".join(_literal(path) for path in (path for path, _ in listed))
        columns = {
            column
            for snapshot in snapshots
            if name in snapshot.manifest.tables
            for column in snapshot.manifest.tables[name].column_names
        }
        # The world's id and seed in every row, unless the table has them already (worlds has).
        added = [] if "world_id" in columns else ["f.world_id"]
        added += [] if "seed" in columns else ["s.seed"]
        con.execute(
            f'CREATE VIEW "{name}" AS SELECT {", ".join([*added, "t.* EXCLUDE (filename)"])} '
            f"FROM read_parquet([{paths}], union_by_name = true, filename = true) AS t "
            "JOIN snapshot_files AS f ON f.path = t.filename AND f.table_name = "
            f"{_literal(name)} JOIN snapshots AS s ON s.world_id = f.world_id"
        )
    return con


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


POPULATION_SQL = """
SELECT s.seed, s.world_id, s.tick AS day, p.settlements, p.people, n.npcs, r.regions
FROM snapshots AS s
LEFT JOIN (SELECT world_id, count(*) AS settlements,
                  sum(population)::BIGINT AS people
           FROM settlements GROUP BY world_id) AS p USING (world_id)
LEFT JOIN (SELECT world_id, count(*) AS npcs FROM npcs GROUP BY world_id) AS n USING (world_id)
LEFT JOIN (SELECT world_id, count(*) AS regions FROM regions GROUP BY world_id) AS r
    USING (world_id)
ORDER BY s.seed, s.world_id
"""
"""People per world: settlements, their people, the notable NPCs, regions."""

WAR_EVENTS = ("war_declared", "battle", "siege_begun", "settlement_occupied", "peace")
"""The history's war events counted per world (a world not yet simulated has none)."""

WARS_SQL = """
SELECT s.seed, s.world_id, s.tick AS day, f.factions, d.at_war, d.enemies, d.allies{event_columns}
FROM snapshots AS s
LEFT JOIN (SELECT world_id, count(*) AS factions FROM factions GROUP BY world_id) AS f
    USING (world_id)
LEFT JOIN (SELECT world_id, count(*) FILTER (status = 'at_war') AS at_war,
                  count(*) FILTER (status = 'enemy') AS enemies,
                  count(*) FILTER (status = 'ally') AS allies
           FROM diplomacy GROUP BY world_id) AS d USING (world_id)
{event_join}
ORDER BY s.seed, s.world_id
"""
"""Faction pairs at war, enemies and allies now; with an event log, its wars, battles,
sieges, occupations and peaces."""

PRICES_SQL = """
WITH latest AS (
    SELECT p.world_id, p.market_id, p.price / g.value AS level
    FROM market_prices AS p
    JOIN goods AS g ON g.world_id = p.world_id AND g.good = p.good
    WHERE g.value > 0
      AND p.tick = (SELECT max(tick) FROM market_prices AS q WHERE q.world_id = p.world_id)
), markets AS (
    SELECT world_id, market_id, avg(level) AS level FROM latest GROUP BY world_id, market_id
)
SELECT s.seed, s.world_id, s.tick AS day, count(m.market_id) AS markets,
       round(avg(m.level), 4) AS price_level, round(min(m.level), 4) AS cheapest_market,
       round(max(m.level), 4) AS dearest_market
FROM snapshots AS s LEFT JOIN markets AS m USING (world_id)
GROUP BY ALL ORDER BY s.seed, s.world_id
"""
"""Price levels on each world's last market day: price over the good's base value, averaged
over a market's goods, then over markets (1.0: goods sell at their base value)."""

EVENTS_SQL = """
SELECT s.seed, s.world_id, e.type, count(*) AS events
FROM events AS e JOIN snapshots AS s USING (world_id)
GROUP BY ALL ORDER BY s.seed, s.world_id, events DESC, e.type
"""
"""The event log by type, per world."""

TABLES_SQL = """
SELECT table_name, count(*) AS worlds FROM snapshot_files GROUP BY ALL ORDER BY table_name
"""
"""The views `--sql` can query, and how many of the worlds' snapshots hold each."""


def ask(con: duckdb.DuckDBPyConnection, question: Question) -> list[tuple[str, pl.DataFrame]]:
    """The titled answers to a built-in question (per world, then the spread across worlds)."""
    has_events = query(con, "SELECT * FROM snapshot_files WHERE table_name = 'events'").height > 0
    if question is Question.population:
        per_world = query(con, POPULATION_SQL)
        return [
            ("Population per seed", per_world),
            ("Population across worlds", spread(per_world, ["settlements", "people", "npcs"])),
        ]
    if question is Question.wars:
        columns = "".join(f", coalesce(e.{kind}, 0) AS {kind}" for kind in WAR_EVENTS)
        counts = ", ".join(f"count(*) FILTER (type = '{kind}') AS {kind}" for kind in WAR_EVENTS)
        join = (
            f"LEFT JOIN (SELECT world_id, {counts} FROM events GROUP BY ALL) AS e USING (world_id)"
        )
        sql = WARS_SQL.format(
            event_columns=columns if has_events else "", event_join=join if has_events else ""
        )
        per_world = query(con, sql)
        measured = ["at_war", "enemies", *(WAR_EVENTS if has_events else ())]
        return [("Wars per seed", per_world), ("Wars across worlds", spread(per_world, measured))]
    if question is Question.prices:
        per_world = query(con, PRICES_SQL)
        return [
            ("Price levels per seed", per_world),
            ("Price levels across worlds", spread(per_world, ["price_level"])),
        ]
    if question is Question.events:
        if not has_events:
            raise ConfigError("these snapshots have no event log (simulate the worlds first)")
        events = query(con, EVENTS_SQL)
        if events.is_empty():
            Consoles.err.print("no events yet: simulate the worlds to give them a history")
        return [("Events by type per seed", events)]
    return [("Views (query them with --sql)", query(con, TABLES_SQL))]


def query(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    """The rows a statement returns (none for one that returns no relation)."""
    relation = con.sql(sql)
    frame: pl.DataFrame = relation.pl() if relation is not None else pl.DataFrame()
    return frame


def spread(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """A row per measure: worlds, min, quartiles, median, max and mean across the worlds."""
    return pl.concat(
        frame.select(
            pl.lit(column).alias("measure"),
            value.count().alias("worlds"),
            value.min().alias("min"),
            value.quantile(0.25, "linear").alias("p25"),
            value.median().alias("median"),
            value.quantile(0.75, "linear").alias("p75"),
            value.max().alias("max"),
            value.mean().round(4).alias("mean"),
        )
        for column in columns
        for value in [pl.col(column).cast(pl.Float64)]
    )


def print_answer(title: str, frame: pl.DataFrame, output: OutputFormat) -> None:
    """One answer on stdout: a table, CSV (a blank line between answers) or a JSON array."""
    if output is OutputFormat.table:
        Consoles.out.print(frame_table(frame, title=title))
    elif output is OutputFormat.csv:
        sys.stdout.write(frame.write_csv())
    else:
        sys.stdout.write(json.dumps(frame.to_dicts(), default=str) + "\n")
    sys.stdout.flush()


@app.command()
@command
def compare(
    worlds: Annotated[
        list[str] | None,
        typer.Argument(
            help="World ids (or unique prefixes); default: every world with a snapshot."
        ),
    ] = None,
    *,
    all_: Annotated[bool, typer.Option("--all", help="Every world with a snapshot.")] = False,
    question: Annotated[
        Question, typer.Option(help="population | wars | prices | events | tables.")
    ] = Question.population,
    sql: Annotated[
        str | None,
        typer.Option(
            help="Any DuckDB query over a view per snapshot table (each row with its world_id "
            "and seed) and `snapshots` (a row per world); overrides --question."
        ),
    ] = None,
    format_: Annotated[
        OutputFormat, typer.Option("--format", help="table | csv | json.")
    ] = OutputFormat.table,
    verify: Annotated[
        bool, typer.Option(help="Check every file's checksum first (slower for many worlds).")
    ] = False,
    home: HomeOption = None,
) -> None:
    """Answer a question across many worlds with DuckDB over their latest snapshots: the
    spread of population, wars or price levels per seed, the event log by type, or any SQL."""
    if all_ and worlds:
        raise ConfigError("give world ids or --all, not both")
    settings = settings_for(home)
    snapshots = latest_snapshots(settings.snapshots_dir, worlds or [], verify=verify)
    with open_views(snapshots) as con:
        if sql is None:
            answers = ask(con, question)
        else:
            try:
                answers = [("Query", query(con, sql))]
            except duckdb.Error as error:
                first = str(error).strip().splitlines()[0]
                raise ConfigError(f"--sql failed: {first}") from None
    for title, frame in answers:
        print_answer(title, frame, format_)
