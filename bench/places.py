"""Benchmark: settlements, POIs, routes and sub-locations on the medium and large presets, next
to Azgaar's Fantasy Map Generator.

Each preset runs in a fresh subprocess; terrain and regions are built once (untimed), then the
places stage is timed. Peak RSS is the whole subprocess's (terrain included).

    .venv/bin/python bench/places.py [--runs 3] [--presets medium,large]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 7

ANCHOR = (
    "FMG (anchors-worldgen.md 1.4): about 340-1,260 burgs and 400-1,100 routes per map, "
    "whole map generated in 2-8 s in headless Chromium on the same 2-vCPU VM"
)


def measure(preset: str, runs: int) -> dict[str, Any]:
    """Time the places stage `runs` times on `preset`, in this process."""
    from worldloom.systems.places import generate_places
    from worldloom.systems.region import generate_regions
    from worldloom.systems.rng import Seeds
    from worldloom.systems.world_generation import generate_terrain
    from worldloom.tasks import catalog

    config = catalog.world_config(preset=preset, seed=SEED)
    seeds, biomes = Seeds(SEED), catalog.biome_table()
    terrain = generate_terrain(config.terrain, seeds=seeds, biomes=biomes)
    regions = generate_regions(
        terrain,
        seeds=seeds,
        biomes=biomes,
        count=config.regions.count,
        name_bases=catalog.name_bases(),
        patterns=catalog.place_patterns(),
    )
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        places = generate_places(
            terrain,
            regions,
            seeds=seeds,
            biomes=biomes,
            rules=catalog.place_rules(),
            name_bases=catalog.name_bases(),
            settlements=config.population.settlements,
            taken_names=[region.name for region in regions.regions],
        )
        timings.append(time.perf_counter() - start)
    routes = Counter(route.kind for route in places.routes)
    return {
        "preset": preset,
        "cells": terrain.mesh.size,
        "settlements": len(places.layout.settlements),
        "pois": len(places.pois),
        "roads": routes["road"],
        "trails": routes["trail"],
        "sea": routes["sea"],
        "sublocations": len(places.sublocations),
        "seconds": statistics.median(timings),
        # ru_maxrss is in kilobytes on Linux.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--presets", default="medium,large")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.runs)))
        return
    rows = []
    for preset in args.presets.split(","):
        child = subprocess.run(
            [sys.executable, __file__, "--one", preset, "--runs", str(args.runs)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        rows.append(json.loads(child.stdout))
    header = ["preset", "cells", "settlements", "POIs", "roads", "trails", "sea", "sublocs"]
    print(f"places stage, median of {args.runs} runs, seed {SEED}")
    print(" | ".join(f"{h:>11}" for h in [*header, "time", "peak RSS"]))
    for row in rows:
        figures = [row["preset"], *(f"{row[k]:,}" for k in (
            "cells", "settlements", "pois", "roads", "trails", "sea", "sublocations"
        ))]  # fmt: skip
        figures += [f"{row['seconds']:.2f} s", f"{row['peak_rss_mb']:.0f} MB"]
        print(" | ".join(f"{figure:>11}" for figure in figures))
    print(ANCHOR)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
