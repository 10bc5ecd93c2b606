"""One run at a time per world: the lock waits, names its holder, and dies with its process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from worldloom.infrastructure.world_lock import WorldBusyError, hold_world

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from worldloom.infrastructure.world_lock import hold_world
    with hold_world(Path(sys.argv[1]), world_id="w", what="economy", wait_s=0):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def hold_in_another_process(lock: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_process_waits_then_names_the_holder(tmp_path: Path) -> None:
    lock = tmp_path / "worlds" / "w.lock"
    holder = hold_in_another_process(lock, 30)
    try:
        started = time.monotonic()
        with (
            pytest.raises(WorldBusyError, match=rf"economy by PID {holder.pid} on .* since"),
            hold_world(lock, world_id="w", what="generate-world", wait_s=0.5),
        ):
            pass
        assert time.monotonic() - started >= 0.5
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_run_goes_ahead_once_the_holder_finishes(tmp_path: Path) -> None:
    lock = tmp_path / "w.lock"
    holder = hold_in_another_process(lock, 0.5)
    with hold_world(lock, world_id="w", what="export-snapshot", wait_s=20) as first:
        assert first
        assert f'"pid": {os.getpid()}' in lock.read_text()
    holder.wait()


def test_a_killed_holder_leaves_the_world_free(tmp_path: Path) -> None:
    lock = tmp_path / "w.lock"
    holder = hold_in_another_process(lock, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert "economy" in lock.read_text()  # what the dead holder wrote stays, but binds nobody
    with hold_world(lock, world_id="w", what="economy", wait_s=0) as first:
        assert first


def test_flows_of_one_process_share_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "w.lock"
    with hold_world(lock, world_id="w", what="generate-world", wait_s=0) as outer:
        with hold_world(lock, world_id="w", what="terrain", wait_s=0) as inner:
            assert (outer, inner) == (True, False)
        # Still held by the outer block: another process is refused.
        busy = subprocess.run(
            [sys.executable, "-c", HOLDER, str(lock), "0"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert busy.returncode != 0
        assert "WorldBusyError" in busy.stderr
    with hold_world(lock, world_id="w", what="economy", wait_s=0) as again:
        assert again
