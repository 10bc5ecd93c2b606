"""Holy sites: every shrine and temple is kept by one faith."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from numpy.typing import NDArray

from worldloom.systems.draw import keyed_uniform
from worldloom.systems.religion.pantheon import Faith
from worldloom.systems.rng import Seeds

HOLY_POI_KINDS = ("shrine", "temple")


def assign_holy_sites(
    pois: pl.DataFrame,
    *,
    settlement_id: NDArray[np.int64],
    region: NDArray[np.int64],
    tier: NDArray[np.str_],
    population: NDArray[np.float64],
    region_culture: NDArray[np.int64],
    faiths: Sequence[Faith],
    shares: NDArray[np.float64],
    seeds: Seeds,
) -> pl.DataFrame:
    """Give every shrine and temple to one faith.

    A holy city's temple belongs to the faith founded there and a capital's temple to the
    capital's leading faith; any other site goes to a faith drawn from the shares of its
    settlement (or, in the wilds, of its region's people).
    """
    sites = pois.filter(pl.col("kind").is_in(HOLY_POI_KINDS)).sort("poi_id")
    n_regions, n_faiths = region_culture.size, len(faiths)
    region_shares = np.zeros((n_regions, n_faiths))
    np.add.at(region_shares, region, shares * population[:, None])
    folk_of = {f.culture_id: k for k, f in enumerate(faiths) if f.kind == "folk"}
    for empty in np.flatnonzero(region_shares.sum(axis=1) == 0).tolist():
        if (culture := int(region_culture[empty])) >= 0:
            region_shares[empty, folk_of[culture]] = 1.0
    settlement = sites["settlement_id"].to_numpy()
    row = np.searchsorted(settlement_id, settlement)
    padded = np.vstack([shares, np.zeros((1, n_faiths))])  # the extra row: not in a settlement
    row = np.where(np.isin(settlement, settlement_id), row, shares.shape[0])
    in_town = row < shares.shape[0]
    rows = np.where(in_town[:, None], padded[row], region_shares[sites["region_id"].to_numpy()])
    total = rows.sum(axis=1)
    u = keyed_uniform(sites["poi_id"].to_numpy(), seeds=seeds, system="religion.holy_site")
    cumulative = np.cumsum(rows, axis=1) / np.maximum(total, 1e-300)[:, None]
    faith = np.minimum((cumulative <= u[:, None]).sum(axis=1), n_faiths - 1)
    leading = rows.argmax(axis=1)
    is_temple = sites["kind"].to_numpy() == "temple"
    capitals = set(settlement_id[tier == "capital"].tolist())
    at_capital = is_temple & np.isin(settlement, list(capitals))
    faith = np.where(at_capital, leading, faith)
    founded_at = {f.origin_settlement: k for k, f in enumerate(faiths) if f.kind == "organized"}
    holy_city = is_temple & np.isin(settlement, list(founded_at))
    faith[holy_city] = [founded_at[s] for s in settlement[holy_city].tolist()]
    frame = sites.select("poi_id", "region_id", "settlement_id").with_columns(
        religion_id=pl.Series(faith, dtype=pl.Int32)
    )
    # Sites in regions without people or culture have no one to keep them.
    return frame.filter(pl.Series(total > 0)).select(
        pl.col("poi_id", "religion_id", "region_id", "settlement_id").cast(pl.Int32)
    )
