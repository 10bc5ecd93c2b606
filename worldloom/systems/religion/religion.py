"""Religions: folk faiths per culture, organized faiths spreading from holy cities, cults and
heresies splintering from them; where they are followed and how they regard each other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from worldloom.systems.naming import NameBases
from worldloom.systems.region import Region
from worldloom.systems.religion.holy_site import assign_holy_sites
from worldloom.systems.religion.pantheon import Faith, write_deities, write_names
from worldloom.systems.religion.relation import relate_religions
from worldloom.systems.religion.table import ReligionKind, ReligionTable
from worldloom.systems.rng import Seeds

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Religions:
    """A world's religions, as frames ready to store.

    Attributes:
        religions: religion_id Int32, kind String (folk|organized|heresy|cult), name String,
            form String, culture_id Int32, parent_id Int32 (-1 for folk and organized),
            origin_settlement_id Int32 (holy city or birthplace; -1 for folk),
            origin_region_id Int32 (-1 for folk).
        deities: deity_id Int32, religion_id Int32, rank Int16 (0 is the chief god),
            name String, epithet String, domains List(String).
        holy_sites: poi_id Int32, religion_id Int32, region_id Int32, settlement_id Int32 —
            every shrine and temple POI, held by one faith.
        shares: settlement_id Int32, religion_id Int32, share Float64 (> 0; each settlement's
            shares sum to 1).
        relations: a_id Int32, b_id Int32 (a < b, every pair once), stance String
            (tolerant|wary|hostile), hostility Int16 (0-100).
    """

    religions: pl.DataFrame
    deities: pl.DataFrame
    holy_sites: pl.DataFrame
    shares: pl.DataFrame
    relations: pl.DataFrame


@dataclass(frozen=True, slots=True, eq=False)
class _Places:
    """Per-settlement arrays (in settlement_id order) and region facts the spread rules read."""

    settlement_id: NDArray[np.int64]
    region: NDArray[np.int64]
    culture: NDArray[np.int64]
    population: FloatArray
    devotion: FloatArray
    tier: NDArray[np.str_]
    names: tuple[str, ...]
    hops: FloatArray
    region_culture: NDArray[np.int64]


def region_hops(regions: Sequence[Region]) -> FloatArray:
    """Steps over region adjacency between every pair of regions (inf across the sea)."""
    rows = [r.region_id for r in regions for _ in r.neighbors]
    cols = [n for r in regions for n in r.neighbors]
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(regions),) * 2)
    hops: FloatArray = shortest_path(graph, directed=False, unweighted=True)
    return hops


def generate_religions(
    regions: Sequence[Region],
    *,
    settlements: pl.DataFrame,
    pois: pl.DataFrame,
    region_cultures: pl.DataFrame,
    cultures: pl.DataFrame,
    seeds: Seeds,
    table: ReligionTable,
    name_bases: NameBases,
) -> Religions:
    """Found a world's faiths, spread them over its settlements and settle how they get along.

    Every culture keeps a folk faith. A few organized faiths rise in large cities and weaken
    with each region step from there; heresies split from organized faiths where their parent
    is followed, and cults grow out of a culture's folk faith in small places.

    Args:
        regions: the world's regions (`RegionMap.regions`; ids are their positions).
        settlements: settlement_id, region_id, name, tier, population.
        pois: poi_id, kind, region_id, settlement_id (-1 outside settlements).
        region_cultures: region_id, culture_id.
        cultures: culture_id, name, name_base.
        seeds: the world's seed tree.
        table: the religion seed table.
        name_bases: the culture name bases gods and faiths are named from.

    Raises:
        ValueError: a settlement in a region without a culture, or an unknown culture.
    """
    places = _places(regions, settlements, region_cultures, cultures, table)
    faiths = _found_elders(places, cultures, seeds=seeds, table=table)
    splinters = _found_splinters(
        places, faiths, _weights(places, faiths, table), pois, seeds=seeds, table=table
    )
    faiths = faiths + splinters
    shares = _normalise(_weights(places, faiths, table), float(table.spread["min_share"]))
    deities = write_deities(
        faiths,
        regions,
        places.region_culture,
        cultures,
        seeds=seeds,
        table=table,
        name_bases=name_bases,
    )
    names = write_names(
        faiths,
        deities,
        cultures,
        dict(zip(places.settlement_id.tolist(), places.names, strict=True)),
        seeds=seeds,
        table=table,
        name_bases=name_bases,
    )
    religions = pl.DataFrame(
        {
            "religion_id": range(len(faiths)),
            "kind": [f.kind for f in faiths],
            "name": list(names),
            "form": [f.form for f in faiths],
            "culture_id": [f.culture_id for f in faiths],
            "parent_id": [f.parent for f in faiths],
            "origin_settlement_id": [f.origin_settlement for f in faiths],
            "origin_region_id": [f.origin_region for f in faiths],
        },
        schema_overrides=dict.fromkeys(_ID_COLUMNS, pl.Int32),
    )
    rows, cols = np.nonzero(shares)
    share_frame = pl.DataFrame(
        {
            "settlement_id": places.settlement_id[rows].astype(np.int32),
            "religion_id": cols.astype(np.int32),
            "share": shares[rows, cols],
        }
    )
    return Religions(
        religions=religions,
        deities=deities,
        holy_sites=assign_holy_sites(
            pois,
            settlement_id=places.settlement_id,
            region=places.region,
            tier=places.tier,
            population=places.population,
            region_culture=places.region_culture,
            faiths=faiths,
            shares=shares,
            seeds=seeds,
        ),
        shares=share_frame,
        relations=relate_religions(faiths, shares, places.population, seeds=seeds, table=table),
    )


_ID_COLUMNS = (
    "religion_id",
    "culture_id",
    "parent_id",
    "origin_settlement_id",
    "origin_region_id",
)


def _places(
    regions: Sequence[Region],
    settlements: pl.DataFrame,
    region_cultures: pl.DataFrame,
    cultures: pl.DataFrame,
    table: ReligionTable,
) -> _Places:
    if [r.region_id for r in regions] != list(range(len(regions))):
        raise ValueError("regions must be in region_id order, ids 0..n-1")
    known = set(cultures["culture_id"].to_list())
    if unknown := sorted(set(region_cultures["culture_id"].to_list()) - known):
        raise ValueError(f"region_cultures refers to unknown cultures {unknown}")
    region_culture = np.full(len(regions), -1, dtype=np.int64)
    region_culture[region_cultures["region_id"].to_numpy()] = region_cultures["culture_id"]
    frame = settlements.sort("settlement_id")
    region = frame["region_id"].to_numpy().astype(np.int64)
    if region.size and (region.min() < 0 or region.max() >= len(regions)):
        raise ValueError("a settlement lies in a region that does not exist")
    culture = region_culture[region]
    if (culture < 0).any():
        lost = frame["settlement_id"].filter(pl.Series(culture < 0)).head(5).to_list()
        raise ValueError(f"settlements {lost} lie in regions without a culture")
    tier = frame["tier"].to_numpy().astype(np.str_)
    devotion = dict(table.spread["tier_devotion"])
    return _Places(
        settlement_id=frame["settlement_id"].to_numpy().astype(np.int64),
        region=region,
        culture=culture,
        population=frame["population"].to_numpy().astype(np.float64),
        devotion=np.array([float(devotion[t]) for t in tier.tolist()]),
        tier=tier,
        names=tuple(frame["name"].to_list()),
        hops=region_hops(regions),
        region_culture=region_culture,
    )


def _found_elders(
    places: _Places, cultures: pl.DataFrame, *, seeds: Seeds, table: ReligionTable
) -> list[Faith]:
    """One folk faith per culture, then the organized faiths and their holy cities."""
    faiths = []
    for culture_id in sorted(cultures["culture_id"].to_list()):
        rng = seeds.stream("religion.folk", culture_id)
        faiths.append(Faith("folk", culture_id, _form(rng, table, "folk"), -1, -1, -1, 1.0, 1.0))
    big = np.isin(places.tier, ("capital", "city"))
    candidates = np.flatnonzero(big) if big.any() else np.flatnonzero(places.tier == "town")
    wanted = round(len(faiths) * table.counts["organized_per_culture"])
    count = min(candidates.size, max(1, min(wanted, int(table.counts["max_organized"]))))
    if count == 0:
        return faiths
    # Faiths that last rise where many people can be reached: big cities on big land masses.
    reachable = np.isfinite(places.hops[places.region[candidates]]).sum(axis=1)
    weight = (places.population[candidates] + 1.0) * reachable
    rng = seeds.stream("religion.organized")
    chosen = np.sort(rng.choice(candidates, size=count, replace=False, p=weight / weight.sum()))
    strength, reach = table.spread["organized_strength"], table.spread["organized_reach"]
    for index in chosen.tolist():
        settlement_id = int(places.settlement_id[index])
        rng = seeds.stream("religion.organized", settlement_id)
        faiths.append(
            Faith(
                kind="organized",
                culture_id=int(places.culture[index]),
                form=_form(rng, table, "organized"),
                parent=-1,
                origin_settlement=settlement_id,
                origin_region=int(places.region[index]),
                strength=float(rng.uniform(*strength)),
                reach=float(rng.uniform(*reach)),
            )
        )
    return faiths


def _found_splinters(
    places: _Places,
    faiths: list[Faith],
    weights: FloatArray,
    pois: pl.DataFrame,
    *,
    seeds: Seeds,
    table: ReligionTable,
) -> list[Faith]:
    """Heresies where their organized parent is followed (not its holy city), then cults in
    small places, likelier where a wayside shrine already stands."""
    spread, splinters = table.spread, []
    for parent, faith in enumerate(faiths):
        if faith.kind != "organized":
            continue
        rng = seeds.stream("religion.heresy", faith.origin_settlement)
        pull = weights[:, parent] * np.sqrt(places.population + 1.0)
        pull[places.settlement_id == faith.origin_settlement] = 0.0
        if rng.random() >= table.counts["heresy_chance"] or pull.sum() <= 0:
            continue
        index = int(rng.choice(pull.size, p=pull / pull.sum()))
        splinters.append(
            _splinter(
                places,
                index,
                kind="heresy",
                parent=parent,
                rng=rng,
                table=table,
                strength=spread["heresy_strength"],
            )
        )
    small = np.flatnonzero(np.isin(places.tier, ("town", "village", "hamlet")))
    wanted = int(np.ceil(places.settlement_id.size * table.counts["cults_per_settlement"]))
    count = min(small.size, wanted, int(table.counts["max_cults"]))
    if count == 0:
        return splinters
    shrines = pois.filter(pl.col("kind") == "shrine")["settlement_id"].to_numpy()
    weight = 1.0 + 2.0 * np.isin(places.settlement_id[small], shrines)
    rng = seeds.stream("religion.cult")
    chosen = np.sort(rng.choice(small, size=count, replace=False, p=weight / weight.sum()))
    folk_of = {f.culture_id: k for k, f in enumerate(faiths) if f.kind == "folk"}
    for index in chosen.tolist():
        rng = seeds.stream("religion.cult", int(places.settlement_id[index]))
        parent = folk_of[int(places.culture[index])]
        splinters.append(
            _splinter(
                places,
                index,
                kind="cult",
                parent=parent,
                rng=rng,
                table=table,
                strength=spread["cult_strength"],
            )
        )
    return splinters


def _splinter(
    places: _Places,
    index: int,
    *,
    kind: ReligionKind,
    parent: int,
    rng: np.random.Generator,
    table: ReligionTable,
    strength: float,
) -> Faith:
    return Faith(
        kind=kind,
        culture_id=int(places.culture[index]),
        form=_form(rng, table, kind),
        parent=parent,
        origin_settlement=int(places.settlement_id[index]),
        origin_region=int(places.region[index]),
        strength=float(strength),
        reach=float(table.spread[f"{kind}_reach"]),
    )


def _form(rng: np.random.Generator, table: ReligionTable, kind: ReligionKind) -> str:
    weight = np.array([form.kind_weights.get(kind, 0.0) for form in table.forms])
    return table.forms[int(rng.choice(weight.size, p=weight / weight.sum()))].key


def _weights(places: _Places, faiths: list[Faith], table: ReligionTable) -> FloatArray:
    """Unnormalised pull of every faith in every settlement (settlements x faiths)."""
    weights = np.zeros((places.settlement_id.size, len(faiths)))
    folk_weight = float(table.spread["folk_weight"])
    for k, faith in enumerate(faiths):  # parents come first, so splinters can read them
        same_culture = places.culture == faith.culture_id
        if faith.kind == "folk":
            weights[:, k] = folk_weight * same_culture
            continue
        # exp(-inf) is 0: a faith never reaches across the sea by land steps alone.
        falloff = np.exp(-places.hops[places.region, faith.origin_region] / faith.reach)
        if faith.kind == "organized":
            weights[:, k] = faith.strength * falloff * places.devotion
        elif faith.kind == "heresy":
            weights[:, k] = faith.strength * falloff * weights[:, faith.parent]
        else:
            weights[:, k] = faith.strength * falloff * same_culture
    return weights


def _normalise(weights: FloatArray, min_share: float) -> FloatArray:
    """Shares per settlement summing to 1, with slivers below `min_share` folded away."""
    shares = weights / weights.sum(axis=1, keepdims=True)
    keep = (shares >= min_share) | (shares == shares.max(axis=1, keepdims=True))
    shares = np.where(keep, shares, 0.0)
    result: FloatArray = shares / shares.sum(axis=1, keepdims=True)
    return result
