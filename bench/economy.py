"""Benchmark: the vectorised agent economy at 100, 1,000 and 5,000 markets x the shipped goods,
next to a per-agent Python implementation of the Doran & Parberry loop; then the economy's
health by year over 10 simulated years of the synthetic 1,000 markets and of a generated medium
world (issue 12: trade kept, spoilage, starving, prices), with each year's wall and CPU time.

Each size runs in a fresh subprocess, so its peak RSS is its own. Markets are synthetic: a land
biome, a random subset of the 11 resources, 12-36 agents each, trade links to 2-4 grid neighbours
(1-6 days, danger 0-6). The largest size runs fewer ticks when 365 would take over `--budget`
seconds at the rate measured so far. The baseline (bench/economy_baseline.py, bazaarBot-style)
runs the target's 1,000 markets from the same state as the engine, after an engine burn-in
(the regime most of a 365-tick run is in: beliefs spread, books full), and the engine runs
the same ticks again, so agent-ticks per second compare like for like.

    .venv/bin/python bench/economy.py [--sizes 100,1000,5000] [--ticks 365] [--budget 120]
                                      [--baseline-markets 1000] [--baseline-burn 60]
                                      [--baseline-ticks 15] [--health-years 10]
                                      [--health-markets 1000] [--medium-home DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from worldloom.infrastructure.runtime import tune_memory

ROOT = Path(__file__).resolve().parents[1]
SEED = 7

LAND_BIOMES = ("grassland", "savanna", "steppe", "shrubland", "taiga", "temperate_forest",
               "wetland", "cold_desert", "hot_desert", "tundra")  # fmt: skip
RESOURCES = ("grain", "herbs", "peat", "game", "timber", "fish", "furs", "salt", "stone", "ore",
             "gems")  # fmt: skip

TARGETS = {"seconds_1k": 10.0, "markets": 1_000, "ticks": 365, "goods": 60, "ratio": 50.0}
"""Issue 5's targets: 1,000 markets x 60+ goods x 365 ticks in <= 10 s on 2 cores, and >= 50x the
agent-ticks per second of a straightforward per-agent Python loop."""


def synthetic_economy(n_markets: int) -> tuple[Any, Any]:
    """Markets laid out on a grid, each linked both ways to its 2-4 grid neighbours."""
    import numpy as np

    from worldloom.systems.economy import Markets, TradeLinks

    rng = np.random.default_rng(SEED)
    land = tuple(
        frozenset(rng.choice(RESOURCES, int(rng.integers(2, 7)), replace=False).tolist())
        for _ in range(n_markets)
    )
    markets = Markets(
        ids=np.arange(n_markets, dtype=np.int64),
        biome=tuple(rng.choice(LAND_BIOMES, n_markets).tolist()),
        resources=land,
        agents=rng.integers(12, 37, n_markets).astype(np.int64),
    )
    width = math.ceil(math.sqrt(n_markets))
    cells = np.arange(n_markets)
    right = cells[(cells % width < width - 1) & (cells + 1 < n_markets)]
    down = cells[cells + width < n_markets]
    a = np.r_[right, down]
    b = np.r_[right + 1, down + width]
    days = rng.integers(1, 7, a.size)
    danger = rng.integers(0, 7, a.size).astype(np.float64)
    links = TradeLinks(
        src=np.r_[a, b].astype(np.int64),
        dst=np.r_[b, a].astype(np.int64),
        days=np.r_[days, days].astype(np.int64),
        danger=np.r_[danger, danger],
        toll=np.where(np.r_[a, b] % 7 == 0, 0.05, 0.0),
    )
    return markets, links


def _setup(n_markets: int) -> tuple[Any, Any, Any, Any]:
    from worldloom.systems.economy import compile_rules, seed_economy
    from worldloom.systems.rng import Seeds
    from worldloom.tasks.catalog import goods_table, profession_weights, recipe_book

    rules = compile_rules(goods_table(), recipe_book())
    markets, links = synthetic_economy(n_markets)
    state = seed_economy(
        rules, markets, links=links, seeds=Seeds(SEED), profession_weights=profession_weights()
    )
    return rules, markets, links, state


def run_engine(n_markets: int, ticks: int) -> dict[str, Any]:
    """Run the engine for `ticks` at `n_markets` in this process and return its figures."""
    import numpy as np

    from worldloom.systems.economy import simulate_economy
    from worldloom.systems.rng import Seeds

    rules, markets, links, state = _setup(n_markets)
    started, cpu = time.perf_counter(), time.process_time()
    run = simulate_economy(state, rules, markets, links, seeds=Seeds(SEED), ticks=ticks)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    history = run.history
    return {
        "markets": n_markets,
        "goods": len(rules.goods),
        "agents": int(markets.agents.sum()),
        "links": int(links.src.size),
        "ticks": ticks,
        "seconds": seconds,
        "cpu_s": cpu,
        "fills": int(history.fills["qty"].size),
        "caravans": int(history.caravans["merchant"].size),
        "bankruptcies": int(history.bankruptcies.sum()),
        "money_before": state.total_money(),
        "money_after": run.state.total_money(),
        "min_price": float(min(run.state.price.min(), history.price.min())),
        "nan_prices": bool(np.isnan(run.state.price).any() or np.isnan(history.price).any()),
        # ru_maxrss is in kilobytes on Linux.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_health(source: str, years: int) -> dict[str, Any]:
    """Run an economy `years` years from its seeded state, a year per call, and return its
    health by year (`summarize_health`) with each year's wall and CPU seconds. `source` is
    `synthetic:<markets>` or `world:<home>:<world id>` (a generated world's markets)."""
    import numpy as np
    import polars as pl

    from worldloom.infrastructure.analytics.economy import HealthTargets, summarize_health
    from worldloom.systems.economy import compile_rules, seed_economy, simulate_economy
    from worldloom.systems.rng import Seeds
    from worldloom.tasks.catalog import goods_table, profession_weights, recipe_book

    rules = compile_rules(goods_table(), recipe_book())
    markets, links, seed = _markets_of(source)
    state = seed_economy(
        rules, markets, links=links, seeds=Seeds(seed), profession_weights=profession_weights()
    )
    money, days, timing = state.total_money(), [], []
    for _ in range(years):
        started, cpu = time.perf_counter(), time.process_time()
        run = simulate_economy(state, rules, markets, links, seeds=Seeds(seed), ticks=365)
        timing.append((time.perf_counter() - started, time.process_time() - cpu))
        state = run.state
        if not (run.history.health["money"] == money).all():
            raise AssertionError(f"{source}: money not conserved in year {len(timing)}")
        days.append(pl.DataFrame({"tick": run.history.ticks, **run.history.health}))
    health = summarize_health(pl.concat(days))
    return {
        "source": source,
        "markets": int(markets.ids.size),
        "agents": int(markets.agents.sum()),
        "years": health.to_dicts(),
        "seconds": [t for t, _ in timing],
        "cpu_s": [c for _, c in timing],
        "misses": HealthTargets().misses(health),
        "money_kept": bool(np.all(state.total_money() == money)),
    }


def _markets_of(source: str) -> tuple[Any, Any, int]:
    kind, _, rest = source.partition(":")
    if kind == "synthetic":
        markets, links = synthetic_economy(int(rest))
        return markets, links, SEED
    from worldloom.infrastructure.store import open_store
    from worldloom.tasks.economy import market_layout
    from worldloom.tasks.world_record import load_world, world_db

    home, _, world_id = rest.rpartition(":")
    with open_store(world_db(home, world_id), read_only=True) as store:
        layout = market_layout(store, world_id)
        seed = load_world(store, world_id).config.seed
    return layout.markets, layout.links, seed


def medium_world(home: Path) -> str:
    """`world:<home>:<id>` of a medium world (seed 7, no LLM) in `home`, generated there once."""
    worlds = sorted((home / "worlds").glob("*.duckdb")) if (home / "worlds").exists() else []
    if not worlds:
        subprocess.run(
            [str(Path(sys.executable).with_name("worldloom")), "generate", "--seed", str(SEED),
             "--preset", "medium", "--llm", "none", "--home", str(home)],
            check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        worlds = sorted((home / "worlds").glob("*.duckdb"))
    return f"world:{home}:{worlds[0].stem}"


def print_health(result: dict[str, Any]) -> None:
    """The health table of `run_health`, a row per year, with the year's wall and CPU time."""
    print(f"\nhealth of {result['source']}: {result['markets']:,} markets, "
          f"{result['agents']:,} agents, a year at a time")  # fmt: skip
    print(f"{'year':>4} {'trade':>7} {'vs y1':>6} {'spoiled':>7} {'starving':>8} "
          f"{'bankrupt':>8} {'switched':>8} {'prices':>6} {'vs y1':>6} {'velocity':>8} "
          f"{'merchants':>9} {'seconds':>7} {'cpu s':>6}")  # fmt: skip
    for row, wall, cpu in zip(result["years"], result["seconds"], result["cpu_s"], strict=True):
        print(f"{row['year']:>4} {row['trade']:>7.3f} {row['trade_vs_y1']:>6.2f} "
              f"{row['spoilage']:>7.3f} {row['starving']:>8.4f} {row['bankrupt']:>8,} "
              f"{row['switched']:>8,} {row['prices']:>6.2f} {row['prices_vs_y1']:>6.2f} "
              f"{row['velocity']:>8.2f} {row['merchants']:>9.1f} "
              f"{wall:>7.1f} {cpu:>6.1f}")  # fmt: skip
    kept = "yes" if result["money_kept"] else "NO"
    verdict = "all targets met" if not result["misses"] else "; ".join(result["misses"])
    print(
        f"money conserved every tick: {kept}; years 2 on: {verdict} (trade >= 50 % of "
        "year 1's, spoiled <= 25 %, starving <= 5 %, prices within 30 % of year 1's)"
    )


def run_baseline(n_markets: int, burn: int, ticks: int) -> dict[str, Any]:
    """Run the per-agent baseline and the engine for `ticks` from the same state, reached by
    `burn` engine ticks from the seeded one."""
    from economy_baseline import Baseline

    from worldloom.systems.economy import simulate_economy
    from worldloom.systems.rng import Seeds

    rules, markets, links, state = _setup(n_markets)
    if burn:
        state = simulate_economy(state, rules, markets, links, seeds=Seeds(SEED), ticks=burn).state
    baseline = Baseline(rules, markets, links, state, seed=SEED)
    money_before = baseline.total_money()
    started, cpu = time.perf_counter(), time.process_time()
    baseline.run(ticks)
    baseline_s, baseline_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    run = simulate_economy(state, rules, markets, links, seeds=Seeds(SEED), ticks=ticks)
    engine_s, engine_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "markets": n_markets,
        "agents": int(markets.agents.sum()),
        "burn": burn,
        "ticks": ticks,
        "baseline_s": baseline_s,
        "engine_s": engine_s,
        "baseline_cpu_s": baseline_cpu,
        "engine_cpu_s": engine_cpu,
        "baseline_fills": baseline.fills,
        "engine_fills": int(run.history.fills["qty"].size),
        "baseline_caravans": baseline.caravans,
        "engine_caravans": int(run.history.caravans["merchant"].size),
        "baseline_bankruptcies": baseline.bankruptcies,
        "engine_bankruptcies": int(run.history.bankruptcies.sum()),
        "baseline_money_kept": baseline.total_money() == money_before,
        "baseline_min_price": min(min(row) for row in baseline.price),
    }


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--ticks", type=int, default=365)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per size, roughly")
    parser.add_argument("--baseline-markets", type=int, default=TARGETS["markets"])
    parser.add_argument("--baseline-burn", type=int, default=60, help="engine ticks first")
    parser.add_argument("--baseline-ticks", type=int, default=15)
    parser.add_argument("--health-years", type=int, default=10, help="0 to skip the health runs")
    parser.add_argument("--health-markets", type=int, default=TARGETS["markets"])
    parser.add_argument(
        "--medium-home", type=Path, default=Path("/tmp/worldloom-bench-medium"),
        help="where the medium world is generated (once) for its health run",
    )  # fmt: skip
    parser.add_argument("--engine", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", nargs=3, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--health", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    tune_memory()  # as the worldloom command does, before numpy is imported
    if args.engine:
        print(json.dumps(run_engine(*args.engine)))
        return
    if args.baseline:
        print(json.dumps(run_baseline(*args.baseline)))
        return
    if args.health:
        print(json.dumps(run_health(args.health[0], int(args.health[1]))))
        return
    print(f"engine, seed {SEED}, each size in its own process")
    print(f"{'markets':>8} {'goods':>5} {'agents':>8} {'ticks':>5} {'seconds':>8} {'cpu s':>7} "
          f"{'mkt-ticks/s':>11} {'agent-ticks/s':>13} {'peak MB':>8} {'fills':>10} "
          f"{'caravans':>8} {'bankrupt':>8} {'money kept':>10} {'min price':>9}")  # fmt: skip
    rate = 0.0
    for size in (int(s) for s in args.sizes.split(",")):
        ticks = args.ticks
        if rate and size * ticks / rate > args.budget:
            ticks = max(10, int(args.budget * rate / size))
        f = _child("--engine", str(size), str(ticks))
        rate = f["markets"] * f["ticks"] / f["seconds"]
        kept = "yes" if f["money_before"] == f["money_after"] else "NO"
        per_agent = f["agents"] * f["ticks"] / f["seconds"]
        low = "NaN" if f["nan_prices"] else f"{f['min_price']:.2f}"
        print(f"{f['markets']:>8,} {f['goods']:>5} {f['agents']:>8,} {f['ticks']:>5} "
              f"{f['seconds']:>8.2f} {f['cpu_s']:>7.2f} {rate:>11,.0f} {per_agent:>13,.0f} "
              f"{f['peak_rss_mb']:>8,.0f} {f['fills']:>10,} {f['caravans']:>8,} "
              f"{f['bankruptcies']:>8,} {kept:>10} {low:>9}")  # fmt: skip
        if f["markets"] == TARGETS["markets"]:
            at_target = f["seconds"] * TARGETS["ticks"] / f["ticks"]
            print(f"{'':>8} 1,000 markets x {f['goods']} goods x 365 ticks: {at_target:.1f} s")
    print(f"target: {TARGETS['markets']:,} markets x {TARGETS['goods']}+ goods x "
          f"{TARGETS['ticks']} ticks <= {TARGETS['seconds_1k']:.0f} s on 2 cores "
          "(issue 5)")  # fmt: skip
    b = _child(
        "--baseline",
        str(args.baseline_markets),
        str(args.baseline_burn),
        str(args.baseline_ticks),
    )
    work = b["agents"] * b["ticks"]
    ours, theirs = work / b["engine_s"], work / b["baseline_s"]
    print(f"\nper-agent Python baseline (bazaarBot-style) vs engine: {b['markets']:,} markets, "
          f"{b['agents']:,} agents, {b['ticks']} ticks from the same state (after "
          f"{b['burn']} engine ticks)")  # fmt: skip
    print(f"{'':>9} {'seconds':>8} {'cpu s':>7} {'agent-ticks/s':>13} {'fills':>8} {'caravans':>8} "
          f"{'bankrupt':>8}")  # fmt: skip
    for name, key in (("baseline", "baseline"), ("engine", "engine")):
        seconds, cpu = b[key + "_s"], b[key + "_cpu_s"]
        print(f"{name:>9} {seconds:>8.2f} {cpu:>7.2f} {work / seconds:>13,.0f} "
              f"{b[key + '_fills']:>8,} {b[key + '_caravans']:>8,} "
              f"{b[key + '_bankruptcies']:>8,}")  # fmt: skip
    cpu_ratio = b["baseline_cpu_s"] / b["engine_cpu_s"]
    print(f"ratio: {ours / theirs:.1f}x wall-clock, {cpu_ratio:.1f}x CPU "
          f"(target >= {TARGETS['ratio']:.0f}x); baseline money "
          f"conserved: {'yes' if b['baseline_money_kept'] else 'NO'}, min price "
          f"{b['baseline_min_price']:.2f}")  # fmt: skip
    if args.health_years:
        years = str(args.health_years)
        print_health(_child("--health", f"synthetic:{args.health_markets}", years))
        print_health(_child("--health", medium_world(args.medium_home), years))


if __name__ == "__main__":
    main()
