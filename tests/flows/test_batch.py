"""worldloom batch: seed specs, a batch of worlds on threads with a failing seed among them,
the same batch on a Dask LocalCluster (through the command, as a user runs it) giving identical
tables, and bad input refused before anything runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from worldloom.flows.batch import BatchParams, SeedOutcome, batch_worlds, describe
from worldloom.flows.commands import app
from worldloom.flows.commands import batch as batch_command
from worldloom.flows.commands.batch import check_world_ids, parse_seeds
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import TABLES, open_store
from worldloom.systems.world import ConfigError
from worldloom.tasks.plan import WorldPlan, plan_world

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

SEEDS = (11, 12)
BLOCKED = 13
"""A seed whose world file is made impossible to open, so that seed fails."""
SMALL = ["--set", "population.npcs=600", "--economy-ticks", "3"]
"""A tiny world made smaller still: the tests run several."""
NOT_COMPARED = frozenset({"runs", "llm_calls"})
"""Provenance differs between runs; everything else must not."""


def world_id(seed: int) -> str:
    return plan_world(
        seed=seed, preset="tiny", name=None, overrides={"population.npcs": 600}
    ).world_id


def tables_of(home: Path, world: str) -> dict[str, pl.DataFrame]:
    with open_store(Settings(home=home).world_db(world), read_only=True) as store:
        return {name: store.read(name, world) for name in TABLES if name not in NOT_COMPARED}


@pytest.fixture(scope="module")
def local_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """Seeds 11, 12 and 13 on threads; 13's world file is a folder, so it cannot open."""
    home = tmp_path_factory.mktemp("local")
    blocked = Settings(home=home).world_db(world_id(BLOCKED))
    blocked.mkdir(parents=True)
    seeds = ",".join(map(str, (*SEEDS, BLOCKED)))
    result = CliRunner().invoke(
        app, ["batch", "--seeds", seeds, "--runner", "local", *SMALL, "--home", str(home)]
    )
    blocked.rmdir()
    return home, result.exit_code, result.output


@pytest.fixture(scope="module")
def dask_batch(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Seeds 11 and 12 on a two-worker LocalCluster, through `worldloom` with an ephemeral
    Prefect server of its own that the workers report to."""
    home = tmp_path_factory.mktemp("dask")
    seeds = ",".join(map(str, SEEDS))
    env = {**os.environ, "WORLDLOOM_SERVER": "ephemeral", "WORLDLOOM_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [
            Path(sys.executable).with_name("worldloom"),
            "batch",
            "--seeds",
            seeds,
            "--runner",
            "dask",
            "--workers",
            "2",
            *SMALL,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return home, done


def test_a_failed_seed_is_named_and_the_others_are_made(local_batch: tuple[Path, int, str]) -> None:
    home, code, output = local_batch
    assert code == 1
    lines = {line.split()[0]: line for line in output.splitlines() if line[:2].isdigit()}
    for seed in SEEDS:
        world = world_id(seed)
        assert world in lines[str(seed)]
        snapshot = Path(lines[str(seed)].split()[-1])
        assert snapshot.parent == home / "snapshots" / world
        assert (snapshot / "manifest.json").is_file()
    assert "failed:" in lines[str(BLOCKED)]
    assert "2 of 3 worlds in" in output
    assert "worlds/min" in output
    assert f"1 of 3 seeds failed: {BLOCKED}" in output


def test_dask_batch_makes_the_worlds_the_local_runner_makes(
    local_batch: tuple[Path, int, str], dask_batch: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    local_home = local_batch[0]
    dask_home, done = dask_batch
    assert done.returncode == 0, done.stderr[-2000:]
    assert "2 of 2 worlds in" in done.stdout
    assert "on dask" in done.stdout
    for seed in SEEDS:
        world = world_id(seed)
        local, remote = tables_of(local_home, world), tables_of(dask_home, world)
        assert local.keys() == remote.keys()
        assert sum(frame.height for frame in local.values()) > 1000
        for name, frame in local.items():
            assert frame.equals(remote[name]), f"{world}: {name} differs on dask"
        local_snapshot = sorted((local_home / "snapshots" / world).iterdir())
        remote_snapshot = sorted((dask_home / "snapshots" / world).iterdir())
        # The snapshot id is a digest of its contents: the same id is the same tables.
        assert [p.name for p in local_snapshot] == [p.name for p in remote_snapshot]


def test_batch_flow_returns_outcomes_in_seed_order(tmp_path: Path) -> None:
    params = BatchParams(
        seeds=(12,),
        preset="tiny",
        overrides={"population.npcs": 600},
        home=str(tmp_path),
        economy_ticks=3,
    )
    outcomes = batch_worlds(params)
    assert [outcome.seed for outcome in outcomes] == [12]
    assert outcomes[0].ok
    assert outcomes[0].world_id == world_id(12)
    assert outcomes[0].seconds > 0


@pytest.mark.parametrize(
    ("spec", "seeds"),
    [
        ("1-5", (1, 2, 3, 4, 5)),
        ("7", (7,)),
        ("1,5,9", (1, 5, 9)),
        (" 3-4 , 10 ,0", (3, 4, 10, 0)),
        ("2-2", (2,)),
    ],
)
def test_parse_seeds(spec: str, seeds: tuple[int, ...]) -> None:
    assert parse_seeds(spec) == seeds


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("", "bad --seeds item"),
        ("a-b", "bad --seeds item"),
        ("1,,2", "bad --seeds item"),
        ("1-", "bad --seeds item"),
        ("5-1", "bad --seeds range"),
        ("-3", "bad --seeds"),
        ("1-3,2", "more than once"),
        ("0-100000", "more than 100,000"),
    ],
)
def test_parse_seeds_refuses(spec: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        parse_seeds(spec)


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=30, unique=True))
def test_listed_seeds_parse_back(seeds: list[int]) -> None:
    assert parse_seeds(",".join(map(str, seeds))) == tuple(seeds)


@given(st.integers(0, 2**40), st.integers(0, 200))
def test_ranges_hold_every_seed_once(first: int, span: int) -> None:
    assert parse_seeds(f"{first}-{first + span}") == tuple(range(first, first + span + 1))


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--seeds", "9-1"], "bad --seeds range"),
        (["--seeds", "1", "--runner", "gpu"], "unknown runner 'gpu'"),
        (["--seeds", "1", "--runner", "tcp://host"], "bad Dask scheduler address"),
        (["--seeds", "1", "--preset", "colossal"], "colossal"),
        (["--seeds", "1", "--set", "nope"], "--set needs key=value"),
        (["--seeds", "1", "--llm", "magic/x"], "magic"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], problem: str) -> None:
    result = CliRunner().invoke(app, ["batch", *args, "--home", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert problem in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "worlds").exists()


def test_two_seeds_making_one_world_id_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def same_plan(**_: object) -> WorldPlan:
        return WorldPlan(world_id="same-00000000", name="Same", config_json="{}")

    monkeypatch.setattr(batch_command, "plan_world", same_plan)
    params = BatchParams(seeds=(1, 2), home="/nowhere")
    with pytest.raises(ConfigError, match="seeds 1 and 2 both make world same-00000000"):
        check_world_ids(params)


def test_seeds_of_a_batch_make_distinct_worlds() -> None:
    check_world_ids(BatchParams(seeds=tuple(range(1, 101)), home="/nowhere"))


def test_outcome_and_description() -> None:
    assert SeedOutcome(seed=1, world_id="w", snapshot="s", seconds=1.0).ok
    assert not SeedOutcome(seed=1, seconds=0.0, error="boom").ok
    assert describe(ValueError("bad")) == "ValueError: bad"
    assert describe("not an exception") is None
