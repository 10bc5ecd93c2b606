"""The CLI as a user meets it: exit codes, one-line errors, and the success paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from worldloom.flows.commands import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "--seed", "1", "--preset", "huge"], "unknown preset 'huge'"),
        (["generate", "--seed", "1", "--set", "terrain.cells=5"], "terrain.cells"),
        (["generate", "--seed", "1", "--set", "nonsense"], "--set needs key=value"),
        (["generate", "--seed", "1", "--llm", "gpt-9"], "unknown LLM provider 'gpt-9'"),
        (["generate", "--seed", "1", "--llm", "ollama/"], "ollama/"),
        (["enrich", "atlantis", "--llm", "none"], "unknown world 'atlantis'"),
        (["report", "atlantis"], "unknown world 'atlantis'"),
        (["export", "atlantis"], "unknown world 'atlantis'"),
    ],
)
def test_user_errors_exit_2_with_one_line(args: list[str], message: str, home: Path) -> None:
    code, output = run(*args, "--home", str(home))
    assert code == 2
    assert message in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_negative_seed_is_a_usage_error(home: Path) -> None:
    code, output = run("generate", "--seed", "-3", "--home", str(home))
    assert code == 2
    assert "seed" in output


@pytest.mark.parametrize("command", ["verify", "inspect"])
def test_missing_snapshot_is_a_user_error(command: str, tmp_path: Path) -> None:
    code, output = run("snapshot", command, str(tmp_path / "nowhere"))
    assert code == 2
    assert "nowhere" in output


def test_llm_status_without_a_provider(home: Path) -> None:
    code, output = run("llm", "status", "--llm", "none", "--home", str(home))
    assert code == 0
    assert "procedural writers only" in output
    assert "recorded calls" in output


def test_llm_status_names_an_unreachable_provider(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORLDLOOM_OLLAMA_URL", "http://127.0.0.1:9/v1")
    code, output = run("llm", "status", "--llm", "ollama/llama3", "--home", str(home))
    assert code == 0
    assert "reachable" in output
    assert "no (" in output


def test_worlds_on_an_empty_home(home: Path) -> None:
    code, output = run("worlds", "--home", str(home))
    assert code == 0
    assert "no worlds" in output


def test_serve_without_a_server_says_what_to_do(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, output = run("serve", "--seed", "1", "--home", str(home))
    assert code == 2
    assert "worldloom server" in output


@pytest.mark.flow
@pytest.mark.xdist_group("prefect-default-port")  # its warm server may take 4200: test_local_server
def test_generate_report_export_verify_as_a_user_would(tmp_path: Path) -> None:
    """The installed console script, in a fresh process, with its own ephemeral Prefect."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["WORLDLOOM_HOME"] = str(home)
    script = Path(sys.executable).with_name("worldloom")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    generated = cli("generate", "--seed", "5", "--preset", "tiny", "--name", "Smoke Test")
    try:
        check_the_world_as_a_user_would(cli, generated, home, tmp_path)
    finally:  # the first command left a warm Prefect server running for the next ones
        stopped = cli("server", "stop")
    assert stopped.returncode == 0
    assert "stopped the Prefect server" in stopped.stderr


def check_the_world_as_a_user_would(
    cli: Callable[..., subprocess.CompletedProcess[str]],
    generated: subprocess.CompletedProcess[str],
    home: Path,
    tmp_path: Path,
) -> None:
    assert generated.returncode == 0, generated.stderr
    assert "Starting a Prefect server in the background" in generated.stderr
    server = cli("server", "status")
    assert server.stdout.startswith("http://127.0.0.1:")
    fields = dict(line.split(None, 1) for line in generated.stdout.strip().splitlines())
    assert fields["world"].startswith("smoke-test-")
    snapshot = Path(fields["snapshot"])
    assert (home / "prefect").is_dir()  # Prefect's state stays under the Worldloom home

    verified = cli("snapshot", "verify", str(snapshot))
    assert verified.returncode == 0, verified.stderr
    assert "ok" in verified.stdout

    listed = cli("worlds")
    # Read through a pipe, a table's row stays on one line (rich would wrap it at 80 columns).
    [row] = [line for line in listed.stdout.splitlines() if fields["world"] in line]
    assert "Smoke Test" in row, listed.stdout
    assert "export-snapshot completed" in row, listed.stdout
    assert len(row) > 80
    reported = cli("report", "smoke")
    assert reported.returncode == 0, reported.stderr
    assert "Area by biome" in reported.stdout

    manifest = json.loads((snapshot / "manifest.json").read_text())
    manifest["tables"]["cells"]["rows"] += 1
    (snapshot / "manifest.json").write_text(json.dumps(manifest))
    tampered = cli("snapshot", "verify", str(snapshot))
    assert tampered.returncode == 2
    assert "cells" in tampered.stderr

    exported = cli("export", fields["world"], "--out", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    assert "Starting a Prefect server" not in exported.stderr  # the warm one was reused
    assert cli("server", "status").stdout == server.stdout
    assert Path(exported.stdout.strip()).is_relative_to(tmp_path / "out")
