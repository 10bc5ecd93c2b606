"""worldloom compare: views over two real worlds' latest snapshots, the built-in questions'
answers checked against the snapshots themselves, --sql, formats, and bad input refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from worldloom.flows.commands import app
from worldloom.flows.commands.compare import (
    Question,
    ask,
    latest_snapshots,
    open_views,
    query,
    spread,
)
from worldloom.flows.generate import generate_world
from worldloom.flows.params import GenerateWorldParams
from worldloom.reader import SnapshotCorruptError, open_snapshot
from worldloom.systems.world import ConfigError

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

SEEDS = (21, 22)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, Path]]:
    """Two small worlds, and an older (lower tick) copy of the first's snapshot that compare
    must pass over."""
    home = tmp_path_factory.mktemp("home")
    snapshots = {}
    for seed in SEEDS:
        made = generate_world(
            GenerateWorldParams(
                seed=seed,
                preset="tiny",
                home=str(home),
                overrides={"population.npcs": 600},
                economy_ticks=3,
            )
        )
        snapshots[seed] = Path(made.snapshot)
    older = snapshots[SEEDS[0]].with_name("tick000000-000000000000")
    shutil.copytree(snapshots[SEEDS[0]], older)
    manifest = json.loads((older / "manifest.json").read_text())
    (older / "manifest.json").write_text(json.dumps({**manifest, "tick": 0}))
    return home, snapshots


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["compare", *args, "--home", str(home)])
    return result.exit_code, result.output


def test_latest_snapshot_of_each_world(worlds: tuple[Path, dict[int, Path]]) -> None:
    home, snapshots = worlds
    found = latest_snapshots(home / "snapshots", [], verify=True)
    assert sorted(s.path for s in found) == sorted(snapshots.values())
    assert sorted(s.manifest.seed for s in found) == list(SEEDS)


def test_views_carry_world_and_seed_and_match_the_snapshots(
    worlds: tuple[Path, dict[int, Path]],
) -> None:
    home, snapshots = worlds
    with open_views(latest_snapshots(home / "snapshots", [], verify=False)) as con:
        for seed, path in snapshots.items():
            snapshot = open_snapshot(path)
            for table in ("npcs", "settlements", "market_prices", "worlds", "goods"):
                rows = con.execute(f"SELECT count(*) FROM {table} WHERE seed = {seed}").fetchall()
                assert rows == [(snapshot.table(table).num_rows,)], table
            world = snapshot.manifest.world_id
            assert con.sql(
                f"SELECT DISTINCT world_id FROM npcs WHERE seed = {seed}"
            ).fetchall() == [(world,)]
        assert con.execute("SELECT count(*) FROM snapshots").fetchall() == [(len(SEEDS),)]


def test_population_per_seed_sums_the_settlements(worlds: tuple[Path, dict[int, Path]]) -> None:
    home, snapshots = worlds
    with open_views(latest_snapshots(home / "snapshots", [], verify=False)) as con:
        (per_world, title_a), (across, title_b) = [
            (frame, title) for title, frame in ask(con, Question.population)
        ]
    assert title_a == "Population per seed"
    assert per_world["seed"].to_list() == list(SEEDS)
    for row in per_world.iter_rows(named=True):
        settlements = open_snapshot(snapshots[row["seed"]]).polars("settlements")
        assert row["people"] == settlements["population"].sum()
        assert row["settlements"] == settlements.height
    people = across.filter(pl.col("measure") == "people").row(0, named=True)
    assert people["worlds"] == 2
    assert people["min"] == per_world["people"].min()
    assert people["max"] == per_world["people"].max()
    assert title_b == "Population across worlds"


def test_prices_and_wars_answer_per_seed(worlds: tuple[Path, dict[int, Path]]) -> None:
    home, snapshots = worlds
    with open_views(latest_snapshots(home / "snapshots", [], verify=False)) as con:
        prices = dict(ask(con, Question.prices))["Price levels per seed"]
        wars = dict(ask(con, Question.wars))["Wars per seed"]
    for row in prices.iter_rows(named=True):
        snapshot = open_snapshot(snapshots[row["seed"]])
        book = snapshot.polars("market_prices")
        last = book.filter(pl.col("tick") == book["tick"].max()).join(
            snapshot.polars("goods").select("good", "value"), on="good"
        )
        by_market = last.group_by("market_id").agg((pl.col("price") / pl.col("value")).mean())
        assert row["price_level"] == pytest.approx(by_market["price"].mean(), abs=1e-4)
        assert row["markets"] == by_market.height
        assert row["cheapest_market"] <= row["price_level"] <= row["dearest_market"]
    for row in wars.iter_rows(named=True):
        diplomacy = open_snapshot(snapshots[row["seed"]]).polars("diplomacy")
        assert row["at_war"] == diplomacy.filter(pl.col("status") == "at_war").height
        assert row["battle"] == 0  # not simulated: an empty event log
    assert {"war_declared", "peace", "factions", "enemies"} <= set(wars.columns)


def test_cli_prints_tables_csv_and_json(worlds: tuple[Path, dict[int, Path]]) -> None:
    home, snapshots = worlds
    code, output = run(home, "--all")
    assert code == 0, output
    assert "Population per seed" in output
    assert "Population across worlds" in output
    code, output = run(home, "--question", "prices", "--format", "csv")
    assert code == 0, output
    header = output.splitlines()[0]
    assert header == "seed,world_id,day,markets,price_level,cheapest_market,dearest_market"
    code, output = run(
        home, "--sql", "SELECT seed, count(*) AS npcs FROM npcs GROUP BY seed ORDER BY seed",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, output
    rows = json.loads(output)
    assert [row["seed"] for row in rows] == list(SEEDS)
    first = snapshots[SEEDS[0]].parent.name
    code, output = run(home, first[:-1], "--question", "tables", "--format", "csv")
    assert code == 0, output
    assert "npcs,1" in output.splitlines()


def test_cli_events_without_a_history_says_so(worlds: tuple[Path, dict[int, Path]]) -> None:
    code, output = run(worlds[0], "--question", "events", "--verify")
    assert code == 0, output
    assert "no events yet" in output


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--sql", "SELECT nope FROM npcs"], "--sql failed: Binder Error"),
        (["--sql", "SELEC 1"], "--sql failed: Parser Error"),
        (["nosuchworld"], "no snapshot of a world 'nosuchworld'"),
        (["x", "--all"], "not both"),
        (["--question", "weather"], "weather"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    worlds: tuple[Path, dict[int, Path]], args: list[str], problem: str
) -> None:
    code, output = run(worlds[0], *args)
    assert code == 2, output
    assert problem in output


def test_a_prefix_naming_several_worlds_is_refused(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    for world in ("abc-00000001", "abd-00000002"):
        (snapshots / world / "tick000001-0123456789ab").mkdir(parents=True)
    with pytest.raises(ConfigError, match="'ab' matches several worlds"):
        latest_snapshots(snapshots, ["ab"], verify=False)


def test_an_empty_home_has_nothing_to_compare(tmp_path: Path) -> None:
    code, output = run(tmp_path)
    assert code == 2
    assert "no snapshots in" in output


def test_a_tampered_snapshot_is_refused_when_verified(
    worlds: tuple[Path, dict[int, Path]], tmp_path: Path
) -> None:
    home, snapshots = worlds
    copy = tmp_path / "home"
    shutil.copytree(home / "snapshots", copy / "snapshots")
    target = copy / "snapshots" / snapshots[SEEDS[1]].parent.name / snapshots[SEEDS[1]].name
    (target / "tables" / "npcs.parquet").write_bytes(b"not parquet")
    with pytest.raises(SnapshotCorruptError):
        latest_snapshots(copy / "snapshots", [], verify=True)
    code, output = run(copy, "--verify")
    assert code == 2
    assert "checksum" in output


def test_spread_of_a_measure() -> None:
    frame = pl.DataFrame({"people": [10, 20, 30, 40, None]})
    row = spread(frame, ["people"]).row(0, named=True)
    assert row == {
        "measure": "people",
        "worlds": 4,
        "min": 10.0,
        "p25": 17.5,
        "median": 25.0,
        "p75": 32.5,
        "max": 40.0,
        "mean": 25.0,
    }


def test_statements_without_rows_give_an_empty_answer() -> None:
    with duckdb.connect() as con:
        assert query(con, "CREATE TABLE t (x INTEGER)").is_empty()
        assert query(con, "SELECT 1 AS x").to_dicts() == [{"x": 1}]
