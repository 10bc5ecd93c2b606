"""The CLI on a real world: what each command prints, what it changes on disk, how it fails."""

from __future__ import annotations

import importlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
import typer
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import PREFECT_API_URL
from rich.table import Table
from typer.core import TyperGroup
from typer.testing import CliRunner, Result

from tests.processes import held_for_writing
from worldloom.flows import commands
from worldloom.flows.commands import app, parse_overrides, resolve_world
from worldloom.flows.commands.app import ResultConsole
from worldloom.flows.generate import generate_world
from worldloom.flows.params import GenerateWorldParams
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import UnknownWorldError, open_store
from worldloom.systems.world import ConfigError
from worldloom.tasks import catalog
from worldloom.tasks.stages import STAGE_TABLES

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

runner = CliRunner()

BURN_IN = 5
"""Economy days of the module's world, so a later `economy` run is seen to add to them."""


@dataclass(frozen=True, slots=True)
class World:
    """The module's generated world: its home, id, name and snapshot folder."""

    home: Path
    world_id: str
    name: str
    snapshot: Path

    @property
    def database(self) -> Path:
        return Settings(home=self.home).world_db(self.world_id)


@pytest.fixture(scope="module")
def world(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> World:
    home = tmp_path_factory.mktemp("cli-home")
    result = generate_world(
        GenerateWorldParams(seed=23, preset="tiny", home=str(home), economy_ticks=BURN_IN)
    )
    return World(home, result.world_id, result.name, Path(result.snapshot))


@pytest.fixture
def world_copy(world: World, home: Path) -> str:
    """The module's world copied into an empty home, for a test that changes or locks it."""
    target = Settings(home=home).world_db(world.world_id)
    target.parent.mkdir(parents=True)
    shutil.copyfile(world.database, target)
    return world.world_id


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def table_rows(output: str) -> list[list[str]]:
    """The body rows of every rich table in `output`, as stripped cell texts."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def only_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


# -- the command wrapper ----------------------------------------------------------------------


def test_an_unexpected_failure_is_an_internal_error_after_its_traceback(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable_home(settings: Settings) -> list[str]:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(commands.world, "known_worlds", unreadable_home)
    result = invoke("worlds", "--home", str(home))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback (most recent call last)" in result.stderr
    assert "in unreadable_home" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "internal error: RuntimeError: the disk is on fire"
    )


@pytest.mark.parametrize("after_ctrl_c", [True, False])
def test_ctrl_c_exits_130_whatever_error_it_surfaced_as(
    after_ctrl_c: bool, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted_query(settings: Settings) -> list[str]:
        raise RuntimeError("Query interrupted")  # DuckDB's, when Ctrl-C lands in a query

    monkeypatch.setattr(commands.world, "known_worlds", interrupted_query)
    wrapper = importlib.import_module("worldloom.flows.commands.app")  # not the Typer app
    monkeypatch.setattr(wrapper, "interrupted", lambda: after_ctrl_c)
    result = invoke("worlds", "--home", str(home))
    if not after_ctrl_c:  # the same error without Ctrl-C is a bug of ours
        assert result.exit_code == 1
        return
    assert result.exit_code == 130
    assert "Traceback" not in result.stderr
    assert only_line(result.stderr) == (
        "interrupted: stopped by Ctrl-C; what completed is kept (run the command again to go on)"
    )


def test_ctrl_c_in_a_command_exits_130(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def stopped(settings: Settings) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands.world, "known_worlds", stopped)
    result = invoke("worlds", "--home", str(home))
    assert result.exit_code == 130
    assert only_line(result.stderr).startswith("interrupted: stopped by Ctrl-C")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["economy", "atlantis"], "unknown world 'atlantis'"),
        (["economy", "atlantis", "--ticks", "0"], "--ticks"),
    ],
)
def test_economy_user_errors_exit_2(args: list[str], message: str, home: Path) -> None:
    result = invoke(*args, "--home", str(home))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_value_that_looks_like_markup_is_still_a_one_line_user_error(home: Path) -> None:
    result = invoke("generate", "--seed", "1", "--set", "[/x]", "--home", str(home))
    assert result.exit_code == 2
    assert only_line(result.stderr) == "error: --set needs key=value, got '[/x]'"


def test_an_error_names_a_path_with_brackets_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "[old]" / "snap"
    result = invoke("snapshot", "inspect", str(path))
    assert result.exit_code == 2
    assert only_line(result.stderr) == f"error: {path}: no snapshot folder here"


def test_version_names_the_package_and_the_code(home: Path) -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert re.fullmatch(
        r"worldloom \d+\.\d+\.\d+\+(git\.[0-9a-f]{12}\.)?src\.[0-9a-f]{8}\.lock\.[0-9a-f]{8}\n",
        result.stdout,
    )


def test_every_command_s_summary_in_the_help_is_on_one_line() -> None:
    # `--help` lists each command with its docstring's first paragraph, and Typer's rich mode
    # keeps that paragraph's line breaks (which then cut its sentences mid-line).
    def summaries(group: TyperGroup, path: str) -> dict[str, str]:
        found = {}
        for name, command in group.commands.items():
            if isinstance(command, TyperGroup):
                found |= summaries(command, f"{path}{name} ")
            else:
                found[path + name] = (command.help or "").split("\n\n")[0]
        return found

    listed = summaries(typer.main.get_group(app), "")
    assert {"generate", "simulate", "report", "server stop", "snapshot verify"} <= set(listed)
    assert {name: text for name, text in listed.items() if not text or "\n" in text} == {}
    # The paragraphs after the first keep their lines (they are the command's own help).
    generate = typer.main.get_group(app).commands["generate"]
    assert generate.help is not None
    assert generate.help.startswith("Generate a world and export its snapshot")


def test_generate_help_names_every_provider() -> None:
    said = " ".join(invoke("generate", "--help").output.replace("│", " ").split())
    assert "none | embedded | ollama/MODEL | openai/MODEL" in said


def test_with_a_server_a_run_names_its_page_in_the_ui(
    world_copy: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    result = invoke("export", world_copy, "--out", str(tmp_path / "out"), "--home", str(home))
    assert result.exit_code == 0, result.output
    page = r"Prefect run: http://127\.0\.0\.1:\d+/runs/flow-run/[0-9a-f-]{36}"
    assert re.search(page, result.stderr) is not None, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(tmp_path / "out")


# -- economy, worlds, report ----------------------------------------------------------------


def test_economy_advances_a_world_remakes_its_gear_and_prints_the_rows_it_now_holds(
    world_copy: str, home: Path
) -> None:
    database = Settings(home=home).world_db(world_copy)
    with open_store(database, read_only=True) as store:
        before = store.read("market_prices", world_copy)
        stock_before = store.read("merchant_stock", world_copy)

    result = invoke("economy", world_copy[:6], "--ticks", "3", "--home", str(home))

    assert result.exit_code == 0, result.output
    printed = {table: int(rows) for table, rows in map(str.split, result.stdout.splitlines())}
    assert list(printed) == ["markets", "market_prices", "trades", "caravans", "merchant_stock"]
    with open_store(database, read_only=True) as store:
        after = store.read("market_prices", world_copy)
        counts = store.row_counts(world_copy)
        runs = store.read("runs", world_copy)
        agents = store.read("economy_agents", world_copy)
        stock = store.read("merchant_stock", world_copy)
        assert store.dangling_references(world_copy) == {}
    assert printed == {table: counts[table] for table in printed}
    assert before["tick"].max() == BURN_IN - 1
    assert after["tick"].max() == BURN_IN + 2
    assert after.height == before.height // BURN_IN * (BURN_IN + 3)
    economy, gear = (
        runs.filter(pl.col("flow") == flow).sort("started_at").row(-1, named=True)
        for flow in ("economy", "gear")
    )
    assert (economy["status"], json.loads(economy["parameters_json"])) == (
        "completed",
        {"ticks": 3},
    )
    # The gear stage ran after the economy (which cleared it): every table is back, and the
    # merchants hold the economy's new holdings, not the ones of the burn-in.
    assert gear["status"] == "completed"
    assert gear["started_at"] >= economy["finished_at"]
    assert all(counts[table] > 0 for table in STAGE_TABLES["gear"])
    held = (
        agents.filter(pl.col("market") >= 0)
        .explode("slot_good", "slot_qty")
        .filter(pl.col("slot_good") >= 0)
        .group_by(pl.col("market").cast(pl.Int64).alias("market_id"))
        .agg(pl.col("slot_qty").sum().cast(pl.Int64).alias("qty"))
        .sort("market_id")
    )

    def per_market(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.group_by(pl.col("market_id").cast(pl.Int64))
            .agg(pl.col("qty").sum().cast(pl.Int64))
            .sort("market_id")
        )

    assert per_market(stock).equals(held.filter(pl.col("qty") > 0))
    assert not per_market(stock).equals(per_market(stock_before))


def test_worlds_lists_a_world_with_its_figures_and_last_run(world: World) -> None:
    result = invoke("worlds", "--home", str(world.home))
    with open_store(world.database, read_only=True) as store:
        counts = store.row_counts(world.world_id)
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [
        [
            world.world_id,
            world.name,
            "tiny",
            "23",
            f"{counts['cells']:,}",
            f"{counts['regions']:,}",
            "export-snapshot completed",
        ]
    ]


def test_results_to_a_pipe_or_file_keep_each_row_on_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def printed(console: ResultConsole) -> list[str]:
        table = Table("world", "last run")
        table.add_row("a-world", "unavailable: " + "locked by another process " * 4)
        console.print(table)
        assert isinstance(console.file, io.StringIO)
        return console.file.getvalue().splitlines()

    monkeypatch.setenv("COLUMNS", "40")  # a terminal's width: not a pipe's
    [row] = table_rows("\n".join(printed(ResultConsole(file=io.StringIO()))))
    assert row == ["a-world", "unavailable: " + ("locked by another process " * 4).strip()]
    assert len(table_rows("\n".join(printed(ResultConsole(file=io.StringIO(), width=40))))) > 1
    sized = ResultConsole(file=io.StringIO())
    sized.size = (40, 10)
    assert sized.size == (40, 10)
    assert max(len(line) for line in printed(sized)) == 40
    narrowed = ResultConsole(file=io.StringIO())
    narrowed.width = 40
    assert narrowed.size == (40, narrowed.height)
    assert max(len(line) for line in printed(narrowed)) == 40


def test_worlds_marks_a_world_another_process_holds_as_unavailable(
    world_copy: str, home: Path, world: World
) -> None:
    database = Settings(home=home.resolve()).world_db(world_copy)
    with held_for_writing(database) as pid:
        busy = invoke("worlds", "--home", str(home))
    assert busy.exit_code == 0, busy.output
    [row] = table_rows(busy.stdout)
    assert row[:6] == [world_copy, "-", "-", "-", "-", "-"]
    assert row[6].startswith(f"unavailable: world database {database} is locked by another")
    assert f"(PID {pid})" in row[6]

    free = invoke("worlds", "--home", str(home))
    assert [row[:2] for row in table_rows(free.stdout)] == [[world_copy, world.name]]


def test_report_shows_the_land_the_people_and_the_economy(world: World) -> None:
    result = invoke("report", world.world_id[:4], "--home", str(world.home))
    assert result.exit_code == 0, result.output
    titles = [
        f"{world.name} ({world.world_id})",
        "Area by biome",
        "Regions",
        "Population pyramid",
        "Cultures",
        "Religions",
        "Strongest factions",
        "Trade",
        "Professions (last day)",
        "Shortages (last day)",
        "Most volatile prices",
    ]
    positions = [result.stdout.find(title) for title in titles]
    assert -1 not in positions
    assert positions == sorted(positions)

    with open_store(world.database, read_only=True) as store:
        counts = store.row_counts(world.world_id)
        regions = set(store.read("regions", world.world_id)["name"])
        cultures = set(store.read("cultures", world.world_id)["name"])
        people = int(store.read("population_groups", world.world_id)["count"].sum())
        lore = str(store.read("worlds", world.world_id)["lore"][0])
    assert lore in result.stdout
    rows = table_rows(result.stdout)
    first_cells = {row[0] for row in rows}
    assert ["cells", f"{counts['cells']:,}"] in rows
    assert regions <= {row[1] for row in rows if len(row) > 1}
    assert cultures <= first_cells
    bands = {band.key for band in catalog.character_table().age_bands}
    pyramid = [row for row in rows if row[0] in bands]
    assert len(pyramid) == len(bands)
    assert sum(int(cell.replace(",", "")) for row in pyramid for cell in row[1:]) == people


def test_report_of_a_world_without_people_or_economy_shows_only_the_land(
    world_copy: str, home: Path
) -> None:
    """As a generation that failed in the people stage leaves it."""
    with duckdb.connect(str(Settings(home=home).world_db(world_copy))) as connection:
        [(lore,)] = connection.execute("SELECT lore FROM worlds").fetchall()
        connection.execute("DELETE FROM population_groups")
        connection.execute("DELETE FROM market_prices")
        connection.execute("UPDATE worlds SET lore = ''")
    result = invoke("report", world_copy, "--home", str(home))
    assert result.exit_code == 0, result.output
    assert "Area by biome" in result.stdout
    assert "Regions" in result.stdout
    for absent in ("Population pyramid", "Cultures", "Trade", "Most volatile prices", lore):
        assert absent not in result.stdout


# -- llm status -------------------------------------------------------------------------------


def recorded_call(seq: int, **fields: Any) -> dict[str, Any]:
    return {
        "run_id": "r1",
        "call_seq": seq,
        "stage": "prose",
        "entity": f"region {seq}",
        "template": "region",
        "template_hash": "h",
        "provider": "ollama",
        "model": "m",
        "cache_key": f"k{seq}",
        "cache_hit": False,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "latency_ms": 1.0,
        "attempts": 1,
        "outcome": "llm",
        "fallback_reason": None,
        "detail": None,
        **fields,
    }


def test_llm_status_sums_the_calls_of_every_world_it_can_read(home: Path) -> None:
    calls = {
        "alpha-0001": [
            recorded_call(0, latency_ms=100.0, prompt_tokens=10, completion_tokens=4),
            recorded_call(1, latency_ms=300.0, prompt_tokens=20, completion_tokens=8),
        ],
        "beta-0002": [
            recorded_call(0, outcome="cache", cache_hit=True),
            recorded_call(1, outcome="fallback", fallback_reason="timeout", attempts=2),
        ],
        "busy-0003": [recorded_call(0, outcome="fallback", fallback_reason="budget")],
    }
    settings = Settings(home=home)
    for world_id, rows in calls.items():
        with open_store(settings.world_db(world_id)) as store:
            store.append_rows(world_id, "llm_calls", pl.DataFrame(rows))

    with held_for_writing(settings.world_db("busy-0003")):
        result = invoke("llm", "status", "--llm", "none", "--home", str(home))

    assert result.exit_code == 0, result.output
    history = result.stdout.split("Recorded calls (all worlds)")[1]
    assert dict(table_rows(history)) == {
        "recorded calls": "4",
        "outcomes": "cache=1, fallback=1, llm=2",
        "cache hit rate": "25%",
        "fallback reasons": "timeout=1",
        "median model latency": "200 ms",
        "tokens": "30 prompt, 12 completion",
    }


# -- snapshots ------------------------------------------------------------------------------


def test_snapshot_inspect_describes_the_manifest_without_checking_the_files(
    world: World, tmp_path: Path
) -> None:
    snapshot = tmp_path / world.snapshot.name
    shutil.copytree(world.snapshot, snapshot)
    manifest = json.loads((snapshot / "manifest.json").read_text())
    with (snapshot / manifest["tables"]["cells"]["file"]).open("ab") as cells:
        cells.write(b"tampered")

    result = invoke("snapshot", "inspect", str(snapshot))

    assert result.exit_code == 0, result.output
    assert f"snapshot {manifest['snapshot_id']}" in result.stdout
    rows = table_rows(result.stdout)
    fields = dict(row for row in rows if len(row) == 2)
    assert fields.pop("created_at")
    assert fields == {
        "world_id": world.world_id,
        "world_name": world.name,
        "seed": "23",
        "preset": "tiny",
        "tick": str(manifest["tick"]),
        "config_hash": manifest["config_hash"],
        "code_version": manifest["code_version"],
        "format_version": "2",
    }
    assert [row for row in rows if len(row) == 4] == [
        [name, f"{entry['rows']:,}", str(len(entry["columns"])), entry["sha256"][:16]]
        for name, entry in sorted(manifest["tables"].items())
    ]
    verified = invoke("snapshot", "verify", str(snapshot))
    assert verified.exit_code == 2
    assert "cells" in only_line(verified.stderr)


# -- server and serve -------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[RunnerDeployment]:
    """What `serve` hands to Prefect, captured instead of served forever."""
    deployments: list[RunnerDeployment] = []

    def capture(*given: RunnerDeployment) -> None:
        deployments.extend(given)

    monkeypatch.setattr(commands.server, "prefect_serve", capture)
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    return deployments


@pytest.fixture
def two_worlds(home: Path) -> Path:
    """A home with two (empty) world files, enough for commands that only resolve ids."""
    worlds = Settings(home=home).worlds_dir
    worlds.mkdir()
    for world_id in ("ember-0001", "frost-0002"):
        (worlds / f"{world_id}.duckdb").touch()
    return home


def crons(deployment: RunnerDeployment) -> list[str]:
    return [str(getattr(entry.schedule, "cron", "")) for entry in deployment.schedules or []]


def test_serve_builds_a_scheduled_deployment_per_flow(
    two_worlds: Path, served: list[RunnerDeployment]
) -> None:
    home = str(two_worlds.resolve())
    result = invoke(
        "serve",
        *("--seed", "7", "--preset", "tiny", "--cron", "0 3 * * *"),
        *("--export", "emb", "--export-cron", "30 3 * * *"),
        *("--economy", "fro", "--economy-cron", "0 * * * *", "--economy-ticks", "2"),
        *("--home", str(two_worlds)),
    )
    assert result.exit_code == 0, result.output
    by_name = {deployment.name: deployment for deployment in served}
    assert sorted(by_name) == ["worldloom-economy", "worldloom-export", "worldloom-generate"]

    generate = by_name["worldloom-generate"]
    assert (generate.flow_name, crons(generate)) == ("generate-world", ["0 3 * * *"])
    assert (
        generate.parameters["params"]
        == GenerateWorldParams(seed=7, preset="tiny", home=home).model_dump()
    )
    export = by_name["worldloom-export"]
    assert (export.flow_name, crons(export)) == ("export-snapshot", ["30 3 * * *"])
    assert export.parameters == {"home": home, "world_id": "ember-0001"}
    economy = by_name["worldloom-economy"]
    assert (economy.flow_name, crons(economy)) == ("advance-economy", ["0 * * * *"])
    assert economy.parameters == {"home": home, "world_id": "frost-0002", "ticks": 2}


def test_serve_without_a_cron_offers_the_flow_to_start_by_hand(
    two_worlds: Path, served: list[RunnerDeployment]
) -> None:
    result = invoke("serve", "--export", "frost-0002", "--home", str(two_worlds))
    assert result.exit_code == 0, result.output
    [export] = served
    assert (export.name, crons(export)) == ("worldloom-export", [])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--export-cron", "30 3 * * *"], "an export schedule needs a world (--export WORLD)"),
        (["--economy-cron", "0 * * * *"], "an economy schedule needs a world (--economy WORLD)"),
        (["--cron", "0 3 * * *"], "a generation schedule needs a seed and preset"),
        ([], "nothing to serve: give --seed"),
        (["--seed", "7", "--preset", "huge"], "unknown preset 'huge'"),
        (["--economy", "atlantis"], "unknown world 'atlantis'"),
        (["--export", "e"], "'e' matches several worlds: echo-0003, ember-0001"),
    ],
)
def test_serve_refuses_what_it_cannot_schedule_in_one_line(
    args: list[str], message: str, two_worlds: Path, served: list[RunnerDeployment]
) -> None:
    (two_worlds / "worlds" / "echo-0003.duckdb").touch()
    result = invoke("serve", *args, "--home", str(two_worlds))
    assert result.exit_code == 2
    assert message in only_line(result.stderr)
    assert served == []


def test_serve_names_a_malformed_cron_in_one_line(
    two_worlds: Path, served: list[RunnerDeployment]
) -> None:
    result = invoke("serve", "--seed", "7", "--cron", "every day", "--home", str(two_worlds))
    assert result.exit_code == 2
    assert "every day" in only_line(result.stderr)
    assert served == []


# -- arguments: overrides and world ids -------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], {}),
        (["terrain.cells=5000"], {"terrain.cells": 5000}),
        ([" terrain.land_fraction = 0.4 "], {"terrain.land_fraction": 0.4}),
        (["llm.enabled=false"], {"llm.enabled": False}),
        (['terrain.template="archipelago"'], {"terrain.template": "archipelago"}),
        (["terrain.template=archipelago"], {"terrain.template": "archipelago"}),
        (["name=Ys = Old"], {"name": "Ys = Old"}),
        (["tags=[1, 2]"], {"tags": [1, 2]}),
        (["terrain.cells=1", "terrain.cells=2"], {"terrain.cells": 2}),
    ],
)
def test_overrides_are_read_as_toml_values_or_else_strings(
    items: list[str], expected: dict[str, Any]
) -> None:
    assert parse_overrides(items) == expected


@pytest.mark.parametrize("item", ["terrain.cells", "=5", " =5", ""])
def test_an_override_without_a_key_and_value_is_refused(item: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"--set needs key=value, got {item!r}")):
        parse_overrides(["seed=1", item])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ember-0001", "ember-0001"),
        ("fr", "frost-0002"),
        ("ember", "ember"),  # an exact id wins over the longer ids it prefixes
        ("ember-", "ember-0001"),
    ],
)
def test_a_world_is_found_by_its_id_or_a_unique_prefix(
    given: str, expected: str, two_worlds: Path
) -> None:
    (two_worlds / "worlds" / "ember.duckdb").touch()
    assert resolve_world(Settings(home=two_worlds), given) == expected


def test_an_ambiguous_prefix_lists_the_worlds_it_matches(two_worlds: Path) -> None:
    with pytest.raises(UnknownWorldError) as raised:
        resolve_world(Settings(home=two_worlds), "")
    assert str(raised.value) == "'' matches several worlds: ember-0001, frost-0002"


def test_an_unknown_world_lists_the_known_ones(two_worlds: Path) -> None:
    (two_worlds / "worlds" / "glacier-0003.duckdb.wal").touch()  # not a world
    settings = Settings(home=two_worlds)
    with pytest.raises(UnknownWorldError) as raised:
        resolve_world(settings, "glacier")
    assert str(raised.value) == (
        f"unknown world 'glacier' in {settings.worlds_dir} (known: ember-0001, frost-0002)"
    )


def test_an_unknown_world_in_an_empty_home_says_there_are_none(home: Path) -> None:
    result = invoke("export", "glacier", "--home", str(home))
    assert result.exit_code == 2
    assert only_line(result.stderr).endswith("(known: none yet)")


def test_report_prints_names_as_text_not_markup(world_copy: str, home: Path) -> None:
    """A name or lore holding rich markup (an LLM wrote it, or a user) is printed as it is."""
    database = Settings(home=home).world_db(world_copy)
    with open_store(database) as store:
        worlds = store.read("worlds", world_copy)
        store.replace_rows(
            world_copy,
            {"worlds": worlds.with_columns(pl.lit("The [/italic] [bold]age").alias("lore"))},
        )
    result = invoke("report", world_copy, "--home", str(home))
    assert result.exit_code == 0, result.output
    assert "The [/italic] [bold]age" in result.stdout
