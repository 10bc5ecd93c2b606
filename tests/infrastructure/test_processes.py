"""Other processes by id: alive or not, and a process group ended politely or for sure."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from worldloom.infrastructure import processes
from worldloom.infrastructure.processes import end_process_group, process_alive

STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(60)"  # noqa: E501
"""A child that ignores SIGTERM, and says so once it does."""


def _group(code: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert child.stdout is not None
    if "print" in code:
        assert child.stdout.readline().strip() == "1"  # its handler is in place
    return child


def test_a_process_is_alive_until_it_is_gone() -> None:
    assert process_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not process_alive(child.pid)


def test_a_group_that_takes_sigterm_ends_at_once() -> None:
    child = _group("import time; time.sleep(60)")
    began = time.monotonic()
    end_process_group(child.pid)
    assert time.monotonic() - began < processes.STOP_WAIT_S  # not waited out and killed
    assert not process_alive(child.pid)  # ended, and reaped by the wait (it was our child)


def test_a_group_that_ignores_sigterm_is_killed_after_the_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(processes, "STOP_WAIT_S", 0.5)
    child = _group(STUBBORN)
    end_process_group(child.pid)
    assert child.wait(timeout=5) == -9


def test_ending_a_group_that_is_gone_does_nothing() -> None:
    child = _group("pass")
    child.wait()
    end_process_group(child.pid)  # no such group: no error
