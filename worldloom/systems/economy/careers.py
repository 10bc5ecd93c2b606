"""Who changes trade, and to what: bankruptcy (Doran & Parberry), and agents leaving trades
that do not feed them or pay less than others do (replicator dynamics), for the trade their
market lacks most or pays best, among those they can start."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.context import SparseRows, TickContext
from worldloom.systems.economy.demand import hot_makers
from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.pricing import recipe_worth
from worldloom.systems.economy.slots import AgentSlots, retool
from worldloom.systems.economy.state import EconomyState, Int32
from worldloom.systems.economy.trade import trip_prospects
from worldloom.systems.kernel import kernel, kernel_helper

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

_GIVE_UP_CHANCE = 0.1
"""Daily chance that a starving agent with money abandons its trade for one the market needs."""
_POOR_CHANCE = 0.05
"""Daily chance that an agent whose trade does not feed it changes it (see `_restless`)."""
_SWITCH_CHANCE = 0.005
"""Daily chance that an agent whose trade pays poorly changes it (see `_restless`)."""
_BETTER_BY = 1.5
"""A trade pays poorly when another in its market promises this many times more..."""
_BETTER_PLUS = 3.0
"""...and at least this many copper a day more."""


def change_trades(
    state: EconomyState,
    context: TickContext,
    ledger: Ledger,
    *,
    agent_slots: AgentSlots,
    wanted: Int,
    money_before: Int,
    step: int,
    rng: np.random.Generator,
) -> int:
    """Agents who starve with no money to buy food go bankrupt; starving agents who still have
    money, and agents whose trade does not feed them or pays poorly (`_restless`), change
    trade now and then. A freed seat goes to the producer of the good its market lacks most,
    staked by the market's treasury, or else to the trade that promises most there
    (`_seat_roles`). A bankrupt agent's successor takes over its stock and gets its starting
    money from the treasury (not earnings: `money_before` grows by grants and stakes); an
    agent changing trade keeps its own. Returns how many changed trade without going bankrupt.
    """
    rules, tuning = context.rules, context.rules.tuning
    n_markets = state.price.shape[0]
    market = np.maximum(state.market, 0)
    chance = rng.random(state.market.size)
    prospect, best, second = _role_table(
        state.market,
        state.role,
        state.profit,
        state.good,
        state.sold,
        context.makes,
        rules.rate,
        context.slots.value,
        context.available,
    )
    broke, hopeful, restless, asking = _unsettled(
        state.market, state.role, state.profit, state.idle, state.tenure, state.money,
        state.hunger, chance, prospect, best, second, context.feeds, rules.outputs,
        state.demand, state.supply, state.price, rules.foods, rules.nutrition, context.refuge,
        rules.food_per_tick, tuning.starve_days, tuning.start_money, tuning.idle_days,
    )  # fmt: skip
    if not asking.any():
        return 0
    hot, makers, startable = hot_makers(state, context, wanted=wanted, markets=asking)
    gives_up = hopeful & hot[market] & ~np.take(makers, market * makers.shape[1] + state.role)
    seats = np.flatnonzero(broke | gives_up | restless)
    if seats.size == 0:
        return 0
    bankrupt = broke[seats]
    np.add.at(state.bankrupt, state.market[seats[bankrupt]], 1)  # where they went bust
    # The destitute of a town whose land feeds nobody leave for a linked town where it does
    # (a quarter of the bench's synthetic markets have no arable land, pasture, game or fish,
    # and their bankrupt were bankrupt again within the week, eleven times a year).
    destitute = seats[state.money[seats] < tuning.start_money // 2]
    state.market[destitute] = context.refuge[state.market[destitute]]
    homes = state.market[seats]
    seated = np.zeros(n_markets, dtype=np.bool_)
    seated[homes] = True
    trips = trip_prospects(
        state, rules, context.links, haul=context.haul, wanted=wanted, markets=seated
    )
    prospect[:, rules.merchant] = np.maximum(prospect[:, rules.merchant], trips)
    # A newcomer takes a trade it can start: one whose batch of inputs it can pay for with
    # what it has and the starting money the treasury can still give (else a broke seat
    # would take up brewing with no copper for malt, and starve again).
    grants = _grants(state.treasury, homes, tuning.start_money, bankrupt)
    stake = np.where(bankrupt, 0, np.minimum(state.treasury[homes], tuning.start_money))
    roles, staked = _seat_roles(
        homes,
        state.money[seats] + grants,
        stake,
        state.role[seats],
        bankrupt,
        tuning.start_money // 2,
        hot,
        makers,
        startable,
        context.feeds,
        prospect,
        state.price,
        context.recipes,
    )
    moved = (roles != state.role[seats]) | bankrupt
    agents, homes, roles = seats[moved], homes[moved], roles[moved]
    bankrupt, staked = bankrupt[moved], staked[moved]
    np.add.at(ledger.bankruptcies[step], state.role[agents[bankrupt]], 1)
    retool(
        state, context.slots, agents, roles, merchant=rules.merchant, discarded=ledger.spoiled[step]
    )
    agent_slots.follow(context.slots, agents, state.role)
    grant = _grants(state.treasury, homes, tuning.start_money, bankrupt | staked)
    np.subtract.at(state.treasury, homes, grant)
    state.money[agents] += grant
    money_before[agents] += grant
    state.hunger[agents[bankrupt]] = 0.0
    state.progress[agents] = 0.0
    # A newcomer expects what its new trade paid here (or anywhere, if nobody here works it),
    # so that it is not judged by a first week without sales.
    state.profit[agents] = prospect[homes, roles]
    state.idle[agents] = 0
    state.tenure[agents] = 0
    state.sold[agents] = 0.0
    state.wants[agents] = 0
    state.link[agents] = -1
    state.loading[agents] = 0
    return int(np.count_nonzero(~bankrupt))


@kernel
def _grants(treasury: Int, homes: Int, start: int, granted: Bool) -> Int:
    """Starting money for the `granted` of the newcomers in markets `homes`, from their
    treasuries, first come first served within each market (in seat order); 0 for the rest."""
    given = np.zeros(treasury.size, dtype=np.int64)
    grant = np.zeros(homes.size, dtype=np.int64)
    for i in range(homes.size):
        if granted[i]:
            home = homes[i]
            grant[i] = min(max(treasury[home] - given[home] * start, 0), start)
            given[home] += 1
    return grant


@kernel
def _role_table(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    market: Int,
    role: Int,
    profit: Float,
    good: Int32,
    sold: Float,
    makes: Int,
    rate: Float,
    value: Float,
    available: Bool,
) -> tuple[Float, Float, Float]:
    """What each trade promises in each market, in one pass over the agents: [market, role]
    its makers' mean earnings there, cut by the share of what they could make that they do
    not sell (entrants chasing the average gain of a glutted trade went broke by the hundred),
    or its mean earnings anywhere where nobody works it; and per market the best and second
    best promise among the trades worked there that it can host."""
    n_markets, n_roles = available.shape
    total = np.zeros((n_markets, n_roles))
    selling = np.zeros((n_markets, n_roles))
    count = np.zeros((n_markets, n_roles))
    world_total = np.zeros(n_roles)
    world_count = np.zeros(n_roles)
    for agent in range(market.size):
        here, work = market[agent], role[agent]
        world_total[work] += profit[agent]
        world_count[work] += 1
        if here < 0:
            continue
        total[here, work] += profit[agent]
        count[here, work] += 1
        pace = sales = 0.0
        for slot in range(makes.shape[1]):
            if makes[work, slot] > 0:
                worth = value[good[agent, slot]]
                pace += makes[work, slot] * rate[work] * worth
                sales += sold[agent, slot] * worth
        selling[here, work] += min(sales / pace, 1.0) if pace > 0 else 1.0
    prospect = np.empty((n_markets, n_roles))
    best = np.full(n_markets, -np.inf)
    second = np.full(n_markets, -np.inf)
    for m in range(n_markets):
        for r in range(n_roles):
            if count[m, r] == 0:
                prospect[m, r] = world_total[r] / max(world_count[r], 1.0)
                continue
            mean = total[m, r] / count[m, r]
            prospect[m, r] = mean * selling[m, r] / count[m, r] if mean > 0 else mean
            if not available[m, r]:
                continue
            if prospect[m, r] > best[m]:
                best[m], second[m] = prospect[m, r], best[m]
            elif prospect[m, r] > second[m]:
                second[m] = prospect[m, r]
    return prospect, best, second


@kernel
def _unsettled(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    market: Int,
    role: Int,
    profit: Float,
    idle: Int,
    tenure: Int,
    money: Int,
    hunger: Float,
    chance: Float,
    prospect: Float,
    best: Float,
    second: Float,
    feeds: Bool,
    outputs: Int,
    demand: Int,
    supply: Int,
    price: Float,
    foods: Int,
    nutrition: Float,
    refuge: Int,
    food_per_tick: float,
    starve_days: float,
    savings: int,
    idle_days: int,
) -> tuple[Bool, Bool, Bool, Bool]:
    """Who leaves its trade today, and where seats are asked for: the broke (starving, with
    less than a unit of nutrition of their market's cheapest food costs), the hopeful
    (starving with money, `_GIVE_UP_CHANCE` a day) and the restless (`_restless`); the
    markets they are in and their refuges."""
    n_markets = price.shape[0]
    staple = np.empty(n_markets)
    for here in range(n_markets):
        staple[here] = price[here, foods[0]] / nutrition[foods[0]]
        for food in foods[1:]:
            staple[here] = min(staple[here], price[here, food] / nutrition[food])
    bread = staple * food_per_tick
    broke = np.zeros(market.size, dtype=np.bool_)
    hopeful = np.zeros(market.size, dtype=np.bool_)
    restless = np.zeros(market.size, dtype=np.bool_)
    seats = np.zeros(n_markets, dtype=np.bool_)
    for agent in range(market.size):
        here = market[agent]
        starving = here >= 0 and hunger[agent] >= starve_days
        broke[agent] = starving and money[agent] < staple[max(here, 0)]
        hopeful[agent] = starving and not broke[agent] and chance[agent] < _GIVE_UP_CHANCE
        if not broke[agent] and here >= 0 and tenure[agent] >= idle_days:
            restless[agent] = chance[agent] < _POOR_CHANCE and _restless(
                agent, here, role[agent], profit, idle, money, chance, prospect, best, second,
                feeds, outputs, demand, supply, bread, savings, idle_days,
            )  # fmt: skip
        if broke[agent] or hopeful[agent] or restless[agent]:
            seats[here] = True
    asking = seats.copy()
    for here in range(n_markets):
        if seats[here]:
            asking[refuge[here]] = True
    return broke, hopeful, restless, asking


@kernel_helper
def _restless(  # noqa: PLR0917 - a kernel helper takes its arrays positionally (numba)
    agent: int,
    here: int,
    work: int,
    profit: Float,
    idle: Int,
    money: Int,
    chance: Float,
    prospect: Float,
    best: Float,
    second: Float,
    feeds: Bool,
    outputs: Int,
    demand: Int,
    supply: Int,
    bread: Float,
    savings: int,
    idle_days: int,
) -> bool:
    """Who looks for another trade today, among the agents that have held theirs `idle_days`
    or more: with `_POOR_CHANCE` a day, one whose trade does not feed it and either does not
    earn its daily `bread` (the cheapest food of its market) with less than `savings` left to
    wait for better days, or has earned nothing in that long; with `_SWITCH_CHANCE` a day,
    one whose trade's `prospect` in its market is beaten by another trade there
    (`_BETTER_BY` times and `_BETTER_PLUS` copper a day more). Replicator dynamics: too many
    makers of a good share its sales thinly and some leave for trades that pay. Nobody leaves
    a trade whose goods its market bids for more than it offers (the last farmer of a town
    does not take up candle-making while the town goes hungry)."""
    for good in range(outputs.shape[1]):
        if outputs[work, good] > 0 and demand[here, good] > supply[here, good]:
            return False
    # A trade that feeds its maker is left only for a better one (its makers eat while
    # they wait for buyers; hopping from nets to herds to snares helped nobody).
    poor = profit[agent] < bread[here] and money[agent] < savings
    if (idle[agent] >= idle_days or poor) and not feeds[work]:
        return True
    own = prospect[here, work]
    other = second[here] if own >= best[here] else best[here]
    return bool(
        chance[agent] < _SWITCH_CHANCE and other > own * _BETTER_BY and other > own + _BETTER_PLUS
    )


@kernel
def _seat_roles(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    homes: Int,
    budget: Int,
    stake: Int,
    current: Int,
    bankrupt: Bool,
    needy_below: int,
    hot: Bool,
    makers: Bool,
    startable: Bool,
    feeds: Bool,
    prospect: Float,
    price: Float,
    recipes: SparseRows,
) -> tuple[Int, Bool]:
    """The role for each freed seat, among those it can start in its market (every input on
    offer there, and a batch of them within the seat's `budget`) other than its `current`
    one (unless `bankrupt`: its successor may take it up again); and whether the treasury
    staked it. A seat that finds none keeps its role.

    The first seat of a market this tick goes to a maker of the good the market lacks most,
    if there is one, staked by the treasury (`stake`); Doran & Parberry replace one agent at
    a time: sending every seat there at once overshoots into a glut. Every other seat goes
    to the role that promises most in its market (`_role_table`). A needy seat (with less
    than `needy_below`, grants and stake counted) takes up a trade that `feeds` it if one is
    there: it can eat what it makes while it learns to sell it (needy newcomers in other
    trades went bankrupt a fortnight later, most of them)."""
    n_markets, n_roles = startable.shape
    seated = np.zeros(n_markets, dtype=np.bool_)
    chosen = current.copy()
    staked = np.zeros(homes.size, dtype=np.bool_)
    cost = np.empty(n_roles)
    for i in range(homes.size):
        home = homes[i]
        hot_seat = hot[home] and not seated[home]
        seated[home] = True
        for r in range(n_roles):
            # A batch of its inputs at the going prices (infinite: not an option).
            cost[r] = np.inf
            if startable[home, r] and (r != current[i] or bankrupt[i]):
                cost[r] = recipe_worth(n_roles + r, price[home], recipes)
        for attempt in range(3):
            best, found = 0.0, False
            purse = budget[i] + (stake[i] if attempt == 0 else 0)
            needy = purse < needy_below
            for r in range(n_roles):
                if cost[r] > purse:
                    continue
                if attempt == 0 and not (hot_seat and makers[home, r]):
                    continue
                if attempt < 2 and needy and not feeds[r]:
                    continue
                if attempt == 1 and not needy:
                    continue
                if not found or prospect[home, r] > best:
                    best, found, chosen[i] = prospect[home, r], True, r
            if found:
                staked[i] = attempt == 0 and stake[i] > 0
                break
    return chosen, staked
