"""The quest room's people index: a person built when asked for is the one a full index held
(home, trade, standing, wealth, birth, and kin: father, mother, spouse, then children by id);
the long dead are left out of a board's givers."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.systems.narrative.quest.quest_fixtures import RULES, world
from worldloom.systems.narrative.quest.motive import residents
from worldloom.systems.narrative.quest.world import (
    People,
    Person,
    _index_people,
    build_atlas,
    living,
)

SCHEMA = {
    "npc_id": pl.Int64,
    "settlement_id": pl.Int32,
    "profession": pl.String,
    "notable": pl.Boolean,
    "notable_role": pl.String,
    "wealth": pl.Int64,
    "born_tick": pl.Int64,
    "father_id": pl.Int64,
    "mother_id": pl.Int64,
    "spouse_id": pl.Int64,
}


def _frame(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row").sort("npc_id")


def test_a_person_with_kin_and_the_mapping_protocol() -> None:
    people = People(
        _frame([
            (1, 10, "smith", True, "mayor", 50, -300, None, None, 2),
            (2, 10, None, False, None, 0, None, None, None, 1),
            (5, None, "child", False, None, 0, 7, 1, 2, None),
            (3, 11, "child", False, None, 0, 5, 1, 2, None),
        ])
    )  # fmt: skip
    assert people[1] == Person(10, "smith", True, "mayor", 50, -300)
    assert people.kin(1) == (2, 3, 5)
    assert people[2] == Person(10, "", False, None, 0, None)
    assert people.kin(2) == (1, 3, 5)
    assert people.kin(5) == (1, 2)
    assert people[1] is people[1]  # built once
    assert len(people) == 4
    assert list(people) == [1, 2, 3, 5]
    assert 3 in people
    assert 4 not in people
    assert people.get(4) is None
    with pytest.raises(KeyError):
        people[4]
    with pytest.raises(KeyError):
        people.kin(4)


@st.composite
def families(draw: st.DrawFn) -> pl.DataFrame:
    count = draw(st.integers(0, 25))
    ids = draw(st.lists(st.integers(0, 60), min_size=count, max_size=count, unique=True))
    maybe = st.one_of(st.none(), st.sampled_from(ids)) if ids else st.none()
    rows = [
        (
            npc,
            draw(st.one_of(st.none(), st.integers(0, 3))),
            draw(st.sampled_from([None, "", "farmer", "child"])),
            draw(st.booleans()),
            draw(st.sampled_from([None, "ruler"])),
            draw(st.integers(0, 100)),
            draw(st.one_of(st.none(), st.integers(-500, 500))),
            draw(maybe),
            draw(maybe),
            draw(maybe),
        )
        for npc in ids
    ]
    return _frame(rows)


@settings(max_examples=80, deadline=None)
@given(frame=families())
def test_people_match_a_full_index(frame: pl.DataFrame) -> None:
    people = People(frame)
    rows = list(frame.iter_rows(named=True))
    for row in rows:
        children = sorted(
            r["npc_id"] for r in rows for p in ("father_id", "mother_id") if r[p] == row["npc_id"]
        )
        family = [row[p] for p in ("father_id", "mother_id", "spouse_id") if row[p] is not None]
        assert people[row["npc_id"]] == Person(
            row["settlement_id"],
            row["profession"] or "",
            row["notable"],
            row["notable_role"],
            row["wealth"],
            row["born_tick"],
        )
        assert people.kin(row["npc_id"]) == (*family, *children)
        assert people.is_notable(row["npc_id"]) is people[row["npc_id"]].notable
    assert not any(people.is_notable(npc) for npc in (-1, 61, None, "1"))


@settings(max_examples=60, deadline=None)
@given(frame=families(), keys=st.sets(st.sampled_from(["farmer", "child", "ruler", "smith"])))
def test_residents_of_some_keys_are_those_of_the_full_index(
    frame: pl.DataFrame, keys: set[str]
) -> None:
    _, everyone, notables = _index_people(frame)
    people, some, same = _index_people(frame.reverse(), keys=keys)
    assert some == {place: ids for place, ids in everyone.items() if place[1] in keys}
    assert same == notables
    assert list(people) == frame["npc_id"].to_list()


def test_a_person_is_found_by_a_number_only() -> None:
    people = People(_frame([(1, 10, "smith", True, None, 5, 0, None, None, None)]))
    assert None not in people
    assert "1" not in people
    assert 1.5 not in people
    assert 1 in people


@settings(max_examples=60, deadline=None)
@given(
    frame=families(),
    died=st.dictionaries(st.integers(-5, 65), st.integers(-100, 100), max_size=10),
    tick=st.integers(-600, 600),
)
def test_alive_is_born_and_not_yet_dead(
    frame: pl.DataFrame, died: dict[int, int], tick: int
) -> None:
    """Whoever the ids (numbered from 0 or not), alive means: one of the people, born by the
    tick (or with no birth recorded) and not dead by it; deaths of no one's id are ignored;
    a life read once answers the same. Checked at a drawn tick and on every day someone was
    born or died."""
    dead = pl.DataFrame(
        {"npc_id": list(died), "died_tick": list(died.values())},
        schema={"npc_id": pl.Int64, "died_tick": pl.Int64},
    )
    people = People(frame, dead)
    born = dict(zip(frame["npc_id"].to_list(), frame["born_tick"].to_list(), strict=True))
    days = {tick, *died.values(), *(b for b in born.values() if b is not None)}
    for day in days:
        for npc in range(-2, 62):
            first = born.get(npc)
            expected = (
                npc in born and (first is None or first <= day) and died.get(npc, day + 1) > day
            )
            assert people.alive(npc, day) == expected, (npc, day)
            life = people.life(npc)
            assert (life is not None and living([life], day) == [npc]) == expected, (npc, day)
        assert not people.alive(None, day)
        assert not people.alive("3", day)


def test_people_numbered_from_zero_are_found_by_their_number() -> None:
    people = People(
        _frame([
            (0, 10, "smith", True, None, 5, 0, None, None, None),
            (1, 10, "child", False, None, 0, 30, 0, None, None),
        ]),
        pl.DataFrame({"npc_id": [0], "died_tick": [40]}),
    )  # fmt: skip
    assert list(people) == [0, 1]
    assert 2 not in people
    assert -1 not in people
    assert people.kin(0) == (1,)
    assert people.alive(0, 39)
    assert not people.alive(0, 40)
    assert not people.alive(1, 29)
    assert people.alive(1, 40)


def test_the_long_dead_leave_the_givers_places_to_the_living() -> None:
    # Twelve merchants of town 0, all richer than its living merchant (2), died on day 10:
    # a board on day 300 asks the living; one on day 5 still finds the richest of them.
    base = world()
    ghosts = pl.DataFrame(
        {
            "npc_id": range(100, 112),
            "settlement_id": 0,
            "profession": "merchant",
            "notable_role": "merchant",
            "wealth": range(1000, 1012),
            "father_id": None,
            "mother_id": None,
            "spouse_id": None,
            "born_tick": -9000,
            "notable": True,
        },
        schema=base.npcs.schema,
    )
    died = pl.DataFrame({"npc_id": range(100, 112), "died_tick": 10}, schema=base.dead.schema)
    haunted = dataclasses.replace(
        base, npcs=pl.concat([base.npcs, ghosts]), dead=pl.concat([base.dead, died])
    )
    later = build_atlas(haunted, levels=RULES.encounter_levels, since=300)
    assert residents(later, [0], ["merchant"], 300) == (2,)
    assert 111 not in later.people
    assert not later.alive(111, 300)
    earlier = build_atlas(haunted, levels=RULES.encounter_levels, since=5)
    assert residents(earlier, [0], ["merchant"], 5)[0] == 111
