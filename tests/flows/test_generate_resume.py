"""A generate cut short resumes: killed (SIGKILL) or failed in the people stage and run again
with the same arguments, it skips the tasks that finished (Prefect's Cached state) and ends
with the tables of an uninterrupted run; `--fresh`, other parameters or a stage run alone since
start over. The people stage's NPC batches give the same tables on a Dask cluster."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import uuid
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.settings import PREFECT_API_URL
from typer.testing import CliRunner

import worldloom.tasks.people
from worldloom.flows.commands import app
from worldloom.flows.generate import generate_world, people_flow
from worldloom.flows.params import GeneratedWorld, GenerateWorldParams
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import TABLES, open_store
from worldloom.systems.people import generate_people
from worldloom.systems.rng import Seeds
from worldloom.systems.world import WorldConfig
from worldloom.tasks.gear import generate_gear_stage
from worldloom.tasks.generation import results_dir, start_economy
from worldloom.tasks.people import as_made, people_tables
from worldloom.tasks.people_npcs import staging_dir
from worldloom.tasks.plan import plan_world
from worldloom.tasks.tables import region_map_from_rows

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

SEED, TICKS = 13, 3
NOT_COMPARED = frozenset({"runs", "llm_calls"})
"""Provenance differs between runs; everything else must not."""
BEFORE_FACTIONS = (
    "create-world",
    "generate-terrain",
    "generate-regions",
    "generate-places",
    "people-cultures",
    "people-religions",
    "people-population",
    "people-npc-batches",
    "people-npcs",
    "people-save-npcs",
)
"""The tasks a run cut short at the factions step has finished."""
FROM_FACTIONS = ("people-factions", "people-diplomacy", "people-prose", "run-economy")
KILL_AT_FACTIONS = textwrap.dedent(
    """
    import os, signal, sys
    import worldloom.tasks.people as people

    def killed(*args, **kwargs):
        # The whole process group, as a machine's kill would: its Prefect server goes too.
        os.killpg(os.getpgid(0), signal.SIGKILL)

    people.generate_factions = killed
    from worldloom.flows.cli import main
    sys.argv = ["worldloom", *sys.argv[1:]]
    main()
    """
)
WORLD_ID = plan_world(seed=SEED, preset="tiny", name=None, overrides={}).world_id


def params(home: Path, **changes: object) -> GenerateWorldParams:
    fields: dict[str, object] = {"seed": SEED, "preset": "tiny", "economy_ticks": TICKS}
    return GenerateWorldParams.model_validate({"home": str(home), **fields, **changes})


def tables_of(home: Path) -> dict[str, pl.DataFrame]:
    with open_store(Settings(home=home).world_db(WORLD_ID), read_only=True) as store:
        return {name: store.read(name, WORLD_ID) for name in TABLES if name not in NOT_COMPARED}


def assert_same_tables(home: Path, reference: dict[str, pl.DataFrame]) -> None:
    tables = tables_of(home)
    assert [name for name, frame in reference.items() if not tables[name].equals(frame)] == []


def last_generation_states(home: Path) -> dict[str, set[str]]:
    """Task name -> the states its runs ended in, over the world's last generate run and the
    stage runs inside it (asked of the Prefect server)."""
    with open_store(Settings(home=home).world_db(WORLD_ID), read_only=True) as store:
        runs = store.read("runs", WORLD_ID).sort("started_at")
    started = runs.filter(pl.col("flow") == "generate-world")["started_at"][-1]
    ids = [uuid.UUID(r) for r in runs.filter(pl.col("started_at") >= started)["run_id"]]
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)), limit=200
        )
    states: dict[str, set[str]] = defaultdict(set)
    for run in task_runs:
        name = re.sub(r"-[0-9a-f]{3}$", "", run.name.partition(" · ")[0])
        states[name].add(str(run.state.name) if run.state else "?")
    return dict(states)


def fail_at_factions(monkeypatch: pytest.MonkeyPatch, home: Path, **changes: object) -> None:
    """A generate that fails at the people stage's factions step (after the NPCs are saved)."""
    with monkeypatch.context() as patched:
        patched.setattr(worldloom.tasks.people, "generate_factions", _refuse)
        with pytest.raises(RuntimeError, match="cut short"):
            generate_world(params(home, **changes))


def _refuse(*args: object, **kwargs: object) -> None:
    raise RuntimeError("cut short at the factions")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    home = tmp_path_factory.mktemp("uninterrupted")
    made: GeneratedWorld = generate_world(params(home))
    assert made.world_id == WORLD_ID
    # A finished generation leaves no cached results or staged batches behind.
    assert not results_dir(str(home), WORLD_ID).exists()
    assert not staging_dir(str(home), WORLD_ID).exists()
    return tables_of(home)


def test_the_people_steps_store_what_the_one_call_composer_makes(
    uninterrupted: dict[str, pl.DataFrame],
) -> None:
    rows = uninterrupted
    config = WorldConfig.model_validate_json(rows["worlds"]["config_json"][0])
    people = generate_people(
        region_map_from_rows(rows["cells"], rows["regions"]),
        regions=rows["regions"],
        settlements=rows["settlements"],
        pois=rows["pois"],
        seeds=Seeds(config.seed),
        tables=people_tables(),
        npcs=config.population.npcs,
    )
    made = {
        "cultures": people.cultures.table(),
        "region_cultures": people.cultures.regions(),
        "religions": people.religions.religions,
        "deities": people.religions.deities,
        "holy_sites": people.religions.holy_sites,
        "religion_shares": people.religions.shares,
        "religion_relations": people.religions.relations,
        "population_groups": people.population,
        "npcs": people.npcs,
        "factions": people.factions.factions,
        "provinces": people.factions.provinces.drop("name"),
        "diplomacy": people.diplomacy.pairs,
        "notable_bios": people.prose.bios,
        "people_prose_baseline": people.prose.baseline,
    }
    for name, frame in made.items():
        key = [c for c in TABLES[name].primary_key if c != "world_id"]
        assert as_made(name, rows[name]).select(frame.columns).equals(frame.sort(key)), name
    prose = people.prose
    assert rows["settlements"]["description"].to_list() == prose.settlements
    assert rows["religions"]["description"].to_list() == prose.religions
    assert rows["factions"]["description"].to_list() == prose.factions


def test_a_killed_generate_resumes_from_its_last_finished_task_and_ends_the_same(
    uninterrupted: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    # Both runs report to the tests' Prefect server, so their task runs can be asked about.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environment |= {"WORLDLOOM_HOME": str(home), "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    arguments = ["generate", "--seed", str(SEED), "--preset", "tiny", "--llm", "none"]
    arguments += ["--economy-ticks", str(TICKS)]
    log = tmp_path / "victim.log"
    victim = subprocess.Popen(
        [sys.executable, "-c", KILL_AT_FACTIONS, *arguments],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )
    try:
        victim.wait(timeout=600)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(victim.pid, signal.SIGKILL)
    assert victim.returncode == -signal.SIGKILL, log.read_text()
    # Killed mid-stage: the NPCs are saved, the factions not yet.
    killed = tables_of(home)
    assert killed["npcs"].height == uninterrupted["npcs"].height
    assert killed["factions"].height == 0
    # Run again as a user would, by a new process (of the code the killed one ran).
    rerun = subprocess.run(
        [sys.executable, "-c", "from worldloom.flows.cli import main; main()", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert_same_tables(home, uninterrupted)
    states = last_generation_states(home)
    assert all(states[name] == {"Cached"} for name in BEFORE_FACTIONS), states
    assert all(states[name] == {"Completed"} for name in FROM_FACTIONS), states
    with open_store(Settings(home=home).world_db(WORLD_ID), read_only=True) as store:
        runs = store.read("runs", WORLD_ID).filter(pl.col("flow") == "generate-world")
    assert sorted(runs["status"]) == ["aborted", "completed"]


def test_a_failed_generate_resumes_and_fresh_starts_over(
    uninterrupted: dict[str, pl.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_at_factions(monkeypatch, tmp_path)
    generate_world(params(tmp_path, runner="local"))  # how it runs is not what it writes
    states = last_generation_states(tmp_path)
    assert all(states[name] == {"Cached"} for name in BEFORE_FACTIONS), states
    assert_same_tables(tmp_path, uninterrupted)
    # Had a run been cut short after its economy was saved but before Prefect kept the
    # result, the next would run the economy again: a generation's starts anew, not on.
    start_economy(home=str(tmp_path), world_id=WORLD_ID, ticks=TICKS)
    generate_gear_stage(home=str(tmp_path), world_id=WORLD_ID)
    assert_same_tables(tmp_path, uninterrupted)

    fail_at_factions(monkeypatch, tmp_path)
    generate_world(params(tmp_path, fresh=True))
    states = last_generation_states(tmp_path)
    assert "Cached" not in set().union(*states.values()), states
    assert_same_tables(tmp_path, uninterrupted)


@pytest.mark.parametrize("what", ["other parameters", "a stage run alone"])
def test_a_changed_world_is_not_resumed(
    what: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_at_factions(monkeypatch, tmp_path)
    if what == "a stage run alone":
        people_flow(str(tmp_path), WORLD_ID)
        generate_world(params(tmp_path))
    else:
        generate_world(params(tmp_path, economy_ticks=TICKS + 1))
    states = last_generation_states(tmp_path)
    assert "Cached" not in set().union(*states.values()), states


def test_the_dask_runner_gives_the_tables_of_the_local_one(
    uninterrupted: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    generate_world(params(tmp_path, runner="dask"))
    assert_same_tables(tmp_path, uninterrupted)


@pytest.mark.parametrize(
    ("runner", "needle"),
    [("grid", "unknown runner 'grid'"), ("http://x:1", "bad Dask scheduler address")],
)
def test_a_bad_runner_is_one_line_and_changes_nothing(
    runner: str, needle: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["generate", "--seed", "1", "--runner", runner, "--home", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert needle in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "worlds").exists()
