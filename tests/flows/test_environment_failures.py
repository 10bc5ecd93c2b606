"""What a user meets when the machine, not the request, is at fault — on real file systems: a
home on a tiny or read-only tmpfs mounted in a private mount namespace, a `--out` that is a
file. Each ends in one line on stderr, exit 3, and no traceback; bad names and counts exit 2.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from worldloom.flows.commands import app

WORLDLOOM = str(Path(sys.executable).with_name("worldloom"))
EXIT_ENVIRONMENT = 3


def private_mount_prefix() -> list[str]:
    """`unshare` arguments giving a command a mount namespace of its own (as root, or as a
    user mapped to root where user namespaces are allowed); skip where neither works."""
    for prefix in (["unshare", "--mount"], ["unshare", "--map-root-user", "--mount"]):
        if shutil.which(prefix[0]) is None:
            break
        probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return prefix
    pytest.skip("no private mount namespace here (unshare refused): cannot mount a test disk")


def run_on_tmpfs(
    home: Path, *args: str, size: str, read_only: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`worldloom ARGS` with its home on a fresh tmpfs of `size`, seen by it alone."""
    home.mkdir(parents=True, exist_ok=True)
    mount = f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(home))}"
    if read_only:
        mount += f" && mount -o remount,ro {shlex.quote(str(home))}"
    script = f'{mount} && exec "$@"'
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    # A server of the command's own, gone with it: a background one would outlive the mount.
    environment |= {"WORLDLOOM_HOME": str(home), "WORLDLOOM_SERVER": "ephemeral", **(env or {})}
    return subprocess.run(
        [*private_mount_prefix(), "sh", "-c", script, "sh", WORLDLOOM, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: "), result.stderr
    for needle in needles:
        assert needle in last, last
    return last


def test_a_read_only_home_is_one_line_before_any_work(tmp_path: Path) -> None:
    result = run_on_tmpfs(
        tmp_path / "home", "generate", "--seed", "1", "--preset", "tiny", size="8m", read_only=True
    )
    assert_one_line(result, EXIT_ENVIRONMENT, "cannot write to home", "read-only")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_home_without_room_is_refused_up_front(tmp_path: Path) -> None:
    result = run_on_tmpfs(
        tmp_path / "home", "generate", "--seed", "1", "--preset", "tiny", size="2m"
    )
    assert_one_line(result, EXIT_ENVIRONMENT, "MB free in home", "WORLDLOOM_MIN_FREE_MB")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.flow
def test_a_disk_that_fills_during_a_run_is_one_line(tmp_path: Path) -> None:
    """Room enough to start (Prefect's database, the first stages), not to finish."""
    result = run_on_tmpfs(
        tmp_path / "home",
        "generate",
        "--seed",
        "7",
        "--preset",
        "small",
        "--llm",
        "none",
        size="30m",
        env={"WORLDLOOM_MIN_FREE_MB": "1"},
    )
    line = assert_one_line(result, EXIT_ENVIRONMENT)
    assert "no space left" in line or "MB free there" in line, line


def test_out_onto_a_file_or_a_read_only_place_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "worlds").mkdir(parents=True)
    (home / "worlds" / "w-1.duckdb").touch()
    not_a_folder = tmp_path / "snapshots.txt"
    not_a_folder.write_text("")
    result = CliRunner().invoke(
        app, ["export", "w-1", "--out", str(not_a_folder), "--home", str(home)]
    )
    assert result.exit_code == EXIT_ENVIRONMENT
    assert result.output.strip() == f"error: --out {not_a_folder} is a file, not a folder"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "x" * 1600], "a world name is at most 120 characters; got 1,600"),
        (["--name", "Vell\nmar\x1b[31m"], "control characters (U+000A, U+001B)"),
        (["--set", "regions.count=2000"], "regions.count 2,000 is more than a map of 2,000 cells"),
        (["--set", "population.settlements=50000"], "at most 380"),
    ],
)
def test_names_and_counts_a_world_cannot_take_exit_2(
    args: list[str], message: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["generate", "--seed", "1", "--preset", "tiny", *args, "--home", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "worlds").exists()  # nothing started
