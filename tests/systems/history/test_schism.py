"""Schisms: a war between two states of one faith splits it, the smaller flock breaking away
with its state; the new faith's rows (name, gods, regard) from the religion room."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.history.test_faith import LAST, YEAR, cohorts, events, holy_sites, new_log
from worldloom.systems.history.faith import Faiths
from worldloom.systems.history.log import EventLog
from worldloom.systems.history.schism import SchismYear, Strife, split_faiths
from worldloom.systems.religion.schism import Founding, splinter_faith
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog

# Settlements 0-1 held by state 7, 2-3 by state 8, 4 by state 9; faiths 0-2 (2 hostile to 0).
RULER = [7, 7, 8, 8, 9]
SEATS = ((0, 10), (2, 12))


def world(of_state: dict[int, int]) -> Faiths:
    hostility = np.array([[0.0, 20.0, 80.0], [20.0, 0.0, 30.0], [80.0, 30.0, 0.0]])
    ruler = np.array(RULER, dtype=np.int64)
    return Faiths(
        ruler=ruler,
        state_faith=np.array([of_state.get(int(r), -1) for r in ruler], dtype=np.int64),
        hostility=hostility,
        sites=holy_sites([]),
        of_state=of_state,
    )


def npcs() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "npc_id": [1, 2, 3, 4, 5],
            "settlement_id": [0, 1, 2, 0, None],
            "religion_id": [0, 0, 0, 1, 0],
        },
        schema_overrides={"religion_id": pl.Int32, "settlement_id": pl.Int32},
    )


def split(
    people: Sequence[tuple[int, int, int]],
    of_state: dict[int, int],
    strife: Sequence[Strife],
    *,
    log: EventLog | None = None,
    **rules: float,
) -> tuple[SchismYear, EventLog]:
    log = log or new_log()
    year = split_faiths(
        cohorts(people),
        npcs(),
        world(of_state),
        strife,
        rules={**catalog.history_rules().faith, "schism_chance": 1.0, **rules},
        log=log,
        seeds=Seeds(11),
        year=YEAR,
        tick=LAST,
    )
    return year, log


def war(log: EventLog, war_id: int = 3, sides: tuple[int, int] = (7, 8)) -> Strife:
    payload = {"war_id": war_id, "casus_belli": "border_dispute", "tension": 80.0}
    declared = log.add(
        "war_declared", tick=LAST - 200, payload=payload, faction_id=sides[0],
        other_faction_id=sides[1],
    )  # fmt: skip
    return Strife(war=war_id, sides=sides, seats=SEATS, cause=declared)


def test_the_smaller_flock_breaks_away_with_its_state() -> None:
    log = new_log()
    strife = [war(log)]
    # Faith 0: 300 people under state 7, 500 under state 8; faith 1's 50 stay as they are.
    people = [(0, 0, 200), (0, 1, 50), (1, 0, 100), (2, 0, 400), (3, 0, 100), (4, 0, 70)]
    year, log = split(people, {7: 0, 8: 0, 9: 0}, strife, log=log)
    [schism] = year.schisms
    assert (schism.religion, schism.parent, schism.state, schism.enemy) == (3, 0, 7, 8)
    assert (schism.people, schism.seat) == (300, (0, 10))
    assert year.cohorts.religion.tolist() == [3, 1, 3, 0, 0, 0]
    assert year.cohorts.count.tolist() == [200, 50, 100, 400, 100, 70]  # nobody lost
    # Named people of the old faith in state 7's settlements follow; the others do not.
    assert year.npcs["religion_id"].to_list() == [3, 3, 0, 1, 0]
    assert year.npcs["religion_id"].dtype == pl.Int32
    [event] = events(log, "schism")
    assert (event["faction_id"], event["other_faction_id"]) == (7, 8)
    assert (event["settlement_id"], event["region_id"], event["tick"]) == (0, 10, LAST)
    assert event["payload"] == {"religion_id": 3, "parent_religion_id": 0, "people": 300}
    assert event["cause_ids"] == [strife[0].cause]


def test_on_a_tie_the_defender_breaks_away() -> None:
    log = new_log()
    year, _ = split([(0, 0, 150), (2, 0, 150)], {7: 0, 8: 0}, [war(log)], log=log)
    assert [s.state for s in year.schisms] == [8]
    assert year.cohorts.religion.tolist() == [0, 3]


@pytest.mark.parametrize(
    ("of_state", "rules", "people"),
    [
        ({7: 0, 8: 1}, {}, [(0, 0, 300), (2, 0, 500)]),  # two faiths at war: no schism
        ({7: -1, 8: -1}, {}, [(0, 0, 300), (2, 0, 500)]),  # no faith to split
        ({7: 0, 8: 0}, {"schism_chance": 0.0}, [(0, 0, 300), (2, 0, 500)]),
        ({7: 0, 8: 0}, {}, [(0, 0, 99), (2, 0, 500)]),  # too few to follow it
    ],
)
def test_no_schism_without_a_war_of_one_faith_and_a_flock(
    of_state: dict[int, int], rules: dict[str, float], people: list[tuple[int, int, int]]
) -> None:
    log = new_log()
    before = cohorts(people)
    year, log = split(people, of_state, [war(log)], log=log, **rules)
    assert year.schisms == ()
    assert year.cohorts.religion.tolist() == before.religion.tolist()
    assert year.npcs.equals(npcs())
    assert events(log, "schism") == []


def test_a_faith_and_a_state_split_once_a_year() -> None:
    log = new_log()
    strife = [war(log, 3, (7, 8)), war(log, 4, (9, 8)), war(log, 5, (7, 9))]
    people = [(0, 0, 200), (2, 0, 900), (4, 0, 300), (4, 2, 400)]
    year, _ = split(people, {7: 0, 8: 0, 9: 0}, strife, log=log)
    # War 3 splits faith 0 (state 7 leaves); war 4 would split it again, war 5 split state 7.
    assert [(s.state, s.parent) for s in year.schisms] == [(7, 0)]


def test_a_state_whose_id_is_a_split_faith_s_may_still_break_away() -> None:
    # Faith and faction ids are apart: state 2 is not faith 2, which war 3 splits first.
    log = new_log()
    ruler = np.array([2, 10, 8, 8, 9, 9], dtype=np.int64)
    of_state = {2: 0, 10: 0, 8: 2, 9: 2}
    faiths = Faiths(
        ruler=ruler,
        state_faith=np.array([of_state[int(r)] for r in ruler], dtype=np.int64),
        hostility=np.zeros((3, 3)),
        sites=holy_sites([]),
        of_state=of_state,
    )
    people = [(0, 0, 120), (1, 0, 400), (2, 2, 150), (4, 2, 300)]
    year = split_faiths(
        cohorts(people),
        npcs(),
        faiths,
        [war(log, 3, (8, 9)), war(log, 4, (2, 10))],
        rules={**catalog.history_rules().faith, "schism_chance": 1.0},
        log=log,
        seeds=Seeds(11),
        year=YEAR,
        tick=LAST,
    )
    assert [(s.state, s.parent, s.religion) for s in year.schisms] == [(8, 2, 3), (2, 0, 4)]


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 400), min_size=5, max_size=5),
    chance=st.sampled_from([0.0, 0.3, 1.0]),
    year=st.integers(0, 200),
)
def test_schisms_keep_everyone_and_are_drawn_from_the_war_and_year(
    counts: list[int], chance: float, year: int
) -> None:
    people = [(s, 0, n) for s, n in enumerate(counts)]

    def run() -> SchismYear:
        log = new_log()
        return split_faiths(
            cohorts(people), npcs(), world({7: 0, 8: 0, 9: 0}), [war(log)],
            rules={**catalog.history_rules().faith, "schism_chance": chance}, log=log,
            seeds=Seeds(11), year=year, tick=LAST,
        )  # fmt: skip

    first, again = run(), run()
    assert first.schisms == again.schisms
    assert first.cohorts.count.sum() == sum(counts)
    attacker, defender = sum(counts[:2]), sum(counts[2:4])
    state, flock = (7, attacker) if attacker < defender else (8, defender)
    if chance == 1.0:
        assert bool(first.schisms) == (flock >= 100)
    if chance == 0.0:
        assert not first.schisms
    moved = first.cohorts.settlement[first.cohorts.religion == 3].tolist()
    if first.schisms:
        assert [(s.state, s.people) for s in first.schisms] == [(state, flock)]
        assert moved == [s for s, ruler in enumerate(RULER) if ruler == state]
    else:
        assert moved == []


# -- the new faith's rows ------------------------------------------------------------------------


ID_COLUMNS = ("religion_id", "culture_id", "parent_id", "origin_settlement_id", "origin_region_id")


def faiths_there_are() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    religions = pl.DataFrame(
        {
            "religion_id": [0, 1, 2],
            "kind": ["organized", "folk", "cult"],
            "name": ["Church of Amberla", "Way of Brogrum", "Cult of the Star-Keeper"],
            "form": ["pantheon", "animism", "dualism"],
            "culture_id": [0, 1, 1],
            "parent_id": [None, None, 1],
            "origin_settlement_id": [4, None, 2],
            "origin_region_id": [1, None, 0],
            "description": ["a", "b", "c"],
        },
        schema_overrides=dict.fromkeys(ID_COLUMNS, pl.Int32),
    )
    deities = pl.DataFrame(
        {
            "deity_id": [0, 1, 2, 3],
            "religion_id": [0, 0, 1, 2],
            "rank": [1, 0, 0, 0],
            "name": ["Orla", "Amberla", "Brogrum", "Umbley"],
            "epithet": ["the Bright", "the Plough-Father", "the Herb-Wife", "the Star-Keeper"],
            "domains": [["light"], ["harvest", "peace"], ["healing"], ["night"]],
        },
        schema_overrides={"deity_id": pl.Int32, "religion_id": pl.Int32, "rank": pl.Int16},
    )
    relations = pl.DataFrame(
        {
            "a_id": [0, 0, 1],
            "b_id": [1, 2, 2],
            "stance": ["tolerant", "hostile", "wary"],
            "hostility": [20, 70, 50],
        },
        schema_overrides={"a_id": pl.Int32, "b_id": pl.Int32, "hostility": pl.Int16},
    )
    cultures = pl.DataFrame(
        {"culture_id": [0, 1], "name": ["Suda", "Drun"], "name_base": ["valorean", "khazrak"]}
    )
    return religions, deities, relations, cultures


def test_a_schism_s_faith_is_a_named_heresy_keeping_its_parent_s_gods_and_regard() -> None:
    religions, deities, relations, cultures = faiths_there_are()
    splinter = splinter_faith(
        Founding(religion=3, parent=0, culture=1, seat=(5, 2), place="Durra Haven"),
        religions, deities, relations, cultures=cultures, seeds=Seeds(4),
        table=catalog.religion_table(), name_bases=catalog.name_bases(),
        templates=catalog.prose_templates(),
    )  # fmt: skip
    [row] = splinter.religions.to_dicts()
    assert splinter.religions.schema == religions.schema
    assert (row["religion_id"], row["kind"], row["parent_id"], row["form"]) == (
        3, "heresy", 0, "pantheon"
    )  # fmt: skip
    assert (row["culture_id"], row["origin_settlement_id"], row["origin_region_id"]) == (1, 5, 2)
    assert row["name"].lower() not in {n.lower() for n in religions["name"]}
    assert row["name"] in row["description"]
    assert "Church of Amberla" in row["description"]  # whence it broke away
    assert "Amberla" in row["description"]  # its chief god, its parent's
    # Its parent's gods, as rows of its own.
    assert splinter.deities.schema == deities.schema
    assert splinter.deities["deity_id"].to_list() == [4, 5]
    assert splinter.deities["religion_id"].to_list() == [3, 3]
    assert splinter.deities["name"].to_list() == ["Amberla", "Orla"]  # chief first
    # Every faith there is regards it as it regards the parent; the parent is hostile.
    assert splinter.relations.schema == relations.schema
    regard = {(a, b): (s, h) for a, b, s, h in splinter.relations.rows()}
    floor = int(catalog.religion_table().relations["heresy_parent"])
    assert regard == {
        (0, 3): ("hostile", floor),
        (1, 3): ("tolerant", 20),
        (2, 3): ("hostile", 70),
    }


def test_a_schism_s_name_is_drawn_from_its_id_and_never_clashes() -> None:
    religions, deities, relations, cultures = faiths_there_are()

    def named(seed: int, religion: int) -> str:
        splinter = splinter_faith(
            Founding(religion=religion, parent=2, culture=0, seat=(-1, 0), place=None),
            religions, deities, relations, cultures=cultures, seeds=Seeds(seed),
            table=catalog.religion_table(), name_bases=catalog.name_bases(),
            templates=catalog.prose_templates(),
        )  # fmt: skip
        return str(splinter.religions["name"][0])

    assert named(4, 3) == named(4, 3)
    names = {named(seed, 3) for seed in range(12)}
    assert len(names) > 3
    assert not names & set(religions["name"])
