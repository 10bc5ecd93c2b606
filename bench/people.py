"""Benchmark: Tier-1 population and Tier-2 NPC generation at 100k and 1M NPCs, plus DuckDB writes.

Each size runs in a fresh subprocess, so its peak RSS is its own. Settlements are synthetic, drawn
at the medium (100k) and large (1M) preset scales on a tiny generated world's regions; the 1M
frame is then written into a temporary DuckDB file through Arrow.

    .venv/bin/python bench/people.py [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from worldloom.infrastructure.runtime import tune_memory

ROOT = Path(__file__).resolve().parents[1]
SEED = 7

SCALES = {
    100_000: {"hamlet": (700, 10, 70), "village": (300, 80, 220), "town": (160, 600, 4_000),
              "city": (35, 4_000, 15_000), "capital": (5, 15_000, 40_000)},
    1_000_000: {"hamlet": (2_400, 20, 120), "village": (1_100, 120, 480), "town": (400, 800, 4_500),
                "city": (90, 5_000, 20_000), "capital": (10, 25_000, 60_000)},
}  # fmt: skip
"""(count, min, max population) per tier: ~1,200 settlements (medium preset) and ~4,000 settlements
summing to ~3 million people (large preset)."""

TARGETS = {"npcs_per_s": 500_000, "rows_per_s": 1_000_000, "peak_gb_1m": 4.0}
"""Issue 4's targets: >= 500k NPCs/s generated in systems, >= 1M rows/s into DuckDB, 1M NPCs
with peak RSS below 4 GB on 2 cores."""


def _settlements(size: int, regions: int) -> Any:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(size)
    tiers, populations = [], []
    for tier, (count, low, high) in SCALES[size].items():
        tiers += [tier] * count
        populations += rng.integers(low, high, count).tolist()
    n = len(tiers)
    return pl.DataFrame(
        {
            "settlement_id": np.arange(n),
            "region_id": rng.integers(0, regions, n),
            "cell_id": np.arange(n),
            "name": [f"Place {i}" for i in range(n)],
            "tier": tiers,
            "population": populations,
            "coastal": rng.random(n) < 0.3,
        },
        schema={"settlement_id": pl.Int32, "region_id": pl.Int32, "cell_id": pl.Int32,
                "name": pl.String, "tier": pl.String, "population": pl.Int64,
                "coastal": pl.Boolean},
    )  # fmt: skip


def run_size(size: int, write: bool) -> dict[str, Any]:
    """Generate one size in this process and return its figures."""
    from worldloom.infrastructure.seed_data import read_toml
    from worldloom.systems.people import (
        CharacterTable,
        CultureRules,
        generate_cultures,
        generate_npcs,
        generate_population,
        name_pool,
        plan_npcs,
    )
    from worldloom.systems.region import generate_regions
    from worldloom.systems.rng import Seeds
    from worldloom.systems.world_generation import generate_terrain
    from worldloom.tasks import catalog

    seeds = Seeds(SEED)
    config = catalog.world_config(preset="tiny", seed=SEED)
    biomes, bases = catalog.biome_table(), catalog.name_bases()
    terrain = generate_terrain(config.terrain, seeds=seeds, biomes=biomes)
    regions = generate_regions(
        terrain, seeds=seeds, biomes=biomes, count=config.regions.count, name_bases=bases,
        patterns=catalog.place_patterns(),
    )  # fmt: skip
    rules = CultureRules.from_mapping(read_toml("cultures.toml"))
    table = CharacterTable.from_mapping(read_toml("characters.toml"))
    settlements = _settlements(size, len(regions.regions))
    started = time.perf_counter()
    cultures = generate_cultures(regions, seeds=seeds, biomes=biomes, name_bases=bases, rules=rules)
    pools = [name_pool(c, seeds=seeds, name_bases=bases) for c in cultures.cultures]
    culture_s = time.perf_counter() - started
    started = time.perf_counter()
    population = generate_population(
        settlements, seeds=seeds, region_map=regions, cultures=cultures, culture_rules=rules,
        table=table,
    )  # fmt: skip
    population_s = time.perf_counter() - started
    started = time.perf_counter()
    plan = plan_npcs(settlements, target_npcs=size, table=table)
    npcs = generate_npcs(settlements, population, seeds=seeds, plan=plan, table=table, names=pools)
    npc_s = time.perf_counter() - started
    figures: dict[str, Any] = {
        "size": size,
        "settlements": settlements.height,
        "people": int(settlements["population"].sum()),
        "tier1_rows": population.height,
        "npcs": npcs.height,
        "culture_s": culture_s,
        "population_s": population_s,
        "npc_s": npc_s,
    }
    if write:
        figures |= _write(npcs)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _write(npcs: Any) -> dict[str, Any]:
    """Write through the real store: `npcs` table, primary key, one transaction."""
    from worldloom.infrastructure.store import open_store
    from worldloom.tasks.people import GENERATED

    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "b.duckdb") as store:
        started = time.perf_counter()
        # As the people stage saves them: dated the world's first day.
        written = store.replace_rows("bench", {"npcs": npcs.with_columns(GENERATED)})["npcs"]
        write_s = time.perf_counter() - started
    return {"write_s": write_s, "written_rows": written}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    tune_memory()  # as the worldloom command does, before numpy is imported
    if args.child:
        print(json.dumps(run_size(args.child, write=args.child == max(SCALES))))
        return
    print(f"{'NPCs':>10} {'places':>6} {'people':>9} {'tier1 s':>8} {'npc s':>6} "
          f"{'NPCs/s':>9} {'write rows/s':>12} {'peak MB':>8}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        f = json.loads(out.stdout.strip().splitlines()[-1])
        rate = f["npcs"] / f["npc_s"]
        written = f"{f['written_rows'] / f['write_s']:>12,.0f}" if "write_s" in f else f"{'-':>12}"
        print(f"{f['npcs']:>10,} {f['settlements']:>6,} {f['people']:>9,} "
              f"{f['population_s']:>8.2f} {f['npc_s']:>6.2f} {rate:>9,.0f} {written} "
              f"{f['peak_rss_mb']:>8,.0f}")  # fmt: skip
    print(f"targets: >= {TARGETS['npcs_per_s']:,} NPCs/s generated; >= {TARGETS['rows_per_s']:,} "
          f"rows/s written; 1M NPCs peak < {TARGETS['peak_gb_1m']:.0f} GB (issue 4)")  # fmt: skip


if __name__ == "__main__":
    main()
