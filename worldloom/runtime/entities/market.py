"""Markets: where a place trades, current prices, and one good's price history."""

from __future__ import annotations

from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.entities.lookup import one
from worldloom.runtime.errors import NotFoundError
from worldloom.runtime.models import MarketPrices, MarketRef, Price

HISTORY_TICKS = 365
"""Most ticks of one good's history a response carries (the newest)."""


def market_of(engine: SnapshotEngine, settlement_id: int) -> MarketRef | None:
    """The market in a settlement, or the one a village or hamlet trades at."""
    if not engine.has("markets"):
        return None

    def build() -> dict[int, MarketRef]:
        where: dict[int, MarketRef] = {}
        for row in engine.rows(
            'SELECT market_id, name, settlement_id, served FROM "markets" ORDER BY market_id'
        ):
            served = row.pop("served") or []
            where[row["settlement_id"]] = MarketRef(**row, here=True)
            for place in served:
                where.setdefault(place, MarketRef(**row, here=False))
        return where

    return engine.memo(("markets",), build).get(settlement_id)


def prices_at(engine: SnapshotEngine, market_id: int) -> list[Price]:
    """Every good's current price and stock at a market, dearest first."""
    if not engine.has("market_goods"):
        return []
    goods = _goods(engine)
    prices = []
    for row in engine.keyed("market_goods", "market_id", market_id):
        name, category = goods.get(row["good"], (None, None))
        prices.append(
            Price(
                good=row["good"],
                name=name,
                category=category,
                price=row["price"],
                stock=row.get("stock"),
                supply=row.get("supply"),
                demand=row.get("demand"),
            )
        )
    return sorted(prices, key=lambda p: (-p.price, p.good))


def _goods(engine: SnapshotEngine) -> dict[str, tuple[str | None, str | None]]:
    """Every good's name and category (read once per snapshot)."""

    def build() -> dict[str, tuple[str | None, str | None]]:
        if not engine.has("goods"):
            return {}
        rows = engine.rows('SELECT good, name, category FROM "goods"')
        return {r["good"]: (r["name"], r["category"]) for r in rows}

    return engine.memo(("goods",), build)


def market_prices(engine: SnapshotEngine, market_id: int, good: str | None) -> MarketPrices:
    """A market's current prices, and one good's history when `good` is given.

    Raises:
        NotFoundError: No market of that id, or the market does not trade that good.
    """
    row = one(engine, "markets", "market_id", market_id, what="market")
    prices = prices_at(engine, market_id)
    history = []
    if good is not None:
        if all(p.good != good for p in prices):
            raise NotFoundError(f"market {market_id} trades no good {good[:60]!r}")
        if engine.has("market_prices"):
            history = engine.rows(
                'SELECT * EXCLUDE (world_id, market_id, good) FROM "market_prices" '
                "WHERE market_id = ? AND good = ? ORDER BY tick DESC LIMIT ?",
                [market_id, good, HISTORY_TICKS],
            )[::-1]
    return MarketPrices(
        market_id=market_id,
        name=row["name"],
        settlement_id=row["settlement_id"],
        tick=row.get("tick"),
        prices=prices,
        history=history,
    )
