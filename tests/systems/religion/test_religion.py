"""Religions: deterministic, shares sum to one with each culture's folk faith everywhere,
organized faiths strongest at home, splinters have parents, NPC draws follow the shares."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.powers import PowersWorld, powers_world
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.religion import (
    Religions,
    ReligionTable,
    generate_religions,
    region_hops,
)
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog


def religions_of(world: PowersWorld, seed: int, table: ReligionTable | None = None) -> Religions:
    return generate_religions(
        world.regions,
        settlements=world.settlements,
        pois=world.pois,
        region_cultures=world.region_cultures,
        cultures=world.cultures,
        seeds=Seeds(seed),
        table=table or catalog.religion_table(),
        name_bases=catalog.name_bases(),
    )


def splintering_table() -> ReligionTable:
    """The shipped table, but every organized faith splinters and cults are common."""
    raw = copy.deepcopy(read_toml("religions.toml"))
    raw["counts"].update(heresy_chance=1.0, cults_per_settlement=0.1, max_cults=6)
    return ReligionTable.from_mapping(raw)


FRAMES = ("religions", "deities", "holy_sites", "shares", "relations")


@given(seed=st.integers(min_value=0, max_value=2**32))
@settings(max_examples=6, deadline=None)
def test_same_seed_gives_identical_frames(seed: int) -> None:
    first, second = religions_of(powers_world(), seed), religions_of(powers_world(), seed)
    for name in FRAMES:
        assert getattr(first, name).equals(getattr(second, name)), name
    other = religions_of(powers_world(), seed + 1)
    assert not first.religions.equals(other.religions)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_shares_sum_to_one_and_every_culture_keeps_its_folk_faith(seed: int) -> None:
    world = powers_world()
    result = religions_of(world, seed)
    shares = result.shares
    assert (shares["share"] > 0).all()
    assert shares.select("settlement_id", "religion_id").is_unique().all()
    totals = shares.group_by("settlement_id").agg(pl.col("share").sum())
    assert sorted(totals["settlement_id"]) == sorted(world.settlements["settlement_id"])
    assert np.allclose(totals["share"].to_numpy(), 1.0)
    folk = result.religions.filter(pl.col("kind") == "folk").select(
        pl.col("religion_id"), pl.col("culture_id")
    )
    assert sorted(folk["culture_id"]) == sorted(world.cultures["culture_id"])
    home = world.settlements.join(world.region_cultures, on="region_id").join(folk, on="culture_id")
    held = home.join(shares, on=["settlement_id", "religion_id"], how="left")
    assert held["share"].null_count() == 0, "a settlement lost its culture's folk faith"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_organized_faiths_are_strongest_at_their_holy_city(seed: int) -> None:
    world = powers_world()
    result = religions_of(world, seed)
    hops = region_hops(world.regions)
    organized = result.religions.filter(pl.col("kind") == "organized")
    assert organized.height >= 1
    for faith in organized.iter_rows(named=True):
        held = world.settlements.join(
            result.shares.filter(pl.col("religion_id") == faith["religion_id"]),
            on="settlement_id",
            how="left",
        ).with_columns(pl.col("share").fill_null(0.0))
        distance = hops[held["region_id"].to_numpy(), faith["origin_region_id"]]
        at_home = held.filter(pl.col("settlement_id") == faith["origin_settlement_id"])
        far = held.filter(pl.Series(distance >= 2))["share"]
        assert at_home["share"][0] > (far.mean() if far.len() else 0.0)
        # Across the sea, land steps never reach: no followers there.
        assert held.filter(pl.Series(~np.isfinite(distance)))["share"].sum() == 0


def test_heresies_and_cults_splinter_from_a_parent() -> None:
    result = religions_of(powers_world(), 5, splintering_table())
    faiths = result.religions
    kind = dict(faiths.select("religion_id", "kind").iter_rows())
    culture = dict(faiths.select("religion_id", "culture_id").iter_rows())
    heresies = faiths.filter(pl.col("kind") == "heresy")
    cults = faiths.filter(pl.col("kind") == "cult")
    assert heresies.height >= 1
    assert cults.height >= 1
    for row in heresies.iter_rows(named=True):
        assert kind[row["parent_id"]] == "organized"
    for row in cults.iter_rows(named=True):
        assert kind[row["parent_id"]] == "folk"
        assert culture[row["parent_id"]] == row["culture_id"]
    elders = faiths.filter(pl.col("kind").is_in(["folk", "organized"]))
    assert (elders["parent_id"] == -1).all()
    stance = {
        (a, b): (s, h)
        for a, b, s, h in result.relations.select("a_id", "b_id", "stance", "hostility").iter_rows()
    }
    for row in heresies.iter_rows(named=True):
        pair = tuple(sorted((row["religion_id"], row["parent_id"])))
        assert stance[pair][0] == "hostile"
    assert faiths["name"].is_unique().all()


def test_relations_cover_every_pair_once_with_stances_matching_scores() -> None:
    result = religions_of(powers_world(), 6, splintering_table())
    k = result.religions.height
    relations = result.relations
    assert relations.height == k * (k - 1) // 2
    assert (relations["a_id"] < relations["b_id"]).all()
    assert relations.select("a_id", "b_id").is_unique().all()
    rules = catalog.religion_table().relations
    expected = np.where(
        relations["hostility"] >= rules["hostile_from"],
        "hostile",
        np.where(relations["hostility"] >= rules["wary_from"], "wary", "tolerant"),
    )
    assert relations["stance"].to_list() == expected.tolist()
    assert relations["hostility"].is_between(0, 100).all()


def test_deities_follow_their_faiths_form() -> None:
    result = religions_of(powers_world(), 7, splintering_table())
    table = catalog.religion_table()
    for faith in result.religions.iter_rows(named=True):
        gods = result.deities.filter(pl.col("religion_id") == faith["religion_id"])
        _, high = table.form(faith["form"]).deities
        assert 1 <= gods.height <= high
        assert gods["rank"].to_list() == list(range(gods.height))
        domains = [d for row in gods["domains"].to_list() for d in row]
        assert len(domains) == len(set(domains)), "a domain held twice in one faith"
        if faith["form"] == "dualism":
            first, second = (row[0] for row in gods["domains"].to_list())
            assert table.domain(first).opposite == second
    assert result.deities["name"].is_unique().all()


def test_every_shrine_and_temple_is_held_and_holy_cities_keep_their_temple() -> None:
    world = powers_world()
    result = religions_of(world, 8)
    sites = result.holy_sites
    holy = world.pois.filter(pl.col("kind").is_in(["shrine", "temple"]))
    assert sorted(sites["poi_id"]) == sorted(holy["poi_id"])  # every region has a culture here
    owner = dict(sites.select("poi_id", "religion_id").iter_rows())
    temples = world.pois.filter(pl.col("kind") == "temple")
    for faith in result.religions.filter(pl.col("kind") == "organized").iter_rows(named=True):
        at_home = temples.filter(pl.col("settlement_id") == faith["origin_settlement_id"])
        assert all(owner[p] == faith["religion_id"] for p in at_home["poi_id"])
    founded = set(result.religions["origin_settlement_id"])
    leading = (
        result.shares.sort(["settlement_id", "share"], descending=[False, True])
        .group_by("settlement_id", maintain_order=True)
        .first()
    )
    top = dict(leading.select("settlement_id", "religion_id").iter_rows())
    capitals = world.settlements.filter(pl.col("tier") == "capital")["settlement_id"]
    for poi_id, settlement in temples.select("poi_id", "settlement_id").iter_rows():
        if settlement in set(capitals) and settlement not in founded:
            assert owner[poi_id] == top[settlement]


def test_a_settlement_without_a_culture_is_refused() -> None:
    world = powers_world()
    lost = PowersWorld(
        world.regions,
        world.settlements,
        world.pois,
        world.region_cultures.filter(pl.col("region_id") != 3),
        world.cultures,
        world.npcs,
    )
    with pytest.raises(ValueError, match="without a culture"):
        religions_of(lost, 1)


def _broken(change: dict[str, Any]) -> dict[str, Any]:
    raw = copy.deepcopy(read_toml("religions.toml"))
    for path, value in change.items():
        *parents, leaf = path.split(".")
        node = raw
        for part in parents:
            node = node[part]
        if value is None:
            del node[leaf]
        else:
            node[leaf] = value
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"domains.war.opposite": "nothing"}, "unknown opposite"),
        ({"forms.dualism.deities": [1, 3]}, "exactly two deities"),
        ({"names.cult": ["Cult of {planet}"]}, "unknown planet"),
        ({"names.folk": ["{place} Ways"]}, "unknown place"),
        ({"relations.base": {"folk-folk": 1}}, "cult-cult"),
        ({"spread.tier_devotion": {"capital": 1.0}}, "misses tiers"),
        ({"spread.folk_weight": 0.0}, "folk_weight"),
        ({"domains.war.epithets": []}, "epithet"),
        ({"forms.mystery.kinds": {"sect": 1.0}}, "unknown kinds"),
    ],
)
def test_bad_religion_tables_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReligionTable.from_mapping(_broken(change))
