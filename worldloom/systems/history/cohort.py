"""Tier-1 population over a year: deaths, births, ageing and migration of the cohort counts.

A settlement's cohorts (age band, sex, culture, religion, profession) lose their dead (by the
band's rate, raised by hardship, dear food, war and plague, plus those killed in battle), gain
the babies their women bear (fewer in hard years), move up a band at the band's pace (children
taking up their elders' trades), and send some of their people along a route to a neighbour
with a lighter load. Every person is accounted for: a settlement ends the year with start +
births - deaths + immigrants - emigrants people (`CohortYear.tally`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from worldloom.systems.history.rules import HistoryRules
from worldloom.systems.order import sort_order
from worldloom.systems.rng import Seeds

Int = np.ndarray[Any, np.dtype[np.int64]]
Float = np.ndarray[Any, np.dtype[np.float64]]
CHILD = "child"
FEMALE, MALE = 0, 1
SEXES = ("female", "male")


@dataclass(frozen=True, slots=True)
class Cohorts:
    """Tier-1 counts, one row per (settlement, band, sex, culture, religion, profession), in
    that key order (professions index `professions`, which is sorted)."""

    settlement: Int
    band: Int
    sex: Int
    culture: Int
    religion: Int
    profession: Int
    count: Int
    professions: tuple[str, ...]

    def __post_init__(self) -> None:
        sizes = {a.size for a in self.columns()}
        if len(sizes) > 1:
            raise ValueError("cohort arrays differ in length")
        if list(self.professions) != sorted(self.professions):
            raise ValueError("professions must be sorted (rows are in the table's key order)")

    def columns(self) -> tuple[Int, ...]:
        return (
            self.settlement,
            self.band,
            self.sex,
            self.culture,
            self.religion,
            self.profession,
            self.count,
        )

    def people(self, n_settlements: int) -> Int:
        """People per settlement id."""
        return np.bincount(self.settlement, weights=self.count, minlength=n_settlements).astype(
            np.int64
        )


@dataclass(frozen=True, slots=True)
class Conditions:
    """What weighs on each settlement this year, by settlement id."""

    hardship: Float
    """0 (fed) to 1 (starving): from its market's hunger."""
    at_war: Float
    """1 when its realm is at war, else 0."""
    plague: Float
    """Plague severity in its region, 0 (none) to 1."""
    killed: Int
    """People killed in battle and sieges (taken from its men of fighting age first)."""
    struck: Int | None = None
    """People killed by disasters, raids and plague (taken from everyone alike); None: none."""
    dearth: Float | None = None
    """0 (food at its worth) to 1 (food too dear to live on): from its market's food prices
    (`HistoryRules.dearth_of`); None: none."""

    def dearth_or_none(self) -> Float:
        """The dearth per settlement id, zeros when there is none."""
        return np.zeros(self.hardship.size) if self.dearth is None else self.dearth


@dataclass(frozen=True, slots=True)
class Tally:
    """A year's accounting per settlement id: end = start + births - deaths + in - out."""

    start: Int
    births: Int
    deaths: Int
    immigrants: Int
    emigrants: Int
    end: Int


@dataclass(frozen=True, slots=True)
class Move:
    """People who left one settlement for another along a route, and why."""

    source: int
    target: int
    people: int
    reason: str


@dataclass(frozen=True, slots=True)
class CohortYear:
    cohorts: Cohorts
    tally: Tally
    moves: tuple[Move, ...]


def advance_cohorts(
    cohorts: Cohorts,
    *,
    conditions: Conditions,
    neighbours: tuple[tuple[int, ...], ...],
    rules: HistoryRules,
    seeds: Seeds,
    year: int,
) -> CohortYear:
    """One year of the tier-1 population (`cohorts` left untouched).

    Args:
        conditions: per settlement id (arrays as long as there are settlements).
        neighbours: per settlement id, the settlements a route joins it to.
        year: the year ending; every draw's stream is keyed by it (`history.cohort.*`).
    """
    n = conditions.hardship.size
    start = cohorts.people(n)
    counts = cohorts.count.copy()
    s, band = cohorts.settlement, cohorts.band
    mod = rules.modifiers
    dearth = conditions.dearth_or_none()[s]
    # Deaths: the band's rate, raised by what weighs on the settlement.
    rate = (
        rules.death_rate[band]
        * (1 + mod["hardship_deaths"] * conditions.hardship[s] + mod["dearth_deaths"] * dearth)
        * (1 + mod["war_deaths"] * conditions.at_war[s])
        * (1 + mod["plague_deaths"] * conditions.plague[s])
    ).clip(0, mod["max_death_rate"])
    dead = seeds.stream("history.cohort.deaths", year).binomial(counts, rate)
    counts -= dead
    killed = _take_killed(cohorts, counts, conditions.killed)
    counts -= killed
    dead += killed
    if conditions.struck is not None:
        struck = _take_struck(cohorts, counts, conditions.struck)
        counts -= struck
        dead += struck
    deaths = np.bincount(s, weights=dead, minlength=n).astype(np.int64)
    # Births: women of child-bearing bands, their babies of their culture and faith.
    fertility = (
        rules.fertility[band]
        * (
            1 - mod["hardship_births"] * conditions.hardship[s] - mod["dearth_births"] * dearth
        ).clip(0, 1)
        * (1 - mod["war_births"] * conditions.at_war[s])
    ) * (cohorts.sex == FEMALE)
    babies = seeds.stream("history.cohort.births", year).binomial(counts, fertility.clip(0, 1))
    births = np.bincount(s, weights=babies, minlength=n).astype(np.int64)
    girls = seeds.stream("history.cohort.sex", year).binomial(babies, 0.5)
    # Ageing: survivors move up a band at its pace.
    years = np.array(rules.years_in_band, dtype=np.float64)
    pace = np.where(years[band] > 0, 1 / np.maximum(years[band], 1), 0.0)
    older = seeds.stream("history.cohort.ageing", year).binomial(counts, pace)
    stay = counts - older
    parts = [cohort_rows(cohorts, stay)]
    adults = older * (band > 0)
    parts.append(cohort_rows(cohorts, adults, band=band + 1))
    parts.append(_trades_for(cohorts, older * (band == 0), counts, seeds=seeds, year=year))
    child = cohorts.professions.index(CHILD) if CHILD in cohorts.professions else -1
    if child < 0:
        raise ValueError("cohorts need the 'child' profession")
    for sex, born in ((FEMALE, girls), (MALE, babies - girls)):
        parts.append(
            cohort_rows(cohorts, born, band=np.zeros_like(band), sex=sex, profession=child)
        )
    aged = merge_cohorts(parts, cohorts.professions)
    moved, moves = _migrate(aged, conditions=conditions, neighbours=neighbours, rules=rules)
    end = moved.people(n)
    emigrants = np.zeros(n, dtype=np.int64)
    immigrants = np.zeros(n, dtype=np.int64)
    for move in moves:
        emigrants[move.source] += move.people
        immigrants[move.target] += move.people
    tally = Tally(start, births, deaths, immigrants, emigrants, end)
    return CohortYear(moved, tally, moves)


def _take_killed(cohorts: Cohorts, counts: Int, killed: Int) -> Int:
    """Deaths in battle per row: each settlement's killed taken from its men of 16-44 (then
    anyone left), in row order, never more than are there."""
    taken = np.zeros_like(counts)
    for settlement in np.flatnonzero(killed):
        rows = np.flatnonzero(cohorts.settlement == settlement)
        fighting = rows[(cohorts.sex[rows] == MALE) & np.isin(cohorts.band[rows], (1, 2))]
        left = int(killed[settlement])
        for row in (*fighting, *rows):
            take = min(left, int(counts[row] - taken[row]))
            taken[row] += take
            left -= take
            if left == 0:
                break
    return taken


def _take_struck(cohorts: Cohorts, counts: Int, struck: Int) -> Int:
    """Deaths in disasters per row: each settlement's struck shared over all its people in
    proportion (largest remainders, then row order), never more than are there."""
    taken = np.zeros_like(counts)
    for settlement in np.flatnonzero(struck):
        rows = np.flatnonzero(cohorts.settlement == settlement)
        people = counts[rows]
        total = int(people.sum())
        want = min(int(struck[settlement]), total)
        if want == 0:
            continue
        exact = people * want / total
        share = np.floor(exact).astype(np.int64)
        left = want - int(share.sum())
        order = np.lexsort((np.arange(rows.size), -(exact - share)))
        share[order[:left]] += 1
        taken[rows] = np.minimum(share, people)
    return taken


def cohort_rows(
    cohorts: Cohorts,
    count: Int,
    *,
    band: Int | None = None,
    sex: int | None = None,
    religion: Int | None = None,
    profession: int | None = None,
) -> tuple[Int, ...]:
    """`cohorts`' key columns with `count`, some of them changed, for `merge_cohorts`."""
    size = count.size
    return (
        cohorts.settlement,
        cohorts.band if band is None else band,
        cohorts.sex if sex is None else np.full(size, sex, dtype=np.int64),
        cohorts.culture,
        cohorts.religion if religion is None else religion,
        cohorts.profession if profession is None else np.full(size, profession, dtype=np.int64),
        count,
    )


def _trades_for(
    cohorts: Cohorts, grown: Int, counts: Int, *, seeds: Seeds, year: int
) -> tuple[Int, ...]:
    """Children turning 16 take up the trades of their settlement's young adults of their sex
    (drawn in proportion; labourers where there are none)."""
    rows = np.flatnonzero(grown)
    n_prof = len(cohorts.professions)
    young = np.flatnonzero((cohorts.band == 1) & (counts > 0))
    # The young adults of each settlement and sex by trade, summed at once (whole numbers: the
    # same sums in any order; row by row, they took most of the cohorts' year).
    pair = cohorts.settlement * len(SEXES) + cohorts.sex
    pairs, at = np.unique(pair[young], return_inverse=True)
    weights = np.zeros((pairs.size, n_prof))
    np.add.at(weights, (at, cohorts.profession[young]), counts[young])
    shares = weights / weights.sum(axis=1, keepdims=True)
    fallback = np.zeros(n_prof)
    fallback[cohorts.professions.index("laborer") if "laborer" in cohorts.professions else 0] = 1
    fallback /= fallback.sum()
    where = np.minimum(np.searchsorted(pairs, pair[rows]), max(pairs.size - 1, 0))
    known = pairs[where] == pair[rows] if pairs.size else np.zeros(rows.size, dtype=bool)
    rng = seeds.stream("history.cohort.trades", year)
    out_rows = np.repeat(rows, n_prof)
    out_prof = np.tile(np.arange(n_prof, dtype=np.int64), rows.size)
    out_count = np.zeros(rows.size * n_prof, dtype=np.int64)
    for i, (taking, share, has) in enumerate(
        zip(grown[rows].tolist(), where.tolist(), known.tolist(), strict=True)
    ):
        odds = shares[share] if has else fallback
        out_count[i * n_prof : (i + 1) * n_prof] = rng.multinomial(taking, odds)
    return (
        cohorts.settlement[out_rows],
        np.ones(out_rows.size, dtype=np.int64),
        cohorts.sex[out_rows],
        cohorts.culture[out_rows],
        cohorts.religion[out_rows],
        out_prof,
        out_count,
    )


def merge_cohorts(parts: list[tuple[Int, ...]], professions: tuple[str, ...]) -> Cohorts:
    """Rows summed by key, empty ones dropped, in key order."""
    columns = [np.concatenate([part[i] for part in parts]).astype(np.int64) for i in range(7)]
    keys = columns[:6]
    count = columns[6]
    keep = count > 0
    keys = [k[keep] for k in keys]
    count = count[keep]
    # One sort of the keys packed in an int64 (a lexical sort of six keys took twice as long).
    order = sort_order(keys)
    keys = [k[order] for k in keys]
    count = count[order]
    if count.size:
        new = np.ones(count.size, dtype=bool)
        new[1:] = np.any([k[1:] != k[:-1] for k in keys], axis=0)
        group = np.cumsum(new) - 1
        count = np.bincount(group, weights=count).astype(np.int64)
        keys = [k[new] for k in keys]
    settlement, band, sex, culture, religion, profession = keys
    return Cohorts(settlement, band, sex, culture, religion, profession, count, professions)


def _migrate(
    cohorts: Cohorts,
    *,
    conditions: Conditions,
    neighbours: tuple[tuple[int, ...], ...],
    rules: HistoryRules,
) -> tuple[Cohorts, tuple[Move, ...]]:
    """Each settlement under a load sends a share of every cohort to its lightest neighbour."""
    m = rules.migration
    push = conditions.hardship + m["war_push"] * conditions.at_war
    push = push + m["plague_push"] * conditions.plague
    people = cohorts.people(push.size)
    target = np.full(push.size, -1, dtype=np.int64)
    for source, near in enumerate(neighbours):
        options = [t for t in near if people[t] > 0 and push[t] + m["margin"] <= push[source]]
        if options and people[source] > 0:
            target[source] = min(options, key=lambda t: (push[t], t))
    rate = np.minimum(m["base_rate"] + m["push_rate"] * push, m["max_rate"])
    s = cohorts.settlement
    leaving = np.where(target[s] >= 0, np.floor(cohorts.count * rate[s]), 0).astype(np.int64)
    if not leaving.any():
        return cohorts, ()
    moved = np.bincount(s, weights=leaving, minlength=push.size).astype(np.int64)
    moves = tuple(
        Move(
            int(source),
            int(target[source]),
            int(moved[source]),
            "war"
            if conditions.at_war[source] > 0 and conditions.at_war[target[source]] == 0
            else "plague"
            if conditions.plague[source] > 0
            else "hunger"
            if conditions.hardship[source] > 0
            else "prosperity",
        )
        for source in np.flatnonzero(moved)
    )
    stay = cohort_rows(cohorts, cohorts.count - leaving)
    arrive = list(cohort_rows(cohorts, leaving))
    arrive[0] = target[s]
    return merge_cohorts([stay, tuple(arrive)], cohorts.professions), moves
