"""One run at a time per world, leftovers of killed runs cleared, and a clock that is true."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from worldloom.flows.commands import app
from worldloom.flows.generate import generate_world
from worldloom.flows.params import GeneratedWorld, GenerateWorldParams
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import open_store

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from worldloom.infrastructure.world_lock import hold_world
    with hold_world(Path(sys.argv[1]), world_id="w", what="economy", wait_s=0):
        print("ready", flush=True)
        time.sleep(60)
    """
)
DIE_MID_RUN = textwrap.dedent(
    """
    import os, socket, sys, time
    from pathlib import Path
    from worldloom.tasks.provenance import recorded_run
    home, world_id = sys.argv[1], sys.argv[2]
    with recorded_run(home=home, world_id=world_id, flow="economy", parameters={"ticks": 9}):
        host = "".join(c if c.isalnum() else "_" for c in socket.gethostname())
        staging = Path(home, "snapshots", world_id, f".tmp-{host}-{os.getpid()}-abc")
        staging.mkdir(parents=True)
        print("ready", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GeneratedWorld]:
    home = tmp_path_factory.mktemp("home")
    made = generate_world(
        GenerateWorldParams(seed=8, preset="tiny", home=str(home), economy_ticks=3)
    )
    return home, made


def copy_of(world: tuple[Path, GeneratedWorld], tmp_path: Path) -> tuple[Path, str]:
    """The world in a home of its own, so each test may change it."""
    _, made = world
    copy = tmp_path / "home"
    (copy / "worlds").mkdir(parents=True)
    shutil.copy(made.database, copy / "worlds")
    return copy, made.world_id


def start(script: str, *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def tick_of(home: Path, world_id: str) -> int:
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        return int(store.read("worlds", world_id)["tick"][0])


def test_the_clock_is_the_economy_s_days(world: tuple[Path, GeneratedWorld]) -> None:
    home, made = world
    assert tick_of(home, made.world_id) == 3
    manifest = json.loads((Path(made.snapshot) / "manifest.json").read_text())
    assert manifest["tick"] == 3
    assert Path(made.snapshot).name.startswith("tick000003-")


def test_a_second_run_waits_then_exits_2_naming_the_first(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    home, world_id = copy_of(world, tmp_path)
    holder = start(HOLD_LOCK, str(Settings(home=home).world_lock(world_id)))
    try:
        result = CliRunner().invoke(
            app,
            ["economy", world_id, "--ticks", "2", "--home", str(home)],
            env={"WORLDLOOM_LOCK_WAIT_S": "1"},
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    assert f"world {world_id!r} is busy: economy by PID {holder.pid}" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert tick_of(home, world_id) == 3  # nothing changed


def test_the_next_run_clears_up_after_a_killed_one(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    home, world_id = copy_of(world, tmp_path)
    victim = start(DIE_MID_RUN, str(home), world_id)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    host = "".join(c if c.isalnum() else "_" for c in socket.gethostname())
    staging = home / "snapshots" / world_id / f".tmp-{host}-{victim.pid}-abc"
    assert staging.is_dir()

    result = CliRunner().invoke(app, ["economy", world_id, "--ticks", "2", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert not staging.exists()
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        runs = store.read("runs", world_id)
    killed = runs.filter(runs["parameters_json"] == '{"ticks": 9}').row(0, named=True)
    assert killed["status"] == "aborted"
    assert "ended before the run finished" in killed["error"]
    assert killed["finished_at"] is not None
    assert "running" not in set(runs["status"])
    assert tick_of(home, world_id) == 5
