"""How religions regard each other: a hostility score and a stance for every pair of faiths."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.religion.pantheon import Faith
from worldloom.systems.religion.table import ReligionTable
from worldloom.systems.rng import Seeds

STANCES = ("tolerant", "wary", "hostile")


def relate_religions(
    faiths: Sequence[Faith],
    shares: NDArray[np.float64],
    population: NDArray[np.float64],
    *,
    seeds: Seeds,
    table: ReligionTable,
) -> pl.DataFrame:
    """Score every pair of faiths from 0 (tolerant) to 100 (hostile).

    The score starts from the table's base for the two kinds, rises for faiths that admit
    no other gods and for faiths competing for the same people, and carries a little seeded
    noise; a heresy is always hostile to the faith it broke from, a cult at least wary of its.

    Args:
        faiths: the faiths, indexed by religion id.
        shares: follower shares, settlements x faiths.
        population: people per settlement, in the rows' order.
        seeds: the world's seed tree.
        table: the religion seed table.

    Returns:
        a_id Int32, b_id Int32 (a < b, every pair once), stance String, hostility Int16.
    """
    rules = table.relations
    k = len(faiths)
    a, b = np.triu_indices(k, 1)
    people = shares * population[:, None]
    followers = people.sum(axis=0)
    # Competition: people the two faiths both claim, against the smaller flock.
    shared = np.zeros((k, k))
    for i in range(k):
        shared[i] = np.minimum(people[:, i : i + 1], people).sum(axis=0)
    smaller = np.maximum(np.minimum(followers[a], followers[b]), 1.0)
    overlap = np.clip(shared[a, b] / smaller, 0.0, 1.0)
    kinds = [f.kind for f in faiths]
    base = np.array(
        [
            float(rules["base"]["-".join(sorted((kinds[i], kinds[j])))])
            for i, j in zip(a, b, strict=True)
        ]
    )
    exclusive = np.array([table.form(f.form).exclusive for f in faiths], dtype=np.float64)
    u = keyed_uniform(a, b, seeds=seeds, system="religion.relations")
    hostility = (
        base
        + float(rules["exclusive"]) * (exclusive[a] + exclusive[b])
        + float(rules["overlap"]) * overlap
        + float(rules["noise"]) * (2.0 * u - 1.0)
    )
    parent = np.array([f.parent for f in faiths])
    is_kind = {kind: np.array([x == kind for x in kinds]) for kind in ("heresy", "cult")}
    for kind, floor in (("heresy", rules["heresy_parent"]), ("cult", rules["cult_parent"])):
        # a < b and parents precede their splinters, so the splinter is always b.
        child = is_kind[kind][b] & (parent[b] == a)
        hostility = np.where(child, np.maximum(hostility, float(floor)), hostility)
    score = np.clip(np.round(hostility), 0, 100).astype(np.int16)
    return relation_rows(a, b, score, table=table)


def relation_rows(
    a: NDArray[np.int64], b: NDArray[np.int64], score: NDArray[np.int16], *, table: ReligionTable
) -> pl.DataFrame:
    """religion_relations rows for the pairs (a, b) and their hostility scores, each with the
    stance its score falls in."""
    rules = table.relations
    stance = np.where(
        score >= rules["hostile_from"],
        "hostile",
        np.where(score >= rules["wary_from"], "wary", "tolerant"),
    )
    return pl.DataFrame(
        {
            "a_id": pl.Series(a, dtype=pl.Int32),
            "b_id": pl.Series(b, dtype=pl.Int32),
            "stance": pl.Series(stance, dtype=pl.String),
            "hostility": pl.Series(score, dtype=pl.Int16),
        }
    )
