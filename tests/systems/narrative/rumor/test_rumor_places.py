"""The settlement graph: roads and sea lanes, junctions on another road, trails left out."""

from __future__ import annotations

import polars as pl

from tests.systems.narrative.rumor.rumor_world import routes_frame, settlements_frame
from worldloom.systems.narrative.rumor import rumor_places


def test_junction_splits_the_road_it_ends_on() -> None:
    # 0 --(cells 10..14, 4 days)-- 1; a road from 2 ends on cell 12 (halfway) after 1.5 days;
    # a sea lane 1-3; a trail from 3 to a POI (place 9) is not a rumor's way.
    settlements = settlements_frame([0, 0, 1, 1])
    routes = routes_frame(
        [
            ("road", 0, 1, [10, 11, 12, 13, 14], 4.0),
            ("road", 2, None, [20, 21, 12], 1.5),
            ("sea", 1, 3, [30, 31], 0.8),
            ("trail", 3, None, [40, 41], 1.0),
        ]
    )
    places = rumor_places(settlements, routes)
    assert places.neighbours[0] == ((1, 4), (2, 4))  # 2 days + 1.5 days
    assert places.neighbours[1] == ((3, 1), (0, 4), (2, 4))
    assert places.neighbours[2] == ((0, 4), (1, 4))
    assert places.neighbours[3] == ((1, 1),)
    assert places.region_of == {0: 0, 1: 0, 2: 1, 3: 1}


def test_a_place_stops_the_way_and_pois_are_not_towns() -> None:
    # 0 - 1 - 2 in a line: 0 does not reach 2 except through 1; a road to a POI (7) is a dead end.
    settlements = settlements_frame([0, 0, 0])
    routes = routes_frame(
        [
            ("road", 0, 1, [1, 2], 1.0),
            ("road", 1, 2, [3, 4], 1.0),
            ("road", 0, 7, [5, 6], 1.0),
        ]
    )
    places = rumor_places(settlements, routes)
    assert places.neighbours == {0: ((1, 1),), 1: ((0, 1), (2, 1)), 2: ((1, 1),)}


def test_centres_seats_and_neighbouring_regions() -> None:
    settlements = settlements_frame([0, 0, 1, 2], populations=[50, 900, 300, 10])
    routes = routes_frame([("road", 0, 2, [1, 2], 3.0), ("sea", 1, 3, [5, 6], 2.0)])
    factions = pl.DataFrame(
        {
            "faction_id": [0, 1, 2, 3],
            "seat_settlement_id": [2, None, 99, None],
            "seat_region_id": [0, 0, 2, 5],
        }
    )
    places = rumor_places(settlements, routes, factions=factions)
    assert places.region_centre == {0: 1, 1: 2, 2: 3}
    assert places.seat == {0: 2, 1: 1, 2: 3}  # 3's seat region has no settlement
    assert places.region_neighbours(0) == (1, 2)
    assert places.region_neighbours(1) == (0,)
    assert places.region_neighbours(9) == ()


def test_routes_of_other_kinds_can_be_chosen() -> None:
    settlements = settlements_frame([0, 0])
    routes = routes_frame([("road", 0, 1, [1, 2], 1.0), ("sea", 0, 1, [3, 4], 0.2)])
    assert rumor_places(settlements, routes, route_kinds=("road",)).neighbours[0] == ((1, 1),)
    assert rumor_places(settlements, routes, route_kinds=()).neighbours[0] == ()
