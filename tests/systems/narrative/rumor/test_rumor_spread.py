"""Rumors spreading: exact arrival days on a line, distortions traced to the truth, beliefs only
where routes lead, and the same tables whatever the windows or the order of the events."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.narrative.rumor.rumor_world import (
    calm_rules,
    event_rows,
    line_routes,
    routes_frame,
    rules_with,
    settlements_frame,
    world_names,
)
from worldloom.infrastructure.store.schema.narrative import (
    RUMOR_BELIEFS,
    RUMOR_FRONTIER,
    RUMOR_VERSIONS,
    RUMORS,
)
from worldloom.systems.narrative.names import Names
from worldloom.systems.narrative.rumor import (
    RumorBook,
    RumorPlaces,
    RumorRules,
    rumor_places,
    spread_rumors,
)
from worldloom.systems.rng import Seeds

NAMES = world_names(6, npcs=12)
EARLY_NAMES = world_names(6, npcs=4)
"""The names a run at an earlier tick knows: the people born since (ids 4..) are missing."""
KEY_V, KEY_B = ["rumor_id", "version"], ["rumor_id", "settlement_id"]


def _spread(
    events: pl.DataFrame,
    places: RumorPlaces,
    *,
    rules: RumorRules,
    until: int,
    book: RumorBook | None = None,
    seed: int = 7,
    names: Names = NAMES,
) -> RumorBook:
    """The book after a call: the one given with the call's news added."""
    book = book or RumorBook()
    return _news(events, places, rules=rules, until=until, book=book, seed=seed, names=names)(book)


def _news(
    events: pl.DataFrame,
    places: RumorPlaces,
    *,
    rules: RumorRules,
    until: int,
    book: RumorBook,
    seed: int = 7,
    names: Names = NAMES,
) -> Callable[[RumorBook], RumorBook]:
    news = spread_rumors(
        rules=rules,
        book=book,
        events=events,
        places=places,
        names=names,
        until_tick=until,
        seeds=Seeds(seed),
    )
    return news.added_to


def test_frames_have_the_tables_schemas() -> None:
    book = RumorBook()
    assert book.rumors.schema == RUMORS.schema
    assert book.versions.schema == RUMOR_VERSIONS.schema
    assert book.beliefs.schema == RUMOR_BELIEFS.schema
    assert book.frontier.schema == RUMOR_FRONTIER.schema


def test_a_calm_rumor_walks_the_line_day_by_day() -> None:
    places = rumor_places(settlements_frame([0, 0, 1, 1]), line_routes(4, 2.5))
    events = event_rows(
        [
            {"tick": 10, "type": "famine", "importance": 6, "settlement_id": 0, "region_id": 0},
            {"tick": 11, "type": "birth", "importance": 1, "settlement_id": 0},  # no rumor
        ]
    )
    book = _spread(events, places, rules=calm_rules(), until=1000)
    assert book.rumors.rows() == [(0, 0, 0, 10)]
    # relay 2 days, then 3 whole days of road: 10, 15, 20, 25
    assert book.beliefs.select("settlement_id", "heard_tick").rows() == [
        (0, 10),
        (1, 15),
        (2, 20),
        (3, 25),
    ]
    assert book.beliefs["confidence"].to_list() == [1.0, 0.93, 0.93**2, 0.93**3]
    assert book.versions.rows() == [
        (0, 0, None, 0, 10, "none", None, None, None, True, "Famine has come to S0 in R0.")
    ]
    assert book.frontier.height == 0


def test_the_frontier_holds_what_is_still_on_the_road() -> None:
    places = rumor_places(settlements_frame([0, 0, 1, 1]), line_routes(4, 2.5))
    events = event_rows([{"tick": 10, "type": "famine", "importance": 6, "settlement_id": 0}])
    early = _spread(events, places, rules=calm_rules(), until=17)
    assert early.beliefs["settlement_id"].to_list() == [0, 1]
    assert early.frontier.select("settlement_id", "heard_tick").rows() == [(2, 20), (3, 25)]
    later = _spread(events.clear(), places, rules=calm_rules(), until=22, book=early)
    assert later.beliefs["settlement_id"].to_list() == [0, 1, 2]
    assert later.frontier["settlement_id"].to_list() == [3]


def test_fading_hops_and_days_stop_a_rumor() -> None:
    places = rumor_places(settlements_frame([0] * 6), line_routes(6, 1.0))
    event = event_rows([{"tick": 0, "type": "famine", "importance": 5, "settlement_id": 0}])
    by_hops = _spread(event, places, rules=rules_with(travel={"relay_jitter_days": 0}), until=999)
    assert by_hops.beliefs["settlement_id"].to_list() == [0, 1, 2, 3]  # base_hops 3
    faded = rules_with(travel={"base_hops": 9}, confidence={"fade_below": 0.9})
    assert _spread(event, places, rules=faded, until=999).beliefs.height == 3
    short = rules_with(travel={"base_hops": 9, "relay_jitter_days": 0, "max_days": 7})
    assert _spread(event, places, rules=short, until=999).beliefs["heard_tick"].to_list() == [
        0,
        3,
        6,
    ]


def test_origins_fall_back_to_region_centre_then_faction_seat() -> None:
    settlements = settlements_frame([0, 0, 1], populations=[10, 500, 20])
    factions = pl.DataFrame({"faction_id": [0], "seat_settlement_id": [2], "seat_region_id": [1]})
    places = rumor_places(settlements, line_routes(3, 1.0), factions=factions)
    events = event_rows(
        [
            {"tick": 1, "type": "famine", "settlement_id": 0},
            {"tick": 1, "type": "harvest_failed", "importance": 6, "region_id": 0},
            {"tick": 1, "type": "war_declared", "faction_id": 5, "other_faction_id": 0},
            {"tick": 1, "type": "war_declared", "faction_id": 5, "other_faction_id": 6},
        ]
    )
    book = _spread(events, places, rules=calm_rules(), until=1)
    assert book.rumors.select("event_id", "origin_settlement_id").rows() == [(0, 0), (1, 1), (2, 2)]


def test_a_second_run_over_the_same_events_adds_nothing() -> None:
    places = rumor_places(settlements_frame([0, 0]), line_routes(2, 1.0))
    events = event_rows([{"tick": 1, "type": "famine", "settlement_id": 0}])
    once = _spread(events, places, rules=calm_rules(), until=50)
    twice = _spread(events, places, rules=calm_rules(), until=50, book=once)
    assert twice.rumors.equals(once.rumors)
    assert twice.beliefs.equals(once.beliefs)
    news = spread_rumors(
        rules=calm_rules(),
        book=once,
        events=events,
        places=places,
        names=NAMES,
        until_tick=50,
        seeds=Seeds(7),
    )
    assert (news.rumors.height, news.versions.height, news.beliefs.height) == (0, 0, 0)


def test_people_born_later_do_not_change_an_earlier_rumor() -> None:
    # A run at the rumor's time knows people 0..3; a later one also knows 4..11. A swapped
    # person is never newer than the people the event names, so both tell the same versions.
    places = rumor_places(settlements_frame([0, 0, 1, 1]), line_routes(4, 2.0))
    events = event_rows(
        [
            {
                "tick": 5,
                "type": "succession",
                "importance": 7,
                "npc_id": 2,
                "faction_id": 1,
                "settlement_id": 0,
                "payload": {"previous_id": 3},
            },
        ]
    )
    rules = rules_with(distortion={"actor": 1.0, "place": 0.0, "number": 0.0})
    then = _spread(events, places, rules=rules, until=500, names=EARLY_NAMES)
    later = _spread(events, places, rules=rules, until=500)
    assert then.versions.equals(later.versions)
    swapped = then.versions.filter(pl.col("field").is_in(["npc_id", "previous_id"]))
    assert swapped.height > 0
    assert all(int(v) <= 3 for v in swapped["told_value"])


# -- properties ------------------------------------------------------------------------------

WILD = rules_with(
    distortion={"actor": 0.25, "place": 0.25, "number": 0.3},
    travel={"max_days": 90},
    confidence={"fade_below": 0.05},
)
TYPES = ("battle", "famine", "plague", "war_declared", "succession", "siege_begun")


@st.composite
def worlds(draw: st.DrawFn) -> tuple[RumorPlaces, pl.DataFrame]:
    count = draw(st.integers(2, 6))
    regions = draw(st.lists(st.integers(0, 2), min_size=count, max_size=count))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, count - 1), st.integers(0, count - 1), st.floats(0.2, 12)),
            max_size=8,
        )
    )
    rows = [
        ("road", a, b, [1000 * i, 1000 * i + 1], days)
        for i, (a, b, days) in enumerate(pairs)
        if a != b
    ]
    routes = routes_frame(rows) if rows else line_routes(1, 1.0)
    factions = pl.DataFrame(
        {
            "faction_id": [0, 1, 2],
            "seat_settlement_id": [0, None, count - 1],
            "seat_region_id": [0, 1, 2],
        }
    )
    places = rumor_places(settlements_frame(regions), routes, factions=factions)
    events: list[dict[str, Any]] = []
    for tick in sorted(draw(st.lists(st.integers(0, 300), max_size=10))):
        events.append(
            {
                "tick": tick,
                "type": draw(st.sampled_from(TYPES)),
                "importance": draw(st.integers(4, 9)),
                "npc_id": draw(st.sampled_from([None, 0, 1, 2])),
                "faction_id": draw(st.sampled_from([None, 0, 1, 2])),
                "other_faction_id": draw(st.sampled_from([None, 0, 1])),
                "settlement_id": draw(st.sampled_from([None, *range(count)])),
                "region_id": draw(st.sampled_from([None, 0, 1, 2])),
                "payload": {"deaths": draw(st.integers(0, 500)), "besiegers": 40, "previous_id": 3},
            }
        )
    return places, event_rows(events)


def _distances(places: RumorPlaces, origin: int) -> dict[int, int]:
    best = {origin: 0}
    heap = [(0, origin)]
    while heap:
        days, here = heapq.heappop(heap)
        for there, leg in places.neighbours.get(here, ()):
            if days + leg < best.get(there, 10**9):
                best[there] = days + leg
                heapq.heappush(heap, (days + leg, there))
    return best


@settings(max_examples=60, deadline=None)
@given(world=worlds())
def test_versions_trace_to_the_truth_and_beliefs_follow_routes(
    world: tuple[RumorPlaces, pl.DataFrame],
) -> None:
    places, events = world
    book = _spread(events, places, rules=WILD, until=10_000)
    assert book.frontier.height == 0
    assert set(book.rumors["event_id"]) <= set(events["event_id"])
    versions = {(r["rumor_id"], r["version"]): r for r in book.versions.iter_rows(named=True)}
    for (rumor_id, version), told in versions.items():
        row, at, seen = told, version, set()
        while row["parent_version"] is not None:
            assert row["told_value"] != row["true_value"]
            assert not row["is_true"]
            assert row["distortion"] in {"actor", "place", "number"}
            seen.add(at)
            at = row["parent_version"]
            assert at not in seen
            row = versions[(rumor_id, at)]
        assert at == 0
        assert row["is_true"]
        assert row["distortion"] == "none"
    known = NAMES.known()
    assert all(
        any(name in text for name in known) or text.startswith("There is news")
        for text in book.versions["text"]
    )
    ticks = dict(zip(events["event_id"], events["tick"], strict=True))
    for rumor in book.rumors.iter_rows(named=True):
        reach = _distances(places, rumor["origin_settlement_id"])
        mine = book.beliefs.filter(pl.col("rumor_id") == rumor["rumor_id"])
        for settlement, heard, version in mine.select(
            "settlement_id", "heard_tick", "version"
        ).iter_rows():
            assert settlement in reach
            assert heard >= ticks[rumor["event_id"]] + reach[settlement]
            assert (rumor["rumor_id"], version) in versions
    assert book.beliefs["confidence"].is_between(0.0, 1.0).all()


@settings(max_examples=60, deadline=None)
@given(world=worlds(), cut=st.integers(0, 400), seed=st.integers(0, 2**32))
def test_windows_give_the_same_tables_as_one_pass(
    world: tuple[RumorPlaces, pl.DataFrame], cut: int, seed: int
) -> None:
    places, events = world
    end = 500
    whole = _spread(events, places, rules=WILD, until=end, seed=seed)
    early = events.filter(pl.col("tick") <= cut)
    first = _spread(early, places, rules=WILD, until=cut, seed=seed, names=EARLY_NAMES)
    rest = events.filter(pl.col("tick") > cut).sample(fraction=1.0, shuffle=True, seed=seed % 97)
    split = _spread(rest, places, rules=WILD, until=end, book=first, seed=seed)
    for name in ("rumors", "versions", "beliefs", "frontier"):
        assert getattr(split, name).equals(getattr(whole, name)), name
    # The news needs only the book's rumors and frontier: versions and beliefs are appended.
    lean = RumorBook(rumors=first.rumors, frontier=first.frontier)
    added = _news(rest, places, rules=WILD, until=end, book=lean, seed=seed)(RumorBook())
    assert added.versions.equals(split.versions.join(first.versions, on=KEY_V, how="anti"))
    assert added.beliefs.equals(split.beliefs.join(first.beliefs, on=KEY_B, how="anti"))
    assert added.rumors.equals(split.rumors.join(first.rumors, on="rumor_id", how="anti"))
    again = _spread(events, places, rules=WILD, until=end, seed=seed)
    assert again.versions.equals(whole.versions)
    assert again.beliefs.equals(whole.beliefs)
