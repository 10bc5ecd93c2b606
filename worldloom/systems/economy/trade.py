"""Caravans: merchants buy where a good is cheap, haul it along a trade link, sell where it is dear.

A merchant sets out only when the destination's price beats the source's by more than the haul
(weight x days on the road), the risk of the road (danger) and a margin. It bids for the cargo
in the source market like anyone else, capped at what the trip can pay, leaves when loaded (or
after three days with part of a load), pays the haul to the source's treasury, and on arrival
sells in the destination market, from where it plans its next trip.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from worldloom.systems.economy.ledger import Ledger
from worldloom.systems.economy.rules import EconomyRules
from worldloom.systems.economy.slots import SlotLayout
from worldloom.systems.economy.state import EconomyState, Int32, TradeLinks
from worldloom.systems.kernel import kernel

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]

_LOADING_DAYS = 3
"""Days a merchant waits to fill its cargo before leaving with what it has (or giving up)."""
_RISK_PER_DANGER = 0.01
"""Share of a cargo's value a trip risks per point of the link's danger (0-10)."""


def unit_costs(rules: EconomyRules, links: TradeLinks) -> Float:
    """[link, good]: copper per unit to carry a good along a link: haul, risk and toll."""
    haul = rules.weight[None, :] * links.days[:, None] * rules.tuning.haul_copper_per_kg_day
    risk = rules.value[None, :] * (links.danger[:, None] * _RISK_PER_DANGER + links.toll[:, None])
    return np.asarray(haul + risk, dtype=np.float64)


def arrive_caravans(
    state: EconomyState, slots: SlotLayout, links: TradeLinks, *, tick: int
) -> None:
    """Merchants whose caravan is due join the destination market and price their cargo there."""
    due = np.flatnonzero((state.market < 0) & (state.arrive <= tick))
    if due.size == 0:
        return
    destination = links.dst[state.link[due]]
    cargo = state.good[due, slots.cargo]
    price = np.c_[state.price, np.ones(state.price.shape[0])][destination, cargo]
    # The gate takes its toll in coin, on the cargo's worth at the destination's prices.
    owed = np.ceil(links.toll[state.link[due]] * price * state.qty[due, slots.cargo])
    toll = np.minimum(owed.astype(np.int64), state.money[due])
    state.money[due] -= toll
    np.add.at(state.treasury, destination, toll)
    state.low[due, slots.cargo] = np.maximum(price * 0.95, 1.0)
    state.high[due, slots.cargo] = np.maximum(price * 1.2, 1.0) + 1.0
    state.market[due] = destination
    state.link[due] = -1


def plan_caravans(
    state: EconomyState,
    rules: EconomyRules,
    slots: SlotLayout,
    links: TradeLinks,
    ledger: Ledger,
    *,
    haul: Float,
    wanted: Int,
    tick: int,
) -> None:
    """Send loaded merchants on their way, and give idle ones the best trip from where they are
    (`haul` is `unit_costs` of the links, fixed for a run; `wanted` is [market, good] what
    buyers there want: bids and unmet tastes)."""
    if links.src.size == 0:
        return
    leaving, idle = _roster(
        state.role,
        state.market,
        state.link,
        state.qty,
        state.loading,
        state.cargo_target,
        rules.merchant,
        slots.cargo,
    )
    if leaving.size:
        _depart(state, rules, slots, links, ledger, leaving=leaving, tick=tick)
    if idle.size == 0:
        return
    best_good, best_gap = _best_cargo(state, rules, links, haul=haul, wanted=wanted, idle=idle)
    order = np.lexsort((-best_gap, links.src))
    first = np.r_[True, links.src[order][1:] != links.src[order][:-1]]
    best_link = np.full(state.price.shape[0], -1, dtype=np.int64)
    chosen = order[first]
    worthwhile = best_gap[chosen] > 0
    best_link[links.src[chosen[worthwhile]]] = chosen[worthwhile]
    link = best_link[state.market[idle]]
    go = link >= 0
    _reposition(state, links, idle[~go], best_link=best_link, gain=best_gap, tick=tick)
    agents, link = idle[go], link[go]
    good = best_good[link]
    buy_at = np.maximum(state.price[links.src[link], good], 1.0)
    state.link[agents] = link
    state.good[agents, slots.cargo] = good
    state.low[agents, slots.cargo] = np.maximum(buy_at * 0.9, 1.0)
    state.high[agents, slots.cargo] = np.maximum(buy_at * 1.1, 1.0) + 1.0
    state.cargo_ceiling[agents] = state.price[links.dst[link], good] - haul[link, good]
    by_weight = rules.tuning.cargo_kg / np.maximum(rules.weight[good], 0.01)
    by_money = state.money[agents] / buy_at
    src, dst = links.src[link], links.dst[link]
    short = np.minimum(wanted[dst, good] - state.supply[dst, good], state.supply[src, good])
    target = np.minimum(np.minimum(by_weight, by_money), short)
    state.cargo_target[agents] = np.maximum(target, 1).astype(np.int64)
    state.loading[agents] = 0


def _best_cargo(
    state: EconomyState,
    rules: EconomyRules,
    links: TradeLinks,
    *,
    haul: Float,
    wanted: Int,
    idle: Int,
) -> tuple[Int, Float]:
    """Per link: the good whose trip pays best (`_best_trips`), and what it pays.

    Only links out of a market with an idle merchant, or out of a market one such link reaches
    (where an empty ride may go), are worth pricing: the rest get no good and a gain of -inf.
    """
    here = np.zeros(state.price.shape[0], dtype=np.bool_)
    here[state.market[idle]] = True
    reach = here.copy()
    reach[links.dst[here[links.src]]] = True
    priced = np.flatnonzero(reach[links.src])
    best_good = np.zeros(links.src.size, dtype=np.int64)
    best_gain = np.full(links.src.size, -np.inf)
    best_good[priced], best_gain[priced] = _trips(
        state, rules, links, priced, haul=haul, wanted=wanted
    )
    return best_good, best_gain


def trip_prospects(
    state: EconomyState,
    rules: EconomyRules,
    links: TradeLinks,
    *,
    haul: Float,
    wanted: Int,
    markets: npt.NDArray[np.bool_],
) -> Float:
    """Per market (of those asked about; -inf elsewhere): what a merchant setting out from it
    today could earn a day on its best trip (`_best_trips`), over the days there and back.
    What newcomers weigh the merchant's trade by where no merchant works: every merchant of a
    young world left before prices had drifted apart, and none came back when they had."""
    prospect = np.full(state.price.shape[0], -np.inf)
    priced = np.flatnonzero(markets[links.src])
    if priced.size == 0:
        return prospect
    _, gain = _trips(state, rules, links, priced, haul=haul, wanted=wanted)
    np.maximum.at(prospect, links.src[priced], gain / (2 * links.days[priced]))
    return prospect


def _trips(
    state: EconomyState,
    rules: EconomyRules,
    links: TradeLinks,
    priced: Int,
    *,
    haul: Float,
    wanted: Int,
) -> tuple[Int, Float]:
    tuning = rules.tuning
    return _best_trips(
        priced,
        links.src,
        links.dst,
        links.days,
        state.price,
        state.supply,
        wanted,
        haul,
        tuning.cargo_kg / np.maximum(rules.weight, 0.01),
        tuning.trade_margin,
        float(tuning.wage),
    )


@kernel
def _best_trips(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    priced: Int,
    src: Int,
    dst: Int,
    days: Int,
    price: Float,
    supply: Int,
    wanted: Int,
    haul: Float,
    cargo: Float,
    margin: float,
    wage: float,
) -> tuple[Int, Float]:
    """For each of the `priced` links, the good whose trip pays best and what it pays: the
    price gap after haul, risk and `margin`, times the units worth carrying (what the
    destination's buyers want beyond its own offers, up to what the source offers and a
    `cargo`). A dear price is only worth the road where buyers are waiting (stale prices sent
    early caravans off with arrows nobody bought, and merchants sold half of what they
    carried), and for a load that pays the merchant a guard's `wage` for the days there and
    back (trips for one sickle starved them); -inf where none does."""
    n_goods = price.shape[1]
    best_good = np.zeros(priced.size, dtype=np.int64)
    best_gain = np.full(priced.size, -np.inf)
    for i in range(priced.size):
        link = priced[i]
        a, b = src[link], dst[link]
        worth = wage * 2 * days[link]
        for good in range(n_goods):
            short = wanted[b, good] - supply[b, good]
            if short <= 0 or supply[a, good] <= 0:
                continue
            load = min(short, supply[a, good], cargo[good])
            gap = price[b, good] - price[a, good] * (1 + margin) - haul[link, good]
            gain = gap * load
            if gain >= worth and gain > best_gain[i]:
                best_good[i], best_gain[i] = good, gain
    return best_good, best_gain


def _reposition(
    state: EconomyState,
    links: TradeLinks,
    idle: Int,
    *,
    best_link: Int,
    gain: Float,
    tick: int,
) -> None:
    """A merchant with nothing worth carrying from here rides empty to the neighbouring market
    with the best trip from it (else it would sit where it last sold, for good)."""
    if idle.size == 0:
        return
    onward = best_link[links.dst]
    value = np.where(onward >= 0, gain[np.maximum(onward, 0)], -np.inf)
    order = np.lexsort((-value, links.src))
    first = np.r_[True, links.src[order][1:] != links.src[order][:-1]]
    chosen = order[first]
    move = np.full(state.price.shape[0], -1, dtype=np.int64)
    useful = np.isfinite(value[chosen])
    move[links.src[chosen[useful]]] = chosen[useful]
    link = move[state.market[idle]]
    going = idle[link >= 0]
    link = link[link >= 0]
    state.link[going] = link
    state.market[going] = -1
    state.arrive[going] = tick + links.days[link]


def _depart(
    state: EconomyState,
    rules: EconomyRules,
    slots: SlotLayout,
    links: TradeLinks,
    ledger: Ledger,
    *,
    leaving: Int,
    tick: int,
) -> None:
    """The `leaving` merchants pay the haul to the source's treasury and set out."""
    link, good = state.link[leaving], state.good[leaving, slots.cargo]
    qty = state.qty[leaving, slots.cargo]
    days = links.days[link]
    fee = np.ceil(qty * rules.weight[good] * days * rules.tuning.haul_copper_per_kg_day)
    fee = np.minimum(fee.astype(np.int64), state.money[leaving])
    source = state.market[leaving]
    state.money[leaving] -= fee
    np.add.at(state.treasury, source, fee)
    state.market[leaving] = -1
    state.arrive[leaving] = tick + days
    state.loading[leaving] = 0
    state.idle[leaving] = 0  # on the road with a cargo is work, if not yet pay
    ledger.caravans.append(
        (leaving, source, links.dst[link], good, qty, fee, np.full(leaving.size, tick), tick + days)
    )


@kernel
def _roster(  # noqa: PLR0917 - a kernel takes its arrays positionally (numba)
    role: Int,
    market: Int,
    link: Int,
    qty: Int32,
    loading: Int,
    cargo_target: Int,
    merchant: int,
    cargo: int,
) -> tuple[Int, Int]:
    """The merchants in a market that leave today (loaded, or after `_LOADING_DAYS` with part
    of a load) and those idle there (no trip and an empty cargo slot); a merchant that waited
    that long for nothing gives its trip up and is idle."""
    leaving = np.empty(role.size, dtype=np.int64)
    idle = np.empty(role.size, dtype=np.int64)
    n_leaving = n_idle = 0
    for agent in range(role.size):
        if role[agent] != merchant or market[agent] < 0:
            continue
        held = qty[agent, cargo]
        if link[agent] >= 0:
            loading[agent] += 1
            waited = loading[agent] >= _LOADING_DAYS
            if held >= cargo_target[agent] or (waited and held > 0):
                leaving[n_leaving] = agent
                n_leaving += 1
            if waited and held == 0:
                link[agent] = -1
        if link[agent] < 0 and held == 0:
            idle[n_idle] = agent
            n_idle += 1
    return leaving[:n_leaving], idle[:n_idle]
