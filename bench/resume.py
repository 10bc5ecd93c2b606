"""Benchmark: `worldloom generate` killed in the people stage and run again, against a whole run.

Three CLI runs of the same seed and preset, each in its own home and process (`--llm none`,
an ephemeral Prefect server each): a whole run; a run whose process group SIGKILLs itself when
the people stage's factions step starts (cultures, religions, population and the NPCs are
saved); and the same command run again, which resumes. Prints each run's wall time and the
generate-world flow's own time from the world's `runs` table (without the process and Prefect
server start), and the resumed run's share of the whole one; then each stage's time in the whole
run and in the resumed one (the people stage resumed against the whole people stage: what the
resume itself saves, apart from the stages after it, which run again in full).

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


def stage_seconds(home: Path, world_id: str) -> dict[str, float]:
    """The last generate-world run's own time and its stages' (`runs` rows from its start on),
    by flow name."""
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        runs = store.read("runs", world_id).filter(pl.col("status") == "completed")
    first = runs.filter(pl.col("flow") == "generate-world")["started_at"].max()
    last = runs.filter(pl.col("started_at") >= first).sort("started_at")
    return {
        row["flow"]: float((row["finished_at"] - row["started_at"]).total_seconds())
        for row in last.iter_rows(named=True)
    }


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
        whole_stages = stage_seconds(whole_home, world_id)
        resumed_stages = stage_seconds(cut_home, world_id)
    whole_flow, resumed_flow = whole_stages["generate-world"], resumed_stages["generate-world"]
    print(f"{args.preset} world {world_id}")
    print(f"whole run        {whole:7.1f} s wall   {whole_flow:7.1f} s generate-world flow")
    print(f"killed at people {killed:7.1f} s wall")
    print(f"resumed          {resumed:7.1f} s wall   {resumed_flow:7.1f} s generate-world flow")
    print(f"resumed / whole  {resumed / whole:7.0%} wall   {resumed_flow / whole_flow:7.0%} flow")
    print("stage              whole  resumed")
    for stage, seconds in whole_stages.items():
        again = resumed_stages.get(stage)
        shown = "  (not run)" if again is None else f"{again:7.1f} s {again / seconds:5.0%}"
        print(f"{stage:16s} {seconds:7.1f} s {shown}")


if __name__ == "__main__":
    main()
