"""What a command pays before it works: the modules every `worldloom` command imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from worldloom.flows import cli, runners


def printed_by(probe: str) -> str:
    """What `probe` prints, run in a fresh interpreter (nothing imported yet)."""
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
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
