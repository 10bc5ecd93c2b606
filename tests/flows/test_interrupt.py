"""Ctrl-C for a command, in processes of their own: a clean stop raises KeyboardInterrupt, a
stop that hangs is ended after the grace, and a second Ctrl-C ends it at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from worldloom.flows.interrupt import EXIT_INTERRUPTED

AS_FROM_A_TERMINAL = """
import signal
signal.signal(signal.SIGINT, signal.SIG_DFL)  # the test runner's workers may ignore it
"""
"""A child's first lines: SIGINT as a terminal's foreground job gets it."""
STUCK = """
import sys, time
from worldloom.flows.interrupt import handle_interrupts, interrupted
handle_interrupts(grace_s={grace})
while True:  # a clean-up that never ends: every interrupt swallowed
    try:
        print(interrupted(), flush=True)  # in the try: an interrupt may come once it is read
        time.sleep(60)
    except KeyboardInterrupt:
        pass
"""


def run_program(program: str) -> subprocess.CompletedProcess[str]:
    """`program` run to its end in a Python of its own, its output captured."""
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=False
    )


def stuck_process(grace_s: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL + textwrap.dedent(STUCK.format(grace=grace_s))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "False"  # handled from here on
    return process


def test_a_stop_that_hangs_ends_after_the_grace() -> None:
    process = stuck_process(grace_s=1.0)
    assert process.stdout is not None
    process.send_signal(signal.SIGINT)
    # Raised in the program, which was told, and went on (its clean-up) until the grace ended.
    assert process.stdout.readline().strip() == "True"
    _, err = process.communicate(timeout=120)
    assert process.returncode == EXIT_INTERRUPTED == 130
    assert err == "interrupted: stopping now\n"


def test_a_second_interrupt_ends_the_process_at_once() -> None:
    process = stuck_process(grace_s=600.0)
    assert process.stdout is not None
    process.send_signal(signal.SIGINT)
    assert process.stdout.readline().strip() == "True"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)  # well before the grace
    assert process.returncode == EXIT_INTERRUPTED
    assert err == "interrupted: stopping now\n"


@pytest.mark.parametrize("stops", ["cleanly", "by raising on"])
def test_a_clean_stop_keeps_its_own_ending(stops: str) -> None:
    program = AS_FROM_A_TERMINAL + textwrap.dedent(f"""
        import os, signal, sys, time
        from worldloom.flows.interrupt import handle_interrupts
        handle_interrupts(grace_s=600.0)
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(60)
        except KeyboardInterrupt:
            if {stops == "cleanly"}:
                sys.exit(7)
            raise
    """)
    done = run_program(program)
    assert done.returncode == (7 if stops == "cleanly" else -signal.SIGINT)
    assert "stopping now" not in done.stderr


def test_a_process_started_with_ctrl_c_ignored_keeps_ignoring_it() -> None:
    program = textwrap.dedent("""
        import os, signal, time
        from worldloom.flows.interrupt import handle_interrupts, interrupted
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell starts a background job
        handle_interrupts(grace_s=0.1)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)
        print(interrupted(), signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
        handle_interrupts(grace_s=600.0, unless_ignored=False)  # a hosted command: handled
        print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
    """)
    done = run_program(program)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "False"]
