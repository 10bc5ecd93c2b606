"""Places: settlements, POIs, routes and sub-locations on real tiny worlds, as properties."""

from __future__ import annotations

from collections import Counter
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from tests.worlds import BuiltWorld, build_world
from worldloom.infrastructure.seed_data import read_toml
from worldloom.systems.naming import PLACE_NAME_MAX, PlaceNamer
from worldloom.systems.places import (
    NO_PARENT,
    TIERS,
    PlaceRules,
    Places,
    PointOfInterest,
    Settlement,
    build_location_tree,
    describe_sites,
    extend_location_tree,
    generate_places,
)
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.tables import poi_rows, route_rows, settlement_rows, sublocation_rows

SEEDS = st.integers(min_value=0, max_value=400)
"""A bounded pool of seeds: each tiny world is built once and cached across examples."""


LARGE_WORLD_BASES = {"valorean": 2_300, "sylvane": 1_250, "sarrani": 400, "nordhaven": 70}
"""Settlements per name base on the large preset (seed 7): regions pick bases by biome."""
LARGE_WORLD_POIS = 1_100
"""Points of interest on the large preset, named from the same bases after the settlements."""


@cache
def world(seed: int, template: str = "continents") -> tuple[BuiltWorld, Places]:
    built = build_world(seed, overrides={"terrain.template": template})
    return built, places_of(built)


def places_of(built: BuiltWorld, *, settlements: int = 40) -> Places:
    return generate_places(
        built.terrain,
        built.regions,
        seeds=Seeds(built.terrain.mesh.size + 7),
        biomes=catalog.biome_table(),
        rules=catalog.place_rules(),
        name_bases=catalog.name_bases(),
        settlements=settlements,
        taken_names=[r.name for r in built.regions.regions],
    )


def neighbours(built: BuiltWorld, a: int, b: int) -> bool:
    return b in built.terrain.mesh.neighbors(a)


@settings(max_examples=4, deadline=None)
@given(seed=SEEDS)
def test_same_seed_gives_identical_frames(seed: int) -> None:
    built, first = world(seed)
    second = places_of(built)
    for rows in (settlement_rows, poi_rows, route_rows, sublocation_rows):
        assert rows(first).equals(rows(second))


@settings(max_examples=8, deadline=None)
@given(seed=SEEDS, template=st.sampled_from(["continents", "archipelago"]))
def test_places_stand_on_free_land_cells_of_their_region(seed: int, template: str) -> None:
    built, places = world(seed, template)
    items: list[Settlement | PointOfInterest] = [*places.layout.settlements, *places.pois]
    cells = np.array([item.cell for item in items])
    assert built.terrain.is_land[cells].all()
    assert (built.regions.cell_region[cells] == [item.region_id for item in items]).all()
    assert len(set(cells.tolist())) == cells.size
    ids = [s.settlement_id for s in places.layout.settlements] + [p.poi_id for p in places.pois]
    assert ids == list(range(len(items)))


@settings(max_examples=3, deadline=None)
@given(seed=SEEDS)
def test_a_large_world_keeps_its_place_names_fresh(seed: int) -> None:
    """5,000+ settlement and POI names: all unique, under 1% double-barrelled."""
    rules, seeds = catalog.place_rules(), Seeds(seed)
    namer = PlaceNamer(catalog.name_bases())
    sites = list(rules.names.values())
    bases = [base for base, count in LARGE_WORLD_BASES.items() for _ in range(count)]
    names = [
        namer.name(base=base, patterns=sites[i % len(sites)], rng=seeds.stream("town", i))
        for i, base in enumerate(bases)
    ]
    names += [
        namer.name(
            base=bases[i * 7 % len(bases)],
            patterns=rules.pois[i % len(rules.pois)].names,
            rng=seeds.stream("poi", i),
        )
        for i in range(LARGE_WORLD_POIS)
    ]
    assert len({name.lower() for name in names}) == len(names)
    assert all(len(name) <= PLACE_NAME_MAX for name in names)
    double_barrelled = [name for name in names if "-" in name]
    assert len(double_barrelled) < len(names) // 100, double_barrelled[:10]


@settings(max_examples=8, deadline=None)
@given(seed=SEEDS, template=st.sampled_from(["continents", "archipelago"]))
def test_names_are_unique_in_the_world(seed: int, template: str) -> None:
    built, places = world(seed, template)
    names = [s.name.lower() for s in places.layout.settlements]
    names += [p.name.lower() for p in places.pois]
    assert len(set(names)) == len(names)
    assert not set(names) & {r.name.lower() for r in built.regions.regions}


@settings(max_examples=6, deadline=None)
@given(seed=SEEDS)
def test_tiers_follow_quotas_and_populations_fall_with_rank(seed: int) -> None:
    built, places = world(seed)
    towns = places.layout.settlements
    tiers = Counter(s.tier for s in towns)
    assert tiers["capital"] == max(1, round(len(built.regions.regions) / 4))
    assert tiers["city"] == round(0.03 * 40)
    assert tiers["town"] == round(0.12 * 40)
    assert tiers["village"] == round(0.35 * 40)
    assert sum(tiers.values()) == 40
    ranks = [TIERS.index(s.tier) for s in towns]
    assert ranks == sorted(ranks)
    populations = [s.population for s in towns]
    assert populations == sorted(populations, reverse=True)
    capitals = [s.region_id for s in towns if s.tier == "capital"]
    assert len(set(capitals)) == len(capitals)


@settings(max_examples=6, deadline=None)
@given(seed=SEEDS)
def test_larger_settlements_keep_their_spacing(seed: int) -> None:
    _, places = world(seed)
    layout = places.layout
    xy = np.array([(s.x, s.y) for s in layout.settlements])
    major = np.array([s.tier in ("capital", "city", "town") for s in layout.settlements])
    gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    assert layout.major_spacing_km > layout.minor_spacing_km > 0
    assert gaps[major][:, major].min() >= layout.major_spacing_km - 1e-9
    assert gaps[major].min() >= layout.minor_spacing_km - 1e-9
    assert gaps.min() >= layout.minor_spacing_km - 1e-9


@settings(max_examples=8, deadline=None)
@given(seed=SEEDS, template=st.sampled_from(["continents", "archipelago"]))
def test_routes_connect_every_settlement_reachable_over_land(seed: int, template: str) -> None:
    built, places = world(seed, template)
    n = built.terrain.mesh.size
    land = [r for r in places.routes if r.kind != "sea"]
    pairs = np.array([step for r in land for step in pairwise(r.cells)], dtype=np.int64)
    pairs = pairs.reshape(-1, 2)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    by_mass: dict[int, set[int]] = {}
    for s in places.layout.settlements:
        by_mass.setdefault(s.landmass_id, set()).add(int(component[s.cell]))
    assert all(len(found) == 1 for found in by_mass.values())


@settings(max_examples=8, deadline=None)
@given(seed=SEEDS, template=st.sampled_from(["continents", "archipelago"]))
def test_route_paths_step_between_neighbours_over_the_right_ground(
    seed: int, template: str
) -> None:
    built, places = world(seed, template)
    terrain = built.terrain
    ocean = ~terrain.is_land & ~terrain.is_lake
    towns = {s.settlement_id: s for s in places.layout.settlements}
    for route in places.routes:
        cells = list(route.cells)
        assert len(cells) >= 2
        assert all(neighbours(built, a, b) for a, b in pairwise(cells))
        assert route.length_km > 0
        assert route.travel_days > 0
        if route.kind == "sea":
            start, end = towns[route.start_place], towns[route.end_place]
            assert start.is_port
            assert end.is_port
            assert (cells[0], cells[-1]) == (start.cell, end.cell)
            assert ocean[cells[1:-1]].all()
        else:
            assert terrain.is_land[cells].all()


def test_archipelago_ports_are_linked_by_sea() -> None:
    _, places = world(8, "archipelago")
    masses = {s.landmass_id for s in places.layout.settlements}
    assert len(masses) > 1
    sea = [r for r in places.routes if r.kind == "sea"]
    linked = {places.layout.settlements[r.start_place].landmass_id for r in sea}
    linked |= {places.layout.settlements[r.end_place].landmass_id for r in sea}
    assert len(linked) > 1


@settings(max_examples=6, deadline=None)
@given(seed=SEEDS)
def test_pois_obey_their_kind_rules(seed: int) -> None:
    built, places = world(seed)
    rules = {kind.kind: kind for kind in catalog.place_rules().pois}
    sites = describe_sites(built.terrain, cell_region=built.regions.cell_region)
    biome_keys = {b.biome_id: b.key for b in catalog.biome_table().biomes}
    assert places.pois
    for poi in places.pois:
        rule = rules[poi.kind]
        assert 1 <= poi.danger_level <= 10
        low, high = rule.elevation_m
        assert low <= built.terrain.elevation_m[poi.cell] <= high
        if rule.biomes:
            assert biome_keys[int(built.terrain.biome_id[poi.cell])] in rule.biomes
        for feature in {"coast", "peak", "border", "waterfall"} & set(rule.requires):
            assert getattr(sites, feature)[poi.cell], (poi.kind, feature)


@settings(max_examples=6, deadline=None)
@given(seed=SEEDS)
def test_sublocations_and_the_location_tree_hang_together(seed: int) -> None:
    built, places = world(seed)
    subs = places.sublocations
    place_ids = {s.settlement_id for s in places.layout.settlements}
    place_ids |= {p.poi_id for p in places.pois}
    assert [s.sublocation_id for s in subs] == list(range(len(subs)))
    for sub in subs:
        assert sub.place_id in place_ids
        if sub.parent_id == NO_PARENT:
            assert sub.depth == 1
        else:
            parent = subs[sub.parent_id]
            assert parent.place_id == sub.place_id
            assert sub.depth == parent.depth + 1
    assert {s.place_id for s in subs} >= {s.settlement_id for s in places.layout.settlements}

    tree = build_location_tree(
        world_name=built.name,
        region_names=[r.name for r in built.regions.regions],
        cell_region=built.regions.cell_region,
    )
    items = [(s.settlement_id, s.region_id, s.name) for s in places.layout.settlements]
    items += [(p.poi_id, p.region_id, p.name) for p in places.pois]
    extended = extend_location_tree(tree, places=items, sublocations=subs)
    assert len(extended) == len(tree) + len(items) + len(subs)
    assert (np.diff(extended.location_id) > 0).all()
    rows = {int(loc): row for row, loc in enumerate(extended.location_id)}
    for row, parent in enumerate(extended.parent_id.tolist()):
        if parent < 0:
            assert extended.kind[row] == "world"
            continue
        assert extended.depth[row] == extended.depth[rows[parent]] + 1
        if extended.kind[row] == "poi":
            assert extended.kind[rows[parent]] == "region"
        if extended.kind[row] == "sublocation":
            assert extended.kind[rows[parent]] in ("poi", "sublocation")
    again = extend_location_tree(extended, places=[], sublocations=())
    assert len(again) == len(tree)


def test_ports_and_dangerous_places_are_furnished_for_it() -> None:
    _, places = world(5)
    subs = places.sublocations
    kinds_by_place: dict[int, set[str]] = {}
    for sub in subs:
        kinds_by_place.setdefault(sub.place_id, set()).add(sub.kind)
    for town in places.layout.settlements:
        if town.is_port and town.tier in ("capital", "city", "town"):
            assert "docks" in kinds_by_place[town.settlement_id]
        if town.tier == "capital":
            assert "keep" in kinds_by_place[town.settlement_id]
    for poi in places.pois:
        levels = [s for s in subs if s.place_id == poi.poi_id and s.category == "level"]
        assert (len(levels) > 0) == (poi.interior != "none")


def rules_table(**changes: Any) -> dict[str, Any]:
    table = read_toml("pois.toml")
    for dotted, value in changes.items():
        head, _, tail = dotted.partition(".")
        if tail:
            table[head][0][tail] = value
        else:
            table[head] = value
    return table


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"poi.danger": [7, 3]}, "reversed"),
        ({"poi.biomes": ["moon_dust"]}, "unknown biomes: moon_dust"),
        ({"poi.names": ["The Halls"]}, "use {name}"),
        ({"poi.prefer": ["shiny"]}, "pois.0.prefer"),
        ({"tier": []}, "tiers must be listed"),
    ],
    ids=[
        "reversed-danger",
        "unknown-biome",
        "pattern-without-name",
        "unknown-preference",
        "no-tiers",
    ],
)
def test_bad_place_tables_are_refused_with_the_reason(
    changes: dict[str, Any], message: str
) -> None:
    keys = [b.key for b in catalog.biome_table().biomes]
    with pytest.raises(ValueError, match=message):
        PlaceRules.from_mapping(rules_table(**changes), biome_keys=keys)


def test_more_settlements_than_land_cells_fill_the_land() -> None:
    built, _ = world(2)
    land = int(built.terrain.is_land.sum())
    places = places_of(built, settlements=land + 50)
    assert len(places.layout.settlements) == land
