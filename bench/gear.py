"""Benchmark: the gear stage's bulk work against issue 15's targets.

- loot: every dungeon, lair and ruin room of a large-preset world (terrain, regions and places
  built untimed) rolled from the loot tables;
- npcs: equipment, inventories, casters and stat blocks for 1,000,000 NPCs (drawn by the people
  systems on large-preset-like settlements, untimed);
- fights: 100,000 seeded fights of the reference party against encounters of every danger, and
  the same in expected-value mode.

Each part runs in a fresh subprocess, so its peak RSS is its own (set-up included).

    .venv/bin/python bench/gear.py [--parts loot,npcs,fights] [--npcs 1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 7

TARGETS = {"loot_s": 2.0, "npcs_s": 10.0, "peak_gb": 4.0, "fights_s": 10.0}
"""Issue 15: loot for every room of a large world <= 2 s; stat blocks and equipment for 1M
NPCs <= 10 s with peak RSS < 4 GB; 100k resolved fights <= 10 s."""


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tables() -> Any:
    from worldloom.tasks.gear import gear_tables

    return gear_tables()


def _flat_pricing(goods: Any) -> Any:
    import polars as pl

    from worldloom.systems.gear import Pricing

    return Pricing.from_market_goods(
        pl.DataFrame(
            {
                "market_id": [0] * len(goods.goods),
                "good": list(goods.keys()),
                "price": [g.value for g in goods.goods],
            }
        ),
        goods=goods,
    )


def run_loot() -> dict[str, Any]:
    import polars as pl

    from worldloom.systems.gear import ItemMaker, loot_rooms, roll_loot
    from worldloom.systems.places import generate_places
    from worldloom.systems.region import generate_regions
    from worldloom.systems.rng import Seeds
    from worldloom.systems.world_generation import generate_terrain
    from worldloom.tasks import catalog

    config = catalog.world_config(preset="large", seed=SEED)
    seeds, biomes = Seeds(SEED), catalog.biome_table()
    terrain = generate_terrain(config.terrain, seeds=seeds, biomes=biomes)
    regions = generate_regions(
        terrain, seeds=seeds, biomes=biomes, count=config.regions.count,
        name_bases=catalog.name_bases(), patterns=catalog.place_patterns(),
    )  # fmt: skip
    places = generate_places(
        terrain, regions, seeds=seeds, biomes=biomes, rules=catalog.place_rules(),
        name_bases=catalog.name_bases(), settlements=config.population.settlements,
        taken_names=[region.name for region in regions.regions],
    )  # fmt: skip
    pois = pl.DataFrame(
        {
            "poi_id": [p.poi_id for p in places.pois],
            "kind": [p.kind for p in places.pois],
            "danger_level": [p.danger_level for p in places.pois],
            "interior": [p.interior for p in places.pois],
            "x": [p.x for p in places.pois],
            "y": [p.y for p in places.pois],
        }
    )
    subs = pl.DataFrame(
        {
            "sublocation_id": [s.sublocation_id for s in places.sublocations],
            "place_id": [s.place_id for s in places.sublocations],
            "category": [s.category for s in places.sublocations],
            "kind": [s.kind for s in places.sublocations],
        }
    )
    tables = _tables()
    pricing = _flat_pricing(tables.goods)
    maker = ItemMaker.build(tables.goods, gear=tables.gear, magic=tables.magic)
    started = time.perf_counter()
    rooms = loot_rooms(pois, subs).with_columns(pl.lit(0).alias("market_id"))
    loot = roll_loot(
        rooms, seeds=seeds, table=tables.loot, goods=tables.goods, maker=maker, pricing=pricing
    )
    seconds = time.perf_counter() - started
    return {
        "pois": pois.height,
        "rooms": rooms.height,
        "lots": loot.height,
        "loot_s": seconds,
        "peak_mb": _peak_mb(),
    }


def run_npcs(size: int) -> dict[str, Any]:
    import numpy as np
    import polars as pl

    from bench.people import _settlements
    from worldloom.systems.gear.equipment import Wearers, dress, equipment_rows, fighting_gear
    from worldloom.systems.gear.inventory import pack_inventories, purses
    from worldloom.systems.gear.item import ItemMaker
    from worldloom.systems.gear.sheet import npc_stat_blocks, stat_block_rows
    from worldloom.systems.magic import MagicPlaces, choose_casters
    from worldloom.systems.people import (
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
    rules, table = catalog.culture_rules(), catalog.character_table()
    settlements = _settlements(size, len(regions.regions))
    cultures = generate_cultures(regions, seeds=seeds, biomes=biomes, name_bases=bases, rules=rules)
    population = generate_population(
        settlements, seeds=seeds, region_map=regions, cultures=cultures, culture_rules=rules,
        table=table,
    )  # fmt: skip
    plan = plan_npcs(settlements, target_npcs=size, table=table)
    pools = [name_pool(c, seeds=seeds, name_bases=bases) for c in cultures.cultures]
    npcs = generate_npcs(settlements, population, seeds=seeds, plan=plan, table=table, names=pools)
    tables = _tables()
    culture_types = cultures.table().select("culture_id", "type")
    npcs = npcs.join(culture_types, on="culture_id", how="left").with_columns(
        pl.lit(0, dtype=pl.Int64).alias("market_id")
    )
    npcs = npcs.join(settlements.select("settlement_id", "region_id"), on="settlement_id")
    npcs = npcs.sort("npc_id")
    pricing = _flat_pricing(tables.goods)
    region_resources = pl.DataFrame(
        {
            "region_id": [r.region_id for r in regions.regions],
            "resources": [sorted(r.resources) for r in regions.regions],
        }
    )
    started = time.perf_counter()
    maker = ItemMaker.build(tables.goods, gear=tables.gear, magic=tables.magic)
    casters = choose_casters(
        npcs,
        places=MagicPlaces(
            settlement_region=settlements.select("settlement_id", "region_id"),
            region_resources=region_resources,
            culture_types=culture_types,
            deities=pl.DataFrame(
                {"religion_id": [0], "rank": [0], "domains": [["war", "healing"]]}
            ),
            holy_sites=pl.DataFrame({"religion_id": [0], "region_id": [0]}),
        ),
        seeds=seeds,
        table=tables.magic,
    )
    casters_s = time.perf_counter() - started
    started = time.perf_counter()
    wearers = Wearers.from_frame(npcs)
    outfit = dress(wearers, seeds=seeds, table=tables.gear, goods=tables.goods, maker=maker)
    worn = equipment_rows(wearers, outfit, table=tables.gear, maker=maker, pricing=pricing)
    equipment_s = time.perf_counter() - started
    started = time.perf_counter()
    free = outfit.capacity_kg - outfit.load_kg
    coins, coin_kg = purses(wearers.wealth, free_kg=free, table=tables.gear)
    packs = pack_inventories(
        npcs, free_kg=free - coin_kg, seeds=seeds, table=tables.gear, goods=tables.goods,
        maker=maker, pricing=pricing,
    )  # fmt: skip
    inventory_s = time.perf_counter() - started
    started = time.perf_counter()
    blocks = npc_stat_blocks(
        npcs,
        fighting=fighting_gear(outfit, table=tables.gear, goods=tables.goods),
        casters=casters,
        rules=tables.combat.rules,
    )
    rows = stat_block_rows(
        wearers.npc_id, blocks, xp=np.zeros(len(blocks), dtype=np.int64),
        capacity_kg=outfit.capacity_kg, load_kg=outfit.load_kg, purse=coins,
    )  # fmt: skip
    blocks_s = time.perf_counter() - started
    return {
        "npcs": npcs.height,
        "casters": casters.height,
        "equipment_rows": worn.height,
        "inventory_rows": packs.height,
        "stat_blocks": rows.height,
        "casters_s": casters_s,
        "equipment_s": equipment_s,
        "inventory_s": inventory_s,
        "blocks_s": blocks_s,
        "npcs_s": casters_s + equipment_s + inventory_s + blocks_s,
        "peak_mb": _peak_mb(),
    }


def run_fights(count: int) -> dict[str, Any]:
    import numpy as np

    from worldloom.systems.combat import assess_encounters, draw_encounters
    from worldloom.systems.rng import Seeds

    seeds = Seeds(SEED)
    rulebook = _tables().combat
    kinds = sorted(rulebook.bestiary.tables)
    trials = 10
    encounters = count // trials
    ids = np.arange(encounters, dtype=np.int64)
    danger = 1 + ids % 10
    drawn = draw_encounters(
        ids, [kinds[i % len(kinds)] for i in range(encounters)], danger, seeds=seeds,
        bestiary=rulebook.bestiary, rules=rulebook.rules,
    )  # fmt: skip
    # The first call compiles the resolver (or loads it from numba's cache): not timed.
    assess_encounters(_first(drawn, 10), ids[:10], seeds=seeds, rulebook=rulebook, trials=1)
    figures: dict[str, Any] = {"fights": encounters * trials}
    for mode in ("seeded", "expected"):
        started = time.perf_counter()
        fared = assess_encounters(
            drawn,
            ids,
            seeds=seeds,
            rulebook=rulebook,
            trials=trials,
            mode=mode,  # type: ignore[arg-type]
        )
        figures[f"{mode}_s"] = time.perf_counter() - started
        figures[f"{mode}_win"] = float(fared.win_chance.mean())
    figures["fights_s"] = figures["seeded_s"]
    figures["peak_mb"] = _peak_mb()
    return figures


def _first(encounters: Any, count: int) -> Any:
    from dataclasses import fields

    return type(encounters)(*(getattr(encounters, f.name)[:count] for f in fields(encounters)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default="loot,npcs,fights")
    parser.add_argument("--npcs", type=int, default=1_000_000)
    parser.add_argument("--fights", type=int, default=100_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        part = {
            "loot": run_loot,
            "npcs": lambda: run_npcs(args.npcs),
            "fights": lambda: run_fights(args.fights),
        }[args.child]
        print(json.dumps(part()))
        return
    results = {}
    for part in args.parts.split(","):
        child = subprocess.run(
            [sys.executable, __file__, "--child", part, "--npcs", str(args.npcs),
             "--fights", str(args.fights)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        results[part] = json.loads(child.stdout.strip().splitlines()[-1])
    _print(results)


def _print(results: dict[str, dict[str, Any]]) -> None:
    print(f"gear stage, seed {SEED}, one process per part")
    if "loot" in results:
        r = results["loot"]
        print(
            f"loot     {r['rooms']:>9,} rooms of {r['pois']:,} POIs (large preset), {r['lots']:,} "
            f"lots: {r['loot_s']:.2f} s (target <= {TARGETS['loot_s']:.0f} s), "
            f"peak {r['peak_mb'] / 1024:.2f} GB"
        )
    if "npcs" in results:
        r = results["npcs"]
        print(
            f"npcs     {r['npcs']:>9,} NPCs: casters {r['casters_s']:.2f} s, equipment "
            f"{r['equipment_s']:.2f} s ({r['equipment_rows']:,} rows), inventories "
            f"{r['inventory_s']:.2f} s ({r['inventory_rows']:,} rows), stat blocks "
            f"{r['blocks_s']:.2f} s; total {r['npcs_s']:.2f} s (target <= "
            f"{TARGETS['npcs_s']:.0f} s), peak {r['peak_mb'] / 1024:.2f} GB (target < "
            f"{TARGETS['peak_gb']:.0f} GB, NPC generation included)"
        )
    if "fights" in results:
        r = results["fights"]
        print(
            f"fights   {r['fights']:>9,} fights: seeded {r['seeded_s']:.2f} s (target <= "
            f"{TARGETS['fights_s']:.0f} s, party wins {r['seeded_win']:.1%}), expected-value "
            f"{r['expected_s']:.2f} s (wins {r['expected_win']:.1%}), peak "
            f"{r['peak_mb'] / 1024:.2f} GB"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
