"""Benchmark: a medium world's `worldloom generate --llm none` on `--runner local` and on
`--runner dask` (a two-worker LocalCluster here), end to end (issue #18: dask not slower than
local, identical tables).

Each round gives each runner a fresh home whose Prefect server is warm (a tiny world generated
first starts it, and the command host after it): the runners are measured the way a user's
second command runs, in the host (`hosted`) and in a process of its own (`WORLDLOOM_HOST=off`,
`own`), alternating so that the machine's drift falls on both. Prints the medians, the people
stage's NPC batches (how many, and how long from the first one's start to the last one's end)
and whether every run made the same tables.

    .venv/bin/python bench/runners.py      # BENCH_RUNS=3 BENCH_PRESET=medium BENCH_MODES=hosted,own
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline import wait_for_host  # a sibling script: bench/ is on the path

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PRESET = os.environ.get("BENCH_PRESET", "medium")
CHOSEN = os.environ.get("BENCH_MODES", "hosted,own").split(",")
RUNNERS = ("local", "dask")
MODES: dict[str, dict[str, str]] = {"hosted": {}, "own": {"WORLDLOOM_HOST": "off"}}
"""How the measured command runs: what its environment adds (the host refuses a command whose
environment differs from its own, so the hosted run adds nothing)."""
WORLDLOOM = Path(sys.executable).with_name("worldloom")


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(WORLDLOOM), *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"worldloom {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def _npc_batches(env: dict[str, str]) -> tuple[int, float]:
    """The last run's NPC batch task runs: how many, and first start to last end."""
    script = (
        "import asyncio, json\n"
        "from prefect.client.orchestration import get_client\n"
        "from prefect.client.schemas.sorting import TaskRunSort\n"
        "async def main():\n"
        "    async with get_client() as client:\n"
        "        runs = await client.read_task_runs(\n"
        "            sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=200)\n"
        "    return [[r.name, r.start_time.timestamp(), r.end_time.timestamp()]\n"
        "            for r in runs if r.start_time and r.end_time]\n"
        "print(json.dumps(asyncio.run(main())))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    runs = json.loads(result.stdout)
    world = max((r for r in runs if r[0].startswith("people-npcs")), key=lambda r: r[1])[0]
    ours = [r for r in runs if r[0].startswith("people-npcs") and r[0].split(" · ")[1] in world]
    return len(ours), max(r[2] for r in ours) - min(r[1] for r in ours)


def _round(runner: str, mode: str, base: dict[str, str]) -> tuple[float, dict[str, str], str]:
    with tempfile.TemporaryDirectory() as home:
        env = base | {"WORLDLOOM_HOME": home, "WORLDLOOM_SERVER": "auto"}
        try:
            _run(["generate", "--seed", "3", "--preset", "tiny", "--llm", "none"], env)
            wait_for_host(home)
            started = time.perf_counter()
            args = ["generate", "--seed", "7", "--preset", PRESET, "--llm", "none"]
            out = _run([*args, "--runner", runner], env | MODES[mode])
            elapsed = time.perf_counter() - started
            fields = dict(line.split(None, 1) for line in out.strip().splitlines())
            manifest = json.loads((Path(fields["snapshot"]) / "manifest.json").read_text())
            count, span = _npc_batches(env | {"PREFECT_API_URL": _api_url(home)})
        finally:
            subprocess.run(
                [str(WORLDLOOM), "server", "stop", "--home", home],
                env=env,
                capture_output=True,
                check=False,
            )
    checksums = {name: t["sha256"] for name, t in manifest["tables"].items()}
    return elapsed, checksums, f"{count} batches in {span:.2f} s"


def _api_url(home: str) -> str:
    from worldloom.infrastructure.local_server import running_server

    server = running_server(Path(home) / "prefect")
    if server is None:
        sys.exit("the server stopped before its runs were read")
    return server.api_url


def main() -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WORLDLOOM_"))}
    timings: dict[tuple[str, str], list[float]] = {}
    checksums: list[dict[str, str]] = []
    for run in range(RUNS):
        for mode in CHOSEN:
            for runner in RUNNERS if run % 2 == 0 else reversed(RUNNERS):
                elapsed, sums, batches = _round(runner, mode, base)
                timings.setdefault((runner, mode), []).append(elapsed)
                checksums.append(sums)
                print(f"run {run + 1} {mode:<6} {runner:<5} {elapsed:6.2f} s  ({batches})")
    print()
    for mode in CHOSEN:
        local = statistics.median(timings[("local", mode)])
        dask = statistics.median(timings[("dask", mode)])
        # Each run's pair ran back to back: their ratio is steadier than the medians' when the
        # machine's speed drifts between runs.
        pairs = statistics.median(
            d / lo for d, lo in zip(timings[("dask", mode)], timings[("local", mode)], strict=True)
        )
        print(
            f"{PRESET} world, {mode:<6} median of {RUNS}: local {local:6.2f} s, "
            f"dask {dask:6.2f} s ({dask / local:.2f}x; a pair's ratio, median: {pairs:.2f}x)"
            "   target: dask <= local"
        )
    identical = all(c == checksums[0] for c in checksums)
    print(f"identical table checksums: {'yes' if identical else 'NO'}")


if __name__ == "__main__":
    main()
