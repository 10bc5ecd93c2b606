"""Families for generated people: marriages, parents and households, linked in bulk by sorting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FAMILY_ROLLS = 6
"""Uniform numbers one person consumes: marriage, pairing noise, three parent picks, fostering."""
MARRY_AGE = 18
MIN_PARENT_GAP, MAX_PARENT_GAP = 16, 45
"""A parent is 16 to 45 years older than each of their children."""
HOME_AGE = 25
"""Unmarried people younger than this live with their parents when they have them."""
ADULT_AGE = 16
_MARRIED = ((18, 0.45), (25, 0.8), (60, 0.65))
"""(from age, share married): a pre-modern pattern; the share falls late in life as spouses die."""
_PAIR_SPREAD = 6.0
"""Years of noise in the age order spouses are matched by, so couples are close in age but not
always the same age."""
_AGE_SLOTS = 1_000
"""Ages sort inside a group key as group * _AGE_SLOTS + age; well above any age plus a gap."""


@dataclass(frozen=True, slots=True, eq=False)
class Families:
    """Family links as row positions into the people arrays (-1 for none)."""

    spouse: IntArray
    father: IntArray
    mother: IntArray
    household: IntArray
    """Position of the household's head (a husband, a single adult or an elder; a child's father
    or foster household)."""


def link_families(
    *,
    settlement: NDArray[np.integer[Any]],
    culture: NDArray[np.integer[Any]],
    sex: NDArray[np.integer[Any]],
    age: NDArray[np.integer[Any]],
    rolls: NDArray[np.floating[Any]],
) -> Families:
    """Marry, parent and house people who share a settlement, without a loop per person.

    Adults marry within their settlement and culture: those who wish to (by an age-dependent
    share) are ranked by age plus a little noise within each sex, and equal ranks marry.
    Unmarried people under `HOME_AGE` look for parents among couples of their settlement and
    culture whose wife is 16-45 years older (a range found by binary search), and keep the first
    of three random picks whose husband is too. Children without parents are fostered by a
    couple of their settlement. Everyone else heads their own household.

    Args:
        settlement, culture, sex (1 = male), age: one entry per person.
        rolls: (people, FAMILY_ROLLS) uniform numbers in [0, 1).

    Parents are always at least 16 years older than their children, so the links never cycle;
    spouses always point at each other; households never cross settlements.
    """
    n = age.size
    years = age.astype(np.int64)
    group = settlement.astype(np.int64) * (int(culture.max(initial=0)) + 1) + culture
    spouse = _marry(group, sex.astype(np.int64), years, rolls, n)
    husbands = np.flatnonzero((spouse >= 0) & (sex == 1))
    wives = spouse[husbands]
    father, mother = _parents(
        group, years, spouse=spouse, husbands=husbands, wives=wives, rolls=rolls
    )
    household = np.arange(n, dtype=np.int64)
    household[wives] = husbands
    has_father = father >= 0
    household[has_father] = father[has_father]
    _foster(
        settlement.astype(np.int64),
        years,
        spouse=spouse,
        father=father,
        household=household,
        husbands=husbands,
        roll=rolls[:, 5],
    )
    return Families(spouse, father, mother, household)


def _marry(
    group: IntArray, sex: IntArray, age: IntArray, rolls: NDArray[np.floating[Any]], n: int
) -> IntArray:
    share = np.zeros(n)
    for start, married in _MARRIED:
        share[age >= start] = married
    willing = rolls[:, 0] < share
    order_age = age + (rolls[:, 1] - 0.5) * _PAIR_SPREAD
    keys = []
    people = []
    for male in (0, 1):
        chosen = np.flatnonzero(willing & (sex == male))
        order = chosen[np.lexsort((chosen, order_age[chosen], group[chosen]))]
        runs = group[order]
        starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]])
        lengths = np.diff(np.r_[starts, runs.size])
        rank = np.arange(runs.size) - np.repeat(starts, lengths)
        keys.append(runs * (n + 1) + rank)
        people.append(order)
    _, women, men = np.intersect1d(keys[0], keys[1], assume_unique=True, return_indices=True)
    spouse = np.full(n, -1, dtype=np.int64)
    spouse[people[0][women]] = people[1][men]
    spouse[people[1][men]] = people[0][women]
    return spouse


def _parents(
    group: IntArray,
    age: IntArray,
    *,
    spouse: IntArray,
    husbands: IntArray,
    wives: IntArray,
    rolls: NDArray[np.floating[Any]],
) -> tuple[IntArray, IntArray]:
    n = age.size
    father = np.full(n, -1, dtype=np.int64)
    mother = np.full(n, -1, dtype=np.int64)
    if husbands.size == 0:
        return father, mother
    couple_key = group[wives] * _AGE_SLOTS + age[wives]
    order = np.argsort(couple_key, kind="stable")
    couple_key, husbands, wives = couple_key[order], husbands[order], wives[order]
    young = np.flatnonzero((spouse < 0) & (age < HOME_AGE))
    base = group[young] * _AGE_SLOTS + age[young]
    low = np.searchsorted(couple_key, base + MIN_PARENT_GAP, side="left")
    high = np.searchsorted(couple_key, base + MAX_PARENT_GAP, side="right")
    found = np.full(young.size, -1, dtype=np.int64)
    for attempt in range(3):
        pick = low + (rolls[young, 2 + attempt] * (high - low)).astype(np.int64)
        pick = np.minimum(pick, np.maximum(high - 1, 0))
        gap = age[husbands[pick]] - age[young]
        ok = (found < 0) & (high > low) & (gap >= MIN_PARENT_GAP) & (gap <= MAX_PARENT_GAP)
        found[ok] = pick[ok]
    linked = found >= 0
    father[young[linked]] = husbands[found[linked]]
    mother[young[linked]] = wives[found[linked]]
    return father, mother


def _foster(
    settlement: IntArray,
    age: IntArray,
    *,
    spouse: IntArray,
    father: IntArray,
    household: IntArray,
    husbands: IntArray,
    roll: NDArray[np.floating[Any]],
) -> None:
    """Put parentless children in a random couple's home of their settlement (else any adult's).

    Edits `household` in place: it is this module's own working array, not an input.
    """
    orphans = np.flatnonzero((father < 0) & (spouse < 0) & (age < ADULT_AGE))
    for candidates in (husbands, np.flatnonzero(age >= ADULT_AGE)):
        if orphans.size == 0:
            break
        if candidates.size == 0:  # no couple anywhere here: any adult of the settlement
            continue
        hosts = candidates[np.argsort(settlement[candidates], kind="stable")]
        low = np.searchsorted(settlement[hosts], settlement[orphans], side="left")
        high = np.searchsorted(settlement[hosts], settlement[orphans], side="right")
        placed = high > low
        pick = low + (roll[orphans] * (high - low)).astype(np.int64)
        pick = np.minimum(pick, np.maximum(high - 1, 0))
        household[orphans[placed]] = household[hosts[pick[placed]]]
        orphans = orphans[~placed]
