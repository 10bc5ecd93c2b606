"""Benchmark: `worldloom generate --preset small --llm none` end to end, Prefect included.

Each run is a fresh process with an empty home, as a user's first `worldloom generate` is: the
time includes Python start-up, Prefect's ephemeral server, every stage and the snapshot export.
Prints the median of the runs and checks that every run produced identical table checksums.
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

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PRESET = os.environ.get("BENCH_PRESET", "small")
TARGET_S = 30.0
ANCHOR = "Azgaar's generator: 2-8 s per map in a browser (terrain to economy, no database/export)"


def main() -> None:
    script = Path(sys.executable).with_name("worldloom")
    timings, checksums = [], []
    for run in range(RUNS):
        with tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
            env["WORLDLOOM_HOME"] = home
            started = time.perf_counter()
            result = subprocess.run(
                [str(script), "generate", "--seed", "7", "--preset", PRESET, "--llm", "none"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - started
            if result.returncode != 0:
                sys.exit(f"run {run} failed:\n{result.stderr}")
            fields = dict(line.split(None, 1) for line in result.stdout.strip().splitlines())
            manifest = json.loads((Path(fields["snapshot"]) / "manifest.json").read_text())
            checksums.append({name: t["sha256"] for name, t in manifest["tables"].items()})
            rows = {name: t["rows"] for name, t in manifest["tables"].items()}
            timings.append(elapsed)
            print(f"run {run + 1}: {elapsed:6.2f} s", flush=True)
    median = statistics.median(timings)
    identical = all(c == checksums[0] for c in checksums)
    print()
    print(
        f"preset {PRESET}: cells {rows['cells']:,}, regions {rows['regions']}, "
        f"rivers {rows['rivers']}, lakes {rows['lakes']}"
    )
    label = f"end to end (median of {RUNS})"
    print(f"{label:<32} {median:6.2f} s   target <= {TARGET_S:.0f} s")
    print(f"{'identical table checksums':<32} {'yes' if identical else 'NO'}")
    print(f"anchor: {ANCHOR}")


if __name__ == "__main__":
    main()
