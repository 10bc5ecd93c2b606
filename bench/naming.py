"""Benchmark: fresh Markov names at large-world scale, per name base and in the places stage.

Per base: 4,000 names drawn from one base (the large preset's worst case), with the time and
how many fell back to a double-barrelled name. Per preset: terrain and regions are built
(untimed), then the places stage runs under cProfile to time its naming.

    .venv/bin/python bench/naming.py [--count 4000] [--presets medium,large]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 7


def bench_bases(count: int) -> None:
    from worldloom.systems.naming import MarkovNamer, generate_names
    from worldloom.systems.rng import Seeds
    from worldloom.tasks import catalog

    print(f"{count:,} names per base, seed {SEED}")
    for base in catalog.name_bases().bases:
        start = time.perf_counter()
        names = generate_names(
            MarkovNamer.learn(base), rng=Seeds(SEED).stream("bench", base.key), count=count
        )
        seconds = time.perf_counter() - start
        fallbacks = sum(not name.isalpha() for name in names)
        print(f"  {base.key:>10}: {len(base.names):>4} samples, {fallbacks:>4} double-barrelled, "
              f"{seconds:.2f} s")  # fmt: skip


def bench_preset(preset: str) -> None:
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
    profile = cProfile.Profile()
    places = profile.runcall(
        generate_places,
        terrain,
        regions,
        seeds=seeds,
        biomes=biomes,
        rules=catalog.place_rules(),
        name_bases=catalog.name_bases(),
        settlements=config.population.settlements,
        taken_names=[region.name for region in regions.regions],
    )
    stats = pstats.Stats(profile)
    total = max(row[3] for row in stats.stats.values())  # type: ignore[attr-defined]  # pstats keeps its table untyped
    naming = sum(
        row[3]
        for (path, _, function), row in stats.stats.items()  # type: ignore[attr-defined]  # as above
        if path.endswith("place_name.py") and function == "name"
    )
    names = [s.name for s in places.layout.settlements] + [p.name for p in places.pois]
    fallbacks = sum("-" in name for name in names)
    print(f"{preset}: {len(names):,} settlement and POI names, {fallbacks} double-barrelled, "
          f"{len({n.lower() for n in names}):,} unique; naming {naming:.2f} s of the places "
          f"stage's {total:.2f} s (profiled)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=4_000)
    parser.add_argument("--presets", default="medium,large")
    args = parser.parse_args()
    bench_bases(args.count)
    for preset in filter(None, args.presets.split(",")):
        bench_preset(preset)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
