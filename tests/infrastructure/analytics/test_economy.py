"""Economy analytics: health by year, index, volatility, convergence, shortages, money, trade,
and the charts."""

from __future__ import annotations

import io
import itertools
import math
from pathlib import Path

import polars as pl
import pytest
from PIL import Image

from worldloom.infrastructure.analytics import EconomySummary, summarize_economy
from worldloom.infrastructure.analytics.economy import (
    HealthTargets,
    health_over_time,
    summarize_health,
)
from worldloom.infrastructure.cartography.price_chart import render_health_chart, render_price_chart

TICKS = 10
MARKETS = (1, 2)
GOODS = pl.DataFrame(
    {
        "good": ["grain", "iron", "wine"],
        "name": ["Grain", "Iron bar", "Wine"],
        "category": ["food", "metal", "drink"],
        "value": [2.0, 10.0, 5.0],
        "weight": [1.0, 5.0, 2.0],
    }
)
VOLUME = {"grain": 10, "iron": 2, "wine": 0}
"""Units traded per market per tick; wine never trades, so it weighs 1 in the index."""


def _prices(
    price: dict[tuple[int, int, str], float] | None = None,
    factor: list[float] | None = None,
    demand: dict[tuple[int, str], int] | None = None,
) -> pl.DataFrame:
    """Every book at base value x factor[tick], supply 10 and demand 10, unless overridden.

    Args:
        price: (tick, market, good) -> price overrides.
        factor: A multiplier of base value per tick (a converging series).
        demand: (market, good) -> demand at the last tick.
    """
    values = dict(GOODS.select("good", "value").iter_rows())
    rows = [
        {
            "tick": tick,
            "market_id": market,
            "good": good,
            "price": (price or {}).get(
                (tick, market, good), value * (factor[tick] if factor else 1.0)
            ),
            "supply": 10,
            "demand": (demand or {}).get((market, good), 10) if tick == TICKS - 1 else 10,
            "volume": VOLUME[good],
        }
        for tick in range(TICKS)
        for market in MARKETS
        for good, value in values.items()
    ]
    return pl.DataFrame(rows, schema_overrides={"tick": pl.Int64, "market_id": pl.Int64})


def _roles() -> pl.DataFrame:
    rows = [
        {
            "tick": tick,
            "role": role,
            "profession": profession,
            "agents": agents - (tick if profession == "miner" else 0),
            "money": 100 * agents,
            "mean_profit": profit,
            "bankruptcies": 1 if profession == "miner" and tick > 0 else 0,
        }
        for tick in range(TICKS)
        for role, profession, agents, profit in (
            ("producer", "farmer", 30, 2.0),
            ("producer", "miner", 20, -1.0),
            ("crafter", "farmer", 10, 5.0),
        )
    ]
    return pl.DataFrame(rows, schema_overrides={"agents": pl.Int64})


def _summary(prices: pl.DataFrame, health: pl.DataFrame | None = None) -> EconomySummary:
    money = pl.DataFrame(
        {
            "tick": [t for t in range(TICKS) for _ in MARKETS],
            "market_id": [m for _ in range(TICKS) for m in MARKETS],
            "money": [1000 + 10 * t for t in range(TICKS) for _ in MARKETS],
        }
    )
    ledger = pl.DataFrame(
        {
            "tick": [0, 0, 1, 1],
            "good": ["grain", "iron", "grain", "iron"],
            "produced": [40, 5, 40, 5],
            "consumed": [30, 4, 35, 4],
            "spoiled": [2, 0, 3, 0],
        }
    )
    caravans = pl.DataFrame(
        {
            "caravan_id": [1, 2, 3],
            "merchant": [7, 7, 8],
            "src_market": [1, 1, 2],
            "dst_market": [2, 2, 1],
            "good": ["grain", "iron", "wine"],
            "qty": [20, 3, 4],
            "cost": [45, 33, 22],
            "depart_tick": [1, 4, 6],
            "arrive_tick": [3, 6, 8],
        }
    )
    return summarize_economy(
        prices=prices,
        roles=_roles(),
        money=money,
        ledger=ledger,
        caravans=caravans,
        goods=GOODS,
        health=health,
    )


def test_index_is_one_when_prices_equal_base_values() -> None:
    summary = _summary(_prices())

    assert summary.world_index["tick"].to_list() == list(range(TICKS))
    assert summary.world_index["index"].to_list() == pytest.approx([1.0] * TICKS)
    assert summary.market_index.height == TICKS * len(MARKETS)
    assert summary.market_index["index"].to_list() == pytest.approx([1.0] * TICKS * 2)
    assert summary.volatility["volatility"].to_list() == pytest.approx([0.0] * 3)
    assert summary.convergence["change"].to_list() == pytest.approx([0.0] * (TICKS - 1))
    assert summary.shortages.height == 0


def test_a_price_shock_shows_in_the_index_and_the_volatility() -> None:
    summary = _summary(_prices(price={(7, 1, "iron"): 20.0}))

    # Weights are run volumes: grain 10 x 10 ticks x 2 markets = 200, iron 40, wine never -> 1.
    shocked = (2 * 200 * 2 + (10 + 20) * 40 + 5 * 1 * 2) / (2 * 200 * 2 + 10 * 40 * 2 + 5 * 2)
    index = dict(summary.world_index.iter_rows())
    assert index[7] == pytest.approx(shocked)
    assert index[6] == index[8] == pytest.approx(1.0)
    by_market = {(t, m): i for t, m, i in summary.market_index.iter_rows()}
    assert by_market[7, 1] == pytest.approx((2 * 200 + 20 * 40 + 5) / (2 * 200 + 10 * 40 + 5))
    assert by_market[7, 2] == pytest.approx(1.0)

    # Market 1's changes over ticks 5..9 are 0, 0, ln 2, -ln 2, 0; market 2's are all 0.
    shock_std = math.log(2) * math.sqrt(2 / 4)
    volatility = summary.volatility
    assert volatility["good"].to_list() == ["iron", "grain", "wine"]
    assert volatility.row(0) == ("iron", "Iron bar", pytest.approx(shock_std / 2), 2)
    assert volatility["volatility"].to_list()[1:] == pytest.approx([0.0, 0.0])


def test_a_shock_in_the_first_half_is_burn_in_not_volatility() -> None:
    summary = _summary(_prices(price={(2, 1, "iron"): 20.0}))

    assert summary.volatility["volatility"].to_list() == pytest.approx([0.0] * 3)
    assert summary.convergence.filter(pl.col("tick").is_in([2, 3]))["change"].max() == 0.0


def test_convergence_falls_for_a_converging_series() -> None:
    summary = _summary(_prices(factor=[1 + 0.5**tick for tick in range(TICKS)]))

    changes = summary.convergence["change"].to_list()
    assert summary.convergence["tick"].to_list() == list(range(1, TICKS))
    assert all(later < earlier for earlier, later in itertools.pairwise(changes))
    assert changes[0] == pytest.approx(math.log(2 / 1.5))


def test_shortages_count_markets_where_demand_exceeds_twice_supply() -> None:
    summary = _summary(
        _prices(demand={(1, "grain"): 30, (2, "grain"): 25, (1, "wine"): 21, (2, "iron"): 20})
    )

    # Iron's demand is exactly twice supply: tight, not short.
    assert summary.shortages.to_dicts() == [
        {"good": "grain", "name": "Grain", "markets": 2, "demand": 55, "supply": 20},
        {"good": "wine", "name": "Wine", "markets": 1, "demand": 21, "supply": 10},
    ]


def test_money_professions_ledger_and_trade() -> None:
    summary = _summary(_prices())

    assert summary.money_supply.row(0) == (0, 2000)
    assert summary.money_supply.row(-1) == (9, 2180)
    over_time = summary.professions_over_time.filter(pl.col("tick") == 9)
    assert over_time.rows() == [(9, "farmer", 40, 0), (9, "miner", 11, 1)]
    assert summary.professions.to_dicts() == [
        {
            "profession": "farmer",
            "agents": 40,
            "share": pytest.approx(40 / 51),
            "mean_profit": pytest.approx((30 * 2.0 + 10 * 5.0) / 40),
            "bankruptcies": 0,
        },
        {
            "profession": "miner",
            "agents": 11,
            "share": pytest.approx(11 / 51),
            "mean_profit": pytest.approx(-1.0),
            "bankruptcies": 9,
        },
    ]
    assert summary.goods_flow.rows() == [
        ("grain", "Grain", 80, 65, 5, 10),
        ("iron", "Iron bar", 10, 8, 0, 2),
    ]
    assert summary.trade.to_dicts() == [
        {"caravans": 3, "units": 27, "cost": 100, "value": 20 * 2.0 + 3 * 10.0 + 4 * 5.0}
    ]
    assert summary.routes.rows() == [(1, 2, 2, 23, 70.0), (2, 1, 1, 4, 20.0)]


def test_key_prices_are_the_most_traded_goods_median_over_markets() -> None:
    summary = _summary(_prices(price={(3, 1, "grain"): 4.0}))

    key = summary.key_prices
    assert key.columns == ["tick", "good", "name", "price", "relative"]
    assert key.height == TICKS * 3
    grain = key.filter((pl.col("tick") == 3) & (pl.col("good") == "grain"))
    assert grain.row(0) == (3, "grain", "Grain", 3.0, 1.5)


def test_markdown_has_the_main_tables() -> None:
    text = _summary(_prices(price={(7, 1, "iron"): 20.0})).markdown()

    for title in ("Over time", "Most volatile prices", "Shortages", "Professions", "Trade"):
        assert f"## {title}" in text
    assert "| tick | price\\_index | price\\_change | money | agents | bankruptcies |" in text
    assert "| iron | Iron bar |" in text
    assert "| 9 | 1 | 0 | 2,180 | 51 | 1 |" in text
    assert text.endswith("|\n")


def test_price_change_follows_the_index_when_most_books_stand_still() -> None:
    # One book of six moves (iron in market 1, up 10 % a day): the median book never does, as in
    # a real world, where most books see no order on most days. The column once showed that
    # median (0 on every row) beside a rising index.
    rising = {(tick, 1, "iron"): 10.0 * 1.1**tick for tick in range(TICKS)}
    summary = _summary(_prices(price=rising))

    timeline = summary._timeline()
    index = timeline["price_index"].to_list()
    assert index[-1] > index[0]
    assert timeline["price_change"][0] is None
    assert timeline["price_change"].to_list()[1:] == pytest.approx(
        [later / earlier - 1 for earlier, later in itertools.pairwise(index)]
    )
    assert all(change > 0 for change in timeline["price_change"].to_list()[1:])


def test_an_empty_run_summarises_to_empty_tables() -> None:
    prices = _prices().clear()
    summary = summarize_economy(
        prices=prices,
        roles=_roles().clear(),
        money=pl.DataFrame(schema={"tick": pl.Int64, "market_id": pl.Int64, "money": pl.Int64}),
        ledger=pl.DataFrame(
            schema={
                "tick": pl.Int64,
                "good": pl.String,
                "produced": pl.Int64,
                "consumed": pl.Int64,
                "spoiled": pl.Int64,
            }
        ),
        caravans=pl.DataFrame(
            schema={
                "caravan_id": pl.Int64,
                "merchant": pl.Int64,
                "src_market": pl.Int64,
                "dst_market": pl.Int64,
                "good": pl.String,
                "qty": pl.Int64,
                "cost": pl.Int64,
                "depart_tick": pl.Int64,
                "arrive_tick": pl.Int64,
            }
        ),
        goods=GOODS,
    )

    assert isinstance(summary, EconomySummary)
    assert summary.world_index.height == summary.volatility.height == 0
    assert summary.trade.row(0)[:2] == (0, 0)
    assert "## Over time\n\n_None._" in summary.markdown()


def test_price_chart_is_a_png_of_the_requested_size_with_stable_bytes(tmp_path: Path) -> None:
    summary = _summary(_prices(factor=[1 + 0.5**tick for tick in range(TICKS)]))

    first = render_price_chart(
        summary.world_index, summary.key_prices, tmp_path / "a.png", width=800, height=560
    )
    second = render_price_chart(
        summary.world_index, summary.key_prices, tmp_path / "b.png", width=800, height=560
    )

    assert first == tmp_path / "a.png"
    data = first.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (800, 560)
        assert len(set(image.convert("RGB").getdata())) > 8  # lines, legend and text drawn
    assert second.read_bytes() == data


def test_price_chart_draws_flat_single_and_wide_ranging_series(tmp_path: Path) -> None:
    flat = pl.DataFrame({"tick": [0, 1], "index": [1.0, 1.0]})
    single = pl.DataFrame({"tick": [5], "good": ["gem"], "price": [300.0]})
    wide = pl.DataFrame(
        {"tick": [0, 1, 0, 1], "good": ["a", "a", "b", "b"], "price": [1.0, 2.0, 500.0, 900.0]}
    )

    for name, goods in (("single", single), ("wide", wide), ("none", single.clear())):
        path = render_price_chart(flat, goods, tmp_path / f"{name}.png")
        with Image.open(path) as image:
            assert image.size == (1000, 700)
    with pytest.raises(ValueError, match="at least"):
        render_price_chart(flat, wide, tmp_path / "tiny.png", width=100, height=100)


def _health(days: int, *, trade: float = 1.0, spoiled: int = 10, starving: int = 1) -> pl.DataFrame:
    """Daily health rows: 100 agents trading `trade` units each, 100 made a day."""
    return pl.DataFrame(
        {
            "tick": pl.Series(list(range(days)), dtype=pl.Int64),
            "agents": [100] * days,
            "units": [int(100 * trade)] * days,
            "turnover": [300] * days,
            "base_turnover": [200.0] * days,
            "produced": [100] * days,
            "consumed": [80] * days,
            "spoiled": [spoiled] * days,
            "starving": [starving] * days,
            "bankruptcies": [1] * days,
            "switches": [2] * days,
            "merchants": [3] * days,
            "money": [36_500] * days,
        }
    )


def test_health_is_summed_per_calendar_year() -> None:
    health = summarize_health(_health(800))

    assert health["year"].to_list() == [1, 2, 3]
    assert health["days"].to_list() == [365, 365, 70]
    first = health.row(0, named=True)
    assert first["trade"] == pytest.approx(1.0)
    assert first["spoilage"] == pytest.approx(0.1)
    assert first["starving"] == pytest.approx(0.01)
    assert (first["bankrupt"], first["switched"]) == (365, 730)
    assert first["prices"] == pytest.approx(1.5)
    assert first["velocity"] == pytest.approx(300 * 365 / 36_500)
    assert first["merchants"] == pytest.approx(3.0)
    assert health["trade_vs_y1"].to_list() == pytest.approx([1.0] * 3)
    assert HealthTargets().misses(health) == []


def test_health_targets_name_each_year_and_figure_missed() -> None:
    good = _health(365)
    bad = _health(365, trade=0.4, spoiled=30, starving=6).with_columns(pl.col("tick") + 365)
    health = summarize_health(pl.concat([good, bad]))

    assert HealthTargets().misses(health) == [
        "year 2: trade_vs_y1 0.400",
        "year 2: spoilage 0.300",
        "year 2: starving 0.060",
    ]
    assert summarize_health(_health(0)).height == 0


def test_health_over_time_and_its_chart(tmp_path: Path) -> None:
    series = health_over_time(_health(100), period_days=30)
    assert series["tick"].to_list() == [0, 30, 60, 90]
    assert series["days"].to_list() == [30, 30, 30, 10]

    path = render_health_chart(series, tmp_path / "health.png", width=640, height=480)
    again = render_health_chart(series, tmp_path / "again.png", width=640, height=480)
    with Image.open(path) as image:
        assert image.size == (640, 480)
    assert path.read_bytes() == again.read_bytes()
    with pytest.raises(ValueError, match="at least"):
        render_health_chart(series, tmp_path / "tiny.png", width=100, height=100)


def test_the_summary_carries_health_and_its_markdown_table() -> None:
    assert _summary(_prices()).health.height == 0
    assert "## Health by year\n\n_None._" in _summary(_prices()).markdown()

    summary = _summary(_prices(), health=_health(400))
    assert summary.health["year"].to_list() == [1, 2]
    assert summary.health_series.height == 14
    text = summary.markdown()
    assert text.index("## Health by year") < text.index("## Over time")
    assert "| year | days | trade | spoilage | starving | bankrupt | switched |" in text
