"""Benchmark: `worldloom batch --preset tiny --llm none` on the local and dask runners.

Each runner gets a fresh process and an empty home, with an ephemeral Prefect server of its
own (`WORLDLOOM_SERVER=ephemeral`), so the time includes Python start-up, the server, the Dask
cluster's start and every world's generation and export. Prints worlds per minute for each
runner, whether both made identical snapshots (the snapshot id is a digest of its tables), and
the anchor.

    .venv/bin/python bench/batch.py                  # 100 tiny worlds on each runner
    .venv/bin/python bench/batch.py --seeds 1-20     # a quick run
    .venv/bin/python bench/batch.py --runners dask --workers 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ANCHOR = "Azgaar's generator: 2-8 s per map in a browser (7.5-30 maps/min; no database/export)"


def run_batch(
    runner: str, seeds: str, workers: int | None, preset: str
) -> tuple[float, dict[str, str], str]:
    """Seconds the whole command took, each seed's snapshot id, and the command's rate line."""
    script = Path(sys.executable).with_name("worldloom")
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env |= {"WORLDLOOM_HOME": home, "WORLDLOOM_SERVER": "ephemeral"}
        command = [str(script), "batch", "--seeds", seeds, "--preset", preset, "--llm", "none"]
        command += ["--runner", runner, *(["--workers", str(workers)] if workers else [])]
        started = time.perf_counter()
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{runner} batch failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    snapshots = {line.split()[0]: Path(line.split()[-1]).name for line in lines[:-1]}
    return elapsed, snapshots, lines[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-100", help="seeds, as `worldloom batch` takes them")
    parser.add_argument("--runners", default="local,dask", help="comma-separated runner specs")
    parser.add_argument("--workers", type=int, default=None, help="worlds at once")
    parser.add_argument("--preset", default="tiny")
    args = parser.parse_args()
    results = {}
    for runner in args.runners.split(","):
        elapsed, snapshots, summary = run_batch(runner, args.seeds, args.workers, args.preset)
        results[runner] = snapshots
        rate = len(snapshots) / elapsed * 60
        print(
            f"{runner:<8} {len(snapshots)} worlds  {elapsed:7.1f} s  {rate:6.2f} worlds/min "
            f"end to end ({elapsed / len(snapshots):.1f} s a world)",
            flush=True,
        )
        print(f"         the command's own count (from the flow's start): {summary}", flush=True)
    made = list(results.values())
    identical = all(snapshots == made[0] for snapshots in made)
    print(f"identical snapshots across runners: {'yes' if identical else 'NO'}")
    print(f"cores: {os.cpu_count()}, load average now: {os.getloadavg()[0]:.1f}")
    print(f"anchor: {ANCHOR}")


if __name__ == "__main__":
    main()
