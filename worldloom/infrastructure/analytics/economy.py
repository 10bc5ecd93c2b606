"""Economy analytics with Polars: health by year, price index, volatility, convergence,
shortages, money, trade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from worldloom.infrastructure.analytics.markdown import markdown_table

KEY_GOODS: Final = 6
"""How many of the most traded goods get their own price series (the chart's lines)."""

SHORTAGE_RATIO: Final = 2
"""A book is short when its demand exceeds this many times its supply."""

TOP_ROWS: Final = 10
"""Rows kept in the ranked tables (volatility, shortages, routes) in the markdown."""

TIMELINE_ROWS: Final = 12
"""Ticks sampled, evenly, for the markdown's over-time table; the frames keep every tick."""

_BOOK: Final = ("market_id", "good")
"""A book is one good's order book in one market: the unit prices move in."""

DAYS_PER_YEAR: Final = 365
"""The calendar's year (data/calendar.toml): health figures are per calendar year."""


@dataclass(frozen=True, slots=True)
class HealthTargets:
    """What a living economy keeps up after its first year, with no shocks (issue #12)."""

    trade_kept: float = 0.5
    """Units traded per agent-day, each year, at least this share of year 1's."""
    spoilage: float = 0.25
    """Spoiled units at most this share of those produced."""
    starving: float = 0.05
    """Agent-days at starving hunger at most this share."""
    index_band: float = 0.3
    """The price index within this share of year 1's."""

    def misses(self, health: pl.DataFrame) -> list[str]:
        """What `summarize_health`'s years 2 on miss, one line each; [] when healthy."""
        later = health.filter(pl.col("year") > health["year"].min())
        return [
            f"year {year}: {column} {value:.3f}"
            for column in ("trade_vs_y1", "spoilage", "starving", "prices_vs_y1")
            for year, value in later.select("year", column).iter_rows()
            if not self._meets(column, value)
        ]

    def _meets(self, column: str, value: float) -> bool:
        if column == "trade_vs_y1":
            return value >= self.trade_kept
        if column == "prices_vs_y1":
            return abs(value - 1) <= self.index_band
        return value <= (self.spoilage if column == "spoilage" else self.starving)


@dataclass(frozen=True, slots=True)
class EconomySummary:
    """The economy of one run in tables, ready for Prefect artifacts, the CLI and the chart."""

    world_index: pl.DataFrame
    """tick, index: the value-weighted price basket over base value (1 = goods at base value)."""
    market_index: pl.DataFrame
    """tick, market_id, index: the same basket within each market."""
    key_prices: pl.DataFrame
    """tick, good, name, price, relative: median price over markets of the most traded goods
    (relative = price over base value)."""
    volatility: pl.DataFrame
    """good, name, volatility, markets: std of tick-to-tick log price change over the run's
    last half, median over markets; most volatile first."""
    convergence: pl.DataFrame
    """tick, change: median over books of the absolute log price change since the last tick."""
    shortages: pl.DataFrame
    """good, name, markets, demand, supply at the last tick, over books with demand above
    ``SHORTAGE_RATIO`` x supply; most markets short first."""
    money_supply: pl.DataFrame
    """tick, money: money held in all markets, treasuries included."""
    professions_over_time: pl.DataFrame
    """tick, profession, agents, bankruptcies."""
    professions: pl.DataFrame
    """At the last tick: profession, agents, share, mean_profit (agent-weighted), and
    bankruptcies over the whole run; most agents first."""
    goods_flow: pl.DataFrame
    """good, name, produced, consumed, spoiled, net over the whole run; most produced first."""
    trade: pl.DataFrame
    """One row: caravans, units, cost, value (units at base value), over all caravans sent."""
    routes: pl.DataFrame
    """src_market, dst_market, caravans, units, value; busiest (most caravans) first."""
    health: pl.DataFrame
    """Per calendar year, `summarize_health`: trade, spoilage, starving, bankruptcies,
    changes of trade, price index, money velocity, merchants."""
    health_series: pl.DataFrame
    """The same per 30 days (`health_over_time`): what the health chart draws."""

    def markdown(self) -> str:
        """The main tables as markdown sections, for a Prefect artifact or the CLI."""
        parts = []
        for title, frame in (
            ("Health by year", self.health),
            ("Over time", self._timeline()),
            ("Most volatile prices", self.volatility.head(TOP_ROWS)),
            ("Shortages at the last tick", self.shortages.head(TOP_ROWS)),
            ("Professions at the last tick", self.professions),
            ("Production and consumption", self.goods_flow.head(TOP_ROWS)),
            ("Trade", self.trade),
            ("Busiest routes", self.routes.head(TOP_ROWS)),
        ):
            parts.append(f"## {title}\n\n{markdown_table(frame)}")
        return "\n\n".join(parts) + "\n"

    def _timeline(self) -> pl.DataFrame:
        people = self.professions_over_time.group_by("tick").agg(
            pl.col("agents").sum(), pl.col("bankruptcies").sum()
        )
        timeline = (
            self.world_index.rename({"index": "price_index"})
            .join(self.money_supply, on="tick", how="full", coalesce=True)
            .join(people, on="tick", how="full", coalesce=True)
            .sort("tick")
            .with_row_index("row")
        )
        step = max(1, -(-timeline.height // (TIMELINE_ROWS - 1)))
        # price_change is the index's relative change since the row above, so the column reads
        # with the index beside it. (It once was `convergence`, the median book's change: 0 on
        # every row of a real world, where most books see no order on most days.)
        return (
            timeline.filter((pl.col("row") % step == 0) | (pl.col("row") == timeline.height - 1))
            .with_columns(
                (pl.col("price_index") / pl.col("price_index").shift(1) - 1).alias("price_change")
            )
            .select("tick", "price_index", "price_change", "money", "agents", "bankruptcies")
        )


def summarize_economy(
    *,
    prices: pl.DataFrame,
    roles: pl.DataFrame,
    money: pl.DataFrame,
    ledger: pl.DataFrame,
    caravans: pl.DataFrame,
    goods: pl.DataFrame,
    health: pl.DataFrame | None = None,
) -> EconomySummary:
    """Summarise one economy run from its stored tables (world_id already filtered out).

    Args:
        prices: tick, market_id, good, price, supply, demand, volume; one row per book per tick.
        roles: tick, role, profession, agents, money, mean_profit, bankruptcies.
        money: tick, market_id, money (treasury included).
        ledger: tick, good, produced, consumed, spoiled.
        caravans: caravan_id, merchant, src_market, dst_market, good, qty, cost, depart_tick,
            arrive_tick.
        goods: good, name, category, value (base value in copper), weight.
        health: economy_health's rows (tick, agents, units, turnover, base_turnover,
            produced, spoiled, starving, bankruptcies, switches, merchants, money); none: an
            empty health table.

    Returns:
        The summary; every frame is empty, with its columns, when its input is.
    """
    names = goods.select("good", "name", pl.col("value").cast(pl.Float64))
    days = health if health is not None else _NO_HEALTH
    books = _weighted_books(prices, names)
    changes = _log_changes(prices)
    return EconomySummary(
        world_index=_price_index(books, ["tick"]),
        market_index=_price_index(books, ["tick", "market_id"]),
        key_prices=_key_prices(prices, names),
        volatility=_volatility(changes, names),
        convergence=changes.drop_nulls("change")
        .group_by("tick")
        .agg(pl.col("change").abs().median())
        .sort("tick"),
        shortages=_shortages(prices, names),
        money_supply=money.group_by("tick").agg(pl.col("money").sum()).sort("tick"),
        professions_over_time=roles.group_by("tick", "profession")
        .agg(pl.col("agents").sum(), pl.col("bankruptcies").sum())
        .sort("tick", "profession"),
        professions=_professions(roles),
        goods_flow=_goods_flow(ledger, names),
        trade=_trade_totals(caravans, names),
        routes=_routes(caravans, names),
        health=summarize_health(days),
        health_series=health_over_time(days),
    )


_NO_HEALTH: Final = pl.DataFrame(
    schema={
        "tick": pl.Int64,
        **dict.fromkeys(("agents", "units", "turnover", "produced", "spoiled"), pl.Int64),
        "base_turnover": pl.Float64,
        **dict.fromkeys(("starving", "bankruptcies", "switches", "merchants", "money"), pl.Int64),
    }
)


def summarize_health(health: pl.DataFrame) -> pl.DataFrame:
    """The economy's health per calendar year (year 1 starts at tick 0) from its daily rows:
    days; trade, units traded per agent-day; spoilage, spoiled / produced; starving, the
    share of agent-days at starving hunger; bankrupt and switched, agents that went bankrupt
    or changed trade; prices, the price index (copper paid / the units' worth at base value:
    1 = base prices); velocity, copper paid a year / the money there is; merchants on a trip
    (mean); and trade and prices against year 1's (trade_vs_y1, prices_vs_y1)."""
    yearly = _health_periods(
        health.with_columns((pl.col("tick") // DAYS_PER_YEAR + 1).cast(pl.Int64).alias("year")),
        "year",
    )
    return yearly.with_columns(
        (pl.col("trade") / pl.col("trade").first()).alias("trade_vs_y1"),
        (pl.col("prices") / pl.col("prices").first()).alias("prices_vs_y1"),
    ).with_columns(pl.col(pl.Float64).round(4))


def health_over_time(health: pl.DataFrame, *, period_days: int = 30) -> pl.DataFrame:
    """The health figures of `summarize_health` per `period_days` from tick 0 (`tick` is
    each period's first day): the series a health chart draws."""
    return _health_periods(
        health.with_columns((pl.col("tick") // period_days * period_days).alias("period")),
        "period",
    ).rename({"period": "tick"})


def _health_periods(health: pl.DataFrame, key: str) -> pl.DataFrame:
    per = pl.col("agents").sum()
    return (
        health.group_by(key)
        .agg(
            pl.len().cast(pl.Int64).alias("days"),
            (pl.col("units").sum() / per).alias("trade"),
            _share(pl.col("spoiled").sum(), pl.col("produced").sum()).alias("spoilage"),
            (pl.col("starving").sum() / per).alias("starving"),
            pl.col("bankruptcies").sum().cast(pl.Int64).alias("bankrupt"),
            pl.col("switches").sum().cast(pl.Int64).alias("switched"),
            _share(pl.col("turnover").sum(), pl.col("base_turnover").sum()).alias("prices"),
            (pl.col("turnover").sum() / pl.col("money").mean() * DAYS_PER_YEAR / pl.len()).alias(
                "velocity"
            ),
            pl.col("merchants").mean().alias("merchants"),
        )
        .sort(key)
    )


def _share(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    """part / whole, 0 where whole is 0."""
    return pl.when(whole > 0).then(part / whole).otherwise(0.0)


def _weighted_books(prices: pl.DataFrame, names: pl.DataFrame) -> pl.LazyFrame:
    # A good's weight is its traded volume over the whole run, so the basket is fixed across
    # ticks (a Laspeyres-style index); a good nobody traded still counts, once.
    return (
        prices.lazy()
        .join(names.lazy(), on="good", how="inner")
        .with_columns(pl.col("volume").sum().over("good").alias("weight"))
        .with_columns(
            pl.when(pl.col("weight") > 0).then(pl.col("weight")).otherwise(1).cast(pl.Float64)
        )
    )


def _price_index(books: pl.LazyFrame, keys: list[str]) -> pl.DataFrame:
    return (
        books.group_by(keys)
        .agg(
            (
                (pl.col("price") * pl.col("weight")).sum()
                / (pl.col("value") * pl.col("weight")).sum()
            ).alias("index")
        )
        .sort(keys)
        .collect()
    )


def _log_changes(prices: pl.DataFrame) -> pl.DataFrame:
    return prices.select(
        "tick",
        *_BOOK,
        pl.col("price").log().diff().over(_BOOK, order_by="tick").alias("change"),
    )


def _key_prices(prices: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    key = (
        prices.group_by("good")
        .agg(pl.col("volume").sum())
        .sort(["volume", "good"], descending=[True, False])
        .head(KEY_GOODS)
        .select("good")
    )
    return (
        prices.join(key, on="good", how="semi")
        .group_by("tick", "good")
        .agg(pl.col("price").median())
        .join(names, on="good", how="left")
        .with_columns((pl.col("price") / pl.col("value")).alias("relative"))
        .sort("tick", "good")
        .select("tick", "good", "name", "price", "relative")
    )


def _volatility(changes: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    first, last = changes["tick"].min(), changes["tick"].max()
    if not (isinstance(first, int) and isinstance(last, int)):
        first = last = 0
    # Changes landing in the last half: the first half is the burn-in from seeded prices.
    half = first + (last - first + 1) // 2
    return (
        changes.filter(pl.col("tick") >= half)
        .group_by(_BOOK)
        .agg(pl.col("change").std())
        .group_by("good")
        .agg(pl.col("change").median().alias("volatility"), pl.len().alias("markets"))
        .join(names, on="good", how="left")
        .sort(["volatility", "good"], descending=[True, False], nulls_last=True)
        .select("good", "name", "volatility", "markets")
    )


def _shortages(prices: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    return (
        prices.filter(
            (pl.col("tick") == pl.col("tick").max())
            & (pl.col("demand") > SHORTAGE_RATIO * pl.col("supply"))
        )
        .group_by("good")
        .agg(pl.len().alias("markets"), pl.col("demand").sum(), pl.col("supply").sum())
        .join(names, on="good", how="left")
        .with_columns((pl.col("demand") - pl.col("supply")).alias("excess"))
        .sort(["markets", "excess", "good"], descending=[True, True, False])
        .select("good", "name", pl.col("markets").cast(pl.Int64), "demand", "supply")
    )


def _professions(roles: pl.DataFrame) -> pl.DataFrame:
    bankruptcies = roles.group_by("profession").agg(pl.col("bankruptcies").sum())
    last = roles.filter(pl.col("tick") == pl.col("tick").max())
    total = max(int(last["agents"].sum()), 1)
    return (
        last.group_by("profession")
        .agg(
            pl.col("agents").sum(),
            ((pl.col("mean_profit") * pl.col("agents")).sum() / pl.col("agents").sum()).alias(
                "mean_profit"
            ),
        )
        .join(bankruptcies, on="profession", how="left")
        .with_columns((pl.col("agents") / total).alias("share"))
        .sort(["agents", "profession"], descending=[True, False])
        .select("profession", "agents", "share", "mean_profit", "bankruptcies")
    )


def _goods_flow(ledger: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    return (
        ledger.group_by("good")
        .agg(pl.col("produced").sum(), pl.col("consumed").sum(), pl.col("spoiled").sum())
        .join(names, on="good", how="left")
        .with_columns((pl.col("produced") - pl.col("consumed") - pl.col("spoiled")).alias("net"))
        .sort(["produced", "good"], descending=[True, False])
        .select("good", "name", "produced", "consumed", "spoiled", "net")
    )


def _valued(caravans: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    return caravans.join(names, on="good", how="left").with_columns(
        (pl.col("qty") * pl.col("value")).alias("worth")
    )


def _trade_totals(caravans: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    return _valued(caravans, names).select(
        pl.len().cast(pl.Int64).alias("caravans"),
        pl.col("qty").sum().alias("units"),
        pl.col("cost").sum(),
        pl.col("worth").sum().alias("value"),
    )


def _routes(caravans: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    return (
        _valued(caravans, names)
        .group_by("src_market", "dst_market")
        .agg(
            pl.len().cast(pl.Int64).alias("caravans"),
            pl.col("qty").sum().alias("units"),
            pl.col("worth").sum().alias("value"),
        )
        .sort(
            ["caravans", "units", "src_market", "dst_market"],
            descending=[True, True, False, False],
        )
    )
