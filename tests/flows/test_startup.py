"""What a command pays before it works: the modules every `worldloom` command imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect._internal.analytics.ci_detection import CI_ENV_VARS

from tests.processes import on_a_terminal
from worldloom.flows import cli, runners


def printed_by(probe: str, env: dict[str, str] | None = None) -> str:
    """What `probe` prints, run in a fresh interpreter (nothing imported yet)."""
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


def test_loading_the_commands_imports_no_llm_sdk() -> None:
    # openai and instructor cost ~1.2 s of start-up; only a command that calls a model needs
    # them, and it imports them when it builds its client.
    probe = (
        "import sys, worldloom.flows.commands; "
        "print(sorted({'openai', 'instructor'} & set(sys.modules)))"
    )
    assert printed_by(probe) == "[]"


def test_a_worlds_neighbour_lists_are_built_without_pandas() -> None:
    # pyarrow imports pandas (~0.3 s of CPU) when it converts a numpy array; nothing a command
    # runs needs pandas, and the cells' neighbour lists are built over the arrays' own buffers.
    probe = (
        "import sys, numpy as np; from worldloom.tasks.tables import _split; "
        "s = _split(np.array([1, 2, 3], dtype=np.int64), np.array([0, 1, 1, 3])); "
        "print(s.to_list(), 'pandas' in sys.modules)"
    )
    assert printed_by(probe) == "[[1], [], [2, 3]] False"


@pytest.mark.parametrize(
    ("args", "api", "started"),
    [
        (["generate", "--seed", "1", "--runner", "dask"], True, True),
        (["generate", "--runner=Dask", "--seed", "1"], True, True),
        (["batch", "--seeds", "1-3", "--home", "/h", "--runner", "dask"], True, True),
        (["generate", "--seed", "1", "--runner", "dask"], False, False),  # no API yet
        (["generate", "--seed", "1"], True, False),
        (["generate", "--seed", "1", "--runner", "local"], True, False),
        (["generate", "--seed", "1", "--runner", "tcp://10.0.0.5:8786"], True, False),
        (["generate", "--runner"], True, False),  # the command says what is missing
        (["simulate", "w", "--runner", "dask"], True, False),
    ],
)
def test_a_local_cluster_s_worker_server_starts_as_the_command_begins(
    args: list[str], api: bool, started: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[None] = []
    monkeypatch.setattr(runners, "start_worker_server", lambda: calls.append(None))
    if api:
        monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    else:
        monkeypatch.delenv("PREFECT_API_URL", raising=False)
    cli.start_dask_workers_early(args)
    assert len(calls) == int(started)


def test_a_command_on_a_terminal_sends_prefect_no_telemetry(tmp_path: Path) -> None:
    # Imported on a terminal, Prefect's SDK prints a first-run notice and queues usage events for
    # its analytics service unless DO_NOT_TRACK is set (a CI's variables turn it off too, so
    # they are left out here, as a user's terminal has none). The command is offline.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT_", "WORLDLOOM_")) and k not in {"DO_NOT_TRACK", *CI_ENV_VARS}
    }
    env |= {"WORLDLOOM_HOME": str(tmp_path / "home"), "WORLDLOOM_HOST": "off"}
    said = on_a_terminal([str(Path(sys.executable).with_name("worldloom")), "worlds"], env)
    assert "no worlds in" in said
    assert "usage data" not in said
    # Nor are its events queued (the files it keeps its milestones in are still written).
    probe = (
        "from pathlib import Path; from worldloom.flows.cli import configure_prefect; "
        f"configure_prefect(Path({str(tmp_path / 'home')!r})); "
        "from prefect._internal.analytics import is_telemetry_enabled; "
        "print(is_telemetry_enabled())"
    )
    assert printed_by(probe, env) == "False"
