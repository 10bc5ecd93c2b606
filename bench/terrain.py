"""Benchmark: terrain + regions at 10k, 50k and 100k cells, next to Azgaar's and WorldEngine's.

Each size runs in a fresh subprocess, so its peak RSS is its own. Stages run in order and each
gets what the earlier ones returned; to time another stage, append it to `STAGES`.

    .venv/bin/python bench/terrain.py [--runs 3] [--sizes 10000,50000,100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 7

WIDTH_KM = {10_000: 1_600.0, 50_000: 3_200.0, 100_000: 5_000.0}
"""Map width per cell count, as in the small / medium / large presets."""

REGIONS = {10_000: 24, 50_000: 64, 100_000: 140}
"""Target region count per cell count, as in the small / medium / large presets."""

ANCHORS = {
    10_000: "FMG 1.8-2.3 s",
    50_000: "FMG 3.0-7.8 s",
    100_000: "FMG 4.1-6.8 s",
}
"""Azgaar's Fantasy Map Generator, whole `generate()` in headless Chromium on the same 2-vCPU VM
(anchors-worldgen.md 1.4). WorldEngine: 8.1 s at 256x256 (65k cells), 30.5 s at 512x512."""


@dataclass(frozen=True)
class Stage:
    """One timed step: takes the context built so far, returns what it adds to it."""

    name: str
    run: Callable[[dict[str, Any]], dict[str, Any]]


def _terrain(context: dict[str, Any]) -> dict[str, Any]:
    from worldloom.systems.world_generation import generate_terrain

    terrain = generate_terrain(context["config"], seeds=context["seeds"], biomes=context["biomes"])
    return {"terrain": terrain}


def _regions(context: dict[str, Any]) -> dict[str, Any]:
    from worldloom.systems.region import generate_regions
    from worldloom.tasks import catalog

    regions = generate_regions(
        context["terrain"],
        seeds=context["seeds"],
        biomes=context["biomes"],
        count=REGIONS[context["config"].cells],
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    return {"regions": regions}


STAGES: tuple[Stage, ...] = (Stage("terrain", _terrain), Stage("regions", _regions))


def measure(cells: int, runs: int) -> dict[str, Any]:
    """Time every stage `runs` times at `cells` cells, in this process."""
    from worldloom.systems.rng import Seeds
    from worldloom.systems.world import TerrainConfig
    from worldloom.systems.world_generation import BiomeTable

    with (ROOT / "worldloom" / "data" / "biomes.toml").open("rb") as file:
        biomes = BiomeTable.from_mapping(tomllib.load(file))
    config = TerrainConfig(cells=cells, width_km=WIDTH_KM.get(cells, 1_600.0))
    timings: dict[str, list[float]] = {stage.name: [] for stage in STAGES}
    totals: list[float] = []
    summary: dict[str, Any] = {}
    for _ in range(runs):
        context: dict[str, Any] = {"config": config, "seeds": Seeds(SEED), "biomes": biomes}
        start = time.perf_counter()
        for stage in STAGES:
            began = time.perf_counter()
            context.update(stage.run(context))
            timings[stage.name].append(time.perf_counter() - began)
        totals.append(time.perf_counter() - start)
        terrain = context["terrain"]
        summary = {
            "mesh_cells": terrain.mesh.size,
            "land_cells": int(terrain.is_land.sum()),
            "rivers": len(terrain.rivers),
            "lakes": len(terrain.lakes),
        }
    # ru_maxrss is in kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "cells": cells,
        "stages": {name: statistics.median(values) for name, values in timings.items()},
        "total": statistics.median(totals),
        "peak_rss_mb": peak_mb,
        **summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.runs)))
        return

    rows = []
    for cells in (int(size) for size in args.sizes.split(",")):
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(cells), "--runs", str(args.runs)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        rows.append(json.loads(child.stdout))

    stage_names = [stage.name for stage in STAGES]
    header = ["cells", "mesh", "land", "rivers", "lakes", *stage_names, "total", "peak RSS"]
    print(f"median of {args.runs} runs, seed {SEED}, template continents")
    print(" | ".join(f"{h:>9}" for h in header) + " | anchor")
    for row in rows:
        cells = [
            f"{row['cells']:>9,}",
            f"{row['mesh_cells']:>9,}",
            f"{row['land_cells']:>9,}",
            f"{row['rivers']:>9,}",
            f"{row['lakes']:>9,}",
            *(f"{row['stages'][name]:>8.3f}s" for name in stage_names),
            f"{row['total']:>8.3f}s",
            f"{row['peak_rss_mb']:>6.0f} MB",
        ]
        print(" | ".join(cells) + f" | {ANCHORS.get(row['cells'], '-')}")
    print("WorldEngine: 8.1 s at 256x256 (65k cells, 78 MB), 30.5 s at 512x512 (262k, 184 MB)")
    print("target: terrain + regions at 100k cells <= 2 s, peak memory < 1 GB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
