"""Economy tables: goods, items and recipes; markets, prices per tick, trades, caravans, roles."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

GOODS = declare(
    "goods",
    ("good",),
    """
    good VARCHAR NOT NULL
    name VARCHAR NOT NULL
    category VARCHAR NOT NULL
    value DOUBLE NOT NULL
    weight DOUBLE NOT NULL
    perish DOUBLE NOT NULL
    nutrition DOUBLE NOT NULL
    """,
)
"""The tradeable goods; `value` is copper per unit at common quality, `perish` a daily share."""
ITEMS = declare(
    "items",
    ("item_id",),
    """
    item_id BIGINT NOT NULL
    good VARCHAR NOT NULL
    name VARCHAR NOT NULL
    category VARCHAR NOT NULL
    quality VARCHAR NOT NULL
    value BIGINT NOT NULL
    weight DOUBLE NOT NULL
    """,
    references={
        "good": "goods",
    },
)
"""The item catalog: every good at each quality tier it comes in."""
RECIPES = declare(
    "recipes",
    ("recipe",),
    """
    recipe VARCHAR NOT NULL
    profession VARCHAR NOT NULL
    inputs STRUCT(good VARCHAR, units INTEGER)[] NOT NULL
    outputs STRUCT(good VARCHAR, units INTEGER)[] NOT NULL
    resource VARCHAR
    tool VARCHAR
    wear DOUBLE NOT NULL
    labor DOUBLE NOT NULL
    time INTEGER NOT NULL
    """,
)
MARKETS = declare(
    "markets",
    ("market_id",),
    """
    market_id INTEGER NOT NULL
    settlement_id INTEGER NOT NULL
    name VARCHAR NOT NULL
    region_id INTEGER NOT NULL
    biome VARCHAR NOT NULL
    resources VARCHAR[] NOT NULL
    served INTEGER[] NOT NULL
    agents INTEGER NOT NULL
    treasury BIGINT NOT NULL
    tick INTEGER NOT NULL
    """,
    references={
        "settlement_id": "settlements",
        "region_id": "regions",
    },
)
"""A market per town, city and capital; `served` lists the villages and hamlets trading there.
`market_id` is the market's position in the economy's arrays; `tick` the tick it has reached."""
MARKET_LINKS = declare(
    "market_links",
    ("src_market", "dst_market"),
    """
    src_market INTEGER NOT NULL
    dst_market INTEGER NOT NULL
    travel_days INTEGER NOT NULL
    danger DOUBLE NOT NULL
    toll DOUBLE NOT NULL
    """,
    references={
        "src_market": "markets.market_id",
        "dst_market": "markets.market_id",
    },
)
"""Market pairs a caravan can travel, over the road and sea network, in both directions;
`toll` is the share of a cargo's value paid on arrival when the link crosses into a realm."""
MARKET_GOODS = declare(
    "market_goods",
    ("market_id", "good"),
    """
    market_id INTEGER NOT NULL
    good VARCHAR NOT NULL
    price DOUBLE NOT NULL
    stock BIGINT NOT NULL
    supply BIGINT NOT NULL
    demand BIGINT NOT NULL
    """,
    references={
        "market_id": "markets",
        "good": "goods",
    },
)
"""Current price and stock (held by the market's agents) of every good in every market."""
MARKET_PRICES = declare(
    "market_prices",
    ("tick", "market_id", "good"),
    """
    tick INTEGER NOT NULL
    market_id INTEGER NOT NULL
    good VARCHAR NOT NULL
    price DOUBLE NOT NULL
    supply INTEGER NOT NULL
    demand INTEGER NOT NULL
    volume INTEGER NOT NULL
    """,
    indexed=False,
    references={
        "market_id": "markets",
        "good": "goods",
    },
)
"""Every market's book per tick: price, units offered (supply) and bid for (demand), traded."""
TRADES = declare(
    "trades",
    ("trade_id",),
    """
    trade_id BIGINT NOT NULL
    tick INTEGER NOT NULL
    market_id INTEGER NOT NULL
    good VARCHAR NOT NULL
    buyer BIGINT NOT NULL
    seller BIGINT NOT NULL
    qty INTEGER NOT NULL
    price INTEGER NOT NULL
    """,
    indexed=False,
    references={
        "market_id": "markets",
        "good": "goods",
    },
)
"""Every fill of the double auction; buyer and seller are economy agent ids."""
CARAVANS = declare(
    "caravans",
    ("caravan_id",),
    """
    caravan_id BIGINT NOT NULL
    merchant BIGINT NOT NULL
    src_market INTEGER NOT NULL
    dst_market INTEGER NOT NULL
    good VARCHAR NOT NULL
    qty INTEGER NOT NULL
    cost BIGINT NOT NULL
    depart_tick INTEGER NOT NULL
    arrive_tick INTEGER NOT NULL
    """,
    references={
        "src_market": "markets.market_id",
        "dst_market": "markets.market_id",
        "good": "goods",
    },
)
ROLE_STATS = declare(
    "role_stats",
    ("tick", "role"),
    """
    tick INTEGER NOT NULL
    role VARCHAR NOT NULL
    profession VARCHAR NOT NULL
    agents INTEGER NOT NULL
    money BIGINT NOT NULL
    mean_profit DOUBLE NOT NULL
    bankruptcies INTEGER NOT NULL
    """,
)
"""Per tick and role (a recipe, guard or merchant): agents, their money, profit, bankruptcies."""
ECONOMY_LEDGER = declare(
    "economy_ledger",
    ("tick", "good"),
    """
    tick INTEGER NOT NULL
    good VARCHAR NOT NULL
    produced BIGINT NOT NULL
    consumed BIGINT NOT NULL
    spoiled BIGINT NOT NULL
    """,
    references={
        "good": "goods",
    },
)
"""World totals per tick and good: what production made and consumption and rot destroyed."""
MONEY_SUPPLY = declare(
    "money_supply",
    ("tick", "market_id"),
    """
    tick INTEGER NOT NULL
    market_id INTEGER NOT NULL
    money BIGINT NOT NULL
    """,
    references={
        "market_id": "markets",
    },
)
"""Copper held in each market (its agents plus its treasury) per tick."""
ECONOMY_AGENTS = declare(
    "economy_agents",
    ("agent_id",),
    """
    agent_id BIGINT NOT NULL
    market INTEGER NOT NULL
    role INTEGER NOT NULL
    money BIGINT NOT NULL
    slot_good BIGINT[] NOT NULL
    slot_qty BIGINT[] NOT NULL
    low DOUBLE[] NOT NULL
    high DOUBLE[] NOT NULL
    need DOUBLE[] NOT NULL
    progress DOUBLE NOT NULL
    hunger DOUBLE NOT NULL
    cost_scale DOUBLE NOT NULL
    taste INTEGER NOT NULL
    comfort_offset INTEGER NOT NULL
    wants INTEGER NOT NULL
    cargo_target BIGINT NOT NULL
    cargo_ceiling DOUBLE NOT NULL
    loading INTEGER NOT NULL
    link INTEGER NOT NULL
    arrive INTEGER NOT NULL
    profit DOUBLE NOT NULL
    """,
    exported=False,
    references={
        "market": "markets.market_id",
    },
)
"""The agents' full state, so `economy` can continue a world's economy where it stopped.
Arrays are per holding slot (`slot_good` is a position in `goods`, -1 for an empty slot);
`market` is -1 while a merchant is on the road."""
ECONOMY_BOOKS = declare(
    "economy_books",
    ("market_id",),
    """
    market_id INTEGER NOT NULL
    price DOUBLE[] NOT NULL
    supply BIGINT[] NOT NULL
    demand BIGINT[] NOT NULL
    """,
    exported=False,
    references={
        "market_id": "markets",
    },
)
"""Each market's reference prices and last supply and demand, by good position."""
