"""Benchmark: `worldloom generate --preset small --llm none` end to end, Prefect included, cold
and warm (issue #18: warm <= 6 s, cold <= 20 s).

Each round is a fresh home, as a user's first `worldloom generate` there is: the cold run pays
Python start-up, the background Prefect server's start (`WORLDLOOM_SERVER=auto`), every stage
and the snapshot export; the first run is a cold one on a machine that never ran a server
(an empty cache: the server migrates its new database, where later homes start from a copy of
a migrated one); the warm run is the same command again, reusing that server, in a process of
its own (`WORLDLOOM_HOST=off`: it imports everything again); the hosted run is the same command
once the warm command host listens (it forks a child with the pipeline imported). The server
and host are stopped after each round. Prints the medians and checks that every run produced
identical table checksums.

    .venv/bin/python bench/pipeline.py      # BENCH_RUNS=3 BENCH_PRESET=small
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PRESET = os.environ.get("BENCH_PRESET", "small")
TARGETS = {"first": 20.0, "cold": 20.0, "warm": 6.0, "hosted": 6.0}
ANCHOR = "Azgaar's generator: 2-8 s per map in a browser (terrain to economy, no database/export)"
WORLDLOOM = Path(sys.executable).with_name("worldloom")


def wait_for_host(home: str) -> None:
    """Wait (up to 2 min) until the command host of `home`'s Prefect server listens."""
    from worldloom.flows.command_host import socket_path

    deadline = time.monotonic() + 120
    while not socket_path(Path(home) / "prefect").exists():
        if time.monotonic() > deadline:
            sys.exit("the command host did not start (see its log in the home's prefect folder)")
        time.sleep(0.2)


def _generate(env: dict[str, str]) -> tuple[float, dict[str, str], dict[str, int]]:
    """One `worldloom generate`: its wall time, table checksums and row counts."""
    started = time.perf_counter()
    result = subprocess.run(
        [str(WORLDLOOM), "generate", "--seed", "7", "--preset", PRESET, "--llm", "none"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"generate failed:\n{result.stderr}")
    fields = dict(line.split(None, 1) for line in result.stdout.strip().splitlines())
    manifest = json.loads((Path(fields["snapshot"]) / "manifest.json").read_text())
    checksums = {name: t["sha256"] for name, t in manifest["tables"].items()}
    return elapsed, checksums, {name: t["rows"] for name, t in manifest["tables"].items()}


def _stop(env: dict[str, str], home: str) -> None:
    """Stop the home's background server (and its command host with it)."""
    subprocess.run(
        [str(WORLDLOOM), "server", "stop", "--home", home],
        env=env,
        capture_output=True,
        check=False,
    )


def main() -> None:
    timings: dict[str, list[float]] = {kind: [] for kind in TARGETS}
    checksums: list[dict[str, str]] = []
    rows: dict[str, int] = {}
    for run in range(RUNS):
        with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as cache:
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WORLDLOOM_"))
            }
            env |= {"WORLDLOOM_HOME": home, "WORLDLOOM_SERVER": "auto"}
            try:
                for kind in TARGETS:
                    if kind == "hosted":
                        wait_for_host(home)
                    host = "off" if kind == "warm" else "on"
                    run_env = env | {"WORLDLOOM_HOST": host}
                    if kind == "first":
                        run_env["XDG_CACHE_HOME"] = cache
                    elapsed, sums, rows = _generate(run_env)
                    if kind == "first":  # the next run is the cold one, in a new home
                        _stop(env, home)
                        shutil.rmtree(Path(home) / "prefect")
                        shutil.rmtree(Path(home) / "worlds")
                    timings[kind].append(elapsed)
                    checksums.append(sums)
                    print(f"run {run + 1} {kind}: {elapsed:6.2f} s", flush=True)
            finally:
                _stop(env, home)
    identical = all(c == checksums[0] for c in checksums)
    print()
    print(
        f"preset {PRESET}: cells {rows['cells']:,}, regions {rows['regions']}, "
        f"rivers {rows['rivers']}, lakes {rows['lakes']}"
    )
    for kind, target in TARGETS.items():
        label = f"{kind} end to end (median of {RUNS})"
        print(f"{label:<36} {statistics.median(timings[kind]):6.2f} s   target <= {target:.0f} s")
    print(f"{'identical table checksums':<36} {'yes' if identical else 'NO'}")
    print(f"anchor: {ANCHOR}")


if __name__ == "__main__":
    main()
