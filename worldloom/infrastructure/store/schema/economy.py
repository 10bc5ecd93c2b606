"""Economy tables: goods, items and recipes; markets, prices per tick, trades, caravans, roles."""

from __future__ import annotations

from worldloom.infrastructure.store.schema.table import declare

GOODS = declare(
    "goods",
    ("good",),
    """
    good VARCHAR NOT NULL -- The good's key, e.g. grain, iron_ingot, longsword.
    name VARCHAR NOT NULL -- Display name.
    category VARCHAR NOT NULL -- One of the categories in the table description.
    value DOUBLE NOT NULL -- [copper] Base value of one unit at common quality (>= 1).
    weight DOUBLE NOT NULL -- [kg] Weight of one unit.
    perish DOUBLE NOT NULL -- [share] Part of a stock that spoils each day; 0 for durables.
    nutrition DOUBLE NOT NULL -- [rations] Food one unit gives; > 0 only for food and drink.
    """,
    description=(
        "The tradeable goods (data/goods.toml). category is food, drink, raw, material, "
        "tool, weapon, armour, clothing, luxury, reagent or potion. A ration is one "
        "worker's food for a day."
    ),
)
ITEMS = declare(
    "items",
    ("item_id",),
    """
    item_id BIGINT NOT NULL -- good's position in data/goods.toml * 16 + quality tier position.
    good VARCHAR NOT NULL -- The good it is (goods).
    name VARCHAR NOT NULL -- Display name, e.g. "Fine Longsword"; the good's own at common.
    category VARCHAR NOT NULL -- The good's category (goods).
    quality VARCHAR NOT NULL -- Quality tier: crude, common, fine or masterwork.
    value BIGINT NOT NULL -- [copper] Value of one item: the good's value times the tier's.
    weight DOUBLE NOT NULL -- [kg] Weight of one item.
    """,
    description=(
        "The item catalog: every good at each quality tier it comes in. Tools, weapons, "
        "armour, clothing, luxuries and potions come in all four tiers (crude 0.6x, common 1x, "
        "fine 1.8x, masterwork 3.5x the value; tier positions 0-3), other goods only at common."
    ),
    references={
        "good": "goods",
    },
)
RECIPES = declare(
    "recipes",
    ("recipe",),
    """
    recipe VARCHAR NOT NULL -- The recipe's key, e.g. grow_grain; also an economy role.
    profession VARCHAR NOT NULL -- The profession that works it (population_groups.profession).
    inputs STRUCT(good VARCHAR, units INTEGER)[] NOT NULL -- Goods used per batch; [] to gather.
    outputs STRUCT(good VARCHAR, units INTEGER)[] NOT NULL -- Goods made per batch.
    resource VARCHAR -- Region resource a gathering recipe needs (regions); null for workshops.
    tool VARCHAR -- A good of category tool the work wears out (goods); null when none.
    wear DOUBLE NOT NULL -- [share] Chance per batch that the tool breaks.
    labor DOUBLE NOT NULL -- [copper] Labour per batch: the least the producer works for.
    time INTEGER NOT NULL -- [days] Time one batch takes.
    """,
    description=(
        "Who makes what from what (data/recipes.toml): one batch of work by one profession. "
        "inputs and outputs list {good (goods.good), units per batch}."
    ),
)
MARKETS = declare(
    "markets",
    ("market_id",),
    """
    market_id INTEGER NOT NULL -- The market's id, 0..n-1 (its position in the economy).
    settlement_id INTEGER NOT NULL -- The town, city or capital it stands in (settlements).
    name VARCHAR NOT NULL -- The settlement's name.
    region_id INTEGER NOT NULL -- The settlement's region (regions).
    biome VARCHAR NOT NULL -- Key of its region's dominant biome (biomes.key): sets harvests.
    resources VARCHAR[] NOT NULL -- Resource keys of its and its served places' regions, sorted.
    served INTEGER[] NOT NULL -- Villages and hamlets that trade here (settlements.settlement_id).
    agents INTEGER NOT NULL -- [count] Agents it was seeded with (merchants then move about).
    treasury BIGINT NOT NULL -- [copper] The market's treasury (taxes and fees in, wages out).
    tick INTEGER NOT NULL -- [tick] Ticks the economy has run: the next one to run.
    bankrupt INTEGER NOT NULL DEFAULT 0 -- [count] Agents gone bankrupt here this year so far.
    """,
    description=(
        "A market per town, city and capital; each village and hamlet trades at the market "
        "it reaches soonest by route (or the nearest, if none). bankrupt counts from the "
        "world's last year's end: simulate reads it at the next (merchant_ruined) and starts "
        "it again."
    ),
    references={
        "settlement_id": "settlements",
        "region_id": "regions",
    },
)
MARKET_LINKS = declare(
    "market_links",
    ("src_market", "dst_market"),
    """
    src_market INTEGER NOT NULL -- The market a caravan leaves (markets.market_id).
    dst_market INTEGER NOT NULL -- The market it travels to (markets.market_id).
    travel_days INTEGER NOT NULL -- [days] Travel time over routes, rounded up (at least 1).
    danger DOUBLE NOT NULL -- [level] Mean danger_level of the two markets' regions.
    toll DOUBLE NOT NULL -- [share] Part of a cargo's value paid on arrival; 0 within a realm.
    """,
    description=(
        "Market pairs a caravan can travel over the road and sea network, in both directions "
        "(each market links to its four nearest within 40 days). A toll of 0.05 is paid when "
        "the link crosses into another state."
    ),
    references={
        "src_market": "markets.market_id",
        "dst_market": "markets.market_id",
    },
)
MARKET_GOODS = declare(
    "market_goods",
    ("market_id", "good"),
    """
    market_id INTEGER NOT NULL -- The market (markets).
    good VARCHAR NOT NULL -- The good (goods).
    price DOUBLE NOT NULL -- [copper] The market's current price of one unit.
    stock BIGINT NOT NULL -- [units] Units held by the market's agents (not those on the road).
    supply BIGINT NOT NULL -- [units] Units offered for sale at the last tick.
    demand BIGINT NOT NULL -- [units] Units bid for at the last tick.
    """,
    description="Current price and stock of every good in every market.",
    references={
        "market_id": "markets",
        "good": "goods",
    },
    indexed=False,
)
MARKET_PRICES = declare(
    "market_prices",
    ("tick", "market_id", "good"),
    """
    tick INTEGER NOT NULL -- [tick] The tick the row records.
    market_id INTEGER NOT NULL -- The market (markets).
    good VARCHAR NOT NULL -- The good (goods).
    price DOUBLE NOT NULL -- [copper] Price of one unit after the tick's trading.
    supply INTEGER NOT NULL -- [units] Units offered for sale.
    demand INTEGER NOT NULL -- [units] Units bid for.
    volume INTEGER NOT NULL -- [units] Units traded.
    """,
    description=(
        "Every market's book per day, for the recent days (at least the last 60, from the "
        "start of their month; older days are in market_price_periods). A book's price is the "
        "mean price of its trades; without trades it moves halfway towards the best bid above "
        "it or the best ask below."
    ),
    indexed=False,
    references={
        "market_id": "markets",
        "good": "goods",
    },
)
MARKET_PRICE_PERIODS = declare(
    "market_price_periods",
    ("tick", "market_id", "good"),
    """
    tick INTEGER NOT NULL -- [tick] The period's first day.
    days INTEGER NOT NULL -- [days] Its length: a calendar month, or a year (365 days).
    market_id INTEGER NOT NULL -- The market (markets).
    good VARCHAR NOT NULL -- The good (goods).
    open DOUBLE NOT NULL -- [copper] Price of one unit at the end of the period's first day.
    high DOUBLE NOT NULL -- [copper] Highest end-of-day price in the period.
    low DOUBLE NOT NULL -- [copper] Lowest end-of-day price in the period.
    close DOUBLE NOT NULL -- [copper] Price at the end of the period's last day.
    volume BIGINT NOT NULL -- [units] Units traded in the period.
    supply BIGINT NOT NULL -- [units] Units offered, summed over its days.
    demand BIGINT NOT NULL -- [units] Units bid for, summed over its days.
    trades BIGINT NOT NULL -- [count] Fills (rows the trades table had for these days).
    turnover BIGINT NOT NULL -- [copper] Copper paid for the units traded (tax included).
    """,
    description=(
        "Every market's book before the days of market_prices: calendar months for ten years "
        "before them, calendar years before that; only periods in which the book was offered, "
        "bid for or traded (its price did not move otherwise). turnover / volume is the mean "
        "price paid."
    ),
    indexed=False,
    references={
        "market_id": "markets",
        "good": "goods",
    },
)
TRADES = declare(
    "trades",
    ("trade_id",),
    """
    trade_id BIGINT NOT NULL -- tick << 32 | the fill's position within its tick.
    tick INTEGER NOT NULL -- [tick] When the trade was made.
    market_id INTEGER NOT NULL -- Where (markets).
    good VARCHAR NOT NULL -- What (goods).
    buyer BIGINT NOT NULL -- The buying agent (economy_agents.agent_id, not exported).
    seller BIGINT NOT NULL -- The selling agent (economy_agents.agent_id, not exported).
    qty INTEGER NOT NULL -- [units] Units traded.
    price INTEGER NOT NULL -- [copper] Price of one unit.
    """,
    description=(
        "Every fill of a market's double auction, for the days market_prices holds (older "
        "fills are counted in market_price_periods.trades and turnover); the seller receives "
        "qty * price less a 2% tax to the market's treasury."
    ),
    indexed=False,
    references={
        "market_id": "markets",
        "good": "goods",
    },
)
CARAVANS = declare(
    "caravans",
    ("caravan_id",),
    """
    caravan_id BIGINT NOT NULL -- depart_tick << 32 | merchant.
    merchant BIGINT NOT NULL -- The merchant agent (economy_agents.agent_id, not exported).
    src_market INTEGER NOT NULL -- Where it set out from (markets.market_id).
    dst_market INTEGER NOT NULL -- Where it is bound (markets.market_id).
    good VARCHAR NOT NULL -- Its cargo (goods).
    qty INTEGER NOT NULL -- [units] Units carried.
    cost BIGINT NOT NULL -- [copper] Haulage paid to the source market on departure.
    depart_tick INTEGER NOT NULL -- [tick] When it left.
    arrive_tick INTEGER NOT NULL -- [tick] When it arrives (depart_tick + the link's travel_days).
    """,
    description=(
        "Every caravan that set out: a merchant carrying one good along a market link, to sell "
        "where it is dear (the toll is paid on arrival, see market_links)."
    ),
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
    tick INTEGER NOT NULL -- [tick] The first day the row records.
    days INTEGER NOT NULL DEFAULT 1 -- [days] Days it records: 1, a calendar month or a year (365).
    role VARCHAR NOT NULL -- A recipe (recipes.recipe), guard or merchant.
    profession VARCHAR NOT NULL -- The role's profession (recipes.profession), guard or merchant.
    agents INTEGER NOT NULL -- [count] Agents in the role at the end of the row's last day.
    money BIGINT NOT NULL -- [copper] Money those agents hold in all, then.
    mean_profit DOUBLE NOT NULL -- [copper] Their mean smoothed earnings per tick, then.
    bankruptcies INTEGER NOT NULL -- [count] Agents that went bankrupt in the role in its days.
    """,
    description=(
        "Per economy role: agents, their money, earnings and bankruptcies, a row a day for "
        "the days market_prices holds, a row a calendar month or year before (days). An "
        "agent's earnings are its sales and wages less what its trade buys, smoothed (0.05 "
        "weight on the latest tick)."
    ),
    indexed=False,
)
ECONOMY_LEDGER = declare(
    "economy_ledger",
    ("tick", "good"),
    """
    tick INTEGER NOT NULL -- [tick] The first day the row records.
    days INTEGER NOT NULL DEFAULT 1 -- [days] Days it records: 1, a calendar month or a year (365).
    good VARCHAR NOT NULL -- The good (goods).
    produced BIGINT NOT NULL -- [units] Units production made, world-wide.
    consumed BIGINT NOT NULL -- [units] Units eaten, used up, worn out or used as inputs.
    spoiled BIGINT NOT NULL -- [units] Units that rotted or were left behind on a change of trade.
    """,
    description=(
        "World totals per good: what production made and use and rot destroyed, a row a day "
        "for the days market_prices holds, a row a calendar month or year before (days)."
    ),
    references={
        "good": "goods",
    },
    indexed=False,
)
MONEY_SUPPLY = declare(
    "money_supply",
    ("tick", "market_id"),
    """
    tick INTEGER NOT NULL -- [tick] The first day the row records.
    days INTEGER NOT NULL DEFAULT 1 -- [days] Days it records: 1, a calendar month or a year (365).
    market_id INTEGER NOT NULL -- The market (markets).
    money BIGINT NOT NULL -- [copper] Held by its agents plus its treasury at the row's end.
    """,
    description=(
        "Copper in each market (merchants on the road are in no market), a row a day for the "
        "days market_prices holds, a row a calendar month or year before (days)."
    ),
    references={
        "market_id": "markets",
    },
    indexed=False,
)
ECONOMY_HEALTH = declare(
    "economy_health",
    ("tick",),
    """
    tick INTEGER NOT NULL -- [tick] The day the row records.
    agents INTEGER NOT NULL -- [count] Agents in the economy.
    units BIGINT NOT NULL -- [units] Units traded in all markets.
    turnover BIGINT NOT NULL -- [copper] Copper paid for them.
    base_turnover DOUBLE NOT NULL -- [copper] Their worth at base value (goods.value).
    produced BIGINT NOT NULL -- [units] Units production made.
    consumed BIGINT NOT NULL -- [units] Units eaten, used up, worn out or used as inputs.
    spoiled BIGINT NOT NULL -- [units] Units that rotted or were left behind.
    starving INTEGER NOT NULL -- [count] Agents in a market at 5 rations' hunger or more.
    bankruptcies INTEGER NOT NULL -- [count] Agents that went bankrupt.
    switches INTEGER NOT NULL -- [count] Agents that changed trade without going bankrupt.
    merchants INTEGER NOT NULL -- [count] Merchants on a trip (loading or on the road).
    money BIGINT NOT NULL -- [copper] All money: agents' and treasuries' (conserved).
    """,
    description=(
        "The economy's health, world-wide, a row per day since it began: what the yearly "
        "health figures are made of (trade per agent-day = units / agents, spoilage = spoiled "
        "/ produced, price index = turnover / base_turnover, money velocity = turnover / "
        "money)."
    ),
    indexed=False,
)
ECONOMY_AGENTS = declare(
    "economy_agents",
    ("agent_id",),
    """
    agent_id BIGINT NOT NULL -- The agent's id (its position in the economy's arrays).
    market INTEGER NOT NULL -- Its market (markets.market_id); -1 while a merchant is on the road.
    role INTEGER NOT NULL -- Its role: a recipe's position in recipes.toml, then guard, merchant.
    money BIGINT NOT NULL -- [copper] Money it holds.
    slot_good BIGINT[] NOT NULL -- Per slot: the good's position in goods.toml; -1 when empty.
    slot_qty BIGINT[] NOT NULL -- [units] Per slot: units held.
    low DOUBLE[] NOT NULL -- [copper] Per slot: low end of its price belief for the good.
    high DOUBLE[] NOT NULL -- [copper] Per slot: high end of its price belief for the good.
    need DOUBLE[] NOT NULL -- [units] Per slot: units of a need used but not yet taken from stock.
    sold DOUBLE[] NOT NULL DEFAULT [] -- [units] Per slot: units sold from it a day, running mean.
    progress DOUBLE NOT NULL -- [share] How far its current batch has got.
    hunger DOUBLE NOT NULL -- [rations] Food it is short; at 5 with no money for food it goes bust.
    cost_scale DOUBLE NOT NULL -- [score] Its multiplier on the cost floor of its asks.
    taste INTEGER NOT NULL -- Its favourite comfort good (position in goods.toml).
    comfort_offset INTEGER NOT NULL -- [days] Its stagger in the 7-day cycle of comfort buying.
    wants INTEGER NOT NULL -- [units] Units of its favourite comfort it means to buy and enjoy.
    cargo_target BIGINT NOT NULL -- [units] Cargo a loading merchant means to carry.
    cargo_ceiling DOUBLE NOT NULL -- [copper] Most a loading merchant bids for one unit of cargo.
    loading INTEGER NOT NULL -- [days] Days a merchant has been loading (it leaves after 3).
    link INTEGER NOT NULL -- Its trip: a row of market_links in (src, dst) order; -1 for none.
    arrive INTEGER NOT NULL -- [tick] When a merchant on the road arrives.
    profit DOUBLE NOT NULL -- [copper] Its smoothed earnings per tick (sales, wages, less costs).
    idle INTEGER NOT NULL DEFAULT 0 -- [days] Days since it last earned (a sale or a wage).
    tenure INTEGER NOT NULL DEFAULT 0 -- [days] Days since it took up its role.
    """,
    description=(
        "The agents' full state, so the economy stage can continue a world's economy where it "
        "stopped (not exported). The arrays are per holding slot: outputs, inputs, tool and "
        "needs of its role, one food, its favourite comfort, a merchant's cargo, spares."
    ),
    exported=False,
    references={
        "market": "markets.market_id",
    },
)
ECONOMY_BOOKS = declare(
    "economy_books",
    ("market_id",),
    """
    market_id INTEGER NOT NULL -- The market (markets).
    price DOUBLE[] NOT NULL -- [copper] Per good (in goods.toml order): the current price.
    supply BIGINT[] NOT NULL -- [units] Per good: units offered at the last tick.
    demand BIGINT[] NOT NULL -- [units] Per good: units bid for at the last tick.
    """,
    description=(
        "Each market's prices and last supply and demand by good position, so the economy "
        "stage can continue (not exported; market_goods holds the same by good key)."
    ),
    exported=False,
    references={
        "market_id": "markets",
    },
)
