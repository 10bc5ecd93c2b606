"""Benchmark: `worldloom generate` killed in the people stage and run again, against a whole run.

Three CLI runs of the same seed and preset, each in its own home and process (`--llm none`,
an ephemeral Prefect server each): a whole run; a run whose process group SIGKILLs itself when
the people stage's factions step starts (cultures, religions, population and the NPCs are
saved); and the same command run again, which resumes. Prints each run's wall time and the
generate-world flow's own time from the world's `runs` table (without the process and Prefect
server start), and the resumed run's share of the whole one.

    .venv/bin/python bench/resume.py [--preset medium] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import polars as pl

from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import open_store
from worldloom.tasks.plan import plan_world

KILL_AT_FACTIONS = textwrap.dedent(
    """
    import os, signal, sys
    import worldloom.tasks.people as people
    people.generate_factions = lambda *a, **k: os.killpg(os.getpgid(0), signal.SIGKILL)
    from worldloom.flows.cli import main
    sys.argv = ["worldloom", *sys.argv[1:]]
    main()
    """
)
RUN = "from worldloom.flows.cli import main; main()"


def run(script: str, arguments: list[str], home: Path) -> tuple[float, int]:
    """Wall seconds and return code of one CLI run in its own process group."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    environment |= {"WORLDLOOM_HOME": str(home), "WORLDLOOM_SERVER": "ephemeral"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        check=False,
    )
    return time.perf_counter() - started, done.returncode


def flow_seconds(home: Path, world_id: str) -> float:
    """The last generate-world run's own time, from its `runs` row."""
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        runs = store.read("runs", world_id).filter(pl.col("flow") == "generate-world")
    last = runs.sort("started_at").row(-1, named=True)
    return float((last["finished_at"] - last["started_at"]).total_seconds())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    world_id = plan_world(seed=args.seed, preset=args.preset, name=None, overrides={}).world_id
    command = ["generate", "--seed", str(args.seed), "--preset", args.preset, "--llm", "none"]
    with tempfile.TemporaryDirectory(prefix="worldloom-resume-") as scratch:
        whole_home, cut_home = Path(scratch) / "whole", Path(scratch) / "cut"
        whole, code = run(RUN, command, whole_home)
        assert code == 0, f"the whole run failed ({code})"
        killed, code = run(KILL_AT_FACTIONS, command, cut_home)
        assert code == -9, f"the run to kill ended by itself ({code})"
        resumed, code = run(RUN, command, cut_home)
        assert code == 0, f"the resumed run failed ({code})"
        whole_flow = flow_seconds(whole_home, world_id)
        resumed_flow = flow_seconds(cut_home, world_id)
    print(f"{args.preset} world {world_id}")
    print(f"whole run        {whole:7.1f} s wall   {whole_flow:7.1f} s generate-world flow")
    print(f"killed at people {killed:7.1f} s wall")
    print(f"resumed          {resumed:7.1f} s wall   {resumed_flow:7.1f} s generate-world flow")
    print(f"resumed / whole  {resumed / whole:7.0%} wall   {resumed_flow / whole_flow:7.0%} flow")


if __name__ == "__main__":
    main()
